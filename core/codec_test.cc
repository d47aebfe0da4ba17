#include "core/codec.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace vigie {
namespace {

TEST_CASE("varint round trip and truncation") {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 16383ull, 16384ull, 1ull << 35, ~0ull}) {
    std::string s;
    PutVarint(&s, v);
    std::string_view in = s;
    uint64_t back = 0;
    REQUIRE(GetVarint(&in, &back));
    CHECK(back == v);
    CHECK(in.empty());
    std::string_view cut = std::string_view(s).substr(0, s.size() - 1);
    CHECK_FALSE(GetVarint(&cut, &back));
  }
  std::string overlong(11, '\xff');
  std::string_view in = overlong;
  uint64_t v;
  CHECK_FALSE(GetVarint(&in, &v));
}

TEST_CASE("hex") {
  const uint8_t bytes[] = {0x00, 0xab, 0x1f, 0xff};
  CHECK(HexEncode(bytes, 4) == "00ab1fff");
  CHECK(HexEncode(bytes, 4, true) == "00AB1FFF");
  uint8_t out[4];
  REQUIRE(HexDecode("00AB1fFf", out));
  CHECK(std::equal(out, out + 4, bytes));
  CHECK_FALSE(HexDecode("0g", out));
  CHECK_FALSE(HexDecode("abc", out));
}

TEST_CASE("tag layout: prefix and suffix nibbles") {
  const uint8_t tag[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
  struct Case {
    int p, s;
    uint32_t prefix;
    std::string suffix_hex;
  } cases[] = {
      {4, 8, 0x1234, "56789abc"},   {5, 8, 0x12345, "6789abcd"},      {5, 9, 0x12345, "6789abcde0"},
      {6, 7, 0x123456, "789abcd0"}, {5, 11, 0x12345, "6789abcdef00"},
  };
  for (const Case& c : cases) {
    TagLayout layout{c.p, c.s};
    CAPTURE(c.p);
    CAPTURE(c.s);
    CHECK(layout.Prefix(tag) == c.prefix);
    std::vector<uint8_t> suffix(layout.suffix_bytes());
    layout.Suffix(tag, suffix.data());
    CHECK(HexEncode(suffix.data(), suffix.size()) == c.suffix_hex);
  }
  // Reading stops at the last nibble that matters: p + s = 2 * tag bytes with both odd.
  const uint8_t small[4] = {0xab, 0xcd, 0xef, 0x12};
  TagLayout layout{5, 3};
  uint8_t suffix[2];
  layout.Suffix(small, suffix);
  CHECK(HexEncode(suffix, 2) == "f120");
}

TEST_CASE("prefix text") {
  TagLayout layout{5, 16};
  CHECK(layout.PrefixHex(0xabc) == "00abc");
  CHECK(*layout.ParsePrefix("00ABC") == 0xabc);
  CHECK(layout.ParsePrefix("0abc").status().reason() == "prefix.length");
  CHECK(layout.ParsePrefix("00abg").status().reason() == "prefix.characters");
}

TEST_CASE("bucket keys") {
  Kind kind;
  uint32_t prefix;
  std::string key = BucketKey(Kind::kEmail, 0xabcde);
  REQUIRE(ParseBucketKey(key, &kind, &prefix));
  CHECK(kind == Kind::kEmail);
  CHECK(prefix == 0xabcde);
  CHECK(BucketKey(Kind::kNir, 5) < BucketKey(Kind::kNir, 6));
  CHECK(BucketKey(Kind::kNir, 0xffffff) < BucketKey(Kind::kEmail, 0));
  CHECK_FALSE(ParseBucketKey("b\x09\x00\x00\x01", &kind, &prefix));
  CHECK_FALSE(ParseBucketKey("c/breach/x", &kind, &prefix));
}

Bucket RandomBucket(std::mt19937_64& rng, size_t n, size_t suffix_bytes, bool counts, uint32_t breaches) {
  std::vector<std::vector<uint8_t>> suffixes;
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> s(suffix_bytes);
    for (auto& b : s) b = static_cast<uint8_t>(rng());
    suffixes.push_back(s);
  }
  std::sort(suffixes.begin(), suffixes.end());
  suffixes.erase(std::unique(suffixes.begin(), suffixes.end()), suffixes.end());
  Bucket b;
  b.Reset(suffix_bytes, counts);
  for (const auto& s : suffixes) {
    b.AddEntry(s.data());
    uint32_t id = 1 + static_cast<uint32_t>(rng() % breaches);
    for (int k = 0; k < 3 && id <= 100000; ++k) {
      b.AddMember({id, counts ? rng() % 100000 + 1 : 0});
      if (rng() % 2) break;
      id += 1 + static_cast<uint32_t>(rng() % 1000);
    }
  }
  return b;
}

TEST_CASE("bucket round trip, table of shapes") {
  std::mt19937_64 rng(42);
  struct Shape {
    size_t n, suffix_bytes;
    bool counts;
    uint32_t breaches;
  } shapes[] = {{1, 8, false, 1},       {100, 8, false, 1}, {100, 8, false, 3},      {2000, 18, true, 1},
                {3000, 8, false, 2000}, {500, 14, true, 5}, {70000, 3, false, 70000}};
  for (const Shape& shape : shapes) {
    CAPTURE(shape.n);
    Bucket b = RandomBucket(rng, shape.n, shape.suffix_bytes, shape.counts, shape.breaches);
    std::string encoded;
    EncodeBucket(b, &encoded);
    Bucket back;
    REQUIRE(DecodeBucket(encoded, shape.suffix_bytes, &back).ok());
    CHECK(back == b);
    // Every entry is found with its memberships; a missing suffix is not.
    for (size_t i = 0; i < b.size(); i += std::max<size_t>(1, b.size() / 50)) {
      std::vector<Membership> ms;
      auto found = FindInBucket(encoded, shape.suffix_bytes, b.suffix(i), &ms);
      REQUIRE(found.ok());
      CHECK(*found);
      auto want = b.members_of(i);
      CHECK(std::vector<Membership>(want.begin(), want.end()) == ms);
    }
    std::vector<uint8_t> absent(shape.suffix_bytes, 0xff);
    if (std::memcmp(b.suffix(b.size() - 1), absent.data(), shape.suffix_bytes) != 0) {
      std::vector<Membership> ms;
      auto found = FindInBucket(encoded, shape.suffix_bytes, absent.data(), &ms);
      REQUIRE(found.ok());
      CHECK_FALSE(*found);
    }
  }
}

TEST_CASE("bucket decoder rejects every truncation and bad headers without crashing") {
  std::mt19937_64 rng(7);
  for (bool counts : {false, true}) {
    Bucket b = RandomBucket(rng, 40, 8, counts, 4);
    std::string encoded;
    EncodeBucket(b, &encoded);
    Bucket out;
    for (size_t cut = 0; cut < encoded.size(); ++cut) {
      CAPTURE(cut);
      CHECK(DecodeBucket(std::string_view(encoded).substr(0, cut), 8, &out).code() == Code::kCorruption);
    }
    std::string bad = encoded;
    bad[0] = 2;  // unknown version
    CHECK(DecodeBucket(bad, 8, &out).code() == Code::kCorruption);
    CHECK(DecodeBucket(encoded + "x", 8, &out).code() == Code::kCorruption);
  }
  // Unsorted suffixes.
  Bucket b;
  b.Reset(2, false);
  const uint8_t s1[2] = {9, 9}, s2[2] = {1, 1};
  b.AddEntry(s1);
  b.AddMember({1, 0});
  b.AddEntry(s2);
  b.AddMember({1, 0});
  std::string encoded;
  EncodeBucket(b, &encoded);
  Bucket out;
  CHECK(DecodeBucket(encoded, 2, &out).code() == Code::kCorruption);
}

TEST_CASE("catalogue records round trip") {
  IndexMeta meta;
  meta.scheme = SchemeId::kNtlm;
  meta.layout = {5, 27};
  meta.allow_unkeyed_nir = true;
  meta.created_at = "2026-11-29T00:00:00Z";
  meta.next_breach_id = 9;
  meta.generation = 4;
  IndexMeta meta_back;
  REQUIRE(DecodeMeta(EncodeMeta(meta), &meta_back).ok());
  CHECK(meta_back.scheme == SchemeId::kNtlm);
  CHECK(meta_back.layout.suffix_hex == 27);
  CHECK(meta_back.allow_unkeyed_nir);
  CHECK(meta_back.next_breach_id == 9);
  CHECK(meta_back.generation == 4);

  BreachRecord b{3,      "mutuelle-2024",  "Mutuelle", "2024-02-01", "2026-11-29",
                 "desc", {"names", "nir"}, 12,         {{"nir", 12}}};
  BreachRecord b_back;
  REQUIRE(DecodeBreach(EncodeBreach(b), &b_back).ok());
  CHECK(b_back.id == 3);
  CHECK(b_back.data_classes == b.data_classes);
  CHECK(b_back.count_by_kind == b.count_by_kind);

  DumpRecord d;
  d.breach = "x";
  d.digest = "00ff";
  d.rows = 10;
  d.rejects_by_reason = {{"nir.key", 2}};
  DumpRecord d_back;
  REQUIRE(DecodeDump(EncodeDump(d), &d_back).ok());
  CHECK(d_back.rows == 10);
  CHECK(d_back.rejects_by_reason == d.rejects_by_reason);

  CHECK(DecodeMeta("not json", &meta_back).code() == Code::kCorruption);
  CHECK(DecodeBreach("{\"id\": \"x\"}", &b_back).code() == Code::kCorruption);
}

}  // namespace
}  // namespace vigie
