#include "core/sql_dump.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/sql_lexer.h"
#include "core/sql_literals.h"
#include "core/sql_rows.h"

namespace vigie {

namespace {

using sql_internal::AsciiLower;
using sql_internal::EqualsIgnoreCase;
using sql_internal::Escapes;
using sql_internal::IsIdentByte;
using sql_internal::IsSpaceByte;
using sql_internal::kMaxNameBytes;
using sql_internal::kMaxRowBytes;
using sql_internal::kMaxRowFields;
using sql_internal::kMaxValueBytes;
using sql_internal::SqlLexer;
using sql_internal::SqlRowRouter;
using sql_internal::Stop;
using sql_internal::TableName;

// Words that open a line of CREATE TABLE that is not a column. In MySQL, key and index lines too (a MySQL
// column named so is quoted); PostgreSQL has no such lines and takes "key" as a column name.
bool IsConstraintWord(std::string_view word, bool standard_sql) {
  for (const char* w : {"PRIMARY", "UNIQUE", "CONSTRAINT", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}) {
    if (EqualsIgnoreCase(word, w)) return true;
  }
  if (standard_sql) return false;
  for (const char* w : {"KEY", "INDEX", "FULLTEXT", "SPATIAL", "PERIOD"}) {
    if (EqualsIgnoreCase(word, w)) return true;
  }
  return false;
}

class SqlDumpReader {
 public:
  SqlDumpReader(ByteSource* in, const SqlOptions& options, RecordWriter* out, SqlReport* report)
      : lexer_(in), rows_(options, out, report), report_(report) {}

  Status Run();

 private:
  Status ParseStatement();
  Status ParseCreate();
  Status ParseCreateColumns(std::vector<std::string>* columns);
  Status ParseInsert();
  Status ParseTuples();
  Status ParseTuple();
  Status ParseValue();
  Status ParseWordValue(size_t start, size_t limit, bool* complete);
  Status SkipValueTail();
  Status ParseCopy();
  Status ParseCopyOptions(char* delimiter);
  Status CopyFormatError() const;
  Status ParseSet();
  Status ParseDelimiter();

  bool AtKeyword(std::string_view keyword);
  Status SkipWords(int count);
  Status ReadTableName(TableName* name);
  Status ReadColumnList(std::vector<std::string>* columns);

  SqlLexer lexer_;
  SqlRowRouter rows_;
  SqlReport* report_;
  std::string word_;

  // The statement whose rows are being read.
  TableName table_;
  std::vector<std::string> column_list_;  // its own column list; empty when it has none

  std::string row_;           // the row's values end to end
  std::vector<size_t> ends_;  // where each value ends in row_
};

Status SqlDumpReader::Run() {
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipBetweenStatements());
    if (lexer_.Peek() < 0) {
      VIGIE_RETURN_IF_ERROR(lexer_.read_status());
      return rows_.Finish();
    }
    lexer_.BeginStatement(++report_->statements);
    VIGIE_RETURN_IF_ERROR(ParseStatement());
  }
}

Status SqlDumpReader::ParseStatement() {
  word_.clear();
  VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&word_));
  if (EqualsIgnoreCase(word_, "INSERT") || EqualsIgnoreCase(word_, "REPLACE")) return ParseInsert();
  if (EqualsIgnoreCase(word_, "COPY")) return ParseCopy();
  if (EqualsIgnoreCase(word_, "CREATE")) return ParseCreate();
  if (EqualsIgnoreCase(word_, "SET")) return ParseSet();
  if (EqualsIgnoreCase(word_, "DELIMITER")) return ParseDelimiter();
  if (EqualsIgnoreCase(word_, "PRAGMA") && !lexer_.standard_sql()) lexer_.set_standard_sql(false);  // SQLite
  return lexer_.SkipStatement();
}

// ---- names and keywords ----

bool SqlDumpReader::AtKeyword(std::string_view keyword) {
  for (size_t i = 0; i < keyword.size(); ++i) {
    int c = lexer_.PeekAt(i);
    if (c >= 'a' && c <= 'z') c = c - 'a' + 'A';
    if (c != keyword[i]) return false;
  }
  return !IsIdentByte(lexer_.PeekAt(keyword.size()));
}

Status SqlDumpReader::SkipWords(int count) {
  for (int i = 0; i < count; ++i) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    word_.clear();
    VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&word_));
  }
  return lexer_.SkipSpace();
}

Status SqlDumpReader::ReadTableName(TableName* name) {
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  std::string part;
  name->display.clear();
  for (;;) {
    part.clear();
    VIGIE_RETURN_IF_ERROR(lexer_.ReadName(&part));
    name->last_part = name->display.size();
    name->display += part;
    if (lexer_.Peek() != '.') break;
    name->display += '.';
    lexer_.Skip(1);
  }
  for (char& c : name->display) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  name->key = AsciiLower(name->display);
  return Status::Ok();
}

Status SqlDumpReader::ReadColumnList(std::vector<std::string>* columns) {
  columns->clear();
  lexer_.Skip(1);  // '('
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (columns->size() >= kMaxRowFields) return lexer_.RowTooWide();
    columns->emplace_back();
    VIGIE_RETURN_IF_ERROR(lexer_.ReadName(&columns->back()));
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    const int c = lexer_.Peek();
    lexer_.Skip(1);
    if (c == ')') return Status::Ok();
    if (c != ',') return lexer_.Syntax("',' or ')' in a column list");
  }
}

// ---- CREATE TABLE ----

Status SqlDumpReader::ParseCreate() {
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (AtKeyword("TABLE")) break;
    bool modifier = false;
    for (const char* w : {"OR", "REPLACE", "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL"}) {
      modifier = modifier || AtKeyword(w);
    }
    if (!modifier) return lexer_.SkipStatement();  // CREATE INDEX, FUNCTION, VIEW…
    VIGIE_RETURN_IF_ERROR(SkipWords(1));
  }
  VIGIE_RETURN_IF_ERROR(SkipWords(1));
  if (AtKeyword("IF")) VIGIE_RETURN_IF_ERROR(SkipWords(3));  // IF NOT EXISTS
  TableName table;
  VIGIE_RETURN_IF_ERROR(ReadTableName(&table));
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  if (lexer_.Peek() != '(') return lexer_.SkipStatement();  // CREATE TABLE … AS SELECT, LIKE, PARTITION OF
  lexer_.Skip(1);
  std::vector<std::string> columns;
  VIGIE_RETURN_IF_ERROR(ParseCreateColumns(&columns));
  VIGIE_RETURN_IF_ERROR(lexer_.SkipStatement());  // ENGINE=…, WITH (…)
  return rows_.AddSchema(table, std::move(columns));
}

Status SqlDumpReader::ParseCreateColumns(std::vector<std::string>* columns) {
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    const int c = lexer_.Peek();
    if (c == ')') {
      lexer_.Skip(1);
      return Status::Ok();
    }
    std::string name;
    bool is_column = false;
    if (c == '`' || c == '"') {
      VIGIE_RETURN_IF_ERROR(lexer_.ReadName(&name));
      is_column = true;
    } else if (c >= 0 && IsIdentByte(c)) {
      VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&name));
      is_column = !IsConstraintWord(name, lexer_.standard_sql());
    }
    Stop stop;
    VIGIE_RETURN_IF_ERROR(lexer_.ScanBalanced(true, nullptr, 0, &stop));
    if (is_column) {
      if (columns->size() >= kMaxRowFields) return lexer_.RowTooWide();
      columns->push_back(std::move(name));
    }
    if (stop == Stop::kEnd) return lexer_.Truncated("a CREATE TABLE without its ')'");
    if (stop == Stop::kDelimiter) return lexer_.Syntax("')' closing the columns of CREATE TABLE");
    lexer_.Skip(1);
    if (stop == Stop::kClose) return Status::Ok();
  }
}

// ---- INSERT ----

Status SqlDumpReader::ParseInsert() {
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (AtKeyword("INTO")) {
      VIGIE_RETURN_IF_ERROR(SkipWords(1));
      break;
    }
    if (!AtKeyword("IGNORE") && !AtKeyword("LOW_PRIORITY") && !AtKeyword("DELAYED") && !AtKeyword("HIGH_PRIORITY")) {
      break;  // INTO is optional in MySQL
    }
    VIGIE_RETURN_IF_ERROR(SkipWords(1));
  }
  VIGIE_RETURN_IF_ERROR(ReadTableName(&table_));
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  column_list_.clear();
  if (lexer_.Peek() == '(') VIGIE_RETURN_IF_ERROR(ReadColumnList(&column_list_));
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (AtKeyword("VALUES") || AtKeyword("VALUE")) break;
    if (!AtKeyword("OVERRIDING")) return lexer_.SkipStatement();  // INSERT … SELECT, … SET a = 1: no rows
    VIGIE_RETURN_IF_ERROR(SkipWords(3));                          // OVERRIDING SYSTEM VALUE
  }
  VIGIE_RETURN_IF_ERROR(SkipWords(1));
  return ParseTuples();
}

Status SqlDumpReader::ParseTuples() {
  rows_.BeginStatement(&table_, &column_list_, lexer_.statement_number());
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (lexer_.Peek() != '(') return lexer_.Syntax("'(' opening a row");
    VIGIE_RETURN_IF_ERROR(ParseTuple());
    VIGIE_RETURN_IF_ERROR(rows_.AddRow(row_, ends_));
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    const int c = lexer_.Peek();
    if (c == ',') {
      lexer_.Skip(1);
    } else if (lexer_.AtDelimiter()) {
      lexer_.SkipDelimiter();
      return Status::Ok();
    } else if (c >= 0 && IsIdentByte(c)) {
      return lexer_.SkipStatement();  // ON DUPLICATE KEY UPDATE …, ON CONFLICT …, RETURNING …
    } else {
      return lexer_.Syntax("',' or the delimiter after a row");
    }
  }
}

Status SqlDumpReader::ParseTuple() {
  lexer_.Skip(1);  // '('
  row_.clear();
  ends_.clear();
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  if (lexer_.Peek() == ')') {
    lexer_.Skip(1);
    return Status::Ok();
  }
  for (;;) {
    if (ends_.size() >= kMaxRowFields) return lexer_.RowTooWide();
    VIGIE_RETURN_IF_ERROR(ParseValue());
    ends_.push_back(row_.size());
    const int c = lexer_.Peek();  // ParseValue stops on the separator
    lexer_.Skip(1);
    if (c == ')') return Status::Ok();
  }
}

// One value of a row, appended to row_; stops on the ',' or ')' after it.
Status SqlDumpReader::ParseValue() {
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  const size_t start = row_.size();
  const size_t limit = std::min(start + kMaxValueBytes, kMaxRowBytes);
  const int c = lexer_.Peek();
  if (c == '\'' || c == '"') {
    const Escapes escapes = c == '"' && lexer_.standard_sql() ? Escapes::kNone : lexer_.string_escapes();
    VIGIE_RETURN_IF_ERROR(lexer_.ReadQuoted(escapes, &row_, limit));
  } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
    VIGIE_RETURN_IF_ERROR(lexer_.ReadNumber(&row_, limit));
  } else if (c == ',' || c == ')') {
    return lexer_.Syntax("a value");
  } else {
    bool complete = false;
    if (c >= 0 && IsIdentByte(c)) VIGIE_RETURN_IF_ERROR(ParseWordValue(start, limit, &complete));
    if (!complete) {  // an expression: kept as written
      Stop stop;
      VIGIE_RETURN_IF_ERROR(lexer_.ScanBalanced(true, &row_, limit, &stop));
      while (row_.size() > start && IsSpaceByte(static_cast<unsigned char>(row_.back()))) row_.pop_back();
      if (stop == Stop::kEnd) return lexer_.Truncated("a row without its ')'");
      if (stop == Stop::kDelimiter) return lexer_.Syntax("')' closing the row");
      return Status::Ok();
    }
  }
  return SkipValueTail();
}

// A value that starts with a word: NULL, TRUE, a prefixed string (X'…', E'…', N'…', DATE '…', _binary '…'),
// or the start of an expression (*complete stays false, the word stays in row_).
Status SqlDumpReader::ParseWordValue(size_t start, size_t limit, bool* complete) {
  VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&row_, limit));
  const std::string_view word(row_.data() + start, row_.size() - start);
  int next = lexer_.Peek();
  *complete = true;
  if (next == '\'' && (EqualsIgnoreCase(word, "X") || EqualsIgnoreCase(word, "E"))) {
    const bool hex = EqualsIgnoreCase(word, "X");
    row_.resize(start);
    return hex ? lexer_.ReadHexString(&row_, limit) : lexer_.ReadQuoted(Escapes::kPostgres, &row_, limit);
  }
  if (EqualsIgnoreCase(word, "NULL")) {
    row_.resize(start);
    return Status::Ok();
  }
  if (next == '(') {
    *complete = false;
    return Status::Ok();
  }
  const bool binary = EqualsIgnoreCase(word, "_binary");
  const bool introducer = word[0] == '_';
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  next = lexer_.Peek();
  if (next == '\'' || (next == '"' && introducer && !lexer_.standard_sql())) {
    row_.resize(start);
    VIGIE_RETURN_IF_ERROR(lexer_.ReadQuoted(lexer_.string_escapes(), &row_, limit));
    return binary ? lexer_.BinaryToText(&row_, start, limit) : Status::Ok();
  }
  if (introducer && next >= '0' && next <= '9') {  // _binary 0x…
    row_.resize(start);
    return lexer_.ReadNumber(&row_, limit);
  }
  return Status::Ok();  // TRUE, DEFAULT, CURRENT_TIMESTAMP: as written
}

// What may follow a literal before its separator (a ::type cast) is dropped.
Status SqlDumpReader::SkipValueTail() {
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  const int c = lexer_.Peek();
  if (c == ',' || c == ')') return Status::Ok();
  Stop stop;
  VIGIE_RETURN_IF_ERROR(lexer_.ScanBalanced(true, nullptr, 0, &stop));
  if (stop == Stop::kEnd) return lexer_.Truncated("a row without its ')'");
  if (stop == Stop::kDelimiter) return lexer_.Syntax("')' closing the row");
  return Status::Ok();
}

// ---- COPY ----

Status SqlDumpReader::ParseCopy() {
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  if (lexer_.Peek() == '(') return lexer_.SkipStatement();  // COPY (SELECT …) TO …
  VIGIE_RETURN_IF_ERROR(ReadTableName(&table_));
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  column_list_.clear();
  if (lexer_.Peek() == '(') VIGIE_RETURN_IF_ERROR(ReadColumnList(&column_list_));
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  if (!AtKeyword("FROM")) return lexer_.SkipStatement();  // COPY … TO
  VIGIE_RETURN_IF_ERROR(SkipWords(1));
  if (!AtKeyword("STDIN")) return lexer_.SkipStatement();  // from a file or a program: no rows here
  VIGIE_RETURN_IF_ERROR(SkipWords(1));
  char delimiter = '\t';
  VIGIE_RETURN_IF_ERROR(ParseCopyOptions(&delimiter));
  if (!lexer_.standard_sql()) lexer_.set_standard_sql(false);
  VIGIE_RETURN_IF_ERROR(lexer_.SkipLine("COPY data without its \\. line"));
  rows_.BeginStatement(&table_, &column_list_, lexer_.statement_number());
  for (;;) {
    row_.clear();
    ends_.clear();
    bool end_marker = false;
    VIGIE_RETURN_IF_ERROR(lexer_.ReadCopyLine(delimiter, &row_, &ends_, &end_marker));
    if (end_marker) return Status::Ok();
    VIGIE_RETURN_IF_ERROR(rows_.AddRow(row_, ends_));
  }
}

// [WITH] [(] option [value] [, …] [)] up to and past the delimiter. Only the text format is read; of its
// options only DELIMITER changes how lines split.
Status SqlDumpReader::ParseCopyOptions(char* delimiter) {
  std::string value;
  for (;;) {
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (lexer_.AtDelimiter()) {
      lexer_.SkipDelimiter();
      return Status::Ok();
    }
    const int c = lexer_.Peek();
    if (c == '(' || c == ')' || c == ',') {
      lexer_.Skip(1);
      continue;
    }
    value.clear();
    if (c == '\'') {
      VIGIE_RETURN_IF_ERROR(lexer_.ReadQuoted(lexer_.string_escapes(), &value, kMaxValueBytes));
      continue;
    }
    if (c < 0 || !IsIdentByte(c)) return lexer_.Syntax("COPY options and the delimiter");
    VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&value));
    const bool format = EqualsIgnoreCase(value, "FORMAT");
    const bool delimiter_option = EqualsIgnoreCase(value, "DELIMITER");
    if (EqualsIgnoreCase(value, "CSV") || EqualsIgnoreCase(value, "BINARY")) return CopyFormatError();
    if (!format && !delimiter_option) continue;  // NULL, ENCODING, WITH, …
    VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
    if (AtKeyword("AS")) VIGIE_RETURN_IF_ERROR(SkipWords(1));
    value.clear();
    if (format) {
      const bool quoted = lexer_.Peek() == '\'';
      VIGIE_RETURN_IF_ERROR(quoted ? lexer_.ReadQuoted(Escapes::kNone, &value, kMaxNameBytes)
                                   : lexer_.ReadWord(&value));
      if (!EqualsIgnoreCase(value, "text")) return CopyFormatError();
      continue;
    }
    if (lexer_.Peek() == 'E' || lexer_.Peek() == 'e') lexer_.Skip(1);
    if (lexer_.Peek() != '\'') return lexer_.Syntax("a quoted COPY delimiter");
    VIGIE_RETURN_IF_ERROR(lexer_.ReadQuoted(Escapes::kPostgres, &value, kMaxNameBytes));
    if (value.size() != 1 || value[0] == '\n' || value[0] == '\\') return lexer_.Syntax("a one-byte COPY delimiter");
    *delimiter = value[0];
  }
}

Status SqlDumpReader::CopyFormatError() const {
  return Status::InvalidArgument("sql.copy-format", "statement " + std::to_string(lexer_.statement_number()) +
                                                        " copies table " + table_.display +
                                                        " in CSV or binary format; only text is read");
}

// ---- SET and DELIMITER ----

Status SqlDumpReader::ParseSet() {
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  if (AtKeyword("SESSION") || AtKeyword("LOCAL")) VIGIE_RETURN_IF_ERROR(SkipWords(1));
  word_.clear();
  VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&word_));
  if (!EqualsIgnoreCase(word_, "standard_conforming_strings")) return lexer_.SkipStatement();
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  if (lexer_.Peek() == '=') lexer_.Skip(1);
  if (AtKeyword("TO")) VIGIE_RETURN_IF_ERROR(SkipWords(1));
  VIGIE_RETURN_IF_ERROR(lexer_.SkipSpace());
  word_.clear();
  if (lexer_.Peek() == '\'') {
    VIGIE_RETURN_IF_ERROR(lexer_.ReadQuoted(Escapes::kNone, &word_, kMaxNameBytes));
  } else {
    VIGIE_RETURN_IF_ERROR(lexer_.ReadWord(&word_));
  }
  lexer_.set_standard_sql(/*backslashes=*/EqualsIgnoreCase(word_, "off") || EqualsIgnoreCase(word_, "false"));
  return lexer_.SkipStatement();
}

// The mysql client's "DELIMITER ;;" line: the rest of the line up to a space is the new delimiter.
Status SqlDumpReader::ParseDelimiter() {
  while (lexer_.Peek() == ' ' || lexer_.Peek() == '\t') lexer_.Skip(1);
  std::string delimiter;
  while (lexer_.Peek() > ' ' && lexer_.Peek() != 0x7F && delimiter.size() < 16) {
    delimiter.push_back(static_cast<char>(lexer_.Peek()));
    lexer_.Skip(1);
  }
  // One that opens a string, an escape or a comment could never be found again.
  const bool usable = !delimiter.empty() && delimiter.find_first_of("'\"`\\") == std::string::npos &&
                      !delimiter.starts_with("/*") && !delimiter.starts_with("--");
  if (!usable) {
    return lexer_.Syntax("a statement delimiter after DELIMITER");
  }
  lexer_.set_delimiter(std::move(delimiter));
  lexer_.SkipRestOfLine();
  return Status::Ok();
}

// ---- LooksLikeSql ----

std::string_view LineAt(std::string_view text, size_t at) {
  const size_t end = text.find('\n', at);
  return text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
}

bool ContainsIgnoreCase(std::string_view text, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (EqualsIgnoreCase(text.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// The statement that starts `line`, judged by its first two words.
bool LooksLikeStatement(std::string_view line) {
  std::string_view words[2];
  size_t i = 0;
  for (std::string_view& word : words) {
    while (i < line.size() && IsSpaceByte(static_cast<unsigned char>(line[i]))) ++i;
    const size_t start = i;
    while (i < line.size() && IsIdentByte(static_cast<unsigned char>(line[i]))) ++i;
    word = line.substr(start, i - start);
  }
  auto is = [](std::string_view word, std::initializer_list<const char*> any) {
    return std::any_of(any.begin(), any.end(), [&](const char* w) { return EqualsIgnoreCase(word, w); });
  };
  std::string_view trimmed = line;
  while (!trimmed.empty() && IsSpaceByte(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  if (is(words[0], {"CREATE"})) return is(words[1], {"TABLE", "DATABASE", "SCHEMA", "TEMPORARY", "UNLOGGED"});
  if (is(words[0], {"INSERT"})) return is(words[1], {"INTO", "IGNORE"});
  if (is(words[0], {"REPLACE"})) return is(words[1], {"INTO"});
  if (is(words[0], {"DROP"})) return is(words[1], {"TABLE", "DATABASE", "SCHEMA"});
  if (is(words[0], {"LOCK"})) return is(words[1], {"TABLES"});
  if (is(words[0], {"ALTER"})) return is(words[1], {"TABLE"});
  if (is(words[0], {"BEGIN", "START"})) return is(words[1], {"TRANSACTION"});
  if (is(words[0], {"COPY"})) return ContainsIgnoreCase(line, "FROM stdin");
  if (is(words[0], {"SET", "PRAGMA", "USE"})) return !words[1].empty() && trimmed.ends_with(';');
  return false;
}

}  // namespace

Status TranscodeSql(ByteSource* in, const SqlOptions& options, RecordWriter* out, SqlReport* report) {
  SqlReport local;
  SqlDumpReader reader(in, options, out, report != nullptr ? report : &local);
  return reader.Run();
}

bool LooksLikeSql(std::string_view sample) {
  size_t i = sample.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (;;) {
    while (i < sample.size() && IsSpaceByte(static_cast<unsigned char>(sample[i]))) ++i;
    if (i >= sample.size()) return false;
    const std::string_view rest = sample.substr(i);
    if (rest.starts_with("/*!")) return true;
    if (rest.starts_with("--") || rest.starts_with("#")) {
      const std::string_view line = LineAt(sample, i);
      for (const char* marker : {"MySQL dump", "MariaDB dump", "PostgreSQL database dump"}) {
        if (line.find(marker) != std::string_view::npos) return true;
      }
      i += line.size();
    } else if (rest.starts_with("/*")) {
      const size_t end = rest.find("*/", 2);
      if (end == std::string_view::npos) return false;
      i += end + 2;
    } else {
      return LooksLikeStatement(LineAt(sample, i));
    }
  }
}

}  // namespace vigie
