// HttpBucketSource: the BucketSource of core/bulk_check.h over a vigie-serve range API (cpp-httplib).
//
// Only prefixes leave the machine: GET /v1/range/{kind}/{prefix}. Fetch spreads the prefixes over
// `connections` threads, each with its own keep-alive connection. A request that fails with 429, a 5xx or
// a connection error is retried with exponential back-off (100 ms doubling up to 30 s, with jitter), or
// after the server's Retry-After when it sends one; other statuses (400, 401, 404) are final.
//
// The index's tag layout comes from GET /v1/index when the server has that route (members "scheme",
// "prefix_hex", "suffix_hex"); otherwise from a probe: GET /v1/range/{kind}/00000 gives suffix_hex (and
// confirms 5-digit prefixes); a 400 "prefix.length" answer names the right length, which is probed next.
// Without /v1/index the scheme is inferred: sha256 for nir/email/phone, the hash length for passwords.
//
// oprf-p256 indexes: Evaluate POSTs the blinded elements in the RFC 9497 wire format to
// /v1/oprf/{kind}/evaluate, in batches (at most oprf_batch, and at most the server's max_batch from GET
// /v1/oprf/key) spread over the connections, with the same retries; a 400 "oprf.batch" halves the batch.
// With verify_fingerprint, Describe first checks that /v1/oprf/key's fingerprint is that one (nothing is
// sent otherwise), and every batch asks for a VOPRF proof that is verified against that public key.
//
// Thread-safety: one Fetch/Describe at a time per object; Fetch itself is multi-threaded. Counters are
// atomics, readable at any time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "core/bulk_check.h"

namespace vigie::cli {

struct HttpSourceOptions {
  std::string server;   // "http://host:port" or "https://host"
  std::string api_key;  // sent as "Authorization: Bearer KEY" when not empty
  int connections = 8;
  int max_attempts = 8;        // per request, for 5xx and connection errors
  int max_rate_limited = 200;  // per request, for 429 answers (a rate limit is expected in bulk)
  double max_backoff_s = 30;
  int timeout_s = 30;
  size_t oprf_batch = 256;                       // elements per evaluate request (the server may lower it)
  std::string verify_fingerprint;                // oprf-p256: the key fingerprint the server must have; empty: no check
  std::function<void(const std::string&)> warn;  // first retries are reported here (stderr in vigie-check)
};

struct HttpBody {
  int status = 0;  // 200, or 304 when the If-None-Match tag still holds (then `body` is empty)
  std::string body;
  std::string etag;
};

class HttpBucketSource final : public BucketSource {
 public:
  explicit HttpBucketSource(HttpSourceOptions options) : options_(std::move(options)) {}

  Result<RemoteIndexInfo> Describe(Kind kind) override;
  Status Fetch(Kind kind, std::span<const uint32_t> prefixes, const OnBucket& on_bucket) override;
  Status Evaluate(Kind kind, std::span<const oprf::Element> blinded, std::span<oprf::Element> evaluated) override;
  // GET `path` with the same retries; with `if_none_match`, a 304 says the cached copy is current. Any
  // other status than 200 or 304 is an error naming the server's reason.
  Result<HttpBody> GetBody(const std::string& path, const std::string& if_none_match = "");

  const std::string& server() const { return options_.server; }
  uint64_t requests() const { return requests_; }
  uint64_t retries() const { return retries_; }
  uint64_t rate_limited() const { return rate_limited_; }
  uint64_t evaluations() const { return evaluations_; }

 private:
  Status DescribeOprf();

  RemoteIndexInfo info_;
  size_t oprf_batch_ = 0;            // 0: /v1/oprf/key not read yet
  oprf::Element oprf_public_key_{};  // with verify_fingerprint
  HttpSourceOptions options_;
  std::atomic<uint64_t> requests_{0}, retries_{0}, rate_limited_{0}, evaluations_{0};
  std::atomic<int> warnings_{0};
};

}  // namespace vigie::cli
