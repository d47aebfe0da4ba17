// Indexer: AddDump files every valid identifier once, counts what it rejects by reason, tells new from
// known identifiers, skips a file it already loaded, gives the same index whether or not it spilled runs,
// and leaves the index untouched when it fails; RemoveBreach takes exactly one breach out.
#include "core/indexer.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "core/lookup.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

using testing::AddLines;
using testing::Emails;
using testing::TempDir;

// Every (prefix, encoded bucket) of a kind: two indexes hold the same when these are equal.
std::map<uint32_t, std::string> Buckets(const Index& index, Kind kind) {
  std::map<uint32_t, std::string> out;
  REQUIRE(index
              .ForEachBucket(kind,
                             [&](uint32_t prefix, std::string_view encoded) {
                               out.emplace(prefix, std::string(encoded));
                               return Status::Ok();
                             })
              .ok());
  return out;
}

std::set<std::string> BreachesOf(const Index& index, const std::string& email) {
  auto scheme = MakeUnkeyedScheme(index.meta().scheme);
  Lookup lookup(index, **scheme);
  const LookupResult r = lookup.Check(Kind::kEmail, email);
  REQUIRE(r.valid);
  return {r.breaches.begin(), r.breaches.end()};
}

TEST_CASE("add: counts rows, identifiers, duplicates and rejects by reason") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  std::vector<std::string> lines = Emails(0, 100);
  lines.push_back("PERSON7@EXAMPLE.ORG");  // the same as person7 once normalised
  lines.push_back("person8@example.org");  // a plain duplicate
  lines.push_back("no-at-sign");
  lines.push_back("two@@example.org");
  const AddReport report = AddLines(index.get(), "alpha", Kind::kEmail, lines, dir / "dump.txt");

  CHECK_FALSE(report.skipped);
  CHECK(report.dump.rows == 104);
  CHECK(report.dump.identifiers == 102);
  CHECK(report.dump.rejected == 2);
  CHECK(report.dump.rejects_by_reason.at("email.at") == 2);
  CHECK(report.dump.new_to_index == 100);
  CHECK(report.dump.new_to_breach == 100);
  CHECK(index->breaches().at("alpha").count == 100);
  CHECK(index->breaches().at("alpha").count_by_kind.at("email") == 100);

  auto dumps = index->ListDumps();
  REQUIRE(dumps.ok());
  REQUIRE(dumps->size() == 1);
  CHECK((*dumps)[0].file_name == "dump.txt");
  CHECK((*dumps)[0].rows == 104);
}

TEST_CASE("add: the same file twice is skipped; a second breach shares identifiers") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  testing::DefineBreach(index.get(), "beta");
  AddLines(index.get(), "alpha", Kind::kEmail, Emails(0, 300), dir / "alpha.txt");
  const uint64_t generation = index->meta().generation;

  const AddReport again = AddLines(index.get(), "alpha", Kind::kEmail, Emails(0, 300), dir / "alpha.txt");
  CHECK(again.skipped);
  CHECK(again.skip_reason.find("already loaded") != std::string::npos);
  CHECK(index->meta().generation == generation);

  const AddReport beta = AddLines(index.get(), "beta", Kind::kEmail, Emails(200, 400), dir / "beta.txt");
  CHECK(beta.dump.new_to_index == 100);
  CHECK(beta.dump.already_present == 100);
  CHECK(beta.dump.new_to_breach == 200);
  CHECK(BreachesOf(*index, testing::Email(250)) == std::set<std::string>{"alpha", "beta"});
  CHECK(BreachesOf(*index, testing::Email(50)) == std::set<std::string>{"alpha"});
  CHECK(BreachesOf(*index, testing::Email(350)) == std::set<std::string>{"beta"});
  CHECK(BreachesOf(*index, testing::Email(450)).empty());

  // More of the same breach in another file: only the new identifiers are new to it.
  const AddReport more = AddLines(index.get(), "alpha", Kind::kEmail, Emails(250, 350), dir / "alpha-2.txt");
  CHECK(more.dump.new_to_breach == 50);
  CHECK(more.dump.new_to_index == 0);
  CHECK(index->breaches().at("alpha").count == 350);
}

TEST_CASE("add: a small memory budget spills runs and gives the same buckets") {
  TempDir dir;
  // Buffers are at least 1 MiB per worker (12-byte records here): 200,000 rows fill one and spill it.
  const std::vector<std::string> lines = Emails(0, 200000);
  testing::WriteLines(dir / "dump.txt", lines);
  std::map<uint32_t, std::string> results[2];
  uint64_t spilled[2] = {};
  for (int i = 0; i < 2; ++i) {
    auto index = testing::CreateIndex(dir / ("index" + std::to_string(i)), {.prefix_hex = 4});
    testing::DefineBreach(index.get(), "alpha");
    auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
    AddOptions add;
    add.breach = "alpha";
    add.input_path = dir / "dump.txt";
    add.columns = {{Kind::kEmail, ""}};
    add.threads = 1;
    add.memory_bytes = i == 0 ? size_t{1} << 30 : size_t{1} << 20;
    auto report = AddDump(index.get(), **scheme, add);
    REQUIRE(report.ok());
    spilled[i] = report->spilled_runs;
    CHECK(report->dump.new_to_index == 200000);
    results[i] = Buckets(*index, Kind::kEmail);
  }
  CHECK(spilled[0] == 0);
  CHECK(spilled[1] >= 1);
  CHECK(results[0] == results[1]);
}

TEST_CASE("add: CSV columns by header name and by number, rejects written without content") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  testing::WriteLines(dir / "dump.csv",
                      {"name;mail;phone", "A;person1@example.org;x", "B;broken;x", "C;person2@example.org;x"});
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  for (const std::string column : {"mail", "2"}) {
    CAPTURE(column);
    AddOptions add;
    add.breach = "alpha";
    add.input_path = dir / "dump.csv";
    add.columns = {{Kind::kEmail, column}};
    add.rejects_path = dir / "rejects.tsv";
    add.threads = 1;
    auto report = AddDump(index.get(), **scheme, add);
    REQUIRE(report.ok());
    if (report->skipped) continue;  // the second spelling selects the same column of the same file
    CHECK(report->dump.rows == 3);
    CHECK(report->dump.identifiers == 2);
    CHECK(report->dump.selection == "email@2");
    std::ifstream rejects(dir / "rejects.tsv");
    std::string line;
    while (std::getline(rejects, line) && line.starts_with("#")) {
    }
    CHECK(line == "3\temail.at");  // the line number and the reason, never the field
  }
  CHECK(BreachesOf(*index, "person2@example.org") == std::set<std::string>{"alpha"});

  AddOptions bad;
  bad.breach = "alpha";
  bad.input_path = dir / "dump.csv";
  bad.columns = {{Kind::kEmail, "nosuchcolumn"}};
  CHECK_FALSE(AddDump(index.get(), **scheme, bad).ok());
  bad.columns = {{Kind::kEmail, "mail"}};
  bad.breach = "undefined";
  CHECK(AddDump(index.get(), **scheme, bad).status().reason() == "breach.unknown");
}

TEST_CASE("add: a failure before the commit leaves the index as it was, with nothing in staging") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  AddLines(index.get(), "alpha", Kind::kEmail, Emails(0, 100), dir / "first.txt");
  const auto before = Buckets(*index, Kind::kEmail);
  const uint64_t generation = index->meta().generation;

  testing::WriteLines(dir / "second.txt", Emails(100, 5000));
  auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
  AddOptions add;
  add.breach = "alpha";
  add.input_path = dir / "second.txt";
  add.columns = {{Kind::kEmail, ""}};
  add.test_hook = [](std::string_view point) {
    if (point == "before-commit") throw std::runtime_error("simulated crash");
  };
  CHECK_THROWS(AddDump(index.get(), **scheme, add));
  // What the next run sees: the previous state, and a staging area the next writable open clears.
  index.reset();
  auto reopened = Index::Open(dir / "index", Index::Mode::kReadWrite);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->meta().generation == generation);
  CHECK(Buckets(**reopened, Kind::kEmail) == before);
  CHECK(std::filesystem::is_empty((*reopened)->staging_dir()));
}

TEST_CASE("add: kinds an index may not hold are refused before reading") {
  TempDir dir;
  auto sha256 = MakeUnkeyedScheme(SchemeId::kSha256);
  auto sha1 = MakeUnkeyedScheme(SchemeId::kSha1);
  IndexMeta meta;
  meta.scheme = SchemeId::kSha256;
  CHECK(CheckKindAllowed(meta, **sha256, Kind::kEmail).ok());
  CHECK(CheckKindAllowed(meta, **sha256, Kind::kNir).reason() == "index.unkeyed-nir");
  meta.allow_unkeyed_nir = true;
  CHECK(CheckKindAllowed(meta, **sha256, Kind::kNir).ok());
  CHECK(CheckKindAllowed(meta, **sha256, Kind::kPassword).reason() == "index.kind");
  meta.scheme = SchemeId::kSha1;
  CHECK(CheckKindAllowed(meta, **sha1, Kind::kEmail).reason() == "index.kind");
  CHECK(CheckKindAllowed(meta, **sha1, Kind::kPassword).ok());
}

TEST_CASE("remove: one breach's memberships go, shared identifiers stay, counts follow") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  testing::DefineBreach(index.get(), "beta");
  AddLines(index.get(), "alpha", Kind::kEmail, Emails(0, 300), dir / "alpha.txt");
  AddLines(index.get(), "beta", Kind::kEmail, Emails(200, 400), dir / "beta.txt");
  const uint32_t beta_id = index->breaches().at("beta").id;

  auto report = RemoveBreach(index.get(), "alpha", {.threads = 2});
  REQUIRE(report.ok());
  CHECK(report->identifiers_removed == 300);
  CHECK(report->identifiers_gone == 200);
  CHECK(index->breaches().count("alpha") == 0);
  CHECK(index->breaches().at("beta").count == 200);
  CHECK(BreachesOf(*index, testing::Email(250)) == std::set<std::string>{"beta"});
  CHECK(BreachesOf(*index, testing::Email(50)).empty());
  CHECK(RemoveBreach(index.get(), "alpha").status().reason() == "breach.unknown");

  // A new breach never takes the removed one's id.
  testing::DefineBreach(index.get(), "gamma");
  CHECK(index->breaches().at("gamma").id > beta_id);
}

}  // namespace
}  // namespace vigie
