#include "core/codec.h"

#include <xxhash.h>
#include <algorithm>
#include <cstring>

#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <unordered_map>

namespace vigie {

// ---- hex and varints -------------------------------------------------------------------------------

std::string HexEncode(const uint8_t* data, size_t size, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool HexDecode(std::string_view hex, uint8_t* out) {
  if (hex.size() % 2 != 0) return false;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]), lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

void PutVarint(std::string* dst, uint64_t value) {
  while (value >= 0x80) {
    dst->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  dst->push_back(static_cast<char>(value));
}

bool GetVarint(std::string_view* in, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; i < 10; ++i, shift += 7) {
    if (i >= static_cast<int>(in->size())) return false;
    uint8_t byte = static_cast<uint8_t>((*in)[i]);
    if (i == 9 && byte > 1) return false;  // would overflow 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      in->remove_prefix(i + 1);
      *value = result;
      return true;
    }
  }
  return false;
}

// ---- tag geometry ----------------------------------------------------------------------------------

uint32_t TagLayout::Prefix(const uint8_t* tag) const {
  uint32_t head = static_cast<uint32_t>(tag[0]) << 16 | static_cast<uint32_t>(tag[1]) << 8 | tag[2];
  return head >> (24 - 4 * prefix_hex);
}

void TagLayout::Suffix(const uint8_t* tag, uint8_t* out) const {
  const size_t n = suffix_bytes();
  const size_t limit = truncated_tag_bytes();
  const size_t first = static_cast<size_t>(prefix_hex) / 2;
  if (prefix_hex % 2 == 0) {
    std::memcpy(out, tag + first, n);
  } else {
    for (size_t i = 0; i < n; ++i) {
      uint8_t hi = static_cast<uint8_t>(tag[first + i] << 4);
      uint8_t lo = first + i + 1 < limit ? static_cast<uint8_t>(tag[first + i + 1] >> 4) : 0;
      out[i] = hi | lo;
    }
  }
  if (suffix_hex % 2 != 0) out[n - 1] &= 0xf0;
}

std::string TagLayout::PrefixHex(uint32_t prefix) const {
  static const char* kDigits = "0123456789abcdef";
  std::string out(static_cast<size_t>(prefix_hex), '0');
  for (int i = prefix_hex - 1; i >= 0; --i, prefix >>= 4) out[static_cast<size_t>(i)] = kDigits[prefix & 15];
  return out;
}

Result<uint32_t> TagLayout::ParsePrefix(std::string_view hex) const {
  if (static_cast<int>(hex.size()) != prefix_hex) {
    return Status::InvalidArgument("prefix.length", "the prefix must be exactly " + std::to_string(prefix_hex) +
                                                        " hexadecimal digits for this index");
  }
  uint32_t value = 0;
  for (char c : hex) {
    int v = HexValue(c);
    if (v < 0) return Status::InvalidArgument("prefix.characters", "the prefix must be hexadecimal (0-9, a-f)");
    value = value << 4 | static_cast<uint32_t>(v);
  }
  return value;
}

// ---- keys ------------------------------------------------------------------------------------------

std::string BucketKey(Kind kind, uint32_t prefix) {
  std::string key(kBucketKeySize, '\0');
  key[0] = kBucketKeyTag;
  key[1] = static_cast<char>(kind);
  key[2] = static_cast<char>(prefix >> 16);
  key[3] = static_cast<char>(prefix >> 8);
  key[4] = static_cast<char>(prefix);
  return key;
}

bool ParseBucketKey(std::string_view key, Kind* kind, uint32_t* prefix) {
  if (key.size() != kBucketKeySize || key[0] != kBucketKeyTag) return false;
  auto k = KindFromByte(static_cast<uint8_t>(key[1]));
  if (!k) return false;
  *kind = *k;
  *prefix = static_cast<uint32_t>(static_cast<uint8_t>(key[2])) << 16 |
            static_cast<uint32_t>(static_cast<uint8_t>(key[3])) << 8 | static_cast<uint8_t>(key[4]);
  return true;
}

std::string BreachKey(std::string_view breach_name) { return std::string(kBreachKeyPrefix) += breach_name; }

std::string DumpKey(std::string_view breach_name, std::string_view digest_hex, std::string_view selection) {
  std::string key(kDumpKeyPrefix);
  key += breach_name;
  key += '/';
  key += digest_hex;
  key += '/';
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(selection.data(), selection.size())));
  key += hash;
  return key;
}

// ---- buckets ---------------------------------------------------------------------------------------

void Bucket::Reset(size_t suffix_width, bool counts) {
  suffix_bytes = suffix_width;
  has_counts = counts;
  suffixes.clear();
  member_begin.assign(1, 0);
  members.clear();
}

void Bucket::AddEntry(const uint8_t* suffix) {
  suffixes.insert(suffixes.end(), suffix, suffix + suffix_bytes);
  member_begin.push_back(static_cast<uint32_t>(members.size()));
}

void Bucket::AddMember(Membership m) {
  members.push_back(m);
  member_begin.back() = static_cast<uint32_t>(members.size());
}

bool Bucket::operator==(const Bucket& other) const {
  return suffix_bytes == other.suffix_bytes && has_counts == other.has_counts && suffixes == other.suffixes &&
         member_begin == other.member_begin && members == other.members;
}

namespace {

constexpr uint8_t kCountsFlag = 0x10;

size_t IndexWidth(size_t set_count) {
  if (set_count <= 1) return 0;
  if (set_count <= 256) return 1;
  if (set_count <= 65536) return 2;
  return 4;
}

bool SameIds(std::span<const Membership> a, std::span<const Membership> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].breach_id != b[i].breach_id) return false;
  }
  return true;
}

}  // namespace

void EncodeBucket(const Bucket& bucket, std::string* out) {
  const size_t n = bucket.size();
  // Distinct breach sets, in order of first appearance. Buckets usually have a handful of sets, so a
  // linear search is cheapest; past a few dozen, a hash map keeps encoding linear.
  std::vector<size_t> set_first_entry;
  std::vector<uint32_t> set_of(n);
  std::unordered_map<std::string, uint32_t> by_ids;
  std::string ids_key;
  for (size_t i = 0; i < n; ++i) {
    auto mine = bucket.members_of(i);
    size_t s = set_first_entry.size();
    if (set_first_entry.size() <= 32) {
      for (s = 0; s < set_first_entry.size(); ++s) {
        if (SameIds(mine, bucket.members_of(set_first_entry[s]))) break;
      }
    } else {
      ids_key.clear();
      for (const Membership& m : mine) ids_key.append(reinterpret_cast<const char*>(&m.breach_id), 4);
      auto it = by_ids.find(ids_key);
      if (it != by_ids.end()) s = it->second;
    }
    if (s == set_first_entry.size()) {
      set_first_entry.push_back(i);
      if (set_first_entry.size() > 32) {
        if (by_ids.empty()) {  // switching to the map: index the sets seen so far
          for (size_t t = 0; t < set_first_entry.size(); ++t) {
            ids_key.clear();
            for (const Membership& m : bucket.members_of(set_first_entry[t])) {
              ids_key.append(reinterpret_cast<const char*>(&m.breach_id), 4);
            }
            by_ids.emplace(ids_key, static_cast<uint32_t>(t));
          }
        } else {
          ids_key.clear();
          for (const Membership& m : mine) ids_key.append(reinterpret_cast<const char*>(&m.breach_id), 4);
          by_ids.emplace(ids_key, static_cast<uint32_t>(s));
        }
      }
    }
    set_of[i] = static_cast<uint32_t>(s);
  }

  out->clear();
  out->push_back(static_cast<char>(kBucketFormatVersion | (bucket.has_counts ? kCountsFlag : 0)));
  PutVarint(out, n);
  PutVarint(out, set_first_entry.size());
  for (size_t first : set_first_entry) {
    auto ids = bucket.members_of(first);
    PutVarint(out, ids.size());
    uint32_t previous = 0;
    for (size_t j = 0; j < ids.size(); ++j) {
      PutVarint(out, j == 0 ? ids[j].breach_id : ids[j].breach_id - previous);
      previous = ids[j].breach_id;
    }
  }
  out->append(reinterpret_cast<const char*>(bucket.suffixes.data()), bucket.suffixes.size());
  const size_t width = IndexWidth(set_first_entry.size());
  for (size_t i = 0; i < n && width > 0; ++i) {
    for (size_t b = 0; b < width; ++b) out->push_back(static_cast<char>(set_of[i] >> (8 * b)));
  }
  if (bucket.has_counts) {
    for (const Membership& m : bucket.members) PutVarint(out, m.count);
  }
}

namespace {

struct BucketView {
  bool has_counts = false;
  uint64_t n = 0;
  std::vector<std::vector<uint32_t>> sets;
  std::string_view suffixes;
  std::string_view indices;
  size_t index_width = 0;
  std::string_view counts;

  uint32_t SetOf(size_t i) const {
    uint32_t v = 0;
    for (size_t b = 0; b < index_width; ++b) {
      v |= static_cast<uint32_t>(static_cast<uint8_t>(indices[i * index_width + b])) << (8 * b);
    }
    return v;
  }
};

Status ParseBucket(std::string_view in, size_t suffix_bytes, BucketView* view) {
  auto corrupt = [](const char* what) { return Status::Corruption(std::string("bucket: ") + what); };
  if (in.empty()) return corrupt("empty value");
  uint8_t header = static_cast<uint8_t>(in[0]);
  if ((header & 0x0f) != kBucketFormatVersion) return corrupt("unknown bucket format version");
  if (header & ~(0x0f | kCountsFlag)) return corrupt("unknown flags");
  view->has_counts = header & kCountsFlag;
  in.remove_prefix(1);
  uint64_t n = 0, m = 0;
  if (!GetVarint(&in, &n) || !GetVarint(&in, &m)) return corrupt("truncated header");
  if (n == 0) return corrupt("no entries (empty buckets are deleted, not stored)");
  // Every set takes at least two bytes (k, then k >= 1 ids): a larger m is corrupt, and must be refused
  // before reserve() asks for m vectors.
  if (m == 0 || m > n || m > in.size() / 2) return corrupt("breach-set count out of range");
  view->n = n;
  view->sets.clear();
  view->sets.reserve(m);
  for (uint64_t s = 0; s < m; ++s) {
    uint64_t k = 0;
    if (!GetVarint(&in, &k) || k == 0 || k > in.size()) return corrupt("bad breach set");
    std::vector<uint32_t> ids;
    ids.reserve(k);
    uint64_t id = 0;
    for (uint64_t j = 0; j < k; ++j) {
      uint64_t v = 0;
      if (!GetVarint(&in, &v)) return corrupt("truncated breach set");
      if (j > 0 && v == 0) return corrupt("breach ids not ascending");
      id = j == 0 ? v : id + v;
      if (id > UINT32_MAX) return corrupt("breach id out of range");
      ids.push_back(static_cast<uint32_t>(id));
    }
    view->sets.push_back(std::move(ids));
  }
  if (n > in.size() / suffix_bytes) return corrupt("truncated suffixes");
  view->suffixes = in.substr(0, n * suffix_bytes);
  in.remove_prefix(n * suffix_bytes);
  view->index_width = IndexWidth(m);
  if (n * view->index_width > in.size()) return corrupt("truncated set indices");
  view->indices = in.substr(0, n * view->index_width);
  in.remove_prefix(n * view->index_width);
  view->counts = in;
  if (!view->has_counts && !in.empty()) return corrupt("trailing bytes");
  return Status::Ok();
}

}  // namespace

Result<uint64_t> BucketEntryCount(std::string_view encoded) {
  if (encoded.empty()) return Status::Corruption("bucket: empty");
  encoded.remove_prefix(1);
  uint64_t n = 0;
  if (!GetVarint(&encoded, &n)) return Status::Corruption("bucket: truncated header");
  return n;
}

Status DecodeBucket(std::string_view encoded, size_t suffix_bytes, Bucket* out) {
  BucketView view;
  VIGIE_RETURN_IF_ERROR(ParseBucket(encoded, suffix_bytes, &view));
  out->Reset(suffix_bytes, view.has_counts);
  out->suffixes.assign(view.suffixes.begin(), view.suffixes.end());
  out->member_begin.reserve(view.n + 1);
  std::string_view counts = view.counts;
  for (size_t i = 0; i < view.n; ++i) {
    if (i > 0 && std::memcmp(view.suffixes.data() + (i - 1) * suffix_bytes, view.suffixes.data() + i * suffix_bytes,
                             suffix_bytes) >= 0) {
      return Status::Corruption("bucket: suffixes not strictly ascending");
    }
    uint32_t s = view.SetOf(i);
    if (s >= view.sets.size()) return Status::Corruption("bucket: set index out of range");
    for (uint32_t id : view.sets[s]) {
      uint64_t count = 0;
      if (view.has_counts && !GetVarint(&counts, &count)) return Status::Corruption("bucket: truncated counts");
      out->members.push_back({id, count});
    }
    out->member_begin.push_back(static_cast<uint32_t>(out->members.size()));
  }
  if (!counts.empty()) return Status::Corruption("bucket: trailing bytes");
  return Status::Ok();
}

Result<bool> FindInBucket(std::string_view encoded, size_t suffix_bytes, const uint8_t* suffix,
                          std::vector<Membership>* memberships) {
  memberships->clear();
  BucketView view;
  VIGIE_RETURN_IF_ERROR(ParseBucket(encoded, suffix_bytes, &view));
  const auto* base = reinterpret_cast<const uint8_t*>(view.suffixes.data());
  size_t lo = 0, hi = view.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = std::memcmp(base + mid * suffix_bytes, suffix, suffix_bytes);
    if (c == 0) {
      if (view.has_counts) {  // counts are variable-width: decode fully
        Bucket bucket;
        VIGIE_RETURN_IF_ERROR(DecodeBucket(encoded, suffix_bytes, &bucket));
        auto ms = bucket.members_of(mid);
        memberships->assign(ms.begin(), ms.end());
        return true;
      }
      uint32_t s = view.SetOf(mid);
      if (s >= view.sets.size()) return Status::Corruption("bucket: set index out of range");
      for (uint32_t id : view.sets[s]) memberships->push_back({id, 0});
      return true;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

// ---- catalogue records -----------------------------------------------------------------------------

namespace {

using nlohmann::json;

template <typename F>
Status ParseJson(std::string_view text, const char* what, F&& fill) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Corruption(std::string(what) + ": stored record is not a JSON object");
  }
  try {
    fill(j);
  } catch (const json::exception& e) {
    return Status::Corruption(std::string(what) + ": stored record is malformed (" + e.what() + ")");
  }
  return Status::Ok();
}

// An integer member that fits T. nlohmann's get<T>() converts a float ("1e40") to an integer with
// undefined behaviour and wraps out-of-range integers; a stored record holding either is corrupt.
template <typename T>
T IntegerValue(const json& v, std::string_view what) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<T>::max());
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() <= kMax) return static_cast<T>(v.get<uint64_t>());
  } else if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    if (x >= 0 ? static_cast<uint64_t>(x) <= kMax
               : std::is_signed_v<T> && x >= static_cast<int64_t>(std::numeric_limits<T>::min())) {
      return static_cast<T>(x);
    }
  }
  throw json::other_error::create(502, std::string(what) + " is not an integer in range", nullptr);
}
template <typename T>
T Integer(const json& j, const char* key) {
  return IntegerValue<T>(j.at(key), key);
}
template <typename T>
T IntegerOr(const json& j, const char* key, T fallback) {
  return j.contains(key) ? Integer<T>(j, key) : fallback;
}
std::map<std::string, uint64_t> CountsOr(const json& j, const char* key) {
  std::map<std::string, uint64_t> counts;
  if (!j.contains(key)) return counts;
  const json& object = j.at(key);
  if (!object.is_object()) throw json::other_error::create(502, std::string(key) + " is not an object", nullptr);
  for (const auto& [name, value] : object.items()) counts[name] = IntegerValue<uint64_t>(value, key);
  return counts;
}

}  // namespace

std::string EncodeMeta(const IndexMeta& meta) {
  json j = {{"format_version", meta.format_version},
            {"scheme", std::string(SchemeName(meta.scheme))},
            {"prefix_hex", meta.layout.prefix_hex},
            {"suffix_hex", meta.layout.suffix_hex},
            {"allow_unkeyed_nir", meta.allow_unkeyed_nir},
            {"pad_responses", meta.pad_responses},
            {"shard_bits", meta.shard_bits},
            {"oprf_public_key", meta.oprf_public_key},
            {"oprf_key_fingerprint", meta.oprf_key_fingerprint},
            {"oprf_key_path", meta.oprf_key_path},
            {"created_at", meta.created_at},
            {"next_breach_id", meta.next_breach_id},
            {"generation", meta.generation},
            {"committed_at", meta.committed_at}};
  return j.dump();
}

int PeekMetaFormatVersion(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("format_version") || !j["format_version"].is_number_integer()) {
    return -1;
  }
  try {
    return IntegerValue<int>(j["format_version"], "format_version");
  } catch (const json::exception&) {
    return -1;  // an integer beyond int: no version we know
  }
}

Status DecodeMeta(std::string_view text, IndexMeta* meta) {
  return ParseJson(text, "index metadata", [&](const json& j) {
    meta->format_version = Integer<int>(j, "format_version");
    auto scheme = ParseSchemeName(j.at("scheme").get<std::string>());
    if (!scheme) throw json::other_error::create(501, "unknown scheme", nullptr);
    meta->scheme = *scheme;
    meta->layout.prefix_hex = Integer<int>(j, "prefix_hex");
    meta->layout.suffix_hex = Integer<int>(j, "suffix_hex");
    meta->allow_unkeyed_nir = j.at("allow_unkeyed_nir").get<bool>();
    meta->pad_responses = j.value("pad_responses", false);
    meta->shard_bits = IntegerOr<int>(j, "shard_bits", 6);
    if (meta->shard_bits < 0 || meta->shard_bits > 12)
      throw json::other_error::create(501, "shard_bits out of range", nullptr);
    meta->oprf_public_key = j.value("oprf_public_key", std::string());
    meta->oprf_key_fingerprint = j.value("oprf_key_fingerprint", std::string());
    meta->oprf_key_path = j.value("oprf_key_path", std::string());
    meta->created_at = j.at("created_at").get<std::string>();
    meta->next_breach_id = Integer<uint32_t>(j, "next_breach_id");
    meta->generation = IntegerOr<uint64_t>(j, "generation", 0);
    meta->committed_at = IntegerOr<int64_t>(j, "committed_at", 0);
  });
}

std::string EncodeBreach(const BreachRecord& b) {
  json j = {{"id", b.id},
            {"name", b.name},
            {"title", b.title},
            {"breach_date", b.breach_date},
            {"added_date", b.added_date},
            {"description", b.description},
            {"data_classes", b.data_classes},
            {"count", b.count},
            {"count_by_kind", b.count_by_kind}};
  return j.dump();
}

Status DecodeBreach(std::string_view text, BreachRecord* b) {
  return ParseJson(text, "breach record", [&](const json& j) {
    b->id = Integer<uint32_t>(j, "id");
    b->name = j.at("name").get<std::string>();
    b->title = j.at("title").get<std::string>();
    b->breach_date = j.at("breach_date").get<std::string>();
    b->added_date = j.at("added_date").get<std::string>();
    b->description = j.value("description", std::string());
    b->data_classes = j.at("data_classes").get<std::vector<std::string>>();
    b->count = Integer<uint64_t>(j, "count");
    b->count_by_kind = CountsOr(j, "count_by_kind");
  });
}

std::string EncodeDump(const DumpRecord& d) {
  json j = {{"breach", d.breach},
            {"digest", d.digest},
            {"selection", d.selection},
            {"file_name", d.file_name},
            {"file_bytes", d.file_bytes},
            {"added_at", d.added_at},
            {"rows", d.rows},
            {"identifiers", d.identifiers},
            {"new_to_index", d.new_to_index},
            {"already_present", d.already_present},
            {"new_to_breach", d.new_to_breach},
            {"rejected", d.rejected},
            {"rejects_by_reason", d.rejects_by_reason},
            {"seconds", d.seconds}};
  return j.dump();
}

Status DecodeDump(std::string_view text, DumpRecord* d) {
  return ParseJson(text, "dump record", [&](const json& j) {
    d->breach = j.at("breach").get<std::string>();
    d->digest = j.at("digest").get<std::string>();
    d->selection = j.value("selection", std::string());
    d->file_name = j.value("file_name", std::string());
    d->file_bytes = IntegerOr<uint64_t>(j, "file_bytes", 0);
    d->added_at = j.value("added_at", std::string());
    d->rows = IntegerOr<uint64_t>(j, "rows", 0);
    d->identifiers = IntegerOr<uint64_t>(j, "identifiers", 0);
    d->new_to_index = IntegerOr<uint64_t>(j, "new_to_index", 0);
    d->already_present = IntegerOr<uint64_t>(j, "already_present", 0);
    d->new_to_breach = IntegerOr<uint64_t>(j, "new_to_breach", 0);
    d->rejected = IntegerOr<uint64_t>(j, "rejected", 0);
    d->rejects_by_reason = CountsOr(j, "rejects_by_reason");
    d->seconds = j.value("seconds", 0.0);
  });
}

}  // namespace vigie
