#include "core/phone.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/case_table.h"

namespace vigie {
namespace {

TEST_CASE("NormalizePhone: every row of tests/cases/phone-cases.tsv") {
  const std::string path = VIGIE_SOURCE_DIR "/tests/cases/phone-cases.tsv";
  testing::CaseTable table = testing::ReadCaseTable(path);
  REQUIRE_MESSAGE(table.error.empty(), table.error);
  REQUIRE(table.rows.size() >= 20);
  for (const auto& row : table.rows) {
    INFO(path << ":" << row.line);
    REQUIRE(row.fields.size() >= 2);
    const std::string& expected = row.fields[0];
    const std::string& reason = row.fields[1];
    std::string canonical;
    Status st = NormalizePhone(row.input, &canonical);
    if (reason == "ok") {
      CHECK_MESSAGE(st.ok(), st.ToString());
      CHECK(canonical == expected);
      std::string again;
      CHECK(NormalizePhone(canonical, &again).ok());
      CHECK(again == canonical);
    } else {
      CHECK(expected.empty());
      CHECK_FALSE(st.ok());
      CHECK(st.code() == Code::kInvalidArgument);
      CHECK(st.reason() == reason);
      if (row.input.size() >= 4) CHECK(st.message().find(row.input) == std::string::npos);
    }
  }
}

TEST_CASE("NormalizePhone: messages never quote the number") {
  std::string out;
  for (const char* bad : {"06 12 34 56 7", "+0 612345678", "612345678", "06 12 34 56 78 x12"}) {
    Status st = NormalizePhone(bad, &out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("12") == std::string::npos);
    CHECK(st.message().find("34") == std::string::npos);
  }
}

}  // namespace
}  // namespace vigie
