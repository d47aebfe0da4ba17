// The OPRF routes of an oprf-p256 index: GET /v1/oprf/key (the public key clients verify proofs against)
// and POST /v1/oprf/{kind}/evaluate (BlindEvaluate of a batch, with a DLEQ proof in verifiable mode). The
// bodies are server/oprf_endpoint.h's; this file adds the HTTP rules: content types, batch caps per
// caller, and the evaluation budget, counted per element — the key's, else the client address's.
//
// Thread-safety: Serve* may be called from any number of threads (the key is immutable, the limiter is
// thread-safe).
#pragma once

#include <memory>
#include <string>

#include "core/oprf.h"
#include "server/http_message.h"
#include "server/rate_limiter.h"
#include "server/response_cache.h"
#include "server/route_context.h"

namespace vigie::serve {

class OprfRoute {
 public:
  // `key` null: the index is not an oprf-p256 index and both routes answer 404. `key` must outlive this.
  OprfRoute(const ServeOptions& options, const oprf::OprfKey* key);

  // The largest request body the evaluate route reads (hex JSON of the largest batch).
  size_t max_body() const;
  // Elements per request without an API key.
  size_t anonymous_batch() const;

  void ServeKey(const RouteEnv& env, const HttpRequest& req, HttpResponse& res) const;
  void ServeEvaluate(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res);

 private:
  const ServeOptions& options_;
  const oprf::OprfKey* key_;
  std::shared_ptr<const CachedResponse> key_json_;
  RateLimiter limiter_;  // evaluations, counted per element
};

}  // namespace vigie::serve
