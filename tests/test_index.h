// Test helpers shared by the storage core's unit tests: a temporary directory removed at scope exit, and a
// small real index (RocksDB on disk, filled through the indexer) to test against. Header-only, tests only.
//
// Thread-safety: none needed (one test case each).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/index.h"
#include "core/indexer.h"
#include "core/scheme.h"

namespace vigie::testing {

// A fresh directory under the system's temporary directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigie-test.XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// "person{i}@example.org": synthetic, always valid.
inline std::string Email(int i) { return "person" + std::to_string(i) + "@example.org"; }

inline std::vector<std::string> Emails(int first, int end) {
  std::vector<std::string> out;
  for (int i = first; i < end; ++i) out.push_back(Email(i));
  return out;
}

inline void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const std::string& line : lines) out << line << '\n';
  REQUIRE(out.good());
}

// Creates an index in `dir` and opens it for writing.
inline std::unique_ptr<Index> CreateIndex(const std::string& dir, const CreateOptions& options = {}) {
  REQUIRE(Index::Create(dir, options).ok());
  auto index = Index::Open(dir, Index::Mode::kReadWrite);
  REQUIRE(index.ok());
  return std::move(*index);
}

inline void DefineBreach(Index* index, const std::string& name) {
  bool created = false;
  REQUIRE(index->DefineBreach({.name = name, .title = name, .breach_date = "2024-01-01"}, &created).ok());
}

// Loads `lines` (one identifier of `kind` per line) into `breach` through AddDump, the file written at
// `path`. Returns the report; fails the test on an error.
inline AddReport AddLines(Index* index, const std::string& breach, Kind kind, const std::vector<std::string>& lines,
                          const std::string& path) {
  WriteLines(path, lines);
  auto scheme = MakeUnkeyedScheme(index->meta().scheme);
  REQUIRE(scheme.ok());
  AddOptions add;
  add.breach = breach;
  add.input_path = path;
  add.columns = {{kind, ""}};
  add.input.format = InputFormat::kLines;
  add.threads = 1;
  auto report = AddDump(index, **scheme, add);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  return *report;
}

}  // namespace vigie::testing
