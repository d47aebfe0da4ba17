#include "server/oprf_route.h"

#include <algorithm>
#include <cstdio>

#include "core/codec.h"
#include "core/oprf_wire.h"
#include "server/oprf_endpoint.h"
#include "server/responses.h"

namespace vigie::serve {

namespace {

using Refusal = Metrics::OprfRefusal;

std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type;
}

}  // namespace

OprfRoute::OprfRoute(const ServeOptions& options, const oprf::OprfKey* key) : options_(options), key_(key) {
  if (key_ == nullptr) return;
  auto json = std::make_shared<CachedResponse>();
  json->body = OprfKeyJson(key_->public_key(), options_.oprf_max_batch, anonymous_batch());
  json->etag = BodyEtag(json->body);
  key_json_ = std::move(json);
}

size_t OprfRoute::anonymous_batch() const {
  size_t n = std::max<size_t>(1, options_.oprf_max_batch_anonymous);
  if (options_.oprf_rate_per_min > 0) n = std::min(n, static_cast<size_t>(std::max(1.0, options_.oprf_burst)));
  return std::min(n, oprf::kMaxWireBatch);
}

// Hex JSON is the largest form: 70 bytes per element, plus the envelope.
size_t OprfRoute::max_body() const {
  return 72 * std::min(std::max<size_t>(1, options_.oprf_max_batch), oprf::kMaxWireBatch) + 256;
}

void OprfRoute::ServeKey(const RouteEnv& env, const HttpRequest& req, HttpResponse& res) const {
  if (!key_json_) {
    SendError(res, 404, "oprf.scheme", "this index is not an oprf-p256 index: no OPRF key");
    return;
  }
  SendCacheable(req, res, {.owner = key_json_, .body = key_json_->body, .etag = key_json_->etag, .content_type = kJson},
                env.options.max_age_s);
}

void OprfRoute::ServeEvaluate(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res) {
  auto refuse = [&](Refusal why, int status, std::string_view reason, const std::string& message) {
    env.metrics.OprfRefused(why);
    SendError(res, status, reason, message);
  };
  if (key_ == nullptr) {
    refuse(Refusal::kUnavailable, 404, "oprf.scheme",
           "this index is not an oprf-p256 index: tags are computed by the client, see /v1/index");
    return;
  }
  auto kind = ParseKind(match.kind);
  if (!kind || !env.state.current()->published->ServesKind(*kind)) {
    refuse(Refusal::kMalformed, 400, "oprf.kind", "unknown kind for this index: use nir, email or phone");
    return;
  }
  const std::string_view type = MediaType(req.Header("Content-Type"));
  const bool json = type == "application/json";
  if (!json && type != "application/octet-stream") {
    refuse(Refusal::kMalformed, 415, "oprf.content-type",
           "send Content-Type: application/octet-stream (the RFC 9497 wire format) or application/json");
    return;
  }
  const Admission& who = req.admission;
  // A key's batches are also capped at its bucket (one minute's worth), or they could never pass.
  size_t max_batch = anonymous_batch();
  if (who.keyed) {
    max_batch = std::min(std::max<size_t>(1, options_.oprf_max_batch), oprf::kMaxWireBatch);
    if (who.oprf_per_minute) max_batch = std::min<size_t>(max_batch, *who.oprf_per_minute);
  }
  OprfJsonRequest parsed;
  Status s = json ? ParseOprfJsonRequest(req.body, max_batch, &parsed)
                  : oprf::DecodeEvaluationRequest(req.body, max_batch, &parsed.blinded);
  if (!s.ok()) {
    std::string message = s.message();
    if (s.reason() == "oprf.batch") {
      message += who.keyed ? " (for this API key)" : " (without an API key; see /v1/oprf/key)";
    }
    refuse(s.reason() == "oprf.batch" ? Refusal::kBatch : Refusal::kMalformed, 400, s.reason(), message);
    return;
  }
  const std::string verifiable_param = req.QueryParam("verifiable").value_or("");
  const bool verifiable = parsed.verifiable || verifiable_param == "1" || verifiable_param == "true";
  const size_t n = parsed.blinded.size();

  RateLimit limit{options_.oprf_rate_per_min / 60.0, std::max(1.0, options_.oprf_burst)};
  std::string bucket = who.client;
  if (who.keyed) {
    limit.per_second = who.oprf_per_minute ? *who.oprf_per_minute / 60.0 : 0;
    limit.burst = who.oprf_per_minute ? static_cast<double>(*who.oprf_per_minute) : 1;  // a minute's worth
    bucket = who.key_id;
  }
  int retry_after = 1;
  if (!limiter_.Allow(bucket, limit, std::chrono::steady_clock::now(), &retry_after, static_cast<double>(n))) {
    env.metrics.RateLimited();
    res.Set("Retry-After", std::to_string(retry_after));
    refuse(Refusal::kRateLimited, 429, "oprf.rate-limited",
           "too many evaluations; retry after " + std::to_string(retry_after) + " s, or use an API key");
    return;
  }

  std::vector<oprf::Element> evaluated;
  std::optional<oprf::Proof> proof;
  if (s = EvaluateBlinded(*key_, parsed.blinded, verifiable, &evaluated, &proof); !s.ok()) {
    std::fprintf(stderr, "vigie-serve: an evaluation failed: %s\n", s.message().c_str());
    SendError(res, 500, "oprf.internal", "the evaluation failed");
    return;
  }
  env.metrics.OprfEvaluated(n);
  res.status = 200;
  AddCors(res);
  res.Set("Cache-Control", "no-store");
  const oprf::Proof* p = proof ? &*proof : nullptr;
  if (json) {
    SendBody(res, OprfJsonResponse(evaluated, p, parsed.base64), kJson);
  } else {
    SendBody(res, oprf::EncodeEvaluationResponse(verifiable ? oprf::Mode::kVoprf : oprf::Mode::kOprf, evaluated, p),
             "application/octet-stream");
  }
}

}  // namespace vigie::serve
