// PublishedSet: the sets built from a real index answer exactly what the index holds — every indexed
// identifier found in its shard with its breaches, absent ones not — and agree with the range bodies of the
// same state; padding, geometry, the concatenated body, shard numbers.
#include "core/published_set.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/indexer.h"
#include "core/published_index.h"
#include "core/scheme.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::string Email(int i) { return "person" + std::to_string(i) + "@example.org"; }

// dir/index (sha256) with breach "alpha" holding e-mails [0, 3000) and "beta" holding [2750, 3250).
std::string BuildIndex(const std::string& dir, int shard_bits, bool pad) {
  const std::string index_dir = dir + "/index";
  REQUIRE(Index::Create(index_dir,
                        {.scheme = SchemeId::kSha256, .prefix_hex = 4, .pad_responses = pad, .shard_bits = shard_bits})
              .ok());
  auto index = Index::Open(index_dir, Index::Mode::kReadWrite);
  REQUIRE(index.ok());
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  for (auto [breach, first, end] : {std::tuple{"alpha", 0, 3000}, std::tuple{"beta", 2750, 3250}}) {
    bool created = false;
    REQUIRE((*index)->DefineBreach({.name = breach, .title = breach, .breach_date = "2024-01-01"}, &created).ok());
    const std::string input = dir + "/" + breach + ".txt";
    std::ofstream out(input);
    for (int i = first; i < end; ++i) out << Email(i) << '\n';
    out.close();
    AddOptions add;
    add.breach = breach;
    add.input_path = input;
    add.columns = {{Kind::kEmail, ""}};
    add.input.format = InputFormat::kLines;
    add.threads = 1;
    REQUIRE(AddDump(index->get(), **scheme, add).ok());
  }
  return index_dir;
}

// The breach names the set gives an e-mail, or {} when the set does not hold it.
std::set<std::string> LookUp(const PublishedSet& set, const std::string& email) {
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  uint8_t tag[32];
  REQUIRE((*scheme)->ComputeTag(Kind::kEmail, email, tag).ok());
  const SetManifest& m = set.manifest();
  const uint64_t bits = SetTagBits(tag, sizeof tag, m.tag_bits);
  const uint32_t number = SetShardOf(bits, m.tag_bits, m.shard_bits);
  SetShard shard;
  size_t consumed = 0;
  REQUIRE(DecodeSetShard(set.shard(number), static_cast<uint32_t>(m.breaches.size()), &shard, &consumed).ok());
  CHECK(shard.shard == number);
  const int64_t at = FindInSetShard(shard, SetValueOf(bits, m.tag_bits, m.shard_bits));
  if (at < 0) return {};
  std::set<std::string> names;
  for (uint32_t position : shard.combos[shard.ComboOf(static_cast<size_t>(at))]) names.insert(m.breaches[position]);
  return names;
}

TEST_CASE("published set: every indexed identifier with its breaches, nothing else") {
  TempDir dir;
  const std::string index_dir = BuildIndex(dir.path(), 3, false);
  auto published = PublishedIndex::Open(index_dir, {});
  REQUIRE(published.ok());
  const PublishedSet* set = (*published)->Set(Kind::kEmail);
  REQUIRE(set != nullptr);
  CHECK((*published)->Set(Kind::kPassword) == nullptr);
  const SetManifest& m = set->manifest();
  CHECK(m.count == 3250);
  CHECK(m.shard_bits == 3);
  CHECK(m.tag_bits == 32);  // ceil(log2 3250) + 20
  CHECK(m.breaches == std::vector<std::string>{"alpha", "beta"});
  CHECK(m.generation == (*published)->meta().generation);
  REQUIRE(set->shard_count() == 8);
  uint64_t counted = 0;
  std::string joined;
  for (size_t i = 0; i < set->shard_count(); ++i) {
    counted += m.shards[i].count;
    joined += set->shard(i);
    CHECK(m.shards[i].bytes == set->shard(i).size());
    CHECK(m.shards[i].etag == BodyEtag(set->shard(i)));
  }
  CHECK(counted == 3250);
  CHECK(joined == set->all());
  CHECK(set->all_etag() == BodyEtag(set->all()));
  CHECK(set->manifest_json() == EncodeSetManifestJson(m));

  for (int i = 0; i < 3250; ++i) {
    const std::set<std::string> want = i < 2750   ? std::set<std::string>{"alpha"}
                                       : i < 3000 ? std::set<std::string>{"alpha", "beta"}
                                                  : std::set<std::string>{"beta"};
    CAPTURE(i);
    REQUIRE(LookUp(*set, Email(i)) == want);
  }
  int false_matches = 0;
  for (int i = 10000; i < 20000; ++i) false_matches += LookUp(*set, Email(i)).empty() ? 0 : 1;
  CHECK(false_matches <= 1);  // expected 10 000 x 3 250 / 2^32 = 0.008
}

TEST_CASE("published set: a padded index pads every shard of a kind to one size") {
  TempDir dir;
  auto published = PublishedIndex::Open(BuildIndex(dir.path(), 4, true), {});
  REQUIRE(published.ok());
  const PublishedSet* set = (*published)->Set(Kind::kEmail);
  REQUIRE(set != nullptr);
  std::set<size_t> sizes;
  for (size_t i = 0; i < set->shard_count(); ++i) sizes.insert(set->shard(i).size());
  CHECK(sizes.size() == 1);
  CHECK(set->manifest().padded);
  // Padding changes nothing a client reads.
  CHECK(LookUp(*set, Email(2800)) == std::set<std::string>{"alpha", "beta"});
  CHECK(LookUp(*set, Email(99999)).empty());
  // Kinds nobody is in still have their (empty) set.
  const PublishedSet* phones = (*published)->Set(Kind::kPhone);
  REQUIRE(phones != nullptr);
  CHECK(phones->manifest().count == 0);
  CHECK(phones->shard_count() == 16);
}

TEST_CASE("published set: shard numbers are lower-case hex without leading zeros") {
  CHECK(*ParseShardNumber("0", 6) == 0);
  CHECK(*ParseShardNumber("3f", 6) == 63);
  CHECK(*ParseShardNumber("fff", 12) == 4095);
  for (const char* bad : {"", "40", "3F", "03", "x", "-1", "10000", "1 "}) {
    CAPTURE(bad);
    CHECK(ParseShardNumber(bad, 6).status().reason() == "set.shard");
  }
  CHECK(ParseShardNumber("1", 0).status().reason() == "set.shard");
  CHECK(ShardNumberHex(255) == "ff");
}

}  // namespace
}  // namespace vigie
