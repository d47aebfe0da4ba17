#include "server/metrics.h"

#include <cstdio>

namespace vigie::serve {

size_t Metrics::StatusSlot(int status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size() - 1;
}

void Metrics::RecordRequest(Route route, int status, double seconds) {
  const size_t r = static_cast<size_t>(route);
  requests_[r][StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  if (seconds < 0) return;  // unknown (refused before routing)
  size_t b = 0;
  while (b < kLatencyBounds.size() && seconds > kLatencyBounds[b]) ++b;
  latency_[r][b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_[r].fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

uint64_t Metrics::requests(Route route, int status) const {
  return requests_[static_cast<size_t>(route)][StatusSlot(status)].load(std::memory_order_relaxed);
}

std::string Metrics::Render(uint64_t cache_bytes, uint64_t cache_entries) const {
  std::string out;
  char line[256];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  out += "# HELP vigie_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE vigie_http_requests_total counter\n";
  for (size_t r = 0; r < kRouteCount; ++r) {
    const std::string route(RouteName(static_cast<Route>(r)));
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string status = kStatuses[s] ? std::to_string(kStatuses[s]) : "other";
      add("vigie_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n", route.c_str(), status.c_str(),
          static_cast<unsigned long long>(n));
    }
  }
  out += "# HELP vigie_http_request_duration_seconds Time from routing to the response being handed over.\n";
  out += "# TYPE vigie_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < kRouteCount; ++r) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kLatencyBounds.size(); ++b) cumulative += latency_[r][b].load(std::memory_order_relaxed);
    if (cumulative == 0) continue;
    const std::string route(RouteName(static_cast<Route>(r)));
    cumulative = 0;
    for (size_t b = 0; b <= kLatencyBounds.size(); ++b) {
      cumulative += latency_[r][b].load(std::memory_order_relaxed);
      if (b < kLatencyBounds.size()) {
        add("vigie_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", route.c_str(),
            kLatencyBounds[b], static_cast<unsigned long long>(cumulative));
      } else {
        add("vigie_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", route.c_str(),
            static_cast<unsigned long long>(cumulative));
      }
    }
    add("vigie_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n", route.c_str(),
        static_cast<double>(latency_sum_ns_[r].load(std::memory_order_relaxed)) / 1e9);
    add("vigie_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route.c_str(),
        static_cast<unsigned long long>(cumulative));
  }
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    add("# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, static_cast<unsigned long long>(value));
  };
  auto gauge = [&](const char* name, const char* help, uint64_t value) {
    add("# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name, name, static_cast<unsigned long long>(value));
  };
  counter("vigie_bucket_cache_hits_total", "Range responses served from the encoded-bucket cache.",
          cache_hits_.load(std::memory_order_relaxed));
  counter("vigie_bucket_cache_misses_total", "Range responses encoded from the index.",
          cache_misses_.load(std::memory_order_relaxed));
  gauge("vigie_bucket_cache_bytes", "Bytes held by the encoded-bucket cache.", cache_bytes);
  gauge("vigie_bucket_cache_entries", "Responses held by the encoded-bucket cache.", cache_entries);
  counter("vigie_rate_limited_total", "Requests refused with 429.", rate_limited_.load(std::memory_order_relaxed));
  counter("vigie_index_reloads_total", "New index states switched to.", reloads_.load(std::memory_order_relaxed));
  counter("vigie_index_reload_failures_total", "Failed attempts to open a new index state (retried).",
          reload_failures_.load(std::memory_order_relaxed));
  gauge("vigie_index_generation", "Generation of the index state being served.",
        generation_.load(std::memory_order_relaxed));
  counter("vigie_oprf_evaluations_total", "OPRF elements evaluated (one per blinded element).",
          oprf_evaluations_.load(std::memory_order_relaxed));
  out += "# HELP vigie_oprf_refusals_total OPRF evaluate requests refused, by reason.\n";
  out += "# TYPE vigie_oprf_refusals_total counter\n";
  static constexpr const char* kRefusals[] = {"rate_limited", "batch", "malformed", "unavailable"};
  for (size_t i = 0; i < oprf_refusals_.size(); ++i) {
    add("vigie_oprf_refusals_total{reason=\"%s\"} %llu\n", kRefusals[i],
        static_cast<unsigned long long>(oprf_refusals_[i].load(std::memory_order_relaxed)));
  }
  return out;
}

}  // namespace vigie::serve
