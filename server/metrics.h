// Metrics: the counters behind GET /metrics (Prometheus text format 0.0.4). Requests by route and status,
// a latency histogram per route, bucket-cache hits and misses, rate-limit refusals, index reloads and the
// served generation.
//
// Thread-safety: every method may be called from any thread (relaxed atomics; a scrape is not a
// consistent snapshot across counters, which Prometheus tolerates).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "server/router.h"

namespace vigie::serve {

class Metrics {
 public:
  // Latency bucket upper bounds, seconds.
  static constexpr std::array<double, 12> kLatencyBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                            0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

  void RecordRequest(Route route, int status, double seconds);
  void CacheHit() { cache_hits_.fetch_add(1, std::memory_order_relaxed); }
  void CacheMiss() { cache_misses_.fetch_add(1, std::memory_order_relaxed); }
  void RateLimited() { rate_limited_.fetch_add(1, std::memory_order_relaxed); }
  void ReloadSucceeded() { reloads_.fetch_add(1, std::memory_order_relaxed); }
  void ReloadFailed() { reload_failures_.fetch_add(1, std::memory_order_relaxed); }
  void SetGeneration(uint64_t g) { generation_.store(g, std::memory_order_relaxed); }
  // OPRF: elements evaluated, and evaluate requests refused (by reason label).
  enum class OprfRefusal : uint8_t { kRateLimited, kBatch, kMalformed, kUnavailable, kCount };
  void OprfEvaluated(uint64_t n) { oprf_evaluations_.fetch_add(n, std::memory_order_relaxed); }
  void OprfRefused(OprfRefusal why) {
    oprf_refusals_[static_cast<size_t>(why)].fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t oprf_evaluations() const { return oprf_evaluations_.load(std::memory_order_relaxed); }
  uint64_t oprf_refusals(OprfRefusal why) const {
    return oprf_refusals_[static_cast<size_t>(why)].load(std::memory_order_relaxed);
  }

  uint64_t requests(Route route, int status) const;
  uint64_t cache_hits() const { return cache_hits_.load(std::memory_order_relaxed); }
  uint64_t cache_misses() const { return cache_misses_.load(std::memory_order_relaxed); }

  // `cache_bytes`/`cache_entries`: gauges read from the cache at scrape time.
  std::string Render(uint64_t cache_bytes, uint64_t cache_entries) const;

 private:
  // Status codes the server produces, each with its own series; anything else counts as "other".
  static constexpr std::array<int, 18> kStatuses = {200, 204, 304, 400, 401, 404, 405, 408, 409,
                                                    411, 413, 414, 415, 429, 431, 500, 503, 0};
  static size_t StatusSlot(int status);

  std::array<std::array<std::atomic<uint64_t>, kStatuses.size()>, kRouteCount> requests_{};
  std::array<std::array<std::atomic<uint64_t>, kLatencyBounds.size() + 1>, kRouteCount> latency_{};
  std::array<std::atomic<uint64_t>, kRouteCount> latency_sum_ns_{};
  std::atomic<uint64_t> cache_hits_{0}, cache_misses_{0}, rate_limited_{0}, reloads_{0}, reload_failures_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> oprf_evaluations_{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(OprfRefusal::kCount)> oprf_refusals_{};
};

}  // namespace vigie::serve
