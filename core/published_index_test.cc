// PublishedIndex: range bodies decode to exactly the bucket's identifiers with their breaches, are the
// same bytes every time and on a second instance, a padded index makes every body one length, the
// catalogue bodies match the index, and the kinds and Pwned Passwords route follow the scheme.
#include "core/published_index.h"

#include <doctest/doctest.h>

#include <set>

#include "tests/test_index.h"

namespace vigie {
namespace {

using testing::TempDir;

// The range entry an e-mail would be found under: (prefix, suffix hex).
std::pair<uint32_t, std::string> Locate(const TagLayout& layout, const std::string& email) {
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  uint8_t tag[32];
  REQUIRE((*scheme)->ComputeTag(Kind::kEmail, email, tag).ok());
  const std::string hex = HexEncode(tag, 32);
  return {layout.Prefix(tag),
          hex.substr(static_cast<size_t>(layout.prefix_hex), static_cast<size_t>(layout.suffix_hex))};
}

std::string BuildIndex(const TempDir& dir, bool padded) {
  const std::string path = dir / "index";
  auto index = testing::CreateIndex(path, {.prefix_hex = 4, .pad_responses = padded});
  testing::DefineBreach(index.get(), "alpha");
  testing::DefineBreach(index.get(), "beta");
  testing::AddLines(index.get(), "alpha", Kind::kEmail, testing::Emails(0, 2000), dir / "a.txt");
  testing::AddLines(index.get(), "beta", Kind::kEmail, testing::Emails(1500, 2500), dir / "b.txt");
  return path;
}

TEST_CASE("published index: range bodies hold every identifier of the bucket with its breaches") {
  TempDir dir;
  auto published = PublishedIndex::Open(BuildIndex(dir, false), {.sets = false});
  REQUIRE(published.ok());
  const PublishedIndex& p = **published;
  for (int i : {0, 1700, 2400}) {
    CAPTURE(i);
    const auto [prefix, suffix] = Locate(p.layout(), testing::Email(i));
    std::string body;
    REQUIRE(p.RangeJson(Kind::kEmail, prefix, &body).ok());
    RangeResponse r;
    REQUIRE(DecodeRangeJson(body, &r).ok());
    CHECK(r.prefix == p.layout().PrefixHex(prefix));
    CHECK(r.breaches == std::vector<std::string>{"alpha", "beta"});
    const RangeEntry* entry = r.Find(suffix);
    REQUIRE(entry != nullptr);
    std::set<std::string> names;
    for (uint32_t position : entry->breaches) names.insert(r.breaches.at(position));
    CHECK(names == (i < 1500   ? std::set<std::string>{"alpha"}
                    : i < 2000 ? std::set<std::string>{"alpha", "beta"}
                               : std::set<std::string>{"beta"}));
    std::string encoded;
    REQUIRE(p.index().GetBucket(Kind::kEmail, prefix, &encoded).ok());
    CHECK(r.entries.size() == *BucketEntryCount(encoded));
  }
  // A prefix nobody is in is an empty body, not an error; absent e-mails are absent.
  const auto [prefix, suffix] = Locate(p.layout(), "nobody@example.org");
  std::string body;
  REQUIRE(p.RangeJson(Kind::kEmail, prefix, &body).ok());
  RangeResponse r;
  REQUIRE(DecodeRangeJson(body, &r).ok());
  CHECK(r.Find(suffix) == nullptr);
}

TEST_CASE("published index: bodies are deterministic across instances; padded bodies all have one length") {
  TempDir dir;
  const std::string path = BuildIndex(dir, true);
  std::array<uint8_t, 32> key{};
  key[0] = 7;
  auto a = PublishedIndex::Open(path, {.pad_key = key, .sets = false});
  auto b = PublishedIndex::Open(path, {.pad_key = key, .sets = false});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE((*a)->padding() != nullptr);
  std::set<size_t> lengths;
  for (uint32_t prefix : {0u, 1u, 0x1234u, 0xffffu}) {
    std::string x, y;
    REQUIRE((*a)->RangeJson(Kind::kEmail, prefix, &x).ok());
    REQUIRE((*b)->RangeJson(Kind::kEmail, prefix, &y).ok());
    CHECK(x == y);
    lengths.insert(x.size());
    RangeResponse r;
    CHECK(DecodeRangeJson(x, &r).ok());
  }
  CHECK(lengths.size() == 1);
  CHECK(*lengths.begin() == (*a)->padding()->target_bytes);
}

TEST_CASE("published index: catalogue bodies, served kinds, sets") {
  TempDir dir;
  auto published = PublishedIndex::Open(BuildIndex(dir, false), {});
  REQUIRE(published.ok());
  const PublishedIndex& p = **published;
  CHECK(p.ServesKind(Kind::kEmail));
  CHECK(p.ServesKind(Kind::kNir));
  CHECK_FALSE(p.ServesKind(Kind::kPassword));
  CHECK_FALSE(p.ServesHibp());
  CHECK(p.breach_list_json() == EncodeBreachListJson(p.index().breaches()));
  REQUIRE(p.BreachJson("alpha") != nullptr);
  CHECK(*p.BreachJson("alpha") == EncodeBreachJson(p.index().breaches().at("alpha")));
  CHECK(p.BreachJson("gamma") == nullptr);
  CHECK(p.info_json().find("\"scheme\":\"sha256\"") != std::string::npos);
  CHECK(p.commit_time() == p.meta().committed_at);
  CHECK(p.Set(Kind::kEmail) != nullptr);
  CHECK(p.Set(Kind::kPassword) == nullptr);
}

TEST_CASE("published index: Pwned Passwords bodies on a sha1 index") {
  TempDir dir;
  const std::string path = dir / "index";
  {
    auto index = testing::CreateIndex(path, {.scheme = SchemeId::kSha1, .prefix_hex = 5});
    testing::DefineBreach(index.get(), "alpha");
    testing::AddLines(index.get(), "alpha", Kind::kPassword, {"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:42"},
                      dir / "p.txt");
  }
  auto published = PublishedIndex::Open(path, {.sets = false});
  REQUIRE(published.ok());
  CHECK((*published)->ServesHibp());
  std::string body;
  REQUIRE((*published)->HibpRange(0x5BAA6, nullptr, &body).ok());
  CHECK(body == "1E4C9B93F3F0682250B6CF8331B7EE68FD8:42");
  HibpPadding padding{.seed = 1};
  REQUIRE((*published)->HibpRange(0x5BAA6, &padding, &body).ok());
  const size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
  CHECK(lines >= padding.min_rows);
  CHECK(lines <= padding.max_rows);
  CHECK(body.find("1E4C9B93F3F0682250B6CF8331B7EE68FD8:42") != std::string::npos);
}

}  // namespace
}  // namespace vigie
