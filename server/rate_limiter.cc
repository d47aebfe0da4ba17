#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace vigie::serve {

bool RateLimiter::Allow(std::string_view client, const RateLimit& limit, Clock::time_point now, int* retry_after_s,
                        double cost) {
  if (limit.unlimited()) return true;
  Shard& shard = shards_[std::hash<std::string_view>()(client) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(client);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      shard.buckets.erase(shard.lru.back().client);
      shard.lru.pop_back();
    }
    shard.lru.push_front(Bucket{std::string(client), limit.burst, now});
    it = shard.buckets.emplace(shard.lru.front().client, shard.lru.begin()).first;
  } else if (it->second != shard.lru.begin()) {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  }
  Bucket& b = *it->second;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  if (elapsed > 0) {
    b.tokens = std::min(limit.burst, b.tokens + elapsed * limit.per_second);
    b.last = now;
  }
  if (b.tokens >= cost) {
    b.tokens -= cost;
    return true;
  }
  *retry_after_s = std::max(1, static_cast<int>(std::ceil((cost - b.tokens) / limit.per_second)));
  return false;
}

size_t RateLimiter::clients() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace vigie::serve
