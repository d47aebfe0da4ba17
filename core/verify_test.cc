// Verify: a sound index scans to the counts its catalogue holds and verifies clean; each kind of damage —
// an undecodable bucket, an entry of an undefined breach, counts that disagree — is reported as a problem
// naming the bucket or breach, not as an error, and a plain scan stops at it.
#include "core/verify.h"

#include <doctest/doctest.h>

#include "core/sst_writer.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

using testing::TempDir;

// Commits one bucket value as it is (the damage a bad disk or a bug could leave), with the next generation.
void IngestRawBucket(Index* index, Kind kind, uint32_t prefix, std::string_view value) {
  IndexMeta next = index->meta();
  next.generation++;
  SstWriter sst(index->staging_dir() + "/damage.sst");
  REQUIRE(sst.Put(BucketKey(kind, prefix), value).ok());
  REQUIRE(sst.Put(kMetaKey, EncodeMeta(next)).ok());
  auto path = sst.Finish();
  REQUIRE(path.ok());
  REQUIRE(index->Ingest({*path}).ok());
}

bool AnyProblemContains(const VerifyReport& report, std::string_view text) {
  for (const std::string& p : report.problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Index> index;
  Fixture() {
    index = testing::CreateIndex(dir / "index", {.prefix_hex = 4});
    testing::DefineBreach(index.get(), "alpha");
    testing::DefineBreach(index.get(), "beta");
    testing::AddLines(index.get(), "alpha", Kind::kEmail, testing::Emails(0, 3000), dir / "a.txt");
    testing::AddLines(index.get(), "beta", Kind::kEmail, testing::Emails(2000, 2500), dir / "b.txt");
  }
};

TEST_CASE("verify: a sound index scans to its catalogue's counts") {
  Fixture f;
  auto scan = ScanIndex(*f.index);
  REQUIRE(scan.ok());
  const KindScan& emails = scan->kinds.at(Kind::kEmail);
  CHECK(emails.identifiers == 3000);
  CHECK(emails.memberships == 3500);
  CHECK(emails.min_bucket >= 1);
  CHECK(emails.max_bucket >= emails.min_bucket);
  CHECK(emails.buckets <= 3000);
  CHECK(scan->breach_counts.at(f.index->breaches().at("beta").id).at(Kind::kEmail) == 500);
  CHECK(scan->kinds.count(Kind::kNir) == 0);

  auto report = VerifyIndex(*f.index);
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(report->scan.kinds.at(Kind::kEmail).identifiers == 3000);
}

TEST_CASE("verify: an undecodable bucket is a problem naming it; a scan stops there") {
  Fixture f;
  IngestRawBucket(f.index.get(), Kind::kEmail, 0x0abc, "\x01garbage");
  auto report = VerifyIndex(*f.index);
  REQUIRE(report.ok());
  CHECK_FALSE(report->ok());
  CHECK(AnyProblemContains(*report, "email bucket 0abc"));
  CHECK(ScanIndex(*f.index).status().code() == Code::kCorruption);
}

TEST_CASE("verify: entries of an undefined breach, and counts that disagree") {
  Fixture f;
  // A bucket replaced by one whose only entry belongs to breach id 99: the identifiers it held vanish
  // from the counts, and the stranger is reported.
  Bucket bucket;
  bucket.Reset(f.index->layout().suffix_bytes(), false);
  const uint8_t suffix[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  bucket.AddEntry(suffix);
  bucket.AddMember({99, 0});
  std::string encoded;
  EncodeBucket(bucket, &encoded);
  uint32_t first_prefix = 0;
  REQUIRE(f.index
              ->ForEachBucket(Kind::kEmail,
                              [&](uint32_t prefix, std::string_view) {
                                first_prefix = prefix;
                                return Status::Internal("first only");
                              })
              .message() == "first only");
  IngestRawBucket(f.index.get(), Kind::kEmail, first_prefix, encoded);

  auto report = VerifyIndex(*f.index);
  REQUIRE(report.ok());
  CHECK(AnyProblemContains(*report, "breach id 99"));
  CHECK(AnyProblemContains(*report, "breach 'alpha': the catalogue says 3000"));
}

}  // namespace
}  // namespace vigie
