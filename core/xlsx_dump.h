// Reading a leak dump saved as an Excel workbook (.xlsx): the rows of one sheet become records for the
// line-based pipeline (core/record_writer.h).
//
// An xlsx is a zip of XML parts. The chosen sheet is named in xl/workbook.xml and located through
// xl/_rels/workbook.xml.rels (an empty name picks the first worksheet in workbook order; a workbook without
// those parts falls back to xl/worksheets/sheet1.xml). Cells are placed by their reference (r="C7"): the
// cells missing in between become empty fields, trailing empty cells are dropped, and rows absent from the
// XML or without any value are absent from the output. Row 1 is the header (an empty header cell is named
// by its column letter); when row 1 is empty or absent the header is the column letters A, B, … up to the
// sheet's declared dimension or the first record's width, whichever is wider.
//
// Cell values: shared strings (rich-text runs concatenated, phonetic runs dropped), inline strings, formula
// string results and errors as written, booleans as TRUE/FALSE, numbers with an integer value as plain
// digits (1.850578006048E+12 → 1850578006048: identifiers typed into Excel are numbers) and other numbers as
// stored (dates are numbers: no date formatting).
//
// The shared strings table is read before the sheet: in one pass over the zip when it precedes the sheet,
// otherwise the file is opened a second time (so `path` must be a file that can be reopened, not a pipe).
// The sheet is streamed; memory holds the shared strings, one row and the parser's buffers.
//
// Refused, all InvalidArgument, with messages that name parts, cell references, counts and positions but
// never cell content (it is personal data):
//   "xlsx.not-xlsx"          not a zip, or a zip without a workbook or worksheet (an OLE file — legacy .xls
//                            or a password-protected workbook — and an .xlsb are named as such);
//   "xlsx.sheet-not-found"   no sheet of that name (the message lists the sheet names);
//   "archive.encrypted"      a part that is needed is encrypted;
//   "archive.corrupt"        damaged zip data (bad CRC, truncated member), with libarchive's message;
//   "archive.too-large"      the parts read expand past max_expanded_bytes (zip bomb guard), or the shared
//                            strings table would take more memory than that;
//   "xlsx.xml"               malformed XML, a DTD (never in an xlsx; refused so no entity can expand), or a
//                            single token over 4 MiB (expat would rescan it quadratically); with part and line;
//   "xlsx.too-many-columns"  a cell beyond max_columns;
//   "xlsx.bad-string-index"  a shared-string cell whose index is not in the table;
//   "xlsx.row-too-large"     one row holding more than 64 MiB of text.
// A missing file is NotFound, other open failures IOError. Errors from the RecordWriter's sink are returned as they
// are. After an error the records already handed to `out` stay written; the caller discards the output.
//
// Ownership and thread-safety: TranscodeXlsx borrows `out` for the call and holds nothing afterwards;
// concurrent calls on distinct writers are independent. LooksLikeXlsx is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/record_writer.h"
#include "core/status.h"

namespace vigie {

struct XlsxOptions {
  std::string sheet;  // --table NAME picks a sheet by name (exact, else ASCII case-insensitive); empty: the first
  uint64_t max_expanded_bytes = 16ull << 30;  // cap on the decompressed size of the parts read, all together
  uint32_t max_columns = 16384;               // Excel's own limit (column XFD)
};

// Writes the chosen sheet of the workbook at `path` to `out`: Header(...) once, one record per row, then
// Finish().
Status TranscodeXlsx(const std::string& path, const XlsxOptions& options, RecordWriter* out);

// Whether a sample of a file's first bytes looks like an xlsx: a zip local header ("PK\3\4") whose member
// names, among those the sample holds, include "[Content_Types].xml" or one under "xl/". Cheap; a sample
// of a few KiB is enough for what Excel, LibreOffice and the usual libraries write.
bool LooksLikeXlsx(std::string_view sample);

}  // namespace vigie
