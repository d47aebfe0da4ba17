#include "core/email.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/case_table.h"

namespace vigie {
namespace {

TEST_CASE("NormalizeEmail: every row of tests/cases/email-cases.tsv") {
  const std::string path = VIGIE_SOURCE_DIR "/tests/cases/email-cases.tsv";
  testing::CaseTable table = testing::ReadCaseTable(path);
  REQUIRE_MESSAGE(table.error.empty(), table.error);
  REQUIRE(table.rows.size() >= 20);
  for (const auto& row : table.rows) {
    INFO(path << ":" << row.line);
    REQUIRE(row.fields.size() >= 2);
    const std::string& expected = row.fields[0];
    const std::string& reason = row.fields[1];
    std::string canonical;
    Status st = NormalizeEmail(row.input, &canonical);
    if (reason == "ok") {
      CHECK_MESSAGE(st.ok(), st.ToString());
      CHECK(canonical == expected);
      std::string again;
      CHECK(NormalizeEmail(canonical, &again).ok());
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

TEST_CASE("NormalizeEmail: messages never quote the address") {
  std::string out;
  for (const char* bad : {"secret.person@localhost", "secret person@example.com", "secret@@example.com",
                          "secret.@example.com", "secr\xc3\xa9t@example.com"}) {
    Status st = NormalizeEmail(bad, &out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("secr") == std::string::npos);
    CHECK(st.message().find("example") == std::string::npos);
  }
}

}  // namespace
}  // namespace vigie
