// PublishedSet: the private path's bodies of one kind of one index state (PRODUCT.md §3b; the format is
// core/codec_set.h, docs/FORMAT.md "Sets") — the manifest, every shard and their concatenation `all`,
// rendered once from the index, then served (vigie-serve) or written (vigie-index export) as they are, so
// server and export agree byte for byte and a set never disagrees with the range answers of its state.
//
// Building reads every bucket of the kind twice (counting, then coding), in key order: the tags come out
// sorted, so shards are coded as they fill, in one pass, without holding the tags.
//
// Ownership: a PublishedSet owns its bytes. Thread-safety: immutable once built.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.h"
#include "core/codec_set.h"
#include "core/index.h"

namespace vigie {

class PublishedSet {
 public:
  struct Options {
    int shard_bits = 6;
    bool pad = false;    // pad every shard to the largest one
    std::string scheme;  // for the manifest
  };
  // `breaches`: the index's breaches as range bodies list them (positions are shared with /v1/range).
  static Result<std::unique_ptr<PublishedSet>> Build(const Index& index, Kind kind, const RangeBreachTable& breaches,
                                                     const Options& options);

  Kind kind() const { return kind_; }
  const SetManifest& manifest() const { return manifest_; }
  const std::string& manifest_json() const { return manifest_json_; }
  const std::string& manifest_etag() const { return manifest_etag_; }
  size_t shard_count() const { return offsets_.size() - 1; }
  // Shard `i`'s body: a view into all(), alive as long as this object.
  std::string_view shard(size_t i) const {
    return std::string_view(all_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  const std::string& shard_etag(size_t i) const { return manifest_.shards[i].etag; }
  const std::string& all() const { return all_; }
  const std::string& all_etag() const { return all_etag_; }

 private:
  PublishedSet() = default;
  Kind kind_ = Kind::kNir;
  SetManifest manifest_;
  std::string manifest_json_;
  std::string manifest_etag_;
  std::string all_;
  std::vector<size_t> offsets_{0};
  std::string all_etag_;
};

// Parses a shard number as the routes write it: lower-case hex, no leading zeros ("0", "1f"), below
// 2^shard_bits. InvalidArgument (reason "set.shard") otherwise.
Result<uint32_t> ParseShardNumber(std::string_view text, int shard_bits);
std::string ShardNumberHex(uint32_t shard);

}  // namespace vigie
