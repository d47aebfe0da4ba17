// The private path's shard format (core/codec_set.h): the vectors of tests/vectors/set-shards.txt (written
// by an independent Python implementation), round trips, and every damaged or truncated body refused.
#include "core/codec_set.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "core/codec.h"
#include "tests/kv_vectors.h"

namespace vigie {
namespace {

std::vector<uint64_t> Numbers(const std::string& text, char separator = ',') {
  std::vector<uint64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) {
    if (!item.empty()) out.push_back(std::stoull(item));
  }
  return out;
}

SetShard FromRecord(const testing::KvRecord& r) {
  SetShard s;
  s.kind = *ParseKind(r.Get("kind"));
  s.shard_bits = std::stoi(r.Get("shard_bits"));
  s.tag_bits = std::stoi(r.Get("tag_bits"));
  s.generation = std::stoull(r.Get("generation"));
  s.shard = static_cast<uint32_t>(std::stoul(r.Get("shard")));
  std::stringstream combos(r.Get("combos"));
  std::string combo;
  while (std::getline(combos, combo, ';')) {
    std::vector<uint32_t> positions;
    for (uint64_t p : Numbers(combo)) positions.push_back(static_cast<uint32_t>(p));
    s.combos.push_back(positions);
  }
  s.values = Numbers(r.Get("values"));
  for (uint64_t c : Numbers(r.Get("combo_of"))) s.combo_of.push_back(static_cast<uint32_t>(c));
  return s;
}

void CheckSame(const SetShard& a, const SetShard& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.shard_bits == b.shard_bits);
  CHECK(a.tag_bits == b.tag_bits);
  CHECK(a.generation == b.generation);
  CHECK(a.shard == b.shard);
  CHECK(a.combos == b.combos);
  CHECK(a.values == b.values);
  for (size_t i = 0; i < a.values.size(); ++i) CHECK(a.ComboOf(i) == b.ComboOf(i));
}

TEST_CASE("set shards: the vectors of tests/vectors/set-shards.txt encode and decode exactly") {
  std::string error;
  auto records = testing::ReadKvVectors(VIGIE_SOURCE_DIR "/tests/vectors/set-shards.txt", "name", {}, &error);
  REQUIRE_MESSAGE(error.empty(), error);
  REQUIRE(records.size() >= 5);
  for (const auto& r : records) {
    CAPTURE(r.Get("name"));
    const SetShard shard = FromRecord(r);
    std::string body;
    EncodeSetShard(shard, std::stoul(r.Get("pad_to")), &body);
    CHECK(HexEncode(reinterpret_cast<const uint8_t*>(body.data()), body.size()) == r.Get("body"));
    SetShard decoded;
    size_t consumed = 0;
    REQUIRE(DecodeSetShard(body, 8, &decoded, &consumed).ok());
    CHECK(consumed == body.size());
    CheckSame(decoded, shard);
  }
}

SetShard RandomShard(std::mt19937_64& rng, size_t n, int combos) {
  SetShard s;
  s.kind = Kind::kEmail;
  s.shard_bits = static_cast<int>(rng() % 13);
  s.tag_bits = s.shard_bits + 1 + static_cast<int>(rng() % (64 - s.shard_bits));
  s.generation = rng();
  s.shard = static_cast<uint32_t>(rng() % (uint64_t{1} << s.shard_bits));
  const int value_bits = s.tag_bits - s.shard_bits;
  const uint64_t limit = value_bits >= 64 ? UINT64_MAX : (uint64_t{1} << value_bits) - 1;
  std::vector<uint64_t> values;
  for (size_t i = 0; i < n && i <= limit; ++i) values.push_back(limit == UINT64_MAX ? rng() : rng() % (limit + 1));
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  s.values = values;
  for (int c = 0; c < combos; ++c) s.combos.push_back({static_cast<uint32_t>(c)});
  if (combos > 1) {
    for (size_t i = 0; i < s.values.size(); ++i) s.combo_of.push_back(static_cast<uint32_t>(rng() % combos));
  }
  if (s.values.empty()) s.combos.clear(), s.combo_of.clear();
  return s;
}

TEST_CASE("set shards: random shards round-trip, alone and concatenated") {
  std::mt19937_64 rng(42);
  std::string all;
  std::vector<SetShard> shards;
  for (int i = 0; i < 300; ++i) {
    const size_t n = i % 7 == 0 ? 0 : rng() % 2000;
    shards.push_back(RandomShard(rng, n, 1 + static_cast<int>(rng() % 5)));
    EncodeSetShard(shards.back(), i % 3 == 0 ? rng() % 40000 : 0, &all);
  }
  std::string_view rest = all;
  for (const SetShard& expected : shards) {
    SetShard got;
    size_t consumed = 0;
    REQUIRE(DecodeSetShard(rest, 8, &got, &consumed).ok());
    CheckSame(got, expected);
    for (size_t i = 0; i < expected.values.size(); i += 97)
      CHECK(FindInSetShard(got, expected.values[i]) == int64_t(i));
    rest.remove_prefix(consumed);
  }
  CHECK(rest.empty());
}

TEST_CASE("set shards: a damaged or truncated body is an error, never a shard") {
  std::mt19937_64 rng(7);
  SetShard shard = RandomShard(rng, 200, 3);
  shard.shard_bits = 4;
  shard.tag_bits = 40;
  shard.shard = 9;
  for (uint64_t& v : shard.values) v &= (uint64_t{1} << 36) - 1;
  std::sort(shard.values.begin(), shard.values.end());
  shard.values.erase(std::unique(shard.values.begin(), shard.values.end()), shard.values.end());
  shard.combo_of.resize(shard.values.size());
  std::string body;
  EncodeSetShard(shard, 0, &body);
  SetShard out;
  size_t consumed = 0;
  for (size_t length = 0; length < body.size(); ++length) {
    CAPTURE(length);
    const Status s = DecodeSetShard(std::string_view(body).substr(0, length), 8, &out, &consumed);
    CHECK(s.reason() == "set.body");
  }
  for (size_t at = 0; at < body.size(); ++at) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
      std::string damaged = body;
      damaged[at] = static_cast<char>(damaged[at] ^ flip);
      CAPTURE(at);
      CHECK_FALSE(DecodeSetShard(damaged, 8, &out, &consumed).ok());
    }
  }
  // A padded body: a changed padding byte is refused too (the CRC does not cover the padding).
  std::string padded;
  EncodeSetShard(shard, body.size() + 32, &padded);
  REQUIRE(DecodeSetShard(padded, 8, &out, &consumed).ok());
  for (size_t at = body.size(); at < padded.size(); ++at) {
    std::string damaged = padded;
    damaged[at] = 1;
    CAPTURE(at);
    CHECK(DecodeSetShard(damaged, 8, &out, &consumed).reason() == "set.body");
  }
  // Breach positions beyond the set's breach list.
  CHECK(DecodeSetShard(body, 2, &out, &consumed).reason() == "set.body");
  CHECK(DecodeSetShard(body, 3, &out, &consumed).ok());
}

TEST_CASE("set geometry: tag bits, shards and values of a tag") {
  CHECK(SetTagBitsFor(0, 6, 84) == 20);
  CHECK(SetTagBitsFor(1, 6, 84) == 20);
  CHECK(SetTagBitsFor(33'000'000, 6, 84) == 45);  // ceil(log2 33 M) = 25
  CHECK(SetTagBitsFor(1u << 20, 6, 84) == 40);
  CHECK(SetTagBitsFor(5, 12, 84) == 23);
  CHECK(SetTagBitsFor(1ull << 50, 6, 84) == 64);  // capped at 64 bits
  CHECK(SetTagBitsFor(1000, 6, 24) == 24);        // capped at what the index keeps
  const uint8_t tag[8] = {0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89};
  const uint64_t bits = SetTagBits(tag, sizeof tag, 20);
  CHECK(bits == 0xabcde);
  CHECK(SetShardOf(bits, 20, 6) == 0xabcde >> 14);
  CHECK(SetValueOf(bits, 20, 6) == (0xabcde & 0x3fff));
  CHECK(SetShardOf(bits, 20, 0) == 0);
  CHECK(SetTagBits(tag, sizeof tag, 64) == 0xabcdef0123456789ull);
}

TEST_CASE("set manifest: round trip and refusals") {
  SetManifest m;
  m.kind = Kind::kNir;
  m.scheme = "oprf-p256";
  m.generation = 12;
  m.shard_bits = 1;
  m.tag_bits = 21;
  m.count = 3;
  m.breaches = {"a", "b"};
  m.padded = true;
  m.shards = {{2, 60, "\"0000000000000001\""}, {1, 60, "\"0000000000000002\""}};
  const std::string json = EncodeSetManifestJson(m);
  CHECK(json.starts_with(R"({"v":1,"kind":"nir","scheme":"oprf-p256","generation":12,"shard_bits":1,"tag_bits":21,)"));
  SetManifest back;
  REQUIRE(DecodeSetManifestJson(json, &back).ok());
  CHECK(EncodeSetManifestJson(back) == json);
  for (const char* bad : {"", "[]", R"({"v":2})", R"({"v":1,"kind":"nir"})"}) {
    CAPTURE(bad);
    CHECK(DecodeSetManifestJson(bad, &back).reason() == "set.manifest");
  }
  std::string wrong = json;
  wrong.replace(wrong.find("\"shard_bits\":1"), 14, "\"shard_bits\":2");
  CHECK(DecodeSetManifestJson(wrong, &back).reason() == "set.manifest");  // 2 shards listed, 4 announced
}

}  // namespace
}  // namespace vigie
