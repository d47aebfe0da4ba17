// SetLookup: the client side of the private path (PRODUCT.md §3b, core/codec_set.h): a kind's set manifest,
// the shards a client has fetched (decoded and checked against the manifest), and look-ups in them. Used by
// `vigie-check --private` (tools/private_set_source.h); the page has its own JavaScript port (web/src/set.js).
//
// A tag is given the way the range-path tagger cuts it (core/bulk_check.h): the prefix and suffix (hex) of
// the index's range layout, which together keep at least the set's tag_bits bits.
//
// Thread-safety: Add* from one thread; once loaded, Locate and Find from any number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.h"
#include "core/codec_set.h"
#include "core/status.h"

namespace vigie {

class SetLookup {
 public:
  explicit SetLookup(SetManifest manifest) : manifest_(std::move(manifest)) {}

  const SetManifest& manifest() const { return manifest_; }

  struct Position {
    uint32_t shard = 0;
    uint64_t value = 0;
  };
  // InvalidArgument when the range layout keeps fewer bits than the set needs.
  Result<Position> Locate(const TagLayout& layout, uint32_t prefix, std::string_view suffix_hex) const;

  // A shard body as the server sent it. Corruption (reason "set.body" or "set.stale") when it does not
  // decode, or is not the shard the manifest describes (number, generation, entry count, ETag): a client
  // then refetches the manifest rather than answer from a mix of index states.
  Status AddShard(uint32_t shard, std::string_view body);
  // Every shard at once: the body of GET /v1/set/{kind}/all.
  Status AddAll(std::string_view all);
  bool HasShard(uint32_t shard) const { return shards_.count(shard) != 0; }

  // Whether the tag at `position` is in the set (its shard must have been added); with its breach names.
  bool Find(const Position& position, std::vector<std::string>* breaches) const;

 private:
  Status Check(uint32_t shard, std::string_view body, const SetShard& decoded) const;
  Status CheckPositions(const SetShard& decoded) const;

  SetManifest manifest_;
  std::map<uint32_t, SetShard> shards_;
};

}  // namespace vigie
