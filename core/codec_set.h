// The private path's wire format (docs/FORMAT.md "Sets"; PRODUCT.md §3b): every indexed tag of one kind as a
// set, split into 2^shard_bits shards by the first shard_bits bits of the tag; a shard holds the next
// tag_bits - shard_bits bits of each of its tags, sorted, Golomb-Rice coded as gaps, each with its breaches.
// Part of the codec module (core/codec.h): every byte of it is encoded and decoded here.
//
// Shard body (big-endian integers; GET /v1/set/{kind}/{shard}, application/octet-stream):
//   0  "VGS1"                 4  format version (1)     5  kind (on-disk byte)  6  shard_bits  7  tag_bits
//   8  generation u64         16 shard number u32      20 entry count u32
//   24 payload bytes u32 (header, combinations and bit stream; the CRC-32 follows them)
//   28 body bytes u32 (payload, CRC-32 and zero padding)
//   32 rice parameter k u8    33 breach coding u8: 0 every entry has combination 0, 1 one Exp-Golomb code each
//   34 combination count (varint), then each combination: member count (varint), then its breaches as
//      positions in the set's breach list, ascending: first absolute, then differences (varints)
//   bit stream, most significant bit first: per entry, the gap to the previous value (the first: the value
//   itself; later: value - previous - 1) as a Rice code — q = gap >> k one-bits, a zero-bit, then the k low
//   bits — then, with coding 1, the entry's combination index as Exp-Golomb order 0; zero bits to a byte
//   CRC-32 (IEEE, as zlib computes it) of bytes [0, payload bytes)
//   zero bytes up to body bytes (a padded index pads every shard of a kind to the largest one)
// Combinations are listed most frequent first, so the usual case costs one bit or, with a single
// combination (one breach), nothing.
//
// GET /v1/set/{kind}/all is the 2^shard_bits shard bodies one after another, in shard order; each says its
// own length (body bytes).
//
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/kind.h"
#include "core/status.h"

namespace vigie {

inline constexpr uint8_t kSetFormatVersion = 1;
inline constexpr size_t kSetHeaderBytes = 34;  // through the breach coding byte
inline constexpr int kMaxShardBits = 12;
inline constexpr int kMaxSetTagBits = 64;

struct SetShard {
  Kind kind = Kind::kNir;
  int shard_bits = 0;
  int tag_bits = 0;
  uint64_t generation = 0;
  uint32_t shard = 0;
  // Breach combinations, as ascending positions in the set's breach list; most frequent first.
  std::vector<std::vector<uint32_t>> combos;
  // The low tag_bits - shard_bits bits of each tag of the shard, strictly ascending.
  std::vector<uint64_t> values;
  // Per value, its index in `combos`; empty when every value has combination 0.
  std::vector<uint32_t> combo_of;

  uint32_t ComboOf(size_t i) const { return combo_of.empty() ? 0 : combo_of[i]; }
};

// Appends the shard's body to *out, with the Rice parameter that makes it smallest, zero-padded to
// `pad_to` bytes when that is larger. The shard must be well-formed (as DecodeSetShard would accept it).
void EncodeSetShard(const SetShard& shard, size_t pad_to, std::string* out);

// Appends `body` (one encoded shard) padded with zero bytes to `pad_to` bytes in all (when larger): its
// body-bytes field and CRC-32 are updated.
void PadSetShard(std::string_view body, size_t pad_to, std::string* out);

// Decodes the shard body at the front of `body` and sets *consumed to its length (body bytes). Everything is
// checked: magic, version, geometry, lengths, the CRC-32, ascending values below 2^(tag_bits - shard_bits),
// combination indices and breach positions (< breach_count), zero bits after the last entry and zero
// padding. Corruption (reason "set.body") otherwise:
// a damaged or truncated body is never mistaken for a shard without the tag.
Status DecodeSetShard(std::string_view body, uint32_t breach_count, SetShard* out, size_t* consumed);

// Position of `value` in a decoded shard, or -1.
int64_t FindInSetShard(const SetShard& shard, uint64_t value);

// The first tag_bits bits of a tag, as an integer (tag_bits <= 64), and its split into shard and value.
uint64_t SetTagBits(const uint8_t* tag, size_t tag_bytes, int tag_bits);
inline uint32_t SetShardOf(uint64_t tag_bits_value, int tag_bits, int shard_bits) {
  return shard_bits == 0 ? 0 : static_cast<uint32_t>(tag_bits_value >> (tag_bits - shard_bits));
}
inline uint64_t SetValueOf(uint64_t tag_bits_value, int tag_bits, int shard_bits) {
  const int value_bits = tag_bits - shard_bits;
  return value_bits >= 64 ? tag_bits_value : tag_bits_value & ((uint64_t{1} << value_bits) - 1);
}

// Tag bits a set of `count` tags keeps: ceil(log2 count) + 20 (one look-up's false-match chance at most
// 2^-20), at least shard_bits + 1, at most min(available_bits, 64).
int SetTagBitsFor(uint64_t count, int shard_bits, int available_bits);

// GET /v1/set/{kind}: the manifest, compact JSON, members in this order:
//   {"v":1,"kind":"nir","scheme":"oprf-p256","generation":7,"shard_bits":6,"tag_bits":45,"count":N,
//    "breaches":["name",...],"coding":{"format":"vigie-set-1","gaps":"golomb-rice","breaches":"exp-golomb-0",
//    "checksum":"crc32"},"padded":false,"shards":[{"count":n,"bytes":b,"etag":"\"…\""},...]}
struct SetManifest {
  Kind kind = Kind::kNir;
  std::string scheme;
  uint64_t generation = 0;
  int shard_bits = 0;
  int tag_bits = 0;
  uint64_t count = 0;
  std::vector<std::string> breaches;
  bool padded = false;
  struct Shard {
    uint32_t count = 0;
    uint64_t bytes = 0;
    std::string etag;
  };
  std::vector<Shard> shards;  // 2^shard_bits
};
std::string EncodeSetManifestJson(const SetManifest& manifest);
// Corruption (reason "set.manifest") for anything but a well-formed manifest of this version.
Status DecodeSetManifestJson(std::string_view json, SetManifest* out);

}  // namespace vigie
