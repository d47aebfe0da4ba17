// RateLimiter: per-client token buckets (a client is an address, or an API key). A bucket holds up to
// `burst` tokens and refills at `per_second`; each request takes one.
//
// Memory is bounded: past max_clients, the least recently used bucket of the shard is dropped, one for each
// new client (that client starts over with a full bucket when it comes back). Idle buckets are the ones to
// go; an active client keeps its bucket unless max_clients others arrived since its last request.
//
// Thread-safety: Allow() may be called from any number of threads (16 mutex-guarded shards).
#pragma once

#include <array>
#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigie::serve {

struct RateLimit {
  double per_second = 0;  // <= 0: unlimited
  double burst = 1;
  bool unlimited() const { return per_second <= 0; }
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(size_t max_clients = 200000) : max_per_shard_(max_clients / kShards + 1) {}

  // Takes `cost` tokens (one request, or n OPRF evaluations) from `client`'s bucket. When fewer are left,
  // takes none, returns false and sets *retry_after_s to the whole seconds until there are enough (at least
  // 1). A cost above the burst can never be met: callers cap their batches at the burst.
  bool Allow(std::string_view client, const RateLimit& limit, Clock::time_point now, int* retry_after_s,
             double cost = 1);

  size_t clients() const;

 private:
  static constexpr size_t kShards = 16;
  struct Bucket {
    std::string client;
    double tokens;
    Clock::time_point last;
  };
  using Lru = std::list<Bucket>;  // front: most recently used
  struct Shard {
    mutable std::mutex mu;
    Lru lru;
    std::unordered_map<std::string_view, Lru::iterator> buckets;  // keys view Bucket::client
  };

  size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace vigie::serve
