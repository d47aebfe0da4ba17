// Dump line parsing: dialect detection, RFC 4180 field splitting and column selection.
//
// A dump is either CSV-like (one record per line, fields separated by ';', '\t', ',' or '|', optionally
// quoted with '"') or a plain list with one identifier per line (kLines; HIBP "HASH:COUNT" lines are such a
// list). Each physical line is one record: quoted fields spanning several lines are not supported, and an
// unterminated quote is reported as "line.unbalanced-quote" for that line.
//
// The parser works on bytes and never checks the encoding: a column that is not selected may hold
// anything; validating the selected field is the normaliser's job. Error messages never quote the line
// (it holds personal data); they give byte positions only.
//
// LineParser hands out views into the line or, for fields whose doubled quotes had to be unescaped, into a
// scratch buffer it owns; both stay valid until the next ParseLine call (or until the line's storage goes).
// A LineParser is not thread-safe: use one per thread. The free functions are pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/kind.h"
#include "core/status.h"

namespace vigie {

enum class Format { kCsv, kLines };

struct Dialect {
  Format format = Format::kCsv;
  char delimiter = ',';
  bool header = true;
  bool quoting = true;  // '"' quotes fields; off for the unit-separated form that format readers write

  // What RecordWriter (core/record_writer.h) writes: a header, fields separated by 0x1f, no quoting.
  static Dialect UnitSeparated() { return Dialect{Format::kCsv, '\x1f', true, false}; }
};

// Picks the delimiter among ';' '\t' ',' '|' that occurs most often outside quotes in the first line
// (ties go to that order). A line with none of them is kLines. CSV assumes a header; kLines assumes one
// only when the line is a known column name for some kind ("email", "nir", "hash", ...).
Dialect DetectDialect(std::string_view first_line);

class LineParser {
 public:
  explicit LineParser(Dialect dialect) : dialect_(dialect) {}

  // Records with fewer fields than this are "line.too-few-fields" (0, the default: no check). Set it to the
  // header's field count.
  void set_expected_fields(size_t count) { expected_fields_ = count; }
  const Dialect& dialect() const { return dialect_; }

  // Splits one line (without its '\n'; a trailing '\r' is dropped) into `fields` (cleared first). Errors,
  // all InvalidArgument: "line.blank" (empty or whitespace only), "line.unbalanced-quote" (text after a
  // closing quote, or no closing quote; a quote inside an unquoted field is kept as a literal character),
  // "line.too-few-fields". kLines yields the whole line as one field. Spaces around a quoted field are allowed and
  // dropped; unquoted fields are returned untrimmed.
  Status ParseLine(std::string_view line, std::vector<std::string_view>* fields);

 private:
  Status ParseQuoted(std::string_view line, std::vector<std::string_view>* fields);

  Dialect dialect_;
  size_t expected_fields_ = 0;
  std::string scratch_;
};

struct ColumnSpec {
  std::string name;
  int number = 0;  // 1-based; 0 = by name
};

// The 0-based index of the column that `spec` designates. By number: checked against the header's width
// unless `header_fields` is empty (a file without a header). By name: case-insensitive (ASCII and Latin-1
// letters), ignoring surrounding spaces and a UTF-8 BOM. Errors (InvalidArgument): "column.unknown"
// (listing the header's column names), "column.ambiguous", "column.out-of-range", "column.none".
Result<int> ResolveColumn(const ColumnSpec& spec, const std::vector<std::string_view>& header_fields);

// The 0-based index of a header column named like `kind` (e.g. "email", "Courriel", "numéro_sécu",
// "Téléphone"), comparing case-, accent- and separator-insensitively ("e-mail" = "E_Mail" = "email").
// When several match, the better-known name wins, then the leftmost column. nullopt when none does.
std::optional<int> GuessColumn(Kind kind, const std::vector<std::string_view>& header_fields);

// The field a user's --column designates for identifiers of `kind`: a header name or a 1-based number
// (ResolveColumn), or, when empty, the header column GuessColumn finds. -1 means "the whole line" (a plain
// list, where only an empty column or "1" makes sense). Errors: "column.lines", "column.missing",
// "column.number" (a number beyond any file's width), and ResolveColumn's.
Result<int> ChooseColumn(Kind kind, std::string_view column, const Dialect& dialect,
                         const std::vector<std::string_view>& header_fields);

}  // namespace vigie
