#include "server/admitter.h"

#include <algorithm>

#include "server/responses.h"

namespace vigie::serve {

Admitter::Admitter(const ServeOptions& options, const TrustedProxies& proxies, const ApiKeyFile* keys)
    : options_(options), proxies_(proxies), keys_(keys) {}

bool Admitter::Charge(const std::string& bucket, const RateLimit& limit, HttpResponse& res,
                      RateLimiter::Clock::time_point now) {
  int retry_after = 1;
  if (limiter_.Allow(bucket, limit, now, &retry_after)) return true;
  res.Set("Retry-After", std::to_string(retry_after));
  SendError(res, 429, "rate.limited",
            "too many requests; retry after " + std::to_string(retry_after) + " s, or use an API key");
  return false;
}

bool Admitter::Admit(const HttpRequest& req, Route route, Admission* admission, HttpResponse& res,
                     RateLimiter::Clock::time_point now) {
  admission->client = ClientAddress(proxies_, req.peer, req.HeaderList("X-Forwarded-For"));
  if (route == Route::kHealthz || route == Route::kReadyz || route == Route::kMetrics) return true;
  const RateLimit address_limit{options_.rate_per_s, options_.rate_burst};
  const std::string address_bucket = RateBucketOf(admission->client);
  const std::string_view authorization = req.Header("Authorization");
  if (keys_ == nullptr || authorization.empty()) return Charge(address_bucket, address_limit, res, now);

  constexpr std::string_view kBearer = "Bearer ";
  std::shared_ptr<const ApiKeyTable> table = keys_->table();
  const ApiKey* key = nullptr;
  if (authorization.size() > kBearer.size() && authorization.starts_with(kBearer)) {
    key = table->Find(authorization.substr(kBearer.size()));
  }
  if (key == nullptr) {
    if (!Charge(address_bucket, address_limit, res, now)) return false;
    res.Set("WWW-Authenticate", "Bearer");
    SendError(res, 401, "auth.key", "unknown API key (send Authorization: Bearer KEY, or no Authorization header)");
    return false;
  }
  admission->keyed = true;
  admission->key_id = key->id;
  admission->oprf_per_minute = key->oprf_per_minute;
  if (!key->per_minute) return true;
  const RateLimit key_limit{*key->per_minute / 60.0, std::max(1.0, *key->per_minute / 6.0)};
  return Charge(key->id, key_limit, res, now);
}

}  // namespace vigie::serve
