// The byte-level half of the SQL dump reader (core/sql_dump.h): a refilling read buffer and a lexer that knows
// the quoting, escaping and comment rules of MySQL/MariaDB and PostgreSQL dumps. Internal to sql_dump.cc and
// its tests; nothing else should need it.
//
// The lexer never holds more than its read buffer (1 MiB), the bytes of the value being read and a few bytes of
// look-ahead, so a statement of any size streams. Text it produces goes into a caller's string with a byte
// limit: exceeding it is "sql.value-too-long" (or "sql.row-too-long" past kMaxRowBytes). Errors name byte
// offsets and statement numbers, never the dump's bytes.
//
// Dialect: MySQL until the dump shows otherwise (see set_standard_sql): backslash escapes in '…' and "…"
// strings, `…` names, KEY/INDEX lines in CREATE TABLE. Standard SQL (PostgreSQL, SQLite): '…' strings without
// escapes (E'…' has them), "…" names, $tag$…$tag$ strings.
//
// Borrows the ByteSource; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/sql_literals.h"
#include "core/status.h"

namespace vigie::sql_internal {

inline constexpr size_t kMaxValueBytes = size_t{16} << 20;
inline constexpr size_t kMaxRowBytes = size_t{64} << 20;
inline constexpr size_t kMaxRowFields = 65536;
inline constexpr size_t kMaxNameBytes = 4096;

// A refilling window on a ByteSource. Peeking past the end (or after a read error) gives -1.
class SqlScanner {
 public:
  static constexpr size_t kMaxLookahead = 128;

  explicit SqlScanner(ByteSource* in, size_t capacity = size_t{1} << 20);

  int Peek() { return pos_ < end_ ? static_cast<unsigned char>(buf_[pos_]) : PeekSlow(0); }
  // `ahead` < kMaxLookahead.
  int PeekAt(size_t ahead) {
    return pos_ + ahead < end_ ? static_cast<unsigned char>(buf_[pos_ + ahead]) : PeekSlow(ahead);
  }
  // Only bytes that Peek, PeekAt or Window have shown may be skipped.
  void Skip(size_t n) { pos_ += n; }
  // The bytes available at the cursor without reading; empty only at the end of input.
  std::string_view Window() {
    if (pos_ == end_) Refill(1);
    return std::string_view(buf_.get() + pos_, end_ - pos_);
  }
  uint64_t offset() const { return base_ + pos_; }
  // Not OK once a Read failed; the lexer reports it in place of "sql.truncated".
  const Status& read_status() const { return read_status_; }

 private:
  int PeekSlow(size_t ahead);
  void Refill(size_t want);

  ByteSource* in_;
  size_t capacity_;
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_ = 0;  // stream offset of buf_[0]
  bool at_end_ = false;
  Status read_status_;
};

// How a backslash reads: inside a MySQL string, a PostgreSQL E'…' string, COPY text data; kNone: as itself.
enum class Escapes { kNone, kMySql, kPostgres, kCopy };

// Where ScanBalanced stopped.
enum class Stop { kComma, kClose, kDelimiter, kEnd };

class SqlLexer {
 public:
  explicit SqlLexer(ByteSource* in) : scanner_(in) {}

  int Peek() { return scanner_.Peek(); }
  int PeekAt(size_t ahead) { return scanner_.PeekAt(ahead); }
  void Skip(size_t n = 1) { scanner_.Skip(n); }
  uint64_t offset() const { return scanner_.offset(); }
  const Status& read_status() const { return scanner_.read_status(); }

  // Standard SQL once a dump shows it is PostgreSQL or SQLite (see the header comment); `backslashes` tells
  // whether '…' strings still take backslash escapes (standard_conforming_strings = off).
  void set_standard_sql(bool backslashes) {
    standard_sql_ = true;
    string_escapes_ = backslashes ? Escapes::kPostgres : Escapes::kNone;
  }
  bool standard_sql() const { return standard_sql_; }
  Escapes string_escapes() const { return string_escapes_; }
  void set_delimiter(std::string delimiter) { delimiter_ = std::move(delimiter); }
  bool AtDelimiter();
  void SkipDelimiter() { scanner_.Skip(delimiter_.size()); }

  // Messages name this statement and where it started.
  void BeginStatement(uint64_t number) {
    statement_number_ = number;
    statement_start_ = offset();
    in_statement_ = true;
  }
  uint64_t statement_number() const { return statement_number_; }

  // Whitespace and comments inside a statement. Fails only on a comment left open at the end.
  Status SkipSpace() {  // inline: called around every value
    const int c = Peek();
    return IsSpaceByte(c) || c == '-' || c == '/' ? SkipSpaceAndComments() : Status::Ok();
  }
  // Also '#' lines, psql "\command" lines, a UTF-8 BOM and empty statements.
  Status SkipBetweenStatements();
  // Appends the bare word at the cursor (IsIdentByte run); appends nothing when there is none.
  Status ReadWord(std::string* out, size_t limit = kMaxNameBytes);
  // One name part: `quoted`, "quoted" or bare; "sql.syntax" when the cursor is on none of them.
  Status ReadName(std::string* out);
  // The string at the cursor (on its opening quote), decoded, appended to *out.
  Status ReadQuoted(Escapes escapes, std::string* out, size_t limit);
  // A number as written ("-1.5e3", "0b101"), or a 0x… literal, which reads like a binary value: the bytes it
  // holds when they are text (well-formed UTF-8 without control characters), else its upper-case hex digits.
  Status ReadNumber(std::string* out, size_t limit);
  // The X'…' string at the cursor (on its quote), read like a 0x… literal.
  Status ReadHexString(std::string* out, size_t limit);
  // Makes text[start, end) read like a 0x… literal (for _binary '…' strings).
  Status BinaryToText(std::string* text, size_t start, size_t limit);
  // Balanced text up to ',' or ')' outside parentheses (when `at_separators`) or up to the delimiter; strings,
  // quoted names and comments are skipped whole. The scanned bytes are appended to *raw when not null.
  Status ScanBalanced(bool at_separators, std::string* raw, size_t limit, Stop* stop);
  // The rest of the statement, its delimiter included. "sql.truncated" when the input ends first.
  Status SkipStatement();
  // Past the next '\n'; "sql.truncated" (naming `what`) when the input ends first.
  Status SkipLine(std::string_view what);
  // Past the next '\n' or to the end of input.
  void SkipRestOfLine();

  // One line of COPY text data into *row / *ends (decoded values, NULL as empty), its '\n' consumed. Sets
  // *end_marker instead at a "\." line. "sql.truncated" at the end of input.
  Status ReadCopyLine(char delimiter, std::string* row, std::vector<size_t>* ends, bool* end_marker);

  // The errors, naming the statement and byte offsets. Syntax is Truncated when the input has ended.
  Status Truncated(std::string_view what) const;
  Status Syntax(std::string_view what);
  // A value over `limit`, the limit it was read under: "sql.row-too-long" when that is kMaxRowBytes.
  Status TooLong(size_t limit) const;
  Status RowTooWide() const;

 private:
  Status SkipSpaceAndComments();
  Status SkipBlockComment();
  size_t ReadDigits(int base, size_t max_digits, uint32_t* value);
  Status ReadEscape(Escapes escapes, std::string* out, size_t limit);
  Status Keep(std::string* raw, std::string_view bytes, size_t limit) const;  // appends unless raw is null
  Status SkipQuoted(char quote, Escapes escapes, std::string* raw, size_t limit);
  size_t DollarTagLength();  // of the $tag$ opener at the cursor; 0 when there is none
  Status SkipDollarQuoted(size_t tag_length, std::string* raw, size_t limit);
  bool AtLineComment();
  bool AtCopyEndMarker();  // consumes a "\." line

  SqlScanner scanner_;
  bool standard_sql_ = false;
  Escapes string_escapes_ = Escapes::kMySql;
  std::string delimiter_ = ";";
  uint64_t statement_number_ = 0;
  uint64_t statement_start_ = 0;
  bool in_statement_ = false;  // false in the space and comments before the next statement
  uint64_t value_offset_ = 0;  // where the value being read started, for TooLong
};

}  // namespace vigie::sql_internal
