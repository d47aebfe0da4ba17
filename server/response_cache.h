// ResponseCache: a bounded LRU of encoded range responses keyed by (index state, route, kind, prefix), so
// a popular bucket is read and encoded once per index state. Entries of an old state are never served
// for a new one (the key carries the state's sequence number): StartState drops them all when the served
// state changes, and refuses the late ones that requests still answering from the old state put after.
//
// Thread-safety: all methods may be called from any thread (16 mutex-guarded shards, each its own LRU).
// A CachedResponse is shared and immutable except for its lazily built gzip form (built once, under
// std::call_once).
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vigie::serve {

struct CachedResponse {
  std::string body;
  std::string etag;  // BodyEtag(body)
  // gzip form, made on first use by a client that accepts it.
  const std::string& gzip() const;

 private:
  mutable std::once_flag gzip_once_;
  mutable std::string gzip_;
};

struct CacheKey {
  uint64_t state = 0;  // IndexState sequence
  uint8_t route = 0;
  uint8_t kind = 0;
  uint32_t prefix = 0;
  bool operator==(const CacheKey&) const = default;
};

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes) : max_bytes_per_shard_(max_bytes / kShards) {}

  std::shared_ptr<const CachedResponse> Get(const CacheKey& key);
  // Ignored when key.state is older than the last StartState.
  void Put(const CacheKey& key, std::shared_ptr<const CachedResponse> value);
  // The served state is now `state`: drops every entry, and from now on keeps only entries of `state` or
  // newer.
  void StartState(uint64_t state);

  bool enabled() const { return max_bytes_per_shard_ > 0; }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t entries() const { return entries_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 16;
  struct KeyHash {
    size_t operator()(const CacheKey& k) const {
      uint64_t h = k.state * 0x9e3779b97f4a7c15ULL ^ (uint64_t{k.route} << 40 | uint64_t{k.kind} << 32 | k.prefix);
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  using Lru = std::list<std::pair<CacheKey, std::shared_ptr<const CachedResponse>>>;
  struct Shard {
    std::mutex mu;
    Lru lru;  // front: most recent
    std::unordered_map<CacheKey, Lru::iterator, KeyHash> map;
    size_t bytes = 0;
  };
  static size_t Cost(const CachedResponse& r) { return r.body.size() + r.body.size() / 2 + 128; }

  size_t max_bytes_per_shard_;
  Shard shards_[kShards];
  std::atomic<uint64_t> bytes_{0}, entries_{0};
  std::atomic<uint64_t> oldest_state_{0};
};

}  // namespace vigie::serve
