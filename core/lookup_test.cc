// Lookup: a local look-up normalises, finds indexed identifiers with their breaches and nothing else,
// reports invalid input with its reason, and sums password counts over breaches.
#include "core/lookup.h"

#include <doctest/doctest.h>

#include "core/normalize.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

using testing::TempDir;

std::string Normalized(Kind kind, std::string_view input) {
  std::string canonical;
  REQUIRE(Normalize(kind, input, &canonical).ok());
  return canonical;
}

TEST_CASE("lookup: found, not found, invalid, wrong kind") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  testing::DefineBreach(index.get(), "beta");
  testing::AddLines(index.get(), "alpha", Kind::kEmail, testing::Emails(0, 500), dir / "a.txt");
  testing::AddLines(index.get(), "beta", Kind::kEmail, testing::Emails(400, 600), dir / "b.txt");
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  Lookup lookup(*index, **scheme);

  struct Case {
    std::string input;
    bool valid;
    std::vector<std::string> breaches;  // empty: not found
  };
  const Case cases[] = {
      {"person1@example.org", true, {"alpha"}},
      {"  Person450@Example.ORG ", true, {"alpha", "beta"}},  // normalised before tagging
      {"person599@example.org", true, {"beta"}},
      {"person600@example.org", true, {}},
      {"person1@example.com", true, {}},
      {"not an address", false, {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    const LookupResult r = lookup.Check(Kind::kEmail, c.input);
    CHECK(r.valid == c.valid);
    CHECK(r.found == !c.breaches.empty());
    CHECK(r.breaches == c.breaches);
    if (c.valid) {
      CHECK(r.error.ok());
      CHECK(r.canonical == Normalized(Kind::kEmail, c.input));
    } else {
      CHECK(r.error.code() == Code::kInvalidArgument);
      CHECK(r.canonical.empty());
    }
  }
  const LookupResult password = lookup.Check(Kind::kPassword, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
  CHECK_FALSE(password.valid);
  CHECK(password.error.reason() == "index.kind");
}

TEST_CASE("lookup: password indexes add up occurrences over breaches") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.scheme = SchemeId::kSha1, .prefix_hex = 5});
  testing::DefineBreach(index.get(), "alpha");
  testing::DefineBreach(index.get(), "beta");
  const std::string hash = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8";
  testing::AddLines(index.get(), "alpha", Kind::kPassword, {hash + ":10", "7C4A8D09CA3762AF61E59520943DC26494F8941B:3"},
                    dir / "a.txt");
  testing::AddLines(index.get(), "beta", Kind::kPassword, {hash + ":5"}, dir / "b.txt");
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha1);
  Lookup lookup(*index, **scheme);

  LookupResult r = lookup.Check(Kind::kPassword, hash);
  CHECK(r.found);
  CHECK(r.count == 15);
  CHECK(r.breaches == std::vector<std::string>{"alpha", "beta"});
  r = lookup.Check(Kind::kPassword, "7c4a8d09ca3762af61e59520943dc26494f8941b");  // either case
  CHECK(r.found);
  CHECK(r.count == 3);
  r = lookup.Check(Kind::kPassword, "0000000000000000000000000000000000000000");
  CHECK(r.valid);
  CHECK_FALSE(r.found);
  CHECK(r.count == 0);
}

}  // namespace
}  // namespace vigie
