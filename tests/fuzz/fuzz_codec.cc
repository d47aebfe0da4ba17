// Fuzz target "codec": every decoder of core/codec.h (on-disk values) and core/codec_wire.cc (HTTP bodies).
// Byte 0 picks the decoder, the next bytes its parameters, the rest is the encoded value:
//   0 bucket     DecodeBucket / FindInBucket; a decoded bucket then drives the encoders: EncodeBucket,
//                the /v1/range JSON body (plain and padded through RangePaddingPlanner) and the Pwned
//                Passwords body with padding
//   1 records    DecodeMeta / DecodeBreach / DecodeDump (JSON catalogue records), PeekMetaFormatVersion
//   2 range      DecodeRangeJson, and the body re-encoded from what it decoded
//   3 small      HexDecode, GetVarint, ParseBucketKey, TagLayout::ParsePrefix / Prefix / Suffix
// Invariants: arbitrary bytes give a Status (never a crash or an over-read, which ASan reports); what
// decodes re-encodes to something that decodes to the same value, and byte for byte where the format is
// canonical (bucket keys, hex, prefixes, a re-encoded bucket); a decoded record holds the values its JSON
// says (no wrapped or truncated numbers); FindInBucket agrees with DecodeBucket; a
// padded range body has exactly the index's target length and row count; a padded Pwned Passwords body
// has between min_rows and max_rows sorted rows and keeps every real row.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec.h"
#include "core/kind.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using vigie::Bucket;
using vigie::Kind;
using vigie::Membership;
using vigie::RangeResponse;
using vigie::Status;
using vigie::TagLayout;

constexpr char kHex[] = "0123456789abcdef";

// A layout an index may have: prefix 4..6 hex digits, suffix of at least 8, 64 in all at most.
TagLayout LayoutFrom(uint8_t a, uint8_t b) {
  TagLayout layout;
  layout.prefix_hex = 4 + a % 3;
  layout.suffix_hex = 8 + b % (64 - 8 - layout.prefix_hex + 1);
  return layout;
}

bool SameMembers(std::span<const Membership> a, const std::vector<Membership>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// /v1/range and Pwned Passwords bodies of a decoded bucket.
void CheckWireEncoders(const Bucket& bucket, const TagLayout& layout, Kind kind, uint32_t prefix, uint8_t options) {
  // Buckets never hold bits past suffix_hex; the encoders may assume it (two suffixes would print alike).
  if (layout.suffix_hex % 2 != 0) {
    for (size_t i = 0; i < bucket.size(); ++i) {
      if (bucket.suffix(i)[bucket.suffix_bytes - 1] & 0x0f) return;
    }
  }
  // The breach table: every id of the bucket gets a name, except odd ids when `options` says so (breaches
  // without a record are not published).
  const bool drop_odd = options & 1;
  std::set<uint32_t> ids;
  for (const Membership& m : bucket.members) {
    if (!(drop_odd && m.breach_id % 2 == 1)) ids.insert(m.breach_id);
  }
  vigie::RangeBreachTable table;
  for (uint32_t id : ids) {
    table.ids.push_back(id);
    table.names.push_back("b" + std::to_string(id));
  }
  vigie::RangeJsonContext context;
  context.breaches = &table;
  context.layout = layout;
  context.counts = bucket.has_counts;

  // Plain body: decodes to the bucket's rows.
  std::string body;
  vigie::EncodeRangeJson(context, kind, prefix, bucket, &body);
  RangeResponse r;
  const Status s = vigie::DecodeRangeJson(body, &r);
  FUZZ_CHECK(s.ok(), "an encoded range body decodes");
  FUZZ_CHECK(r.kind == kind && r.prefix == layout.PrefixHex(prefix) && r.suffix_hex == layout.suffix_hex,
             "range header round trip");
  FUZZ_CHECK(r.breaches == table.names && r.entries.size() == bucket.size() && r.pad_bytes == 0,
             "range rows round trip");
  for (size_t i = 0; i < bucket.size(); ++i) {
    const vigie::RangeEntry& e = r.entries[i];
    std::string hex;
    for (int n = 0; n < layout.suffix_hex; ++n) {
      const uint8_t byte = bucket.suffix(i)[n / 2];
      hex += kHex[n % 2 == 0 ? byte >> 4 : byte & 15];
    }
    FUZZ_CHECK(e.suffix == hex, "range suffix round trip");
    std::vector<uint32_t> positions;
    uint64_t count = 0;
    for (const Membership& m : bucket.members_of(i)) {
      count += m.count;
      const int p = table.PositionOf(m.breach_id);
      if (p >= 0) positions.push_back(static_cast<uint32_t>(p));
    }
    FUZZ_CHECK(e.breaches == positions, "range breach positions round trip");
    if (bucket.has_counts) FUZZ_CHECK(e.count == count, "range count is the sum over breaches");
  }

  // Padded: the planner sees this bucket; its body and an empty prefix's are both exactly target_bytes.
  std::array<uint8_t, 32> key{};
  key[0] = options;
  vigie::RangePaddingPlanner planner(context, key);
  planner.Observe(kind, prefix, bucket);
  const std::array<Kind, 1> kinds = {kind};
  const vigie::RangePadding padding = planner.Finish(kinds);
  FUZZ_CHECK(padding.target_rows == bucket.size(), "target rows is the largest bucket");
  context.padding = &padding;
  Bucket empty;
  empty.Reset(bucket.suffix_bytes, bucket.has_counts);
  const uint32_t other = (prefix + 1) & (layout.bucket_count() - 1);
  for (const Bucket* b : {&bucket, static_cast<const Bucket*>(&empty)}) {
    body.clear();
    const uint32_t p = b == &bucket ? prefix : other;
    vigie::EncodeRangeJson(context, kind, p, *b, &body);
    FUZZ_CHECK(body.size() == padding.target_bytes, "every padded body has the target length");
    FUZZ_CHECK(vigie::DecodeRangeJson(body, &r).ok(), "a padded body decodes");
    FUZZ_CHECK(r.entries.size() == std::max<size_t>(padding.target_rows, b->size()), "padded row count");
  }

  // Pwned Passwords, padded the way the /range route pads (fewer rows here to stay fast).
  vigie::HibpPadding hibp;
  hibp.seed = options * 0x9e3779b97f4a7c15ULL;
  hibp.min_rows = options % 40;
  hibp.max_rows = hibp.min_rows + (options >> 3) % 24;
  body.clear();
  vigie::EncodeHibpRange(bucket, layout, &hibp, &body);
  size_t rows = 0, real = 0;
  std::string previous;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\r\n", start);
    if (end == std::string::npos) end = body.size();
    const std::string_view line(body.data() + start, end - start);
    const size_t colon = line.find(':');
    FUZZ_CHECK(colon == static_cast<size_t>(layout.suffix_hex), "hibp suffix length");
    const std::string suffix(line.substr(0, colon));
    FUZZ_CHECK(suffix.find_first_not_of("0123456789ABCDEF") == std::string::npos, "hibp upper-case hex");
    FUZZ_CHECK(
        line.size() > colon + 1 && line.substr(colon + 1).find_first_not_of("0123456789") == std::string_view::npos,
        "hibp decimal count");
    FUZZ_CHECK(rows == 0 || previous < suffix, "hibp rows sorted and distinct");
    if (line.substr(colon + 1) != "0") ++real;
    previous = suffix;
    ++rows;
    start = end + 2;
  }
  FUZZ_CHECK(body.empty() || body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0, "no trailing newline");
  if (bucket.size() >= hibp.max_rows) {
    FUZZ_CHECK(rows == bucket.size(), "a full bucket gets no padding");
  } else {
    FUZZ_CHECK(rows >= std::max(hibp.min_rows, bucket.size()) && rows <= hibp.max_rows, "hibp padded rows");
  }
  size_t counted = 0;
  for (size_t i = 0; i < bucket.size(); ++i) {
    uint64_t count = 0;
    for (const Membership& m : bucket.members_of(i)) count += m.count;
    counted += count != 0;
  }
  FUZZ_CHECK(real == counted, "every real row with a count is kept");
}

void FuzzBucket(vigie::fuzz::Cursor& in) {
  const TagLayout layout = LayoutFrom(in.Byte(), in.Byte());
  const uint8_t options = in.Byte();
  const Kind kind = vigie::kAllKinds[options % vigie::kAllKinds.size()];
  const uint32_t prefix = (in.U16() * 977u) & (layout.bucket_count() - 1);
  const size_t width = layout.suffix_bytes();
  const std::string_view probe = in.Bytes(width);
  const std::string_view encoded = in.Rest();

  Bucket bucket;
  const Status s = vigie::DecodeBucket(encoded, width, &bucket);
  std::vector<Membership> found;
  std::string key(probe);
  key.resize(width, '\0');
  auto hit = vigie::FindInBucket(encoded, width, reinterpret_cast<const uint8_t*>(key.data()), &found);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == vigie::Code::kCorruption, "bucket errors are Corruption");
    return;
  }
  FUZZ_CHECK(bucket.size() > 0 && bucket.suffix_bytes == width, "decoded bucket shape");
  FUZZ_CHECK(bucket.suffixes.size() == bucket.size() * width && bucket.member_begin.back() == bucket.members.size(),
             "decoded bucket arrays agree");
  // FindInBucket on a valid bucket: the probe, and every suffix it holds.
  FUZZ_CHECK(hit.ok(), "FindInBucket reads what DecodeBucket reads");
  bool present = false;
  for (size_t i = 0; i < bucket.size(); ++i) {
    if (std::memcmp(bucket.suffix(i), key.data(), width) == 0) {
      present = true;
      FUZZ_CHECK(SameMembers(bucket.members_of(i), found), "FindInBucket memberships");
    }
  }
  FUZZ_CHECK(*hit == present, "FindInBucket finds exactly the bucket's suffixes");
  for (size_t i = 0; i < bucket.size() && i < 64; ++i) {
    auto again = vigie::FindInBucket(encoded, width, bucket.suffix(i), &found);
    FUZZ_CHECK(again.ok() && *again && SameMembers(bucket.members_of(i), found), "every suffix is found");
  }
  // Re-encoding: decodes to the same bucket, and is a fixed point (the encoder's form is canonical).
  std::string reencoded;
  vigie::EncodeBucket(bucket, &reencoded);
  Bucket again;
  FUZZ_CHECK(vigie::DecodeBucket(reencoded, width, &again).ok(), "a re-encoded bucket decodes");
  FUZZ_CHECK(again == bucket, "bucket round trip");
  std::string twice;
  vigie::EncodeBucket(again, &twice);
  FUZZ_CHECK(twice == reencoded, "the encoder's form is a fixed point");
  FUZZ_CHECK(reencoded.size() <= encoded.size(), "the canonical form is never longer");

  CheckWireEncoders(bucket, layout, kind, prefix, options);
}

template <typename T, typename Decode, typename Encode>
void RecordRoundTrip(std::string_view text, Decode decode, Encode encode) {
  T value;
  const Status s = decode(text, &value);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == vigie::Code::kCorruption, "record errors are Corruption");
    return;
  }
  const std::string once = encode(value);
  // The decoded value says what the record says: every member the encoder writes and the record has
  // compares equal (numerically for numbers: 1.0 == 1, but 1e40 is no int).
  const nlohmann::json original = nlohmann::json::parse(text, nullptr, false);
  const nlohmann::json decoded = nlohmann::json::parse(once, nullptr, false);
  FUZZ_CHECK(original.is_object() && decoded.is_object(), "records are objects");
  for (const auto& [key, member] : decoded.items()) {
    if (original.contains(key)) FUZZ_CHECK(original[key] == member, "a decoded member equals the record's");
  }
  T again;
  FUZZ_CHECK(decode(once, &again).ok(), "a re-encoded record decodes");
  FUZZ_CHECK(encode(again) == once, "record round trip");
}

void FuzzRecords(vigie::fuzz::Cursor& in) {
  const uint8_t which = in.Byte() % 3;
  const std::string_view text = in.Rest();
  switch (which) {
    case 0: {
      RecordRoundTrip<vigie::IndexMeta>(text, vigie::DecodeMeta, vigie::EncodeMeta);
      const int version = vigie::PeekMetaFormatVersion(text);
      vigie::IndexMeta meta;
      if (vigie::DecodeMeta(text, &meta).ok()) FUZZ_CHECK(version == meta.format_version, "peeked version");
      break;
    }
    case 1:
      RecordRoundTrip<vigie::BreachRecord>(text, vigie::DecodeBreach, vigie::EncodeBreach);
      break;
    default:
      RecordRoundTrip<vigie::DumpRecord>(text, vigie::DecodeDump, vigie::EncodeDump);
      break;
  }
}

bool IsBreachName(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

void FuzzRange(vigie::fuzz::Cursor& in) {
  const std::string_view body = in.Rest();
  RangeResponse r;
  const Status s = vigie::DecodeRangeJson(body, &r);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == vigie::Code::kCorruption && s.reason() == "range.body", "range errors");
    return;
  }
  // What the decoder promises.
  FUZZ_CHECK(r.version == vigie::kRangeJsonVersion && r.suffix_hex >= 1 && r.suffix_hex <= 64, "range header");
  for (size_t i = 0; i < r.entries.size(); ++i) {
    const vigie::RangeEntry& e = r.entries[i];
    FUZZ_CHECK(static_cast<int>(e.suffix.size()) == r.suffix_hex, "suffix length");
    FUZZ_CHECK(i == 0 || r.entries[i - 1].suffix < e.suffix, "entries sorted");
    for (size_t j = 0; j < e.breaches.size(); ++j) {
      FUZZ_CHECK(e.breaches[j] < r.breaches.size() && (j == 0 || e.breaches[j - 1] < e.breaches[j]),
                 "breach positions");
    }
    FUZZ_CHECK(r.Find(e.suffix) == &e, "Find finds every entry");
    if (!r.has_counts) FUZZ_CHECK(e.count == 0, "no count without counts");
  }
  // Re-encode what was decoded (when the encoder's preconditions hold) and decode it again.
  TagLayout layout;
  layout.prefix_hex = static_cast<int>(r.prefix.size());
  layout.suffix_hex = r.suffix_hex;
  if (layout.prefix_hex < 1 || layout.prefix_hex > 6) return;
  auto prefix = layout.ParsePrefix(r.prefix);
  if (!prefix.ok()) return;
  if (!std::all_of(r.breaches.begin(), r.breaches.end(), IsBreachName)) return;
  vigie::RangeBreachTable table;
  for (size_t i = 0; i < r.breaches.size(); ++i) {
    table.ids.push_back(static_cast<uint32_t>(i + 1));
    table.names.push_back(r.breaches[i]);
  }
  Bucket bucket;
  bucket.Reset(layout.suffix_bytes(), r.has_counts);
  for (const vigie::RangeEntry& e : r.entries) {
    std::string hex = e.suffix;
    if (hex.size() % 2 != 0) hex += '0';
    std::vector<uint8_t> bytes(hex.size() / 2);
    FUZZ_CHECK(vigie::HexDecode(hex, bytes.data()), "decoded suffixes are hex");
    bucket.AddEntry(bytes.data());
    // The count rides on a breach id no name has (0), so that it survives breach-less rows.
    if (r.has_counts) bucket.AddMember({0, e.count});
    for (uint32_t p : e.breaches) bucket.AddMember({p + 1, 0});
  }
  vigie::RangeJsonContext context;
  context.breaches = &table;
  context.layout = layout;
  context.counts = r.has_counts;
  std::string reencoded;
  vigie::EncodeRangeJson(context, r.kind, *prefix, bucket, &reencoded);
  RangeResponse again;
  FUZZ_CHECK(vigie::DecodeRangeJson(reencoded, &again).ok(), "a re-encoded range body decodes");
  std::string lower = r.prefix;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c);
  FUZZ_CHECK(again.kind == r.kind && again.prefix == lower && again.suffix_hex == r.suffix_hex &&
                 again.breaches == r.breaches && again.entries == r.entries &&
                 (r.entries.empty() || again.has_counts == r.has_counts),
             "range body round trip");
  // (JSON allows other spellings of one body: whitespace, key order, "1.0" for 1; only the decoded value
  // is compared.)
}

void FuzzSmall(vigie::fuzz::Cursor& in) {
  const uint8_t which = in.Byte() % 4;
  const std::string_view rest = in.Rest();
  switch (which) {
    case 0: {  // hex
      std::vector<uint8_t> out(rest.size() / 2 + 1);
      if (vigie::HexDecode(rest, out.data())) {
        std::string lower(rest);
        for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c);
        FUZZ_CHECK(vigie::HexEncode(out.data(), rest.size() / 2) == lower, "hex round trip");
      }
      break;
    }
    case 1: {  // varints: minimal encodings come back byte for byte
      std::string_view cursor = rest;
      uint64_t value = 0;
      if (vigie::GetVarint(&cursor, &value)) {
        const std::string_view consumed = rest.substr(0, rest.size() - cursor.size());
        std::string enc;
        vigie::PutVarint(&enc, value);
        std::string_view enc_view(enc);
        uint64_t back = 0;
        FUZZ_CHECK(vigie::GetVarint(&enc_view, &back) && back == value && enc_view.empty(), "varint round trip");
        FUZZ_CHECK(enc.size() <= consumed.size(), "PutVarint is minimal");
      }
      break;
    }
    case 2: {  // bucket keys
      Kind kind;
      uint32_t prefix = 0;
      if (vigie::ParseBucketKey(rest, &kind, &prefix)) {
        FUZZ_CHECK(vigie::BucketKey(kind, prefix) == rest, "bucket key round trip");
      }
      break;
    }
    default: {  // prefixes, and cutting a tag into prefix and suffix
      vigie::fuzz::Cursor params(reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
      const TagLayout layout = LayoutFrom(params.Byte(), params.Byte());
      const std::string_view hex = params.Bytes(8);
      auto prefix = layout.ParsePrefix(hex);
      if (prefix.ok()) {
        FUZZ_CHECK(*prefix < layout.bucket_count(), "prefix in range");
        std::string lower(hex);
        for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c);
        FUZZ_CHECK(layout.PrefixHex(*prefix) == lower, "prefix round trip");
      }
      std::string tag(params.Rest());
      tag.resize(32, '\0');
      const auto* t = reinterpret_cast<const uint8_t*>(tag.data());
      std::array<uint8_t, 32> suffix{};
      layout.Suffix(t, suffix.data());
      const std::string full = vigie::HexEncode(t, 32);
      const uint32_t p = layout.Prefix(t);
      FUZZ_CHECK(layout.PrefixHex(p) == full.substr(0, static_cast<size_t>(layout.prefix_hex)), "Prefix");
      std::string suffix_hex = vigie::HexEncode(suffix.data(), layout.suffix_bytes());
      FUZZ_CHECK(suffix_hex.substr(0, static_cast<size_t>(layout.suffix_hex)) ==
                     full.substr(static_cast<size_t>(layout.prefix_hex), static_cast<size_t>(layout.suffix_hex)),
                 "Suffix");
      if (layout.suffix_hex % 2 != 0) FUZZ_CHECK(suffix_hex.back() == '0', "odd suffix ends in a zero nibble");
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  switch (in.Byte() % 4) {
    case 0:
      FuzzBucket(in);
      break;
    case 1:
      FuzzRecords(in);
      break;
    case 2:
      FuzzRange(in);
      break;
    default:
      FuzzSmall(in);
      break;
  }
  return 0;
}
