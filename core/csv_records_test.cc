#include "core/csv_records.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace vigie {
namespace {

std::string Join(std::string_view input, char delimiter = ',', size_t max_read = SIZE_MAX) {
  StringSource source(input, max_read);
  CsvRecordJoiner joiner(&source, delimiter);
  std::string out;
  REQUIRE(ReadAll(&joiner, &out).ok());
  return out;
}

TEST_CASE("CsvRecordJoiner joins quoted line breaks and passes everything else through") {
  struct Case {
    std::string input, expected;
  };
  const std::string J(1, kJoinedLineBreak);
  const std::vector<Case> cases = {
      {"a,b\n1,2\n", "a,b\n1,2\n"},
      {"a,b\n1,\"x\ny\"\n3,4\n", "a,b\n1,\"x" + J + "y\"\n3,4\n"},
      {"a,b\r\n1,\"x\r\ny\r\nz\"\r\n", "a,b\r\n1,\"x " + J + "y " + J + "z\"\r\n"},
      {"1,\"he said \"\"hi\"\"\n and left\",2\n", "1,\"he said \"\"hi\"\"" + J + " and left\",2\n"},
      {"1,ab\"c\n2,3\n", "1,ab\"c\n2,3\n"},           // a quote inside a field is a literal
      {"1, \"x\ny\"\n", "1, \"x" + J + "y\"\n"},      // spaces before the opening quote
      {"1;\"a,\nb\";c\n", "1;\"a," + J + "b\";c\n"},  // the dialect's delimiter counts
      {"1,\"open\n2,3\n4,5", "1,\"open\n2,3\n4,5"},   // never closed: given back line by line
      {"x,\"y\nz\"", "x,\"y" + J + "z\""},            // the last line without '\n'
      {"", ""},
  };
  for (const Case& c : cases) {
    const char delimiter = c.input.find(';') != std::string::npos ? ';' : ',';
    for (size_t max_read : {SIZE_MAX, size_t{1}, size_t{3}}) {
      CAPTURE(c.input);
      CAPTURE(max_read);
      CHECK(Join(c.input, delimiter, max_read) == c.expected);
    }
  }
}

TEST_CASE("CsvRecordJoiner gives back a quote left open after kMaxJoinedLines lines") {
  std::string input = "1,\"never closed\n";
  for (int i = 0; i < 100; ++i) input += std::to_string(i) + ",x\n";
  CHECK(Join(input) == input);  // nothing lost: every line comes back as it was
  StringSource source(input);
  CsvRecordJoiner joiner(&source, ',');
  std::string out;
  REQUIRE(ReadAll(&joiner, &out).ok());
  CHECK(joiner.joined_records() == 0);
}

TEST_CASE("CsvRecordJoiner passes a line longer than kMaxRecordBytes through") {
  std::string input = "a,\"" + std::string(CsvRecordJoiner::kMaxRecordBytes + 10, 'x') + "\n1,2\n";
  CHECK(Join(input) == input);
}

}  // namespace
}  // namespace vigie
