// All byte encodings of Vigie's on-disk formats, in one place (docs/FORMAT.md describes them), and the
// wire formats of the HTTP bodies (last section, implemented in codec_wire.cc; docs/API.md).
//
//   keys      "b" kind:u8 prefix:u24be   -> bucket (binary, below)
//             "c/breach/{name}"           -> BreachRecord (JSON)
//             "c/dump/{breach}/{digest}/{selection hash}" -> DumpRecord (JSON)
//             "m/meta"                    -> IndexMeta (JSON)
//   bucket    header:u8 (version | flags) n:varint m:varint
//             m breach sets (k:varint, ids ascending: first absolute then deltas, varints)
//             n suffixes, each suffix_bytes wide, strictly ascending
//             if m > 1: n set indices, w bytes little-endian (w = 1 if m <= 256, 2 if m <= 65536, else 4)
//             if counts flag: for each entry, one count varint per member of its set
//
// Everything here is a pure function of its arguments; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/kind.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie {

// ---- hex and varints -------------------------------------------------------------------------------
std::string HexEncode(const uint8_t* data, size_t size, bool upper = false);
// Decodes an even-length hex string (either case) into size/2 bytes; false on any other character.
bool HexDecode(std::string_view hex, uint8_t* out);
void PutVarint(std::string* dst, uint64_t value);
// Reads a varint from the front of *in and advances it; false when truncated or longer than 10 bytes.
bool GetVarint(std::string_view* in, uint64_t* value);

// ---- tag geometry ----------------------------------------------------------------------------------
// A tag is cut into a prefix of prefix_hex nibbles (the bucket) and the next suffix_hex nibbles (what a
// bucket stores). Both are fixed per index.
struct TagLayout {
  int prefix_hex = 5;
  int suffix_hex = 16;

  size_t suffix_bytes() const { return static_cast<size_t>(suffix_hex + 1) / 2; }
  // Bytes of the tag that matter: the first prefix_hex + suffix_hex nibbles (last nibble zeroed if odd).
  size_t truncated_tag_bytes() const { return static_cast<size_t>(prefix_hex + suffix_hex + 1) / 2; }
  uint32_t bucket_count() const { return 1u << (4 * prefix_hex); }

  // The first prefix_hex nibbles of a tag as an integer.
  uint32_t Prefix(const uint8_t* tag) const;
  // Nibbles [prefix_hex, prefix_hex + suffix_hex) of a tag, left-aligned into suffix_bytes() bytes.
  void Suffix(const uint8_t* tag, uint8_t* out) const;
  // Lower-case hex of a prefix value, exactly prefix_hex digits.
  std::string PrefixHex(uint32_t prefix) const;
  // Parses exactly prefix_hex hex digits (either case).
  Result<uint32_t> ParsePrefix(std::string_view hex) const;
};

// ---- keys ------------------------------------------------------------------------------------------
inline constexpr char kBucketKeyTag = 'b';
inline constexpr size_t kBucketKeySize = 5;
inline constexpr std::string_view kMetaKey = "m/meta";
inline constexpr std::string_view kBreachKeyPrefix = "c/breach/";
inline constexpr std::string_view kDumpKeyPrefix = "c/dump/";

std::string BucketKey(Kind kind, uint32_t prefix);
// False when `key` is not a well-formed bucket key.
bool ParseBucketKey(std::string_view key, Kind* kind, uint32_t* prefix);
std::string BreachKey(std::string_view breach_name);
// One key per (breach, file digest, column selection); the selection enters as a 64-bit hash.
std::string DumpKey(std::string_view breach_name, std::string_view digest_hex, std::string_view selection);

// ---- buckets ---------------------------------------------------------------------------------------
inline constexpr uint8_t kBucketFormatVersion = 1;

struct Membership {
  uint32_t breach_id = 0;
  uint64_t count = 0;  // occurrences (password indexes); 0 where the index keeps no counts
  bool operator==(const Membership&) const = default;
};

// A decoded bucket: entries sorted by suffix, each with its breach memberships sorted by breach id.
// Flat arrays so that merging millions of entries does not allocate per entry.
struct Bucket {
  size_t suffix_bytes = 0;
  bool has_counts = false;
  std::vector<uint8_t> suffixes;          // size() * suffix_bytes
  std::vector<uint32_t> member_begin{0};  // size() + 1 offsets into members
  std::vector<Membership> members;

  size_t size() const { return member_begin.size() - 1; }
  bool empty() const { return size() == 0; }
  const uint8_t* suffix(size_t i) const { return suffixes.data() + i * suffix_bytes; }
  std::span<const Membership> members_of(size_t i) const {
    return {members.data() + member_begin[i], members.data() + member_begin[i + 1]};
  }
  void Reset(size_t suffix_width, bool counts);
  // Appends an entry; the caller keeps suffix order and then appends its memberships with AddMember.
  void AddEntry(const uint8_t* suffix);
  void AddMember(Membership m);
  bool operator==(const Bucket& other) const;
};

void EncodeBucket(const Bucket& bucket, std::string* out);
// Decodes and validates (version, sorted distinct suffixes, ascending ids, indices in range, no trailing
// bytes). Corruption otherwise.
Status DecodeBucket(std::string_view encoded, size_t suffix_bytes, Bucket* out);
// The number of entries of an encoded bucket, from its header alone.
Result<uint64_t> BucketEntryCount(std::string_view encoded);
// Looks one suffix up without decoding the whole bucket (counts need a scan, done only when present).
// Returns true and fills *memberships when found; false when absent.
Result<bool> FindInBucket(std::string_view encoded, size_t suffix_bytes, const uint8_t* suffix,
                          std::vector<Membership>* memberships);

// ---- catalogue records (JSON values) ---------------------------------------------------------------
inline constexpr int kIndexFormatVersion = 1;

struct IndexMeta {
  int format_version = kIndexFormatVersion;
  SchemeId scheme = SchemeId::kSha256;
  TagLayout layout;
  bool allow_unkeyed_nir = false;
  bool pad_responses = false;  // pad every range response of the index to one size (PRODUCT.md §6)
  // The private path's sets (core/codec_set.h): 2^shard_bits shards per kind. Indexes made before it: 6.
  int shard_bits = 6;
  // oprf-p256 only: the server key's public half (33-byte compressed point, hex), its fingerprint, and
  // where the key file was when the index was created (a default for `add` and `vigie-serve`).
  std::string oprf_public_key;
  std::string oprf_key_fingerprint;
  std::string oprf_key_path;
  std::string created_at;       // ISO 8601 UTC
  uint32_t next_breach_id = 1;  // ids are never reused
  uint64_t generation = 0;      // bumped by every committed change
  int64_t committed_at = 0;     // when that change was committed, seconds since the epoch (Last-Modified)
};

struct BreachRecord {
  uint32_t id = 0;
  std::string name;  // stable identifier: [a-z0-9-], 1..64 chars
  std::string title;
  std::string breach_date;  // YYYY-MM-DD
  std::string added_date;   // YYYY-MM-DD, set by define
  std::string description;
  std::vector<std::string> data_classes;
  uint64_t count = 0;  // distinct identifiers attributed to the breach, all kinds
  std::map<std::string, uint64_t> count_by_kind;
};

struct DumpRecord {
  std::string breach;
  std::string digest;  // XXH3-128 of the file as stored, hex
  std::string
      selection;  // kinds and 1-based columns read, e.g. "nir@4,email@6" or "nir@line" (part of the identity of a load)
  std::string file_name;  // base name only
  uint64_t file_bytes = 0;
  std::string added_at;
  uint64_t rows = 0;
  uint64_t identifiers = 0;  // accepted identifiers (all selected columns)
  uint64_t new_to_index = 0;
  uint64_t already_present = 0;
  uint64_t new_to_breach = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> rejects_by_reason;
  double seconds = 0;
};

std::string EncodeMeta(const IndexMeta& meta);
// The format_version field alone, read before anything else so that another version gets a clear message;
// -1 when the record has none.
int PeekMetaFormatVersion(std::string_view json);
Status DecodeMeta(std::string_view json, IndexMeta* meta);
std::string EncodeBreach(const BreachRecord& breach);
Status DecodeBreach(std::string_view json, BreachRecord* breach);
std::string EncodeDump(const DumpRecord& dump);
Status DecodeDump(std::string_view json, DumpRecord* dump);

// ---- wire formats (HTTP bodies; docs/API.md describes them) -----------------------------------------
//
// /v1/range JSON, version 1: compact (no whitespace), keys in this order, deterministic for one index state:
//   {"v":1,"kind":"nir","prefix":"0abcd","suffix_hex":16,"breaches":["name",...],
//    "entries":[["<suffix, suffix_hex lower-case hex digits>",[i,...]],...]}
// `breaches` lists every breach of the index in id order; an entry's [i,...] are positions in that list,
// ascending. Password indexes add the occurrence count (summed over breaches) as a third element:
// ["<suffix>",[i,...],count]. Entries are sorted by suffix. A padded index (IndexMeta::pad_responses) adds
// rows that look like real ones up to RangePadding::target_rows, then a last member "pad":"<spaces>" sized
// so that every body of the index is exactly RangePadding::target_bytes long.
inline constexpr int kRangeJsonVersion = 1;

// The breaches of an index as range bodies name them: position on the wire <-> breach id.
struct RangeBreachTable {
  std::vector<uint32_t> ids;       // ascending
  std::vector<std::string> names;  // parallel to ids
  // Wire position of a breach id, or -1 when no breach has it.
  int PositionOf(uint32_t id) const;
};
RangeBreachTable MakeRangeBreachTable(const std::map<std::string, BreachRecord>& breaches);

// How a padded index pads. Pad rows are a pseudo-random function of (key, kind, prefix): identical on
// every replica holding the same key, unpredictable without it. Their suffixes are uniformly random and
// their breach lists (and counts) are copies of real rows', so nothing but the full tag tells them apart.
struct RangePadding {
  std::array<uint8_t, 32> key{};   // server-side secret
  size_t target_rows = 0;          // the largest bucket of the index
  size_t target_bytes = 0;         // the length of every padded body
  std::vector<std::string> tails;  // sample of real row tails (",[0,3]" or ",[1],57"), reused by pad rows
};

struct RangeJsonContext {
  const RangeBreachTable* breaches = nullptr;
  TagLayout layout;
  bool counts = false;                    // password index: rows carry a count
  const RangePadding* padding = nullptr;  // null: no padding
};

// Appends the body for bucket (kind, prefix) to *out (an empty Bucket for a prefix nobody is in).
void EncodeRangeJson(const RangeJsonContext& context, Kind kind, uint32_t prefix, const Bucket& bucket,
                     std::string* out);

// Works out RangePadding for an index: Observe() every non-empty bucket (in any fixed order, e.g. key
// order, so that the result is deterministic), then Finish() with the kinds the index serves.
class RangePaddingPlanner {
 public:
  RangePaddingPlanner(const RangeJsonContext& context, const std::array<uint8_t, 32>& key);
  void Observe(Kind kind, uint32_t prefix, const Bucket& bucket);
  RangePadding Finish(std::span<const Kind> kinds);

 private:
  RangeJsonContext context_;  // padding ignored
  std::array<uint8_t, 32> key_;
  std::vector<std::pair<uint32_t, uint32_t>> sizes_;  // (unpadded body bytes, rows) per observed bucket
  std::vector<std::string> tails_;
  uint64_t rows_seen_ = 0;
  uint64_t rng_ = 0;
  size_t max_rows_ = 0;
  std::string scratch_;
};

// The Pwned Passwords range body: per entry "<SUFFIX upper-case hex>:<count>", CRLF between lines, no
// trailing newline, sorted. With `padding`, count-0 rows with random suffixes are merged in until the body
// has between min_rows and max_rows lines (as api.pwnedpasswords.com does with Add-Padding: true).
struct HibpPadding {
  uint64_t seed = 0;  // per request
  size_t min_rows = 800;
  size_t max_rows = 1000;
};
void EncodeHibpRange(const Bucket& bucket, const TagLayout& layout, const HibpPadding* padding, std::string* out);

// Breach records in the shape Have I Been Pwned users know:
//   {"Name":..,"Title":..,"BreachDate":"YYYY-MM-DD","AddedDate":"YYYY-MM-DDT00:00:00Z","PwnCount":n,
//    "DataClasses":[..],"Description":..}; the list is sorted by name.
std::string EncodeBreachJson(const BreachRecord& breach);
std::string EncodeBreachListJson(const std::map<std::string, BreachRecord>& breaches);

// GET /v1/index: the small description of an index a client needs before its first range request.
// Compact JSON, members in this order:
//   {"v":1,"scheme":"sha256","prefix_hex":5,"suffix_hex":16,"kinds":["nir","email","phone"],"padded":false}
// `kinds` are the kinds /v1/range serves, in Kind order. On oprf-p256 indexes a last member says how to get
// a tag: ,"oprf":{"suite":"P256-SHA256","public_key":"<66 hex>","fingerprint":"<16 hex>"}
std::string EncodeIndexInfoJson(const IndexMeta& meta, const std::vector<Kind>& kinds);

// Strong entity tag of a body: "\"" + 16 lower-case hex digits of XXH3-64 + "\"".
std::string BodyEtag(std::string_view body);

// A decoded /v1/range body (clients and tests). Pad rows decode like real ones, by design.
struct RangeEntry {
  std::string suffix;              // lower-case hex
  std::vector<uint32_t> breaches;  // positions in RangeResponse::breaches
  uint64_t count = 0;              // password indexes
  bool operator==(const RangeEntry&) const = default;
};
struct RangeResponse {
  int version = 0;
  Kind kind = Kind::kNir;
  std::string prefix;
  int suffix_hex = 0;
  bool has_counts = false;
  std::vector<std::string> breaches;
  std::vector<RangeEntry> entries;
  size_t pad_bytes = 0;  // length of the "pad" filler, 0 when absent
  // The entry with this suffix (lower-case hex), or nullptr.
  const RangeEntry* Find(std::string_view suffix) const;
};
// Checks the version, the field types, suffix lengths and order, and breach positions; Corruption
// (reason "range.body") otherwise.
Status DecodeRangeJson(std::string_view body, RangeResponse* out);

}  // namespace vigie
