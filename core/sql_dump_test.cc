#include "core/sql_dump.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_stream.h"
#include "core/record_writer.h"

namespace vigie {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// What RecordWriter writes for these records, the header first.
std::string Lines(const Rows& rows) {
  std::string text;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) text += kUnitSeparator;
      text += row[i];
    }
    text += '\n';
  }
  return text;
}

struct Transcoded {
  Status status;
  std::string out;
  SqlReport report;
};

Transcoded TranscodeOnce(std::string_view dump, const std::string& table, size_t max_read) {
  StringSource in(dump, max_read);
  StringSink sink;
  RecordWriter writer(&sink);
  Transcoded result;
  result.status = TranscodeSql(&in, SqlOptions{table}, &writer, &result.report);
  if (!result.status.ok()) return result;
  result.out = sink.out;
  return result;
}

// Reads `dump` in one go and in reads of 1, 2 and 7 bytes (every buffer boundary falls somewhere new), checks
// that all four agree, and returns the first.
Transcoded Transcode(std::string_view dump, const std::string& table = "") {
  const Transcoded whole = TranscodeOnce(dump, table, SIZE_MAX);
  for (const size_t max_read : {size_t{1}, size_t{2}, size_t{7}}) {
    CAPTURE(max_read);
    const Transcoded piecewise = TranscodeOnce(dump, table, max_read);
    CHECK(piecewise.status.reason() == whole.status.reason());
    CHECK(piecewise.status.message() == whole.status.message());
    CHECK(piecewise.out == whole.out);
    CHECK(piecewise.report.statements == whole.report.statements);
  }
  return whole;
}

constexpr char kMySqlDump[] = R"SQL(-- MySQL dump 10.13  Distrib 8.0.32, for Linux (x86_64)
--
-- Host: localhost    Database: shop
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(255) DEFAULT NULL COMMENT 'login, (unique); see ''docs'' and \'more\'',
  `name` varchar(100) NOT NULL DEFAULT '',
  `price` decimal(10,2) DEFAULT NULL,
  `role` enum('a','b,c') DEFAULT 'a',
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`),
  KEY `idx_name` (`name`),
  FULLTEXT KEY `ft` (`name`),
  CONSTRAINT `fk` FOREIGN KEY (`id`) REFERENCES `other` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 /*!80016 DEFAULT ENCRYPTION='N' */;

--
-- Dumping data for table `users`
--

LOCK TABLES `users` WRITE;
/*!40000 ALTER TABLE `users` DISABLE KEYS */;
INSERT INTO `users` VALUES (1,'a@b.fr','O\'Brien',12.50,'a'),(2,'x;y@z.fr','semi;colon ),( here',-3.1e-2,'b,c'),
(3,NULL,'tab\there\\back \"q\" \0z\Zend',NULL,'a');
INSERT INTO `users` VALUES (4,'d@e.fr','l1\nl2\rx', /* a comment */ '0' , 'it''s');
/*!40000 ALTER TABLE `users` ENABLE KEYS */;
UNLOCK TABLES;
# a hash comment; with a semicolon
-- Dump completed on 2024-01-01 12:00:00
)SQL";

TEST_CASE("sql: a mysqldump table with escapes, NULL, comments and /*!…*/") {
  const Transcoded got = Transcode(kMySqlDump);
  REQUIRE(got.status.ok());
  CHECK(got.out == Lines({
                       {"id", "email", "name", "price", "role"},
                       {"1", "a@b.fr", "O'Brien", "12.50", "a"},
                       {"2", "x;y@z.fr", "semi;colon ),( here", "-3.1e-2", "b,c"},
                       {"3", "",
                        std::string("tab\there\\back \"q\" ") + '\0' +
                            "z\x1a"
                            "end",
                        "", "a"},
                       {"4", "d@e.fr", "l1 l2 x", "0", "it's"},  // the writer turns \n and \r into spaces
                   }));
  CHECK(got.report.tables_with_rows == std::vector<std::string>{"users"});
  CHECK(got.report.row_counts == std::vector<uint64_t>{4});
  CHECK(got.report.statements == 6);  // DROP, CREATE, LOCK, 2 × INSERT, UNLOCK; "/*!…*/;" is a comment
}

constexpr char kTwoTables[] =
    "CREATE TABLE `shop`.`users` (`id` int, `email` text);\n"
    "INSERT INTO `shop`.`users` VALUES (1,'a@b.fr');\n"
    "INSERT INTO orders (id, total) VALUES (7, 9.5),(8, 1);\n"
    "INSERT INTO `shop`.`users` VALUES (2,'c@d.fr');\n";

TEST_CASE("sql: several tables, chosen with --table") {
  struct Case {
    const char* table;
    const char* reason;  // "" for success
    std::string out;
  };
  const std::vector<Case> cases = {
      {"", "sql.several-tables", ""},
      {"users", "", Lines({{"id", "email"}, {"1", "a@b.fr"}, {"2", "c@d.fr"}})},
      {"USERS", "", Lines({{"id", "email"}, {"1", "a@b.fr"}, {"2", "c@d.fr"}})},
      {"shop.users", "", Lines({{"id", "email"}, {"1", "a@b.fr"}, {"2", "c@d.fr"}})},
      {"orders", "", Lines({{"id", "total"}, {"7", "9.5"}, {"8", "1"}})},
      {"shop", "sql.table-not-found", ""},
      {"other.users", "sql.table-not-found", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.table);
    const Transcoded got = Transcode(kTwoTables, c.table);
    CHECK(got.status.reason() == c.reason);
    CHECK(got.out == c.out);
  }
  const Transcoded several = Transcode(kTwoTables);
  CHECK(several.status.message().find("shop.users and orders") != std::string::npos);
  CHECK(several.status.message().find("--table") != std::string::npos);
  const Transcoded missing = Transcode(kTwoTables, "shop");
  CHECK(missing.status.message().find("tables with rows: shop.users, orders") != std::string::npos);
  CHECK(missing.report.row_counts == std::vector<uint64_t>{2, 2});
}

TEST_CASE("sql: the header comes from a column list, CREATE TABLE, or numbers") {
  struct Case {
    const char* name;
    std::string dump;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"column list, no CREATE TABLE", "INSERT INTO users (id, `email`) VALUES (1,'a'),(2,'b');",
       Lines({{"id", "email"}, {"1", "a"}, {"2", "b"}})},
      {"nothing names the columns", "INSERT INTO t VALUES (1,'a','b'),(2,'c','d');",
       Lines({{"1", "2", "3"}, {"1", "a", "b"}, {"2", "c", "d"}})},
      {"a list in another order is mapped onto CREATE TABLE's",
       "CREATE TABLE t (id int, email text, name text);\n"
       "INSERT INTO t (email, id) VALUES ('a', 1);\n"
       "INSERT INTO t VALUES (2, 'b', 'n');",
       Lines({{"id", "email", "name"}, {"1", "a", ""}, {"2", "b", "n"}})},
      {"a later list is mapped onto the first",
       "INSERT INTO t (a, b) VALUES (1, 2);\n"
       "INSERT INTO t (B) VALUES (3);",
       Lines({{"a", "b"}, {"1", "2"}, {"", "3"}})},
      {"rows of another width are written as they are", "INSERT INTO t (a, b) VALUES (1),(1,2,3),();",
       Lines({{"a", "b"}, {"1"}, {"1", "2", "3"}, {}})},
      {"INSERT IGNORE, REPLACE, INSERT without INTO, ON DUPLICATE KEY",
       "INSERT IGNORE INTO t VALUES (1);\nREPLACE INTO t VALUES (2);\nINSERT t VALUES (3) ON DUPLICATE KEY "
       "UPDATE a=VALUES(a), b=';';\nINSERT LOW_PRIORITY INTO `t` VALUE (4)",
       ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const Transcoded got = Transcode(c.dump);
    if (c.out.empty()) {
      CHECK(got.status.reason() == "sql.truncated");  // the last INSERT lacks its ';'
      const Transcoded fixed = Transcode(c.dump + ";");
      REQUIRE(fixed.status.ok());
      CHECK(fixed.out == Lines({{"1"}, {"1"}, {"2"}, {"3"}, {"4"}}));
      continue;
    }
    REQUIRE(got.status.ok());
    CHECK(got.out == c.out);
  }
  const Transcoded unknown = Transcode("CREATE TABLE t (id int);\nINSERT INTO t (id, secret) VALUES (1, 2);");
  CHECK(unknown.status.reason() == "sql.columns");
  CHECK(unknown.status.message().find("secret") == std::string::npos);
}

constexpr char kPgDump[] = R"SQL(--
-- PostgreSQL database dump
--

-- Dumped from database version 15.3
\restrict abc123

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE FUNCTION public.audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
BEGIN
  INSERT INTO audit VALUES ('it''s; $1'); -- a ';' inside a body
  RETURN NEW;
END;
$_$;

CREATE TABLE public.users (
    id integer NOT NULL,
    email text,
    key text,
    name character varying(100) DEFAULT 'C:\'::character varying,
    CONSTRAINT users_id_check CHECK ((id > 0))
);

COPY public.empty (id) FROM stdin;
\.

COPY public.users (id, email, key, name) FROM stdin;
1	a@b.fr	k1	Zoë
2	\N	tab\there	back\\slash\nnl
3	oct\101\x42\x4	\\N	end\r
\.

SELECT pg_catalog.setval('public.users_id_seq', 3, true);
\unrestrict abc123
)SQL";

TEST_CASE("sql: a pg_dump COPY block with escapes, \\N and \\.") {
  const Transcoded got = Transcode(kPgDump);
  REQUIRE(got.status.ok());
  CHECK(got.out == Lines({
                       {"id", "email", "key", "name"},  // "key" is a column name in PostgreSQL
                       {"1", "a@b.fr", "k1", "Zoë"},
                       {"2", "", "tab\there", "back\\slash nl"},
                       {"3", "octAB\x04", "\\N", "end "},
                   }));
  CHECK(got.report.tables_with_rows == std::vector<std::string>{"public.users"});  // empty has no rows
  CHECK(Transcode(kPgDump, "public.users").out == got.out);
  CHECK(Transcode(kPgDump, "empty").status.reason() == "sql.table-not-found");
}

TEST_CASE("sql: COPY details: CRLF lines, another delimiter, refused formats") {
  const Transcoded crlf = Transcode("COPY t (a, b) FROM stdin;\r\n1\tx\r\n2\t\\N\r\n\\.\r\n");
  REQUIRE(crlf.status.ok());
  CHECK(crlf.out == Lines({{"a", "b"}, {"1", "x"}, {"2", ""}}));
  const Transcoded delimited = Transcode("COPY t FROM stdin WITH (DELIMITER '|', FORMAT text);\n1|a\tb\n\\.\n");
  REQUIRE(delimited.status.ok());
  CHECK(delimited.out == Lines({{"1", "2"}, {"1", "a\tb"}}));
  CHECK(Transcode("COPY t FROM stdin WITH (FORMAT csv);\n1,2\n\\.\n").status.reason() == "sql.copy-format");
  CHECK(Transcode("COPY t FROM stdin CSV;\n1,2\n\\.\n").status.reason() == "sql.copy-format");
  CHECK(Transcode("COPY t FROM '/tmp/x';\nCOPY t TO stdout;\n").status.reason() == "sql.no-rows");
  // The end marker needs its own line; "\.x" is data.
  const Transcoded marker = Transcode("COPY t FROM stdin;\n\\.x\n\\.");
  REQUIRE(marker.status.ok());
  CHECK(marker.out == Lines({{"1"}, {".x"}}));
}

TEST_CASE("sql: PostgreSQL INSERT with standard strings, E'…' and casts") {
  const Transcoded got = Transcode(
      "SET standard_conforming_strings = on;\n"
      "INSERT INTO public.users VALUES (1, 'O''Brien', 'C:\\path\\', E'tab\\t\\x41\\u00e9\\'', NULL, "
      "'2020-01-01'::date, \"not a value\");\n"
      "INSERT INTO public.users (id) OVERRIDING SYSTEM VALUE VALUES (2) ON CONFLICT DO NOTHING;\n");
  REQUIRE(got.status.ok());
  CHECK(got.out == Lines({
                       {"1", "2", "3", "4", "5", "6", "7"},
                       {"1", "O'Brien", "C:\\path\\", "tab\tAé'", "", "2020-01-01", "not a value"},
                       {"2"},
                   }));
  // Without the SET, backslashes escape as in MySQL.
  CHECK(Transcode("INSERT INTO t VALUES ('a\\'b');").out == Lines({{"1"}, {"a'b"}}));
  // SQLite's .dump: PRAGMA marks standard strings.
  const Transcoded sqlite = Transcode(
      "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);\n"
      "INSERT INTO users VALUES(1,'a\\b');\nCOMMIT;\n");
  CHECK(sqlite.out == Lines({{"id", "email"}, {"1", "a\\b"}}));
}

TEST_CASE("sql: literals other than plain strings and numbers") {
  const Transcoded got = Transcode(
      "INSERT INTO t VALUES (0x616263, X'00ff', _binary 'abc', _binary '\\0\\Z', 0x0, _utf8mb4'caf\xC3\xA9', "
      "b'0101', NOW(), UNHEX('41' ), TRUE, -5, DATE '2020-01-02', N'n', x'5', +.5e+3, @v);");
  REQUIRE(got.status.ok());
  CHECK(got.out == Lines({
                       {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"},
                       {"abc", "00FF", "abc", "001A", "00", "café", "0101", "NOW()", "UNHEX('41' )", "TRUE", "-5",
                        "2020-01-02", "n", "05", "+.5e+3", "@v"},
                   }));
}

TEST_CASE("sql: statements that hide INSERTs or semicolons are skipped whole") {
  const Transcoded got = Transcode(
      "DELIMITER ;;\n"
      "CREATE PROCEDURE p() BEGIN SELECT ';'; INSERT INTO log VALUES (1); END ;;\n"
      "/*!50003 CREATE*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW INSERT INTO log VALUES (2) */;;\n"
      "DELIMITER //\n"
      "CREATE FUNCTION f() RETURNS INT BEGIN INSERT INTO log VALUES (4); RETURN 1; END //\n"
      "DELIMITER ;\n"
      "/* a block comment; INSERT INTO log VALUES (3); */\n"
      "INSERT INTO t SELECT * FROM log;\n"
      "CREATE TABLE copy LIKE t;\n"
      "INSERT INTO t VALUES (5);\n");
  REQUIRE(got.status.ok());
  CHECK(got.out == Lines({{"1"}, {"5"}}));
  CHECK(got.report.tables_with_rows == std::vector<std::string>{"t"});
}

TEST_CASE("sql: every read size gives the same result") {
  // Look-ahead across a refill once read a stale byte inside an escaped string of a skipped statement.
  const std::string skipped = "INSERT INL,'b\\'c'),(3,_binary '\\0\\Z',0x61);\nINSERT INTO t VALUES ('a\\'b''c');\n";
  for (const std::string_view dump :
       {std::string_view(kMySqlDump), std::string_view(kPgDump), std::string_view(skipped)}) {
    const Transcoded whole = TranscodeOnce(dump, "", SIZE_MAX);
    CHECK(whole.status.ok());
    for (size_t max_read = 1; max_read <= 40; ++max_read) {
      CAPTURE(max_read);
      const Transcoded piecewise = TranscodeOnce(dump, "", max_read);
      CHECK(piecewise.status.message() == whole.status.message());
      CHECK(piecewise.out == whole.out);
    }
  }
}

TEST_CASE("sql: survey mode counts every table's rows") {
  StringSource in(kTwoTables);
  SqlReport report;
  REQUIRE(TranscodeSql(&in, SqlOptions{}, nullptr, &report).ok());
  CHECK(report.tables_with_rows == std::vector<std::string>{"shop.users", "orders"});
  CHECK(report.row_counts == std::vector<uint64_t>{2, 2});
  CHECK(report.statements == 4);
}

TEST_CASE("sql: bad input is refused with offsets, never content") {
  struct Case {
    const char* name;
    std::string dump;
    const char* reason;
    const char* where;  // a part of the message
  };
  const std::vector<Case> cases = {
      {"open string", "INSERT INTO t VALUES (1,'secret", "sql.truncated", "statement 1 (starting at byte 0)"},
      {"missing ')'", "SET a=1;\nINSERT INTO t VALUES (1,'secret'", "sql.truncated", "starting at byte 9"},
      {"missing ';'", "INSERT INTO t VALUES (1,'secret')", "sql.truncated", "statement 1"},
      {"open comment", "INSERT INTO t VALUES (1);\n/* secret", "sql.truncated",
       "a /* comment left open at byte 26 (after statement 1)"},
      {"skipped statement without ';'", "INSERT INTO t VALUES (1);\nUNLOCK TABLES", "sql.truncated", "statement 2"},
      {"COPY without \\.", "COPY t (a) FROM stdin;\nsecret\n", "sql.truncated", "\\. line"},
      {"COPY at the end of its line", "COPY t (a) FROM stdin;", "sql.truncated", "statement 1"},
      {"empty value", "INSERT INTO t VALUES (1,,'secret');", "sql.syntax", "at byte 24"},
      {"no tuple", "INSERT INTO t VALUES 'secret';", "sql.syntax", "'(' opening a row"},
      {"tuples without ','", "INSERT INTO t VALUES (1) ('secret');", "sql.syntax", "at byte 25"},
      {"';' inside a row", "INSERT INTO t VALUES (1 'secret';", "sql.syntax", "')' closing the row"},
      {"no rows", "CREATE TABLE t (secret int);\nINSERT INTO t SELECT 1;", "sql.no-rows", "2 statements"},
      {"bad \\u", "SET standard_conforming_strings = on;\nINSERT INTO t VALUES (E'\\u12');", "sql.syntax", "\\u"},
      {"bad hex", "INSERT INTO t VALUES (X'secret');", "sql.syntax", "hex digits"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const Transcoded got = Transcode(c.dump);
    CHECK(got.status.code() == Code::kInvalidArgument);
    CHECK(got.status.reason() == c.reason);
    CHECK(got.status.message().find(c.where) != std::string::npos);
    CHECK(got.status.message().find("secret") == std::string::npos);
  }
}

TEST_CASE("sql: size limits") {
  std::string big = "INSERT INTO t VALUES ('";
  big.append((size_t{16} << 20) + 1, 'a');
  big += "');";
  const Transcoded got = TranscodeOnce(big, "", SIZE_MAX);
  CHECK(got.status.reason() == "sql.value-too-long");
  std::string wide = "INSERT INTO t VALUES (";
  for (int i = 0; i < 70000; ++i) wide += "1,";
  wide += "1);";
  CHECK(TranscodeOnce(wide, "", SIZE_MAX).status.reason() == "sql.row-too-long");
  std::string name = "INSERT INTO ";
  name.append(5000, 't');
  name += " VALUES (1);";
  CHECK(TranscodeOnce(name, "", SIZE_MAX).status.reason() == "sql.value-too-long");
}

// Fails after `good` bytes, the way a corrupt gzip member does.
class FailingSource : public ByteSource {
 public:
  explicit FailingSource(std::string_view good) : good_(good) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    if (good_.empty()) return Status::Corruption("gzip: bad block at byte 99");
    const size_t n = std::min(cap, good_.size());
    std::copy_n(good_.data(), n, buf);
    good_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view good_;
};

TEST_CASE("sql: a read error is returned as it is, not as truncation") {
  FailingSource in("INSERT INTO t VALUES (1,'ab");
  StringSink sink;
  RecordWriter writer(&sink);
  const Status s = TranscodeSql(&in, SqlOptions{}, &writer);
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message() == "gzip: bad block at byte 99");
}

TEST_CASE("LooksLikeSql") {
  struct Case {
    const char* sample;
    bool sql;
  };
  const std::vector<Case> cases = {
      {"-- MySQL dump 10.13  Distrib 8.0.32\n", true},
      {"-- MariaDB dump 10.19\n", true},
      {"--\n-- PostgreSQL database dump\n--\n", true},
      {"/*!40101 SET NAMES utf8 */;\n", true},
      {"\xEF\xBB\xBF\n\n-- some comment\nCREATE TABLE t (a int);\n", true},
      {"/* hand made */ insert into users values (1);", true},
      {"INSERT IGNORE INTO t VALUES (1);", true},
      {"REPLACE INTO t VALUES (1);", true},
      {"COPY public.users (id) FROM stdin;\n", true},
      {"SET statement_timeout = 0;\n", true},
      {"DROP TABLE IF EXISTS `t`;", true},
      {"LOCK TABLES `t` WRITE;", true},
      {"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;", true},
      {"email;name\na@b.fr;x\n", false},
      {"set of addresses\n", false},
      {"insert coin\n", false},
      {"COPY this text\n", false},
      {"-- just a comment\n", false},
      {"/* never closed", false},
      {"", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.sample);
    CHECK(LooksLikeSql(c.sample) == c.sql);
  }
}

}  // namespace
}  // namespace vigie
