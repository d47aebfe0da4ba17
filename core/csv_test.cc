#include "core/csv.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace vigie {
namespace {

using Fields = std::vector<std::string>;

Fields Copy(const std::vector<std::string_view>& views) { return Fields(views.begin(), views.end()); }

TEST_CASE("DetectDialect") {
  struct Case {
    const char* line;
    Format format;
    char delimiter;  // for kCsv
    bool header;
  };
  const std::vector<Case> cases = {
      {"nir;nom;prenom", Format::kCsv, ';', true},
      {"email,name,phone", Format::kCsv, ',', true},
      {"email\tname", Format::kCsv, '\t', true},
      {"a|b|c", Format::kCsv, '|', true},
      {"a;b,c,d", Format::kCsv, ',', true},  // the most frequent wins
      {"a;b,c", Format::kCsv, ';', true},    // ties go to ';' '\t' ',' '|' order
      {"a\tb|c", Format::kCsv, '\t', true},
      {"a,b|c|d", Format::kCsv, '|', true},
      {"\"x;y;z\",b", Format::kCsv, ',', true},  // delimiters inside quotes do not count
      {"\"a \"\"q\"\" ;;\"|b", Format::kCsv, '|', true},
      {"nir;email\r\n", Format::kCsv, ';', true},
      {"\xEF\xBB\xBFid;mail", Format::kCsv, ';', true},
      {"user@example.test", Format::kLines, 0, false},
      {"0123456789ABCDEF0123456789ABCDEF01234567:42", Format::kLines, 0, false},  // HIBP HASH:COUNT
      {"1 85 05 78 006 084 91", Format::kLines, 0, false},
      {"\"a;b\"", Format::kLines, 0, false},
      {"", Format::kLines, 0, false},
      {"email", Format::kLines, 0, true},  // a lone known column name is a header
      {"E-Mail\r", Format::kLines, 0, true},
      {"Téléphone", Format::kLines, 0, true},
      {"emails", Format::kLines, 0, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    Dialect d = DetectDialect(c.line);
    CHECK(d.format == c.format);
    if (c.format == Format::kCsv) CHECK(d.delimiter == c.delimiter);
    CHECK(d.header == c.header);
  }
}

TEST_CASE("LineParser splits fields") {
  struct Case {
    const char* name;
    char delimiter;
    std::string line;
    Fields want;
  };
  const std::vector<Case> cases = {
      {"simple", ';', "a;b;c", {"a", "b", "c"}},
      {"empty fields", ';', ";a;;", {"", "a", "", ""}},
      {"one field", ';', "abc", {"abc"}},
      {"crlf", ',', "a,b\r", {"a", "b"}},
      {"only the last cr", ',', "a\r,b\r", {"a\r", "b"}},
      {"unquoted spaces kept", ',', " a , b ", {" a ", " b "}},
      {"tab", '\t', "a\tb c\t", {"a", "b c", ""}},
      {"quoted", ',', "\"a\",\"b\"", {"a", "b"}},
      {"quoted delimiter", ',', "\"Dupont, Jean\",x", {"Dupont, Jean", "x"}},
      {"quoted other delimiter", ';', "\"a;b\";\"c,d\"", {"a;b", "c,d"}},
      {"doubled quotes", ',', "\"say \"\"hi\"\"\",x", {"say \"hi\"", "x"}},
      {"only a doubled quote", ',', "\"\"\"\"", {"\""}},
      {"doubled quotes in several fields", ';', "\"a\"\"\";\"\"\"b\";c", {"a\"", "\"b", "c"}},
      {"empty quoted", ',', "\"\",x,\"\"", {"", "x", ""}},
      {"mixed", '|', "1|\"x|y\"|z", {"1", "x|y", "z"}},
      {"spaces around quotes", ',', "a, \"b\" ,c", {"a", "b", "c"}},
      {"quoted last with cr", ',', "a,\"b\"\r", {"a", "b"}},
      {"trailing delimiter after quoted", ',', "\"a\",", {"a", ""}},
      {"tab delimiter and quotes", '\t', "\"a\"\t\"b\tc\"", {"a", "b\tc"}},
      {"bytes that are not utf-8", ';', "\xff\xfe;ok", {"\xff\xfe", "ok"}},
      {"stray quote inside an unquoted field is literal", ',', "ab\"c,d", {"ab\"c", "d"}},
      {"stray quote at field end is literal", ',', "a,b\"", {"a", "b\""}},
      {"stray quote with a quoted field after it", ';', "O\"Brien;\"x;y\";z", {"O\"Brien", "x;y", "z"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    LineParser parser({Format::kCsv, c.delimiter, true});
    std::vector<std::string_view> fields;
    Status s = parser.ParseLine(c.line, &fields);
    REQUIRE(s.ok());
    CHECK(Copy(fields) == c.want);
  }
}

TEST_CASE("LineParser rejects malformed lines with reason slugs") {
  struct Case {
    const char* name;
    std::string line;
    size_t expected_fields;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"empty", "", 0, "line.blank"},
      {"cr only", "\r", 0, "line.blank"},
      {"spaces", "   \t ", 0, "line.blank"},
      {"unterminated", "a,\"bc", 0, "line.unbalanced-quote"},
      {"unterminated after doubled", "\"a\"\"", 0, "line.unbalanced-quote"},
      {"text after closing quote", "\"a\"b,c", 0, "line.unbalanced-quote"},
      {"lone quote", "\"", 0, "line.unbalanced-quote"},
      {"multi-line field start", "1,\"first line of", 2, "line.unbalanced-quote"},
      {"truncated", "a,b", 3, "line.too-few-fields"},
      {"truncated quoted", "\"a\",\"b\"", 3, "line.too-few-fields"},
      {"single field", "185057800608491", 2, "line.too-few-fields"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    LineParser parser({Format::kCsv, ',', true});
    parser.set_expected_fields(c.expected_fields);
    std::vector<std::string_view> fields;
    Status s = parser.ParseLine(c.line, &fields);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.reason() == c.reason);
  }
}

TEST_CASE("LineParser error messages do not echo the line") {
  LineParser parser({Format::kCsv, ',', true});
  std::vector<std::string_view> fields;
  Status s = parser.ParseLine("185057800608491,\"secret@example.test", &fields);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("secret") == std::string::npos);
  CHECK(s.message().find("185057800608491") == std::string::npos);
  CHECK(s.message().find("byte 17") != std::string::npos);
}

TEST_CASE("LineParser: more fields than the header is fine, exact count too") {
  LineParser parser({Format::kCsv, ';', true});
  parser.set_expected_fields(2);
  std::vector<std::string_view> fields;
  CHECK(parser.ParseLine("a;b", &fields).ok());
  CHECK(parser.ParseLine("a;b;c", &fields).ok());
  CHECK(fields.size() == 3);
}

TEST_CASE("LineParser kLines takes the whole line") {
  LineParser parser({Format::kLines, 0, false});
  std::vector<std::string_view> fields;
  REQUIRE(parser.ParseLine("0123456789ABCDEF0123456789ABCDEF01234567:42\r", &fields).ok());
  CHECK(Copy(fields) == Fields{"0123456789ABCDEF0123456789ABCDEF01234567:42"});
  REQUIRE(parser.ParseLine("a,\"b;c", &fields).ok());  // no quoting in a plain list
  CHECK(Copy(fields) == Fields{"a,\"b;c"});
  CHECK(parser.ParseLine(" \t", &fields).reason() == "line.blank");
}

TEST_CASE("LineParser views stay valid across fields and scratch is reused per line") {
  LineParser parser({Format::kCsv, ',', true});
  std::vector<std::string_view> fields;
  // Many unescaped fields on one line: the scratch buffer must not move under earlier views.
  std::string line;
  Fields want;
  for (int i = 0; i < 200; ++i) {
    if (i) line += ',';
    line += "\"v" + std::to_string(i) + "\"\"q\"\"\"";
    want.push_back("v" + std::to_string(i) + "\"q\"");
  }
  REQUIRE(parser.ParseLine(line, &fields).ok());
  CHECK(Copy(fields) == want);
  REQUIRE(parser.ParseLine("\"x\"\"\",y", &fields).ok());
  CHECK(Copy(fields) == Fields{"x\"", "y"});
}

TEST_CASE("ResolveColumn") {
  const std::vector<std::string_view> header = {"\xEF\xBB\xBFNIR", " Nom ", "E-Mail", "TÉLÉPHONE", "x"};
  struct Case {
    const char* name;
    ColumnSpec spec;
    int want;            // 0-based, or -1 for an error
    const char* reason;  // when an error
  };
  const std::vector<Case> cases = {
      {"by number", {"", 2}, 1, nullptr},
      {"by number, last", {"", 5}, 4, nullptr},
      {"number wins over name", {"nom", 1}, 0, nullptr},
      {"number past the header", {"", 6}, -1, "column.out-of-range"},
      {"negative number", {"", -1}, -1, "column.out-of-range"},
      {"bom and case", {"nir", 0}, 0, nullptr},
      {"spaces around", {"  nom", 0}, 1, nullptr},
      {"case", {"e-mail", 0}, 2, nullptr},
      {"latin-1 capitals", {"téléphone", 0}, 3, nullptr},
      {"unknown", {"email", 0}, -1, "column.unknown"},
      {"nothing", {"", 0}, -1, "column.none"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Result<int> r = ResolveColumn(c.spec, header);
    if (c.want >= 0) {
      REQUIRE(r.ok());
      CHECK(*r == c.want);
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Code::kInvalidArgument);
      CHECK(r.status().reason() == c.reason);
    }
  }
  Result<int> unknown = ResolveColumn({"courriel", 0}, header);
  REQUIRE_FALSE(unknown.ok());
  const std::string& m = unknown.status().message();
  for (const char* name : {"'NIR'", "'Nom'", "'E-Mail'", "'TÉLÉPHONE'", "'x'"}) {
    CAPTURE(name);
    CHECK(m.find(name) != std::string::npos);
  }

  CHECK(ResolveColumn({"a", 0}, {"a", "b", "A"}).status().reason() == "column.ambiguous");
  // Without a header a number cannot be checked and is taken as is.
  Result<int> no_header = ResolveColumn({"", 7}, {});
  REQUIRE(no_header.ok());
  CHECK(*no_header == 6);
}

TEST_CASE("GuessColumn") {
  struct Case {
    Kind kind;
    std::vector<std::string_view> header;
    std::optional<int> want;
  };
  const std::vector<Case> cases = {
      {Kind::kNir, {"nom", "NIR", "email"}, 1},
      {Kind::kNir, {"Numéro_Sécu"}, 0},
      {Kind::kNir, {"id", "num_secu"}, 1},
      {Kind::kNir, {"SSN"}, 0},
      {Kind::kNir, {"numero securite sociale"}, 0},
      {Kind::kNir, {"nom", "prenom"}, std::nullopt},
      {Kind::kEmail, {"id", "Courriel"}, 1},
      {Kind::kEmail, {"e-mail"}, 0},
      {Kind::kEmail, {"mail", "email"}, 1},  // the better-known name wins over the leftmost
      {Kind::kEmail,
       {"\xEF\xBB\xBF"
        "Email "},
       0},
      {Kind::kEmail, {"emails"}, std::nullopt},
      {Kind::kPhone, {"nom", "Téléphone"}, 1},
      {Kind::kPhone, {"mobile", "TEL"}, 1},  // "tel" ranks above "mobile"
      {Kind::kPhone, {"portable"}, 0},
      {Kind::kPhone, {"email"}, std::nullopt},
      {Kind::kPassword, {"hash", "count"}, 0},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    CHECK(GuessColumn(cases[i].kind, cases[i].header) == cases[i].want);
  }
}

}  // namespace
}  // namespace vigie
