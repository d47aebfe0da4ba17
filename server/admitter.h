// Admitter: who is asking, and may they — the API key (Authorization: Bearer KEY, matched on the raw header
// bytes) and the per-sender request budget: a key's own, else the client address's (IPv6 grouped by /64,
// RateBucketOf). Runs in a request's head phase, before any body byte is read.
//
// An unknown key is answered 401 and charged to the address's budget like any request, so guessing keys
// costs the same as any other flood.
//
// Thread-safety: Admit may be called from any number of threads.
#pragma once

#include "server/api_keys.h"
#include "server/client_address.h"
#include "server/http_message.h"
#include "server/rate_limiter.h"
#include "server/router.h"
#include "server/serve_options.h"

namespace vigie::serve {

class Admitter {
 public:
  // `keys` may be null (no API keys file); both must outlive the Admitter.
  Admitter(const ServeOptions& options, const TrustedProxies& proxies, const ApiKeyFile* keys);

  // Fills *admission (client address, key) and takes one request from the sender's budget. False: `res`
  // holds the refusal (401 unknown key, 429 out of budget, with Retry-After).
  bool Admit(const HttpRequest& req, Route route, Admission* admission, HttpResponse& res,
             RateLimiter::Clock::time_point now);

  size_t tracked_senders() const { return limiter_.clients(); }

 private:
  bool Charge(const std::string& bucket, const RateLimit& limit, HttpResponse& res, RateLimiter::Clock::time_point now);

  const ServeOptions& options_;
  const TrustedProxies& proxies_;
  const ApiKeyFile* keys_;
  RateLimiter limiter_;
};

}  // namespace vigie::serve
