// JSON leak dumps: TranscodeJson turns NDJSON or one JSON document into the records RecordWriter writes.
//
// Shapes. After an optional UTF-8 BOM, the input is NDJSON when its first line is a complete JSON value and
// another non-blank line follows; otherwise it is one JSON document, streamed:
//  - NDJSON: every non-blank line is a record ("\r\n" endings are fine).
//  - a top-level array: every element is a record.
//  - a top-level object holding arrays of objects (a member whose value is an array starting with an
//    object, e.g. {"count": 2, "users": [{…}, {…}]}): the elements of those arrays are the records and the
//    object's other members are ignored. Any other top-level object is one record.
// A record that is not an object (a string in an array, a line holding a number) is read as {"value": X}.
// Pretty-printed concatenated objects (`jq .` output) are a document followed by more content, and an
// NDJSON dump whose first line is damaged reads as a broken document: both are refused as "json.syntax".
//
// Columns. The header is the union of the flattened paths of the first `sample_records` records (at most
// 64 MiB of them), in order of first appearance, then the options.columns not already there. Nested objects
// flatten to dotted paths ("user.contact.email"; a key holding a dot shares the column of the nesting it
// reads like); arrays to "path.0", "path.1"… for their first 16 elements (the rest is dropped). Strings
// are their UTF-8 text (escapes decoded), integers keep all their digits, other numbers are written as in
// the source, true/false as text, null as an empty field; empty objects and arrays give no column. A key
// repeated within a record keeps its last value. Paths first seen after the sample are dropped. Every
// record is written as wide as the header.
//
// Refused, all InvalidArgument, with the line number (NDJSON) or an approximate byte offset (document) and
// never a byte of the dump, since it holds personal data. Errors abort: the output is then incomplete.
//  - "json.syntax": the document is malformed or truncated. In NDJSON a malformed line is not fatal: it
//    is written as a blank line (no field), which the tagger counts as a reject, and reading goes on.
//    Strings must be valid UTF-8 (the text-decoding stage upstream converts other encodings); a number
//    beyond the double range (1e999) is malformed too.
//  - "json.too-deep": objects and arrays nested more than 64 deep.
//  - "json.record-too-large": over 16 MiB in an NDJSON line or, in a document, in one record or between
//    two records.
//  - "json.too-many-columns": more than 10 000 columns, or a record with more than 10 000 values.
// Errors of the source or of the writer's sink come back as they are. Nothing throws.
//
// Memory: the sample, then one record (each bounded as above); the input is never loaded whole.
// Ownership and thread-safety: TranscodeJson borrows `in` and `out` for the call and keeps no state; calls
// on distinct sources and writers may run on distinct threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/record_writer.h"
#include "core/status.h"

namespace vigie {

struct JsonOptions {
  // Dotted paths the user asked for with --column (e.g. "user.contact.email"): they are columns even when
  // the sample never shows them.
  std::vector<std::string> columns;
  size_t sample_records = 1000;  // records read ahead to find the columns (0: only `columns`)
};

// What a call read, for the caller's report.
struct JsonStats {
  uint64_t records = 0;          // written, malformed lines included
  uint64_t malformed_lines = 0;  // NDJSON lines written blank
  uint64_t dropped_fields = 0;   // values whose path is not a column, or past an array's 16th element
};

inline constexpr size_t kJsonMaxDepth = 64;
inline constexpr size_t kJsonMaxRecordBytes = size_t{16} << 20;
inline constexpr size_t kJsonMaxColumns = 10000;
inline constexpr size_t kJsonMaxArrayElements = 16;

// Reads JSON records from `in` and writes them to `out` (header first, then Finish). `stats` may be null.
Status TranscodeJson(ByteSource* in, const JsonOptions& options, RecordWriter* out, JsonStats* stats = nullptr);

// Whether a sample looks like JSON records: its first non-space byte, after an optional UTF-8 BOM, is '['
// or '{'.
bool LooksLikeJson(std::string_view sample);

}  // namespace vigie
