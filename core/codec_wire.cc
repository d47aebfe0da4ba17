// Wire formats of the HTTP bodies (the "wire formats" section of core/codec.h).
#include <openssl/evp.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/codec.h"

namespace vigie {

namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";
constexpr size_t kTailSamples = 4096;

void AppendSuffixHex(const uint8_t* suffix, int suffix_hex, const char* digits, std::string* out) {
  for (int i = 0; i < suffix_hex; ++i) {
    const uint8_t byte = suffix[i / 2];
    out->push_back(digits[(i % 2 == 0) ? byte >> 4 : byte & 15]);
  }
}

void AppendUint(uint64_t value, std::string* out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out->push_back(buf[--n]);
}

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool ContainsSuffix(const Bucket& bucket, const uint8_t* suffix) {
  size_t lo = 0, hi = bucket.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (std::memcmp(bucket.suffix(mid), suffix, bucket.suffix_bytes) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < bucket.size() && std::memcmp(bucket.suffix(lo), suffix, bucket.suffix_bytes) == 0;
}

// ",[i,j]" (+ ",count"): everything of a row after its suffix, without the closing bracket.
void AppendTail(const RangeJsonContext& context, std::span<const Membership> members, std::string* out) {
  out->append(",[");
  bool first = true;
  uint64_t count = 0;
  for (const Membership& m : members) {
    count += m.count;
    const int position = context.breaches->PositionOf(m.breach_id);
    if (position < 0) continue;  // a breach without a record is not published
    if (!first) out->push_back(',');
    first = false;
    AppendUint(static_cast<uint64_t>(position), out);
  }
  out->push_back(']');
  if (context.counts) {
    out->push_back(',');
    AppendUint(count, out);
  }
}

void AppendHeader(const RangeJsonContext& context, Kind kind, uint32_t prefix, std::string* out) {
  out->append("{\"v\":");
  AppendUint(kRangeJsonVersion, out);
  out->append(",\"kind\":\"");
  out->append(KindName(kind));
  out->append("\",\"prefix\":\"");
  out->append(context.layout.PrefixHex(prefix));
  out->append("\",\"suffix_hex\":");
  AppendUint(static_cast<uint64_t>(context.layout.suffix_hex), out);
  out->append(",\"breaches\":[");
  // Breach names are [a-z0-9-] (ValidateBreachName): nothing to escape.
  for (size_t i = 0; i < context.breaches->names.size(); ++i) {
    if (i) out->push_back(',');
    out->push_back('"');
    out->append(context.breaches->names[i]);
    out->push_back('"');
  }
  out->append("],\"entries\":[");
}

// One pad row: a suffix derived from the key and its tail's index in RangePadding::tails.
struct PadRow {
  std::array<uint8_t, 32> suffix;
  size_t tail;
};

// Pad rows for (kind, prefix): PRF(key, kind, prefix, counter) = SHA-256 over a fixed-length message, so
// that the rows are the same on every replica and unpredictable without the key.
std::vector<PadRow> MakePadRows(const RangePadding& padding, const TagLayout& layout, Kind kind, uint32_t prefix,
                                const Bucket& bucket, size_t wanted) {
  std::vector<PadRow> rows;
  if (wanted == 0 || padding.tails.empty()) return rows;
  rows.reserve(wanted);
  const size_t width = layout.suffix_bytes();
  std::unordered_set<std::string> taken;
  uint8_t message[32 + 12 + 1 + 4 + 4];
  std::memcpy(message, padding.key.data(), 32);
  std::memcpy(message + 32, "vigie-pad-v1", 12);
  message[44] = static_cast<uint8_t>(kind);
  for (int i = 0; i < 4; ++i) message[45 + i] = static_cast<uint8_t>(prefix >> (24 - 8 * i));
  for (uint32_t counter = 0; rows.size() < wanted; ++counter) {
    for (int i = 0; i < 4; ++i) message[49 + i] = static_cast<uint8_t>(counter >> (24 - 8 * i));
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_Digest(message, sizeof message, digest, &digest_len, EVP_sha256(), nullptr);
    PadRow row{};
    std::memcpy(row.suffix.data(), digest, width);
    if (layout.suffix_hex % 2 != 0) row.suffix[width - 1] &= 0xf0;
    uint32_t pick = static_cast<uint32_t>(digest[28]) << 24 | static_cast<uint32_t>(digest[29]) << 16 |
                    static_cast<uint32_t>(digest[30]) << 8 | digest[31];
    row.tail = pick % padding.tails.size();
    // A pad suffix equal to a real one (or to another pad row) would make two rows for one suffix.
    if (ContainsSuffix(bucket, row.suffix.data())) continue;
    if (!taken.emplace(reinterpret_cast<const char*>(row.suffix.data()), width).second) continue;
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [width](const PadRow& a, const PadRow& b) {
    return std::memcmp(a.suffix.data(), b.suffix.data(), width) < 0;
  });
  return rows;
}

// The body, with the "pad" member when target_bytes > 0 (padded index) and pad rows when `pad_rows`.
void EncodeRange(const RangeJsonContext& context, Kind kind, uint32_t prefix, const Bucket& bucket, bool pad_rows,
                 size_t target_bytes, std::string* out) {
  const size_t start = out->size();
  AppendHeader(context, kind, prefix, out);
  const TagLayout& layout = context.layout;
  const size_t width = layout.suffix_bytes();
  std::vector<PadRow> pads;
  if (pad_rows && context.padding && bucket.size() < context.padding->target_rows) {
    pads = MakePadRows(*context.padding, layout, kind, prefix, bucket, context.padding->target_rows - bucket.size());
  }
  size_t real = 0, pad = 0;
  bool first = true;
  while (real < bucket.size() || pad < pads.size()) {
    if (!first) out->push_back(',');
    first = false;
    out->append("[\"");
    const bool take_pad = real == bucket.size() ||
                          (pad < pads.size() && std::memcmp(pads[pad].suffix.data(), bucket.suffix(real), width) < 0);
    if (take_pad) {
      AppendSuffixHex(pads[pad].suffix.data(), layout.suffix_hex, kLowerHex, out);
      out->push_back('"');
      out->append(context.padding->tails[pads[pad].tail]);
      ++pad;
    } else {
      AppendSuffixHex(bucket.suffix(real), layout.suffix_hex, kLowerHex, out);
      out->push_back('"');
      AppendTail(context, bucket.members_of(real), out);
      ++real;
    }
    out->push_back(']');
  }
  out->push_back(']');
  if (target_bytes > 0) {
    out->append(",\"pad\":\"");
    const size_t used = out->size() - start + 2;  // + closing quote and brace
    if (used < target_bytes) out->append(target_bytes - used, ' ');
    out->push_back('"');
  }
  out->push_back('}');
}

}  // namespace

// ---- /v1/range JSON --------------------------------------------------------------------------------

int RangeBreachTable::PositionOf(uint32_t id) const {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  return it != ids.end() && *it == id ? static_cast<int>(it - ids.begin()) : -1;
}

RangeBreachTable MakeRangeBreachTable(const std::map<std::string, BreachRecord>& breaches) {
  std::vector<std::pair<uint32_t, std::string>> by_id;
  for (const auto& [name, record] : breaches) by_id.emplace_back(record.id, name);
  std::sort(by_id.begin(), by_id.end());
  RangeBreachTable table;
  for (auto& [id, name] : by_id) {
    table.ids.push_back(id);
    table.names.push_back(std::move(name));
  }
  return table;
}

void EncodeRangeJson(const RangeJsonContext& context, Kind kind, uint32_t prefix, const Bucket& bucket,
                     std::string* out) {
  EncodeRange(context, kind, prefix, bucket, context.padding != nullptr,
              context.padding ? std::max<size_t>(context.padding->target_bytes, 1) : 0, out);
}

RangePaddingPlanner::RangePaddingPlanner(const RangeJsonContext& context, const std::array<uint8_t, 32>& key)
    : context_(context), key_(key) {
  context_.padding = nullptr;
  // The tail sample is drawn with a generator seeded from the key: deterministic for one index and key.
  std::memcpy(&rng_, key.data(), sizeof rng_);
}

void RangePaddingPlanner::Observe(Kind kind, uint32_t prefix, const Bucket& bucket) {
  scratch_.clear();
  EncodeRange(context_, kind, prefix, bucket, false, 1, &scratch_);
  sizes_.emplace_back(static_cast<uint32_t>(scratch_.size()), static_cast<uint32_t>(bucket.size()));
  max_rows_ = std::max(max_rows_, bucket.size());
  // Reservoir sampling: every real row is equally likely to lend its tail to pad rows.
  for (size_t i = 0; i < bucket.size(); ++i) {
    ++rows_seen_;
    size_t slot = tails_.size();
    if (tails_.size() >= kTailSamples) {
      slot = SplitMix64(&rng_) % rows_seen_;
      if (slot >= kTailSamples) continue;
    }
    std::string tail;
    AppendTail(context_, bucket.members_of(i), &tail);
    if (slot == tails_.size())
      tails_.push_back(std::move(tail));
    else
      tails_[slot] = std::move(tail);
  }
}

RangePadding RangePaddingPlanner::Finish(std::span<const Kind> kinds) {
  RangePadding padding;
  padding.key = key_;
  padding.target_rows = max_rows_;
  padding.tails = std::move(tails_);
  size_t longest_tail = 0;
  for (const std::string& t : padding.tails) longest_tail = std::max(longest_tail, t.size());
  // Upper bound of one pad row with its separating comma: ["<suffix>"<tail>],
  const size_t row_max = 2 + static_cast<size_t>(context_.layout.suffix_hex) + 1 + longest_tail + 1 + 1;
  size_t target = 0;
  for (const auto& [bytes, rows] : sizes_) target = std::max(target, bytes + (max_rows_ - rows) * row_max);
  Bucket empty;
  empty.Reset(context_.layout.suffix_bytes(), context_.counts);
  for (Kind kind : kinds) {
    scratch_.clear();
    EncodeRange(context_, kind, 0, empty, false, 1, &scratch_);
    target = std::max(target, scratch_.size() + max_rows_ * row_max);
  }
  padding.target_bytes = target;
  sizes_.clear();
  return padding;
}

// ---- Pwned Passwords range -------------------------------------------------------------------------

void EncodeHibpRange(const Bucket& bucket, const TagLayout& layout, const HibpPadding* padding, std::string* out) {
  const size_t width = layout.suffix_bytes();
  std::vector<std::array<uint8_t, 32>> pads;
  if (padding && padding->max_rows >= padding->min_rows) {
    uint64_t state = padding->seed;
    const size_t target = padding->min_rows + SplitMix64(&state) % (padding->max_rows - padding->min_rows + 1);
    std::unordered_set<std::string> taken;
    while (bucket.size() + pads.size() < target) {
      std::array<uint8_t, 32> s{};
      for (size_t i = 0; i < width; i += 8) {
        uint64_t r = SplitMix64(&state);
        std::memcpy(s.data() + i, &r, std::min<size_t>(8, width - i));
      }
      if (layout.suffix_hex % 2 != 0) s[width - 1] &= 0xf0;
      if (ContainsSuffix(bucket, s.data()) || !taken.emplace(reinterpret_cast<const char*>(s.data()), width).second)
        continue;
      pads.push_back(s);
    }
    std::sort(pads.begin(), pads.end(),
              [width](const auto& a, const auto& b) { return std::memcmp(a.data(), b.data(), width) < 0; });
  }
  out->reserve(out->size() + (bucket.size() + pads.size()) * (static_cast<size_t>(layout.suffix_hex) + 8));
  size_t real = 0, pad = 0;
  while (real < bucket.size() || pad < pads.size()) {
    if (real + pad > 0) out->append("\r\n");
    if (real == bucket.size() || (pad < pads.size() && std::memcmp(pads[pad].data(), bucket.suffix(real), width) < 0)) {
      AppendSuffixHex(pads[pad].data(), layout.suffix_hex, kUpperHex, out);
      out->append(":0");
      ++pad;
    } else {
      AppendSuffixHex(bucket.suffix(real), layout.suffix_hex, kUpperHex, out);
      out->push_back(':');
      uint64_t count = 0;
      for (const Membership& m : bucket.members_of(real)) count += m.count;
      AppendUint(count, out);
      ++real;
    }
  }
}

// ---- breaches --------------------------------------------------------------------------------------

namespace {
nlohmann::ordered_json BreachObject(const BreachRecord& b) {
  return {{"Name", b.name},
          {"Title", b.title},
          {"BreachDate", b.breach_date},
          {"AddedDate", b.added_date.empty() ? std::string() : b.added_date + "T00:00:00Z"},
          {"PwnCount", b.count},
          {"DataClasses", b.data_classes},
          {"Description", b.description}};
}
}  // namespace

std::string EncodeBreachJson(const BreachRecord& breach) {
  return BreachObject(breach).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EncodeBreachListJson(const std::map<std::string, BreachRecord>& breaches) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& [name, record] : breaches) list.push_back(BreachObject(record));
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string EncodeIndexInfoJson(const IndexMeta& meta, const std::vector<Kind>& kinds) {
  std::string out = "{\"v\":1,\"scheme\":\"";
  out += SchemeName(meta.scheme);
  out += "\",\"prefix_hex\":" + std::to_string(meta.layout.prefix_hex);
  out += ",\"suffix_hex\":" + std::to_string(meta.layout.suffix_hex);
  out += ",\"kinds\":[";
  for (size_t i = 0; i < kinds.size(); ++i) {
    out += i ? ",\"" : "\"";
    out += KindName(kinds[i]);
    out += '"';
  }
  out += "],\"padded\":";
  out += meta.pad_responses ? "true" : "false";
  if (meta.scheme == SchemeId::kOprfP256) {
    out += R"(,"oprf":{"suite":"P256-SHA256","public_key":")" + meta.oprf_public_key + R"(","fingerprint":")" +
           meta.oprf_key_fingerprint + "\"}";
  }
  out += '}';
  return out;
}

std::string BodyEtag(std::string_view body) {
  const uint64_t h = XXH3_64bits(body.data(), body.size());
  std::string tag(18, '"');
  for (int i = 0; i < 16; ++i) tag[static_cast<size_t>(1 + i)] = kLowerHex[(h >> (60 - 4 * i)) & 15];
  return tag;
}

// ---- decoding --------------------------------------------------------------------------------------

const RangeEntry* RangeResponse::Find(std::string_view suffix) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), suffix,
                             [](const RangeEntry& e, std::string_view s) { return e.suffix < s; });
  return it != entries.end() && it->suffix == suffix ? &*it : nullptr;
}

Status DecodeRangeJson(std::string_view body, RangeResponse* out) {
  auto bad = [](const std::string& what) { return Status(Code::kCorruption, "range.body", "range body: " + what); };
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  *out = RangeResponse();
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer()) return bad("no version");
  out->version = v->get<int>();
  if (out->version != kRangeJsonVersion) return bad("unsupported version " + std::to_string(out->version));
  auto kind = j.find("kind");
  auto prefix = j.find("prefix");
  auto suffix_hex = j.find("suffix_hex");
  auto breaches = j.find("breaches");
  auto entries = j.find("entries");
  if (kind == j.end() || !kind->is_string() || prefix == j.end() || !prefix->is_string() || suffix_hex == j.end() ||
      !suffix_hex->is_number_unsigned() || breaches == j.end() || !breaches->is_array() || entries == j.end() ||
      !entries->is_array()) {
    return bad("missing or mistyped member");
  }
  auto k = ParseKind(kind->get<std::string>());
  if (!k) return bad("unknown kind");
  out->kind = *k;
  out->prefix = prefix->get<std::string>();
  out->suffix_hex = suffix_hex->get<int>();
  if (out->suffix_hex < 1 || out->suffix_hex > 64) return bad("impossible suffix_hex");
  for (const auto& name : *breaches) {
    if (!name.is_string()) return bad("breach name is not a string");
    out->breaches.push_back(name.get<std::string>());
  }
  out->entries.reserve(entries->size());
  for (const auto& e : *entries) {
    if (!e.is_array() || e.size() < 2 || e.size() > 3 || !e[0].is_string() || !e[1].is_array()) {
      return bad("malformed entry");
    }
    const bool counted = e.size() == 3;
    if (out->entries.empty()) out->has_counts = counted;
    if (counted != out->has_counts) return bad("entries disagree on counts");
    RangeEntry entry;
    entry.suffix = e[0].get<std::string>();
    if (static_cast<int>(entry.suffix.size()) != out->suffix_hex ||
        entry.suffix.find_first_not_of(kLowerHex) != std::string::npos) {
      return bad("suffix is not " + std::to_string(out->suffix_hex) + " lower-case hex digits");
    }
    if (!out->entries.empty() && out->entries.back().suffix >= entry.suffix) return bad("entries not sorted");
    for (const auto& p : e[1]) {
      if (!p.is_number_unsigned() || p.get<uint64_t>() >= out->breaches.size()) return bad("bad breach position");
      const uint32_t position = p.get<uint32_t>();
      if (!entry.breaches.empty() && entry.breaches.back() >= position) return bad("breach positions not ascending");
      entry.breaches.push_back(position);
    }
    if (counted) {
      if (!e[2].is_number_unsigned()) return bad("count is not a number");
      entry.count = e[2].get<uint64_t>();
    }
    out->entries.push_back(std::move(entry));
  }
  if (auto pad = j.find("pad"); pad != j.end()) {
    if (!pad->is_string()) return bad("pad is not a string");
    out->pad_bytes = pad->get_ref<const std::string&>().size();
  }
  return Status::Ok();
}

}  // namespace vigie
