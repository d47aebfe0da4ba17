#include "core/nir.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "tests/case_table.h"

namespace vigie {
namespace {

using testing::CaseTable;
using testing::ReadCaseTable;

std::string Where(const std::string& file, const testing::CaseRow& row) {
  return file + ":" + std::to_string(row.line);
}

TEST_CASE("NormalizeNir: every row of tests/cases/nir-cases.tsv") {
  const std::string path = VIGIE_SOURCE_DIR "/tests/cases/nir-cases.tsv";
  CaseTable table = ReadCaseTable(path);
  REQUIRE_MESSAGE(table.error.empty(), table.error);
  REQUIRE(table.rows.size() >= 40);
  for (const auto& row : table.rows) {
    INFO(Where(path, row));
    REQUIRE(row.fields.size() >= 2);
    const std::string& expected = row.fields[0];
    const std::string& reason = row.fields[1];
    std::string canonical = "stale";
    Status st = NormalizeNir(row.input, &canonical);
    if (reason == "ok") {
      CHECK_MESSAGE(st.ok(), st.ToString());
      CHECK(canonical == expected);
      // Canonical output is a fixed point.
      std::string again;
      CHECK(NormalizeNir(canonical, &again).ok());
      CHECK(again == canonical);
    } else {
      CHECK(expected.empty());
      CHECK_FALSE(st.ok());
      CHECK(st.code() == Code::kInvalidArgument);
      CHECK(st.reason() == reason);
      CHECK_FALSE(st.message().empty());
      if (row.input.size() >= 4) CHECK(st.message().find(row.input) == std::string::npos);
    }
  }
}

TEST_CASE("NormalizeNir: every public vector in tests/vectors/nir-public.tsv") {
  const std::string path = VIGIE_SOURCE_DIR "/tests/vectors/nir-public.tsv";
  CaseTable table = ReadCaseTable(path);
  REQUIRE_MESSAGE(table.error.empty(), table.error);
  REQUIRE(table.rows.size() >= 30);
  // The vectors' verdict classes, mapped onto our finer reason slugs.
  const std::set<std::string> key = {"nir.key", "nir.key-range"};
  const std::set<std::string> format = {"nir.characters", "nir.corsica"};
  for (const auto& row : table.rows) {
    INFO(Where(path, row));
    REQUIRE(row.fields.size() >= 2);
    const std::string& expected = row.fields[0];
    const std::string& verdict = row.fields[1];
    std::string canonical;
    Status st = NormalizeNir(row.input, &canonical);
    if (verdict == "ok" || verdict == "ok-nokey") {
      CHECK_MESSAGE(st.ok(), st.ToString());
      CHECK(canonical == expected);
    } else {
      REQUIRE_FALSE(st.ok());
      const std::string reason(st.reason());
      if (verdict == "key") {
        CHECK(key.count(reason) == 1);
      } else if (verdict == "format") {
        CHECK(format.count(reason) == 1);
      } else if (verdict == "length") {
        CHECK(reason == "nir.length");
      } else {
        FAIL("unknown verdict " << verdict);
      }
    }
  }
}

TEST_CASE("NormalizeNir: every single-digit error is caught by the key") {
  const std::string good = "269014908812315";
  std::string out;
  REQUIRE(NormalizeNir(good, &out).ok());
  for (size_t i = 0; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string bad = good;
      bad[i] = d;
      Status st = NormalizeNir(bad, &out);
      INFO("position " << i << " digit " << d);
      CHECK_FALSE(st.ok());
      CHECK((st.reason() == "nir.key" || st.reason() == "nir.key-range"));
    }
  }
}

TEST_CASE("NormalizeNir: reuses the output buffer") {
  std::string out;
  out.reserve(kNirLength);
  const char* data = out.data();
  REQUIRE(NormalizeNir("2 73 05 2a 012 345", &out).ok());
  CHECK(out == "273052A01234535");
  CHECK(out.data() == data);
  REQUIRE(NormalizeNir("185057800608491", &out).ok());
  CHECK(out == "185057800608491");
  CHECK(out.data() == data);
}

TEST_CASE("ComputeNirKey") {
  CHECK(ComputeNirKey("1850578006084") == 91);
  CHECK(ComputeNirKey("2920375120097") == 97);  // 2920375120097 = 97 x 30106960001
  CHECK(ComputeNirKey("2920375120096") == 1);
  CHECK(ComputeNirKey("273052A012345") == 35);
  CHECK(ComputeNirKey("273052B012345") == 62);
  CHECK(ComputeNirKey("2730519012345") == 35);  // 2A counts as 19 ...
  CHECK(ComputeNirKey("2730518012345") == 62);  // ... and 2B as 18
  CHECK(ComputeNirKey("9999999999999") == 97 - static_cast<int>(9999999999999ULL % 97));
  CHECK(ComputeNirKey("0000000000000") == 97);
  // Not 13 canonical characters.
  CHECK(ComputeNirKey("") == -1);
  CHECK(ComputeNirKey("185057800608") == -1);
  CHECK(ComputeNirKey("18505780060849") == -1);
  CHECK(ComputeNirKey("273052a012345") == -1);  // canonical is upper case
  CHECK(ComputeNirKey("273052C012345") == -1);
  CHECK(ComputeNirKey("27305A2012345") == -1);
  CHECK(ComputeNirKey("273053A012345") == -1);  // 3A is no département
  CHECK(ComputeNirKey("2730520A12345") == -1);
  CHECK(ComputeNirKey("185 578006084") == -1);
}

TEST_CASE("CheckNirPlausibility: every row of tests/cases/nir-plausibility-cases.tsv") {
  const std::string path = VIGIE_SOURCE_DIR "/tests/cases/nir-plausibility-cases.tsv";
  CaseTable table = ReadCaseTable(path);
  REQUIRE_MESSAGE(table.error.empty(), table.error);
  REQUIRE(table.rows.size() >= 30);
  for (const auto& row : table.rows) {
    INFO(Where(path, row));
    REQUIRE(row.fields.size() >= 1);
    NirPlausibility p = CheckNirPlausibility(row.input);
    std::string got;
    for (std::string_view problem : p.problems) {
      if (!got.empty()) got += ',';
      got += problem;
    }
    if (got.empty()) got = "ok";
    CHECK(got == row.fields[0]);
    CHECK(p.plausible == (got == "ok"));
  }
}

TEST_CASE("CheckNirPlausibility passes ordinary numbers straight from NormalizeNir") {
  // Normalisation accepts what plausibility may flag; make sure plausibility never crashes on its output and
  // that ordinary numbers pass.
  std::string out;
  for (const char* nir : {"1 85 05 78 006 084", "273052a012345", "1 80 02 971 12 345", "2720999216034"}) {
    REQUIRE(NormalizeNir(nir, &out).ok());
    NirPlausibility p = CheckNirPlausibility(out);
    CHECK_MESSAGE(p.plausible, nir);
    CHECK(p.problems.empty());
  }
}

}  // namespace
}  // namespace vigie
