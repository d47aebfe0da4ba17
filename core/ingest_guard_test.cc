#include "core/ingest_guard.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace vigie {
namespace {

namespace fs = std::filesystem;

std::string TempDir() {
  std::string pattern = (fs::temp_directory_path() / "vigie-guard-test.XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

void Touch(const std::string& path) { std::ofstream(path) << "x"; }

TEST_CASE("ingest guard: keeps the table files an ingestion linked or created, deletes everything else") {
  const std::string dir = TempDir();
  IngestGuard guard(rocksdb::FileSystem::Default());
  const rocksdb::IOOptions io;
  Touch(dir + "/staged.sst");
  Touch(dir + "/old.sst");
  Touch(dir + "/other.log");

  // Outside an ingestion, nothing is kept.
  REQUIRE(guard.LinkFile(dir + "/staged.sst", dir + "/000001.sst", io, nullptr).ok());
  REQUIRE(guard.DeleteFile(dir + "/000001.sst", io, nullptr).ok());
  CHECK_FALSE(fs::exists(dir + "/000001.sst"));

  guard.BeginIngest();
  REQUIRE(guard.LinkFile(dir + "/staged.sst", dir + "/000002.sst", io, nullptr).ok());
  std::unique_ptr<rocksdb::FSWritableFile> copy;
  REQUIRE(guard.NewWritableFile(dir + "/000003.sst", rocksdb::FileOptions(), &copy, nullptr).ok());
  copy.reset();
  std::unique_ptr<rocksdb::FSWritableFile> manifest;
  REQUIRE(guard.NewWritableFile(dir + "/MANIFEST-000004", rocksdb::FileOptions(), &manifest, nullptr).ok());
  manifest.reset();
  // What a failed ingestion deletes: its own table files are kept, the rest goes.
  CHECK(guard.DeleteFile(dir + "/000002.sst", io, nullptr).ok());
  CHECK(guard.DeleteFile(dir + "/000003.sst", io, nullptr).ok());
  CHECK(guard.DeleteFile(dir + "/MANIFEST-000004", io, nullptr).ok());
  CHECK(guard.DeleteFile(dir + "/old.sst", io, nullptr).ok());
  CHECK(guard.DeleteFile(dir + "/other.log", io, nullptr).ok());
  CHECK(fs::exists(dir + "/000002.sst"));
  CHECK(fs::exists(dir + "/000003.sst"));
  CHECK_FALSE(fs::exists(dir + "/MANIFEST-000004"));
  CHECK_FALSE(fs::exists(dir + "/old.sst"));
  CHECK_FALSE(fs::exists(dir + "/other.log"));
  const std::vector<std::string> kept = guard.EndIngest();
  CHECK(kept == std::vector<std::string>{dir + "/000002.sst", dir + "/000003.sst"});

  // After it, deletions go through again, and the next ingestion starts with nothing recorded.
  CHECK(guard.DeleteFile(dir + "/000002.sst", io, nullptr).ok());
  CHECK_FALSE(fs::exists(dir + "/000002.sst"));
  guard.BeginIngest();
  CHECK(guard.DeleteFile(dir + "/000003.sst", io, nullptr).ok());
  CHECK_FALSE(fs::exists(dir + "/000003.sst"));
  CHECK(guard.EndIngest().empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigie
