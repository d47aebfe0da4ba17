// Internals of the xlsx reader (core/xlsx_dump.h): the expat parsers for the XML parts of a workbook and
// the cell value rules. Each parser reads its part from a ByteSource (a zip member in production, a string
// in tests), so nothing here knows about zip. Element names are matched on their local name: some writers
// prefix SpreadsheetML elements ("x:row").
//
// Every parser refuses a DTD, malformed XML and over-long tokens as "xlsx.xml" naming `part` and a line,
// never the content. Errors from the source are returned as they are.
//
// Thread-safety: plain functions over caller-owned values; a SharedStrings is immutable once parsed and may
// then be read from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/record_writer.h"
#include "core/status.h"

namespace vigie::xlsx {

// xl/sharedStrings.xml: the text of every <si> item, in one arena (a workbook may hold millions).
class SharedStrings {
 public:
  size_t size() const { return ends_.size(); }
  std::string_view Get(size_t i) const {
    const uint64_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(arena_).substr(begin, ends_[i] - begin);
  }
  // Approximate memory held, as checked against the limit.
  uint64_t memory() const { return arena_.size() + ends_.size() * sizeof(uint64_t); }
  void Clear() {
    arena_.clear();
    ends_.clear();
  }

 private:
  friend class SharedStringsReader;
  std::string arena_;
  std::vector<uint64_t> ends_;  // end offset of each item in arena_
};

// Fills *out (cleared first) from a sharedStrings part: rich-text runs are concatenated, phonetic runs
// (<rPh>) dropped. "archive.too-large" when the table's memory() would exceed max_memory.
Status ParseSharedStrings(ByteSource* in, std::string_view part, uint64_t max_memory, SharedStrings* out);

struct SheetRef {
  std::string name;
  std::string rel_id;  // r:id, resolved through the workbook's relationships
};

// The <sheet> elements of xl/workbook.xml, in workbook order.
Status ParseWorkbook(ByteSource* in, std::string_view part, std::vector<SheetRef>* sheets);

struct Relationship {
  std::string id;
  std::string type;    // a URI; its last segment says what the target is ("worksheet", "sharedStrings")
  std::string target;  // relative to the folder of the part the relationships belong to, or absolute ("/xl/…")
};

// The relationships of a .rels part.
Status ParseRelationships(ByteSource* in, std::string_view part, std::vector<Relationship>* rels);

// Streams a worksheet part's rows to `out` as described in core/xlsx_dump.h (header, records, Finish).
Status TranscodeSheet(ByteSource* in, std::string_view part, const SharedStrings& strings, uint32_t max_columns,
                      RecordWriter* out);

// Cell-value and reference rules, exposed for tests.

// When `number` (as stored in <v>: "612345678", "1.850578006048E+12", "-2.5E1") has an integer value of at
// most 30 digits, sets *digits to it ("1850578006048"; "-0" and "0.0" become "0") and returns true.
bool IntegerDigits(std::string_view number, std::string* digits);
// 1 → "A", 26 → "Z", 27 → "AA", 16384 → "XFD".
std::string ColumnName(uint32_t column);
// The 1-based column of a reference's leading letters ("C7" → 3, "c7" → 3); 0 when it starts with no
// letter; limit + 1 when the column is beyond `limit`.
uint64_t ColumnOf(std::string_view ref, uint32_t limit);

}  // namespace vigie::xlsx
