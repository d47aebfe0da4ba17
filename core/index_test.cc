// Index: creation checks its options and never overwrites, the catalogue keeps ids and bumps generations,
// read-only and writer opens keep to their roles, bucket reads and scans see exactly what was committed,
// and an ingestion is all or nothing.
#include "core/index.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "core/sst_writer.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST_CASE("index create: bad options are refused with their reason, nothing is left behind") {
  struct Case {
    CreateOptions options;
    std::string_view reason;
  };
  const Case cases[] = {
      {{.prefix_hex = 3}, "index.prefix"},
      {{.prefix_hex = 7}, "index.prefix"},
      {{.prefix_hex = 5, .suffix_hex = 4}, "index.suffix"},
      {{.prefix_hex = 5, .suffix_hex = 60}, "index.suffix"},
      {{.shard_bits = -1}, "index.shard-bits"},
      {{.shard_bits = 13}, "index.shard-bits"},
      {{.scheme = SchemeId::kOprfP256}, "index.key"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    CAPTURE(c.reason);
    const std::string path = dir / "index";
    const Status s = Index::Create(path, c.options).status();
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.reason() == c.reason);
    CHECK_FALSE(fs::exists(path));
  }
}

TEST_CASE("index create: an existing index is never overwritten; a missing one is reported") {
  TempDir dir;
  const std::string path = dir / "index";
  {
    auto index = testing::CreateIndex(path);
    testing::DefineBreach(index.get(), "alpha");
  }
  CHECK(Index::Create(path, {}).status().code() == Code::kAlreadyExists);
  auto reopened = Index::Open(path, Index::Mode::kReadOnly);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->breaches().count("alpha") == 1);

  const Status missing = Index::Open(dir / "nowhere", Index::Mode::kReadOnly).status();
  CHECK(missing.code() == Code::kNotFound);
  CHECK(missing.reason() == "index.missing");
}

TEST_CASE("index layout: default suffix lengths per scheme") {
  CHECK(DefaultSuffixHex(SchemeId::kSha256, 5) == 16);
  CHECK(DefaultSuffixHex(SchemeId::kOprfP256, 4) == 16);
  CHECK(DefaultSuffixHex(SchemeId::kSha1, 5) == 35);  // the whole rest of 40 hex digits
  CHECK(DefaultSuffixHex(SchemeId::kNtlm, 5) == 27);  // of 32
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.scheme = SchemeId::kSha1, .prefix_hex = 5});
  CHECK(index->layout().prefix_hex == 5);
  CHECK(index->layout().suffix_hex == 35);
}

TEST_CASE("index catalogue: ids are kept on update, never reused, and every change bumps the generation") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index");
  const uint64_t g0 = index->meta().generation;

  bool created = false;
  REQUIRE(index->DefineBreach({.name = "alpha", .title = "A", .breach_date = "2024-01-01"}, &created).ok());
  CHECK(created);
  REQUIRE(index->DefineBreach({.name = "beta", .title = "B", .breach_date = "2024-02-01"}, &created).ok());
  const uint32_t alpha_id = index->breaches().at("alpha").id;
  const uint32_t beta_id = index->breaches().at("beta").id;
  CHECK(alpha_id != beta_id);

  REQUIRE(index->DefineBreach({.name = "alpha", .title = "A, renamed", .breach_date = "2024-01-02"}, &created).ok());
  CHECK_FALSE(created);
  CHECK(index->breaches().at("alpha").id == alpha_id);
  CHECK(index->breaches().at("alpha").title == "A, renamed");
  CHECK(index->meta().generation == g0 + 3);
  REQUIRE(index->BreachNameForId(beta_id) != nullptr);
  CHECK(*index->BreachNameForId(beta_id) == "beta");
  CHECK(index->BreachNameForId(999) == nullptr);

  const Status unknown = index->GetBreach("gamma").status();
  CHECK(unknown.IsNotFound());
  CHECK(unknown.reason() == "breach.unknown");
  CHECK(index->DefineBreach({.name = "-bad"}, &created).reason() == "breach.name");

  // The next id comes after every id handed out, even once a breach is gone (RemoveBreach keeps it).
  CHECK(index->meta().next_breach_id > std::max(alpha_id, beta_id));
}

TEST_CASE("breach names: 1 to 64 of [a-z0-9-], not starting with '-'") {
  const std::pair<std::string, bool> cases[] = {
      {"a", true},     {"acme-2024", true},  {std::string(64, 'x'), true},  {"", false},          {"-acme", false},
      {"Acme", false}, {"acme_2024", false}, {std::string(65, 'x'), false}, {"acme 2024", false}, {"acmé", false},
      {"a/b", false},
  };
  for (const auto& [name, valid] : cases) {
    CAPTURE(name);
    CHECK(ValidateBreachName(name).ok() == valid);
  }
}

TEST_CASE("index roles: one writer at a time; readers cannot write and see the state of their open") {
  TempDir dir;
  const std::string path = dir / "index";
  auto writer = testing::CreateIndex(path);
  testing::DefineBreach(writer.get(), "alpha");

  CHECK(Index::Open(path, Index::Mode::kReadWrite).status().code() == Code::kBusy);

  auto reader = Index::Open(path, Index::Mode::kReadOnly);
  REQUIRE(reader.ok());
  CHECK((*reader)->read_only());
  bool created = false;
  CHECK((*reader)->DefineBreach({.name = "beta"}, &created).code() == Code::kFailedPrecondition);
  CHECK((*reader)->Ingest({"x.sst"}).code() == Code::kFailedPrecondition);

  testing::DefineBreach(writer.get(), "beta");
  CHECK((*reader)->breaches().count("beta") == 0);
  auto later = Index::Open(path, Index::Mode::kReadOnly);
  REQUIRE(later.ok());
  CHECK((*later)->breaches().count("beta") == 1);
}

TEST_CASE("index buckets: reads and scans return what the indexer committed, in prefix order") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  testing::AddLines(index.get(), "alpha", Kind::kEmail, testing::Emails(0, 2000), dir / "dump.txt");

  std::vector<uint32_t> prefixes;
  uint64_t entries = 0;
  REQUIRE(index
              ->ForEachBucket(Kind::kEmail,
                              [&](uint32_t prefix, std::string_view encoded) {
                                prefixes.push_back(prefix);
                                auto n = BucketEntryCount(encoded);
                                REQUIRE(n.ok());
                                entries += *n;
                                return Status::Ok();
                              })
              .ok());
  CHECK(entries == 2000);
  CHECK(std::is_sorted(prefixes.begin(), prefixes.end()));
  CHECK(std::adjacent_find(prefixes.begin(), prefixes.end()) == prefixes.end());

  // Each scanned bucket reads back the same; a prefix the scan skipped is "empty", not an error.
  std::string encoded;
  REQUIRE(index->GetBucket(Kind::kEmail, prefixes.front(), &encoded).ok());
  CHECK_FALSE(encoded.empty());
  uint32_t absent = 0;
  while (std::binary_search(prefixes.begin(), prefixes.end(), absent)) ++absent;
  const Status empty = index->GetBucket(Kind::kEmail, absent, &encoded);
  CHECK(empty.IsNotFound());
  CHECK(empty.reason() == "bucket.empty");
  CHECK(index->GetBucket(Kind::kNir, prefixes.front(), &encoded).IsNotFound());  // other kinds are apart

  // A range scan sees exactly the prefixes in [first, end); an error from the callback stops it.
  const uint32_t first = prefixes[prefixes.size() / 4], end = prefixes[prefixes.size() / 2];
  std::vector<uint32_t> ranged;
  REQUIRE(index
              ->ForEachBucket(Kind::kEmail, first, end,
                              [&](uint32_t prefix, std::string_view) {
                                ranged.push_back(prefix);
                                return Status::Ok();
                              })
              .ok());
  CHECK(ranged ==
        std::vector<uint32_t>(prefixes.begin() + prefixes.size() / 4, prefixes.begin() + prefixes.size() / 2));
  int calls = 0;
  const Status stopped = index->ForEachBucket(
      Kind::kEmail, [&](uint32_t, std::string_view) { return ++calls == 3 ? Status::Internal("stop") : Status::Ok(); });
  CHECK(stopped.message() == "stop");
  CHECK(calls == 3);

  // The cursor lands on the same buckets.
  auto cursor = index->NewCursor();
  CHECK(cursor->SeekBucket(Kind::kEmail, prefixes[7]));
  Kind kind{};
  uint32_t at = 0;
  REQUIRE(cursor->AtBucket(&kind, &at));
  CHECK(kind == Kind::kEmail);
  CHECK(at == prefixes[7]);
  CHECK_FALSE(cursor->SeekBucket(Kind::kEmail, absent));
  CHECK(cursor->status().ok());
}

TEST_CASE("index ingest: files land together with the next generation; leftovers in staging are dropped") {
  TempDir dir;
  const std::string path = dir / "index";
  auto index = testing::CreateIndex(path, {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  CHECK(index->Ingest({}).ok());

  IndexMeta next = index->meta();
  next.generation++;
  Bucket bucket;
  bucket.Reset(index->layout().suffix_bytes(), false);
  const uint8_t suffix[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  bucket.AddEntry(suffix);
  bucket.AddMember({index->breaches().at("alpha").id, 0});
  std::string encoded;
  EncodeBucket(bucket, &encoded);

  SstWriter buckets(index->staging_dir() + "/buckets.sst");
  REQUIRE(buckets.Put(BucketKey(Kind::kEmail, 0x1234), encoded).ok());
  auto bucket_file = buckets.Finish();
  REQUIRE(bucket_file.ok());
  SstWriter catalogue(index->staging_dir() + "/catalogue.sst");
  REQUIRE(catalogue.Put(kMetaKey, EncodeMeta(next)).ok());
  auto catalogue_file = catalogue.Finish();
  REQUIRE(catalogue_file.ok());

  REQUIRE(index->Ingest({*bucket_file, *catalogue_file}).ok());
  CHECK(index->meta().generation == next.generation);
  std::string read;
  REQUIRE(index->GetBucket(Kind::kEmail, 0x1234, &read).ok());
  CHECK(read == encoded);
  CHECK_FALSE(fs::exists(*bucket_file));  // moved in, not copied

  // An update that died before its commit leaves files in staging: the next writable open removes them.
  testing::WriteLines(index->staging_dir() + "/orphan.sst", {"half-written"});
  index.reset();
  auto reopened = Index::Open(path, Index::Mode::kReadWrite);
  REQUIRE(reopened.ok());
  CHECK(fs::is_empty((*reopened)->staging_dir()));
  REQUIRE((*reopened)->GetBucket(Kind::kEmail, 0x1234, &read).ok());
  CHECK(read == encoded);
}

TEST_CASE("index ingest: a file that cannot be ingested leaves the previous state") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  const uint64_t before = index->meta().generation;
  const std::string bogus = index->staging_dir() + "/bogus.sst";
  testing::WriteLines(bogus, {"not a table file"});
  const Status s = index->Ingest({bogus});
  CHECK_FALSE(s.ok());
  CHECK(s.reason() != "commit.unconfirmed");
  CHECK(index->meta().generation == before);
  CHECK(index->breaches().count("alpha") == 1);
}

TEST_CASE("index size and checksums") {
  TempDir dir;
  auto index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
  testing::DefineBreach(index.get(), "alpha");
  const uint64_t empty = index->DiskBytes();
  testing::AddLines(index.get(), "alpha", Kind::kEmail, testing::Emails(0, 5000), dir / "dump.txt");
  CHECK(index->DiskBytes() > empty + 5000 * 8);  // at least the 8-byte suffixes
  CHECK(index->VerifyChecksums().ok());
  CHECK(index->Memory().table_files >= 1);
}

}  // namespace
}  // namespace vigie
