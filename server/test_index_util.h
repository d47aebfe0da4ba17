// Test support for the server's doctest files (temporary folders: tests/test_index.h): small indexes built through the
// real indexer (core/indexer.h), with synthetic e-mails.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/index.h"
#include "core/indexer.h"
#include "core/scheme.h"
#include "tests/test_index.h"

namespace vigie::serve {

// Creates an index in dir/index with one breach holding `lines` (a plain list of `kind`).
inline void BuildIndex(const std::string& dir, const CreateOptions& create, Kind kind,
                       const std::vector<std::string>& lines, const std::string& breach = "acme-2024") {
  const std::string index_dir = dir + "/index";
  if (!std::filesystem::exists(index_dir + "/db")) REQUIRE(Index::Create(index_dir, create).ok());
  auto index = Index::Open(index_dir, Index::Mode::kReadWrite);
  REQUIRE(index.ok());
  bool created = false;
  REQUIRE((*index)
              ->DefineBreach({.name = breach,
                              .title = "Acme",
                              .breach_date = "2024-02-01",
                              .description = "test",
                              .data_classes = {"e-mails"}},
                             &created)
              .ok());
  testing::AddLines(index->get(), breach, kind, lines, dir + "/" + breach + ".txt");
}

inline std::vector<std::string> Emails(int n, int offset = 0) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("user" + std::to_string(i + offset) + "@example.org");
  return v;
}

}  // namespace vigie::serve
