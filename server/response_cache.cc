#include "server/response_cache.h"

#include "server/http_util.h"

namespace vigie::serve {

const std::string& CachedResponse::gzip() const {
  std::call_once(gzip_once_, [this] { gzip_ = Gzip(body); });
  return gzip_;
}

std::shared_ptr<const CachedResponse> ResponseCache::Get(const CacheKey& key) {
  if (!enabled()) return nullptr;
  Shard& s = shards_[KeyHash()(key) % kShards];
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) return nullptr;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->second;
}

void ResponseCache::Put(const CacheKey& key, std::shared_ptr<const CachedResponse> value) {
  if (!enabled() || key.state < oldest_state_.load(std::memory_order_acquire)) return;
  const size_t cost = Cost(*value);
  if (cost > max_bytes_per_shard_) return;
  Shard& s = shards_[KeyHash()(key) % kShards];
  std::lock_guard<std::mutex> lock(s.mu);
  // Checked again under the lock: a StartState that cleared this shard meanwhile must not see it back.
  if (key.state < oldest_state_.load(std::memory_order_acquire)) return;
  if (s.map.count(key)) return;  // another thread encoded the same bucket first
  s.lru.emplace_front(key, std::move(value));
  s.map.emplace(key, s.lru.begin());
  s.bytes += cost;
  bytes_.fetch_add(cost, std::memory_order_relaxed);
  entries_.fetch_add(1, std::memory_order_relaxed);
  while (s.bytes > max_bytes_per_shard_) {
    auto& victim = s.lru.back();
    const size_t victim_cost = Cost(*victim.second);
    s.map.erase(victim.first);
    s.lru.pop_back();
    s.bytes -= victim_cost;
    bytes_.fetch_sub(victim_cost, std::memory_order_relaxed);
    entries_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void ResponseCache::StartState(uint64_t state) {
  oldest_state_.store(state, std::memory_order_release);
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    bytes_.fetch_sub(s.bytes, std::memory_order_relaxed);
    entries_.fetch_sub(s.map.size(), std::memory_order_relaxed);
    s.lru.clear();
    s.map.clear();
    s.bytes = 0;
  }
}

}  // namespace vigie::serve
