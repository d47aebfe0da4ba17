// SetLookup, the client side of the private path: tags located from the range layout's prefix and suffix,
// shards checked against their manifest — a shard of another state is stale (fetch the manifest again),
// a damaged one is corrupt — and look-ups with breach names.
#include "core/set_lookup.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/indexer.h"
#include "core/published_set.h"
#include "core/scheme.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

// The directory is declared first so that it outlives the open index (RocksDB deletes files until closed).
struct Fixture {
  testing::TempDir tmp;
  std::string dir = tmp.path();
  std::unique_ptr<Index> index;
  Fixture() {
    REQUIRE(Index::Create(dir + "/index", {.scheme = SchemeId::kSha256, .prefix_hex = 4, .shard_bits = 2}).ok());
    auto opened = Index::Open(dir + "/index", Index::Mode::kReadWrite);
    REQUIRE(opened.ok());
    index = std::move(*opened);
  }
  void Add(const std::string& breach, int first, int end) {
    bool created = false;
    REQUIRE(index->DefineBreach({.name = breach, .title = breach, .breach_date = "2024-01-01"}, &created).ok());
    std::ofstream(dir + "/in.txt") << [&] {
      std::string text;
      for (int i = first; i < end; ++i) text += "p" + std::to_string(i) + "@example.org\n";
      return text;
    }();
    AddOptions add{.breach = breach,
                   .input_path = dir + "/in.txt",
                   .columns = {{Kind::kEmail, ""}},
                   .input = {.format = InputFormat::kLines},
                   .threads = 1};
    REQUIRE(AddDump(index.get(), **MakeUnkeyedScheme(SchemeId::kSha256), add).ok());
  }
  std::unique_ptr<PublishedSet> Set() {
    auto set = PublishedSet::Build(*index, Kind::kEmail, MakeRangeBreachTable(index->breaches()), {2, false, "sha256"});
    REQUIRE(set.ok());
    return std::move(*set);
  }
};

TEST_CASE("set lookup: located from the range layout, found with its breaches") {
  Fixture f;
  f.Add("alpha", 0, 400);
  auto set = f.Set();
  SetLookup lookup(set->manifest());
  REQUIRE(lookup.AddAll(set->all()).ok());
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  const TagLayout& layout = f.index->layout();
  std::vector<std::string> breaches;
  for (int i = 0; i < 500; ++i) {
    uint8_t tag[32];
    REQUIRE((*scheme)->ComputeTag(Kind::kEmail, "p" + std::to_string(i) + "@example.org", tag).ok());
    const std::string hex = HexEncode(tag, sizeof tag);
    auto at = lookup.Locate(layout, *layout.ParsePrefix(hex.substr(0, 4)), hex.substr(4, 16));
    REQUIRE(at.ok());
    const uint64_t bits = SetTagBits(tag, sizeof tag, set->manifest().tag_bits);
    CHECK(at->shard == SetShardOf(bits, set->manifest().tag_bits, 2));
    CHECK(at->value == SetValueOf(bits, set->manifest().tag_bits, 2));
    CHECK(lookup.Find(*at, &breaches) == (i < 400));
    if (i < 400) CHECK(breaches == std::vector<std::string>{"alpha"});
  }
  // A layout that keeps fewer bits than the set (4 + 2 hex digits: 24 < T = 29) cannot locate a tag.
  CHECK(lookup.Locate(layout, 0, "00").status().reason() == "set.layout");
  CHECK(lookup.Locate(layout, 0, "0000000000").ok());
}

TEST_CASE("set lookup: a shard of another state is stale, a damaged one corrupt") {
  Fixture f;
  f.Add("alpha", 0, 300);
  auto before = f.Set();
  f.Add("beta", 200, 600);  // a new generation, with a breach the old manifest does not list
  auto after = f.Set();
  SetLookup old_manifest(before->manifest());
  for (uint32_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(old_manifest.AddShard(i, after->shard(i)).reason() == "set.stale");
  }
  SetLookup current(after->manifest());
  CHECK(current.AddShard(1, after->shard(0)).reason() == "set.stale");  // another shard number
  std::string damaged(after->shard(2));
  damaged[damaged.size() / 2] ^= 0x10;
  CHECK(current.AddShard(2, damaged).reason() == "set.body");
  CHECK(current.AddShard(2, after->shard(2).substr(0, 40)).reason() == "set.body");
  REQUIRE(current.AddShard(3, after->shard(3)).ok());
  CHECK(current.HasShard(3));
  CHECK_FALSE(current.HasShard(2));
}

}  // namespace
}  // namespace vigie
