#include "core/sql_lexer.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/utf8.h"

namespace vigie::sql_internal {

namespace {

// One-letter backslash escapes: the letters, and the bytes they stand for, per dialect.
constexpr std::string_view kMySqlLetters = "0bnrtZ";
constexpr std::string_view kMySqlBytes = std::string_view("\0\b\n\r\t\x1a", 6);
constexpr std::string_view kPostgresLetters = "bfnrt";
constexpr std::string_view kPostgresBytes = "\b\f\n\r\t";
constexpr std::string_view kCopyLetters = "bfnrtv";
constexpr std::string_view kCopyBytes = "\b\f\n\r\t\v";

// The byte `letter` stands for after a backslash, or -1 when it is not one of `letters`.
int OneLetterEscape(int letter, std::string_view letters, std::string_view bytes) {
  const size_t at = letters.find(static_cast<char>(letter));
  return letter >= 0 && at != std::string_view::npos ? static_cast<unsigned char>(bytes[at]) : -1;
}

}  // namespace

// ---- SqlScanner ----

SqlScanner::SqlScanner(ByteSource* in, size_t capacity)
    : in_(in), capacity_(std::max(capacity, 2 * kMaxLookahead)), buf_(new char[capacity_]) {}

int SqlScanner::PeekSlow(size_t ahead) {
  Refill(ahead + 1);
  return pos_ + ahead < end_ ? static_cast<unsigned char>(buf_[pos_ + ahead]) : -1;
}

void SqlScanner::Refill(size_t want) {
  if (end_ - pos_ >= want || at_end_) return;
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  while (end_ < want && !at_end_) {
    Result<size_t> n = in_->Read(buf_.get() + end_, capacity_ - end_);
    if (!n.ok()) {
      read_status_ = n.status();
      at_end_ = true;
    } else if (*n == 0) {
      at_end_ = true;
    } else {
      end_ += *n;
    }
  }
}

// ---- SqlLexer: errors ----

Status SqlLexer::Truncated(std::string_view what) const {
  if (!read_status().ok()) return read_status();
  if (!in_statement_) {
    const std::string after =
        statement_number_ > 0 ? " (after statement " + std::to_string(statement_number_) + ")" : "";
    return Status::InvalidArgument("sql.truncated", "the dump ends in " + std::string(what) + after);
  }
  return Status::InvalidArgument("sql.truncated", "the dump ends inside statement " +
                                                      std::to_string(statement_number_) + " (starting at byte " +
                                                      std::to_string(statement_start_) + "): " + std::string(what));
}

Status SqlLexer::Syntax(std::string_view what) {
  if (scanner_.Peek() < 0) return Truncated(what);
  return Status::InvalidArgument("sql.syntax", "unexpected input at byte " + std::to_string(offset()) +
                                                   " in statement " + std::to_string(statement_number_) +
                                                   " (starting at byte " + std::to_string(statement_start_) +
                                                   "): expected " + std::string(what));
}

Status SqlLexer::TooLong(size_t limit) const {
  const std::string where = " starting at byte " + std::to_string(value_offset_) + " in statement " +
                            std::to_string(statement_number_) + " (starting at byte " +
                            std::to_string(statement_start_) + ")";
  if (limit >= kMaxRowBytes)
    return Status::InvalidArgument("sql.row-too-long", "a row longer than 64 MiB, at a value" + where);
  return Status::InvalidArgument("sql.value-too-long",
                                 "a value longer than 16 MiB (or a name longer than 4 KiB)" + where);
}

Status SqlLexer::RowTooWide() const {
  return Status::InvalidArgument("sql.row-too-long", "a row with more than " + std::to_string(kMaxRowFields) +
                                                         " values at byte " + std::to_string(offset()) +
                                                         " in statement " + std::to_string(statement_number_));
}

// ---- SqlLexer: space, comments, words ----

bool SqlLexer::AtDelimiter() {
  for (size_t i = 0; i < delimiter_.size(); ++i) {
    if (PeekAt(i) != static_cast<unsigned char>(delimiter_[i])) return false;
  }
  return true;
}

bool SqlLexer::AtLineComment() {
  if (Peek() != '-' || PeekAt(1) != '-') return false;
  // MySQL reads "--" as a comment only before a space or control byte ("1--1" is arithmetic there).
  const int next = PeekAt(2);
  return standard_sql_ || next <= ' ';
}

void SqlLexer::SkipRestOfLine() {
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return;
    const void* newline = std::memchr(w.data(), '\n', w.size());
    if (newline != nullptr) {
      Skip(static_cast<size_t>(static_cast<const char*>(newline) - w.data()) + 1);
      return;
    }
    Skip(w.size());
  }
}

Status SqlLexer::SkipBlockComment() {
  const uint64_t start = offset();
  Skip(2);
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return Truncated("a /* comment left open at byte " + std::to_string(start));
    const void* star = std::memchr(w.data(), '*', w.size());
    if (star == nullptr) {
      Skip(w.size());
      continue;
    }
    Skip(static_cast<size_t>(static_cast<const char*>(star) - w.data()));
    if (PeekAt(1) == '/') {
      Skip(2);
      return Status::Ok();
    }
    Skip(1);
  }
}

Status SqlLexer::SkipSpaceAndComments() {
  for (;;) {
    const int c = Peek();
    if (IsSpaceByte(c)) {
      Skip(1);
    } else if (c == '-' && AtLineComment()) {
      SkipRestOfLine();
    } else if (c == '/' && PeekAt(1) == '*') {
      VIGIE_RETURN_IF_ERROR(SkipBlockComment());
    } else {
      return Status::Ok();
    }
  }
}

Status SqlLexer::SkipBetweenStatements() {
  in_statement_ = false;
  for (;;) {
    VIGIE_RETURN_IF_ERROR(SkipSpace());
    const int c = Peek();
    if (c == '#' || c == '\\') {  // a MySQL '#' comment, a psql meta-command (\connect, \restrict)
      SkipRestOfLine();
    } else if (c == 0xEF && offset() == 0 && PeekAt(1) == 0xBB && PeekAt(2) == 0xBF) {
      Skip(3);
    } else if (c >= 0 && AtDelimiter()) {
      SkipDelimiter();
    } else {
      return Status::Ok();
    }
  }
}

Status SqlLexer::ReadWord(std::string* out, size_t limit) {
  value_offset_ = offset();
  for (;;) {
    const std::string_view w = scanner_.Window();
    size_t i = 0;
    while (i < w.size() && IsIdentByte(static_cast<unsigned char>(w[i]))) ++i;
    if (out->size() + i > limit) return TooLong(limit);
    out->append(w.data(), i);
    Skip(i);
    if (i < w.size() || w.empty()) return Status::Ok();
  }
}

Status SqlLexer::ReadName(std::string* out) {
  const int c = Peek();
  const size_t limit = out->size() + kMaxNameBytes;
  if (c == '`' || c == '"') return ReadQuoted(Escapes::kNone, out, limit);
  if (c >= 0 && IsIdentByte(c)) return ReadWord(out, limit);
  return Syntax("a name");
}

// ---- SqlLexer: strings and numbers ----

Status SqlLexer::ReadQuoted(Escapes escapes, std::string* out, size_t limit) {
  value_offset_ = offset();
  const char quote = static_cast<char>(Peek());
  Skip(1);
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return Truncated("a quoted string left open");
    size_t i = 0;
    if (escapes == Escapes::kNone) {
      const void* end = std::memchr(w.data(), quote, w.size());
      i = end == nullptr ? w.size() : static_cast<size_t>(static_cast<const char*>(end) - w.data());
    } else {
      while (i < w.size() && w[i] != quote && w[i] != '\\') ++i;
    }
    if (out->size() + i > limit) return TooLong(limit);
    out->append(w.data(), i);
    Skip(i);
    if (i == w.size()) continue;
    if (w[i] == '\\') {
      VIGIE_RETURN_IF_ERROR(ReadEscape(escapes, out, limit));
    } else if (PeekAt(1) == static_cast<unsigned char>(quote)) {  // a doubled quote stands for itself
      if (out->size() + 1 > limit) return TooLong(limit);
      out->push_back(quote);
      Skip(2);
    } else {
      Skip(1);
      return Status::Ok();
    }
  }
}

// Up to `max_digits` digits in `base` (8 or 16) at the cursor, folded into *value. How many were read.
size_t SqlLexer::ReadDigits(int base, size_t max_digits, uint32_t* value) {
  size_t count = 0;
  while (count < max_digits) {
    const int c = Peek();
    const int digit = base == 8 ? (c >= '0' && c <= '7' ? c - '0' : -1) : HexValue(c);
    if (digit < 0) break;
    *value = *value * static_cast<uint32_t>(base) + static_cast<uint32_t>(digit);
    Skip(1);
    ++count;
  }
  return count;
}

Status SqlLexer::ReadEscape(Escapes escapes, std::string* out, size_t limit) {
  const int c = PeekAt(1);
  if (c < 0)
    return Truncated(escapes == Escapes::kCopy ? "COPY data without its \\. line" : "a quoted string left open");
  if (out->size() + 4 > limit) return TooLong(limit);
  Skip(2);
  int byte = -1;
  if (escapes == Escapes::kMySql) {
    if (c == '%' || c == '_') out->push_back('\\');  // MySQL keeps these two escaped, for LIKE patterns
    byte = OneLetterEscape(c, kMySqlLetters, kMySqlBytes);
  } else {
    byte = escapes == Escapes::kCopy ? OneLetterEscape(c, kCopyLetters, kCopyBytes)
                                     : OneLetterEscape(c, kPostgresLetters, kPostgresBytes);
    uint32_t value = 0;
    if (byte < 0 && c >= '0' && c <= '7') {
      value = static_cast<uint32_t>(c - '0');
      ReadDigits(8, 2, &value);
      byte = static_cast<int>(value & 0xFF);
    } else if (byte < 0 && c == 'x' && ReadDigits(16, 2, &value) > 0) {
      byte = static_cast<int>(value);
    } else if (byte < 0 && (c == 'u' || c == 'U') && escapes == Escapes::kPostgres) {
      const size_t want = c == 'u' ? 4 : 8;
      if (ReadDigits(16, want, &value) != want || value > 0x10FFFF) return Syntax("a \\u escape");
      AppendUtf8(value, out);
      return Status::Ok();
    }
  }
  out->push_back(static_cast<char>(byte >= 0 ? byte : c));
  return Status::Ok();
}

Status SqlLexer::ReadNumber(std::string* out, size_t limit) {
  value_offset_ = offset();
  if (Peek() == '0' && (PeekAt(1) == 'x' || PeekAt(1) == 'X')) {
    Skip(2);
    const size_t start = out->size();
    if (!ReadWord(out, start + 2 * (limit - start)).ok()) return TooLong(limit);  // digits: 2 per byte
    for (size_t i = start; i < out->size(); ++i) {
      if (HexValue((*out)[i]) < 0) return Syntax("hex digits after 0x");
    }
    DecodeHexInPlace(out, start);
    return BinaryToText(out, start, limit);
  }
  if (Peek() == '-' || Peek() == '+') {
    if (out->size() + 1 > limit) return TooLong(limit);
    out->push_back(static_cast<char>(Peek()));
    Skip(1);
  }
  const size_t start = out->size();
  for (;;) {
    const std::string_view w = scanner_.Window();
    size_t i = 0;
    while (i < w.size()) {
      const int c = static_cast<unsigned char>(w[i]);
      const char before = i > 0 ? w[i - 1] : (out->size() > start ? out->back() : '\0');
      const bool exponent_sign = (c == '-' || c == '+') && (before == 'e' || before == 'E');
      if (!IsIdentByte(c) && c != '.' && !exponent_sign) break;
      ++i;
    }
    if (out->size() + i > limit) return TooLong(limit);
    out->append(w.data(), i);
    Skip(i);
    if (i < w.size() || w.empty()) return Status::Ok();
  }
}

Status SqlLexer::ReadHexString(std::string* out, size_t limit) {
  Skip(1);  // the opening quote
  const size_t start = out->size();
  for (;;) {
    const int c = Peek();
    if (c == '\'') break;
    if (c < 0) return Truncated("a hex string left open");
    if (HexValue(c) < 0) return Syntax("hex digits in X'…'");
    if (out->size() + 1 > start + 2 * (limit - start)) return TooLong(limit);
    out->push_back(static_cast<char>(c));
    Skip(1);
  }
  Skip(1);
  DecodeHexInPlace(out, start);
  return BinaryToText(out, start, limit);
}

Status SqlLexer::BinaryToText(std::string* text, size_t start, size_t limit) {
  if (!MakeBinaryReadable(text, start, limit) || text->size() > limit) {
    return TooLong(limit);
  }
  return Status::Ok();
}

// ---- SqlLexer: balanced text and whole statements ----

Status SqlLexer::Keep(std::string* raw, std::string_view bytes, size_t limit) const {
  if (raw == nullptr) return Status::Ok();
  if (raw->size() + bytes.size() > limit) return TooLong(limit);
  raw->append(bytes);
  return Status::Ok();
}

Status SqlLexer::SkipQuoted(char quote, Escapes escapes, std::string* raw, size_t limit) {
  auto keep = [&](std::string_view bytes) { return Keep(raw, bytes, limit); };
  VIGIE_RETURN_IF_ERROR(keep(std::string_view(&quote, 1)));
  Skip(1);
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return Truncated("a quoted string left open");
    size_t i = 0;
    while (i < w.size() && w[i] != quote && (escapes == Escapes::kNone || w[i] != '\\')) ++i;
    VIGIE_RETURN_IF_ERROR(keep(w.substr(0, i)));
    Skip(i);
    if (i == w.size()) continue;
    const char at = w[i];  // before PeekAt, which may move the window
    const int next = PeekAt(1);
    if (at == '\\') {
      if (next < 0) return Truncated("a quoted string left open");
      const char pair[2] = {'\\', static_cast<char>(next)};
      VIGIE_RETURN_IF_ERROR(keep(std::string_view(pair, 2)));
      Skip(2);
    } else if (next == static_cast<unsigned char>(quote)) {
      const char doubled[2] = {quote, quote};
      VIGIE_RETURN_IF_ERROR(keep(std::string_view(doubled, 2)));
      Skip(2);
    } else {
      Skip(1);
      return keep(std::string_view(&quote, 1));
    }
  }
}

size_t SqlLexer::DollarTagLength() {
  const int first = PeekAt(1);
  if (first >= '0' && first <= '9') return 0;  // $1 is a parameter
  size_t i = 1;
  while (i < 64 && PeekAt(i) >= 0 && PeekAt(i) != '$' && IsIdentByte(PeekAt(i))) ++i;
  return PeekAt(i) == '$' ? i + 1 : 0;
}

Status SqlLexer::SkipDollarQuoted(size_t tag_length, std::string* raw, size_t limit) {
  std::string tag;
  for (size_t i = 0; i < tag_length; ++i) tag.push_back(static_cast<char>(PeekAt(i)));
  Skip(tag_length);
  VIGIE_RETURN_IF_ERROR(Keep(raw, tag, limit));
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return Truncated("a $-quoted string left open");
    const void* dollar = std::memchr(w.data(), '$', w.size());
    const size_t i = dollar == nullptr ? w.size() : static_cast<size_t>(static_cast<const char*>(dollar) - w.data());
    VIGIE_RETURN_IF_ERROR(Keep(raw, w.substr(0, i), limit));
    Skip(i);
    if (i == w.size()) continue;
    size_t matched = 0;
    while (matched < tag.size() && PeekAt(matched) == static_cast<unsigned char>(tag[matched])) ++matched;
    const size_t taken = matched == tag.size() ? tag.size() : 1;
    VIGIE_RETURN_IF_ERROR(Keep(raw, std::string_view(tag).substr(0, taken), limit));
    Skip(taken);
    if (taken == tag.size()) return Status::Ok();
  }
}

Status SqlLexer::ScanBalanced(bool at_separators, std::string* raw, size_t limit, Stop* stop) {
  value_offset_ = offset();
  int depth = 0;
  int before = -1, before2 = -1;  // the two bytes before the cursor: E'…' and $tag$ openers depend on them
  for (;;) {
    const int c = Peek();
    if (c < 0) {
      if (!read_status().ok()) return read_status();
      *stop = Stop::kEnd;
      return Status::Ok();
    }
    if ((depth == 0 || !at_separators) && AtDelimiter()) {
      *stop = Stop::kDelimiter;
      return Status::Ok();
    }
    if (at_separators && depth == 0 && (c == ',' || c == ')')) {
      *stop = c == ',' ? Stop::kComma : Stop::kClose;
      return Status::Ok();
    }
    if (c == '\'' || c == '"' || c == '`') {
      Escapes escapes = c == '`' || (c == '"' && standard_sql_) ? Escapes::kNone : string_escapes_;
      if (c == '\'' && standard_sql_ && (before == 'E' || before == 'e') && !IsIdentByte(before2)) {
        escapes = Escapes::kPostgres;
      }
      VIGIE_RETURN_IF_ERROR(SkipQuoted(static_cast<char>(c), escapes, raw, limit));
    } else if (c == '-' && AtLineComment()) {
      SkipRestOfLine();
    } else if (c == '/' && PeekAt(1) == '*') {
      VIGIE_RETURN_IF_ERROR(SkipBlockComment());
    } else if (size_t tag = 0; c == '$' && standard_sql_ && !IsIdentByte(before) && (tag = DollarTagLength()) > 0) {
      VIGIE_RETURN_IF_ERROR(SkipDollarQuoted(tag, raw, limit));
    } else {
      if (c == '(') ++depth;
      if (c == ')' && depth > 0) --depth;
      const char byte = static_cast<char>(c);
      VIGIE_RETURN_IF_ERROR(Keep(raw, std::string_view(&byte, 1), limit));
      Skip(1);
    }
    before2 = before;
    before = c;
  }
}

Status SqlLexer::SkipStatement() {
  Stop stop;
  VIGIE_RETURN_IF_ERROR(ScanBalanced(false, nullptr, 0, &stop));
  if (stop != Stop::kDelimiter) return Truncated("a statement without its delimiter");
  SkipDelimiter();
  return Status::Ok();
}

Status SqlLexer::SkipLine(std::string_view what) {
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return Truncated(what);
    const void* newline = std::memchr(w.data(), '\n', w.size());
    if (newline != nullptr) {
      Skip(static_cast<size_t>(static_cast<const char*>(newline) - w.data()) + 1);
      return Status::Ok();
    }
    Skip(w.size());
  }
}

// ---- SqlLexer: COPY text data ----

bool SqlLexer::AtCopyEndMarker() {
  if (Peek() != '\\' || PeekAt(1) != '.') return false;
  const bool cr = PeekAt(2) == '\r';
  const int after = PeekAt(cr ? 3 : 2);
  if (after != '\n' && after >= 0) return false;
  Skip((cr ? 3 : 2) + (after == '\n' ? 1 : 0));
  return true;
}

Status SqlLexer::ReadCopyLine(char delimiter, std::string* row, std::vector<size_t>* ends, bool* end_marker) {
  *end_marker = AtCopyEndMarker();
  if (*end_marker) return Status::Ok();
  if (Peek() < 0) return Truncated("COPY data without its \\. line");
  size_t value_start = row->size();
  value_offset_ = offset();
  bool literal_cr_last = false;  // a "\r\n" line end drops the '\r'; an escaped \r is data
  for (;;) {
    const std::string_view w = scanner_.Window();
    if (w.empty()) return Truncated("COPY data without its \\. line");
    size_t i = 0;
    while (i < w.size() && w[i] != delimiter && w[i] != '\n' && w[i] != '\\') ++i;
    const size_t limit = std::min(value_start + kMaxValueBytes, kMaxRowBytes);
    if (row->size() + i > limit) return TooLong(limit);
    row->append(w.data(), i);
    Skip(i);
    if (i > 0) literal_cr_last = w[i - 1] == '\r';
    if (i == w.size()) continue;
    const char at = w[i];  // before PeekAt, which may move the window
    if (at == '\\') {
      const int next = PeekAt(1);
      if (next == 'N' && row->size() == value_start) {
        Skip(2);  // \N: NULL, written as an empty field
      } else {
        VIGIE_RETURN_IF_ERROR(ReadEscape(Escapes::kCopy, row, limit));
      }
      literal_cr_last = false;
      continue;
    }
    if (ends->size() + 1 >= kMaxRowFields) return RowTooWide();
    if (at == '\n' && literal_cr_last) row->pop_back();
    ends->push_back(row->size());
    Skip(1);
    if (at == '\n') return Status::Ok();
    value_start = row->size();
    value_offset_ = offset();
    literal_cr_last = false;
  }
}

}  // namespace vigie::sql_internal
