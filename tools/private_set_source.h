// PrivateSetSource: `vigie-check --private` — the private path (PRODUCT.md §3b) as a BucketSource, so that
// single look-ups and bulk runs (core/bulk_check.h) use it unchanged. Instead of one range request per
// prefix it matches tags against the kind's set (core/set_lookup.h):
//   - single look-ups fetch the manifest (GET /v1/set/{kind}) and only the shards their tags fall in
//     (GET /v1/set/{kind}/{shard}): the server learns shard_bits bits of each tag;
//   - bulk runs (whole_set) fetch GET /v1/set/{kind}/all once: the server learns nothing of the tags.
// Tags themselves come as on the range path: computed locally (sha256), or by blinded evaluations
// (oprf-p256, through the HttpBucketSource) that tell the server nothing.
//
// Everything fetched is kept in cache_dir (one folder per server and kind), with its ETag: the manifest is
// revalidated (If-None-Match) on every run; a shard or `all` whose ETag the manifest still lists is used
// from the cache without any request. A shard that does not match its manifest (the index changed between
// the two requests) makes the source fetch the manifest again, once.
//
// Thread-safety: one run at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/bulk_check.h"
#include "core/set_lookup.h"
#include "tools/http_bucket_source.h"

namespace vigie::cli {

struct PrivateSetOptions {
  bool whole_set = false;                        // fetch `all` (bulk) rather than single shards
  std::string cache_dir;                         // empty: no cache
  std::function<void(const std::string&)> note;  // what was fetched, for --verbose style notes; may be empty
};

class PrivateSetSource final : public BucketSource {
 public:
  // `http` must outlive this; it describes the index and runs OPRF evaluations.
  PrivateSetSource(HttpBucketSource* http, PrivateSetOptions options) : http_(http), options_(std::move(options)) {}

  Result<RemoteIndexInfo> Describe(Kind kind) override;
  Status Fetch(Kind kind, std::span<const uint32_t> prefixes, const OnBucket& on_bucket) override;
  Status Evaluate(Kind kind, std::span<const oprf::Element> blinded, std::span<oprf::Element> evaluated) override {
    return http_->Evaluate(kind, blinded, evaluated);
  }
  Status Match(Kind kind, const TagLayout& layout, const MatchRows& rows, const OnFound& on_found,
               uint64_t* requests) override;

  uint64_t shard_requests() const { return shard_requests_; }
  uint64_t cache_hits() const { return cache_hits_; }

 private:
  Status LoadManifest(Kind kind);
  // The body of the set's `name` ("3f", "all"), from the cache when it holds it with ETag `etag` (empty:
  // always fetched), else fetched and cached.
  Result<std::string> Body(Kind kind, const std::string& name, const std::string& etag);
  Status LoadShards(Kind kind, const std::vector<uint32_t>& shards);
  std::string CacheFolder(Kind kind) const;

  HttpBucketSource* http_;
  PrivateSetOptions options_;
  std::map<Kind, std::unique_ptr<SetLookup>> sets_;
  uint64_t shard_requests_ = 0;
  uint64_t cache_hits_ = 0;
};

}  // namespace vigie::cli
