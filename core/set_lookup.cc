#include "core/set_lookup.h"

namespace vigie {

namespace {

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Stale(const std::string& what) {
  return Status(Code::kCorruption, "set.stale",
                "the set's shard does not match its manifest (" + what +
                    "): the index changed; fetch the manifest "
                    "again");
}

}  // namespace

Result<SetLookup::Position> SetLookup::Locate(const TagLayout& layout, uint32_t prefix,
                                              std::string_view suffix_hex) const {
  const int tag_bits = manifest_.tag_bits;
  const int prefix_bits = 4 * layout.prefix_hex;
  if (tag_bits > prefix_bits + 4 * static_cast<int>(suffix_hex.size()) || prefix_bits > 32) {
    return Status::InvalidArgument("set.layout", "the set keeps more tag bits than the index's layout gives");
  }
  uint64_t word = uint64_t{prefix} << (64 - prefix_bits);
  int shift = 64 - prefix_bits;
  for (char c : suffix_hex) {
    if (shift <= 0) break;
    const int n = Nibble(c);
    if (n < 0) return Status::InvalidArgument("set.layout", "a suffix that is not hexadecimal");
    shift -= 4;
    word |= shift >= 0 ? uint64_t(n) << shift : uint64_t(n) >> -shift;
  }
  const uint64_t bits = word >> (64 - tag_bits);
  return Position{SetShardOf(bits, tag_bits, manifest_.shard_bits), SetValueOf(bits, tag_bits, manifest_.shard_bits)};
}

Status SetLookup::Check(uint32_t shard, std::string_view body, const SetShard& decoded) const {
  if (shard >= manifest_.shards.size()) return Stale("shard number beyond the manifest");
  if (decoded.shard != shard) return Stale("another shard number");
  if (decoded.kind != manifest_.kind || decoded.shard_bits != manifest_.shard_bits ||
      decoded.tag_bits != manifest_.tag_bits) {
    return Stale("another geometry or kind");
  }
  if (decoded.generation != manifest_.generation) return Stale("another generation");
  const SetManifest::Shard& listed = manifest_.shards[shard];
  if (decoded.values.size() != listed.count || body.size() != listed.bytes || BodyEtag(body) != listed.etag) {
    return Stale("another body");
  }
  return Status::Ok();
}

// Breach positions are checked against the manifest only once the shard is known to be of the manifest's
// generation: a newer shard may name a breach the (older) manifest does not list yet — that is staleness,
// which a fresh manifest cures, not corruption.
Status SetLookup::AddShard(uint32_t shard, std::string_view body) {
  SetShard decoded;
  size_t consumed = 0;
  VIGIE_RETURN_IF_ERROR(DecodeSetShard(body, UINT32_MAX, &decoded, &consumed));
  if (consumed != body.size()) return Status(Code::kCorruption, "set.body", "set shard: trailing bytes");
  VIGIE_RETURN_IF_ERROR(Check(shard, body, decoded));
  VIGIE_RETURN_IF_ERROR(CheckPositions(decoded));
  shards_[shard] = std::move(decoded);
  return Status::Ok();
}

Status SetLookup::CheckPositions(const SetShard& shard) const {
  for (const auto& combo : shard.combos) {
    for (uint32_t p : combo) {
      if (p >= manifest_.breaches.size()) {
        return Status(Code::kCorruption, "set.body", "set shard: a breach position beyond the manifest's list");
      }
    }
  }
  return Status::Ok();
}

Status SetLookup::AddAll(std::string_view all) {
  for (uint32_t i = 0; i < manifest_.shards.size(); ++i) {
    SetShard decoded;
    size_t consumed = 0;
    VIGIE_RETURN_IF_ERROR(DecodeSetShard(all, UINT32_MAX, &decoded, &consumed));
    VIGIE_RETURN_IF_ERROR(Check(i, all.substr(0, consumed), decoded));
    VIGIE_RETURN_IF_ERROR(CheckPositions(decoded));
    shards_[i] = std::move(decoded);
    all.remove_prefix(consumed);
  }
  if (!all.empty()) return Status(Code::kCorruption, "set.body", "the set has more shards than its manifest");
  return Status::Ok();
}

bool SetLookup::Find(const Position& position, std::vector<std::string>* breaches) const {
  auto it = shards_.find(position.shard);
  if (it == shards_.end()) return false;
  const SetShard& shard = it->second;
  const int64_t at = FindInSetShard(shard, position.value);
  if (at < 0) return false;
  breaches->clear();
  for (uint32_t p : shard.combos[shard.ComboOf(static_cast<size_t>(at))]) breaches->push_back(manifest_.breaches[p]);
  return true;
}

}  // namespace vigie
