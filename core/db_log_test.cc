#include "core/db_log.h"

#include <doctest/doctest.h>
#include <rocksdb/env.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/index.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int CountOldLogs(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().starts_with("LOG.old.");
  return n;
}

TEST_CASE("DbLog: one line per message, long lines whole") {
  TempDir dir;
  auto log = NewAppendLog(dir.path() + "/LOG");
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, log, "hello %d", 42);
  rocksdb::Log(rocksdb::InfoLogLevel::DEBUG_LEVEL, log, "below the level");
  const std::string long_text(5000, 'x');
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, log, "long %s end", long_text.c_str());
  const std::string text = ReadFile(dir.path() + "/LOG");
  CHECK(text.find(" hello 42\n") != std::string::npos);
  CHECK(text.find("below the level") == std::string::npos);
  CHECK(text.find(" long " + long_text + " end\n") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("DbLog: a full disk drops lines instead of aborting") {
  // /dev/full fails every write with ENOSPC: RocksDB's own logger aborted on the second failed append.
  auto log = NewAppendLog("/dev/full");
  for (int i = 0; i < 100; ++i) rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, log, "line %d", i);
  auto missing = NewAppendLog("/nonexistent-dir/LOG");
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, missing, "dropped");
  CHECK(true);
}

TEST_CASE("DbLog: each writable open rotates LOG and keeps the newest old ones") {
  TempDir dir;
  for (int i = 0; i < 5; ++i) {
    auto log = OpenDbLog(dir.path(), 2);
    rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, log, "open %d", i);
  }
  CHECK(ReadFile(dir.path() + "/LOG").find("open 4") != std::string::npos);
  CHECK(CountOldLogs(dir.path()) == 2);
}

TEST_CASE("DbLog: an index writes its text log through it; read-only opens write none") {
  TempDir dir;
  CreateOptions options;
  options.allow_unkeyed_nir = true;
  {
    auto index = Index::Create(dir.path() + "/idx", options);
    REQUIRE(index.ok());
  }
  const std::string db = dir.path() + "/idx/db";
  CHECK(ReadFile(db + "/LOG").find("RocksDB version") != std::string::npos);
  for (int i = 0; i < 4; ++i) REQUIRE(Index::Open(dir.path() + "/idx", Index::Mode::kReadWrite).ok());
  CHECK(CountOldLogs(db) == 2);
  const std::string before = ReadFile(db + "/LOG");
  REQUIRE(Index::Open(dir.path() + "/idx", Index::Mode::kReadOnly).ok());
  CHECK(ReadFile(db + "/LOG") == before);
  CHECK(CountOldLogs(db) == 2);
}

}  // namespace
}  // namespace vigie
