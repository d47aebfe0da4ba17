// RecordWriter: how a transcoder (SQL, JSON, xlsx, free text, …; core/dump_formats.h) hands records to the
// line-based reading pipeline. It writes the "unit-separated" form the tagger reads with
// Dialect::UnitSeparated(): one record per line, fields separated by 0x1f, no quoting, a header line first.
// A field's own 0x1f, '\n' and '\r' bytes become spaces: identifiers never contain them, and what is not an
// identifier only has to keep its place.
//
// Not thread-safe; borrows the sink.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/status.h"

namespace vigie {

inline constexpr char kUnitSeparator = '\x1f';

class RecordWriter {
 public:
  explicit RecordWriter(ByteSink* sink) : sink_(sink) {}
  ~RecordWriter() = default;

  // The column names; call once, before the first record.
  Status Header(const std::vector<std::string>& names);
  // A record: fields in header order. Missing trailing fields are fine (the tagger counts them short).
  void Field(std::string_view value);
  Status EndRecord();
  // Writes what is buffered. Call at the end. Returns the first write error, if any (EndRecord's too).
  Status Finish();

  uint64_t records() const { return records_; }  // records ended so far, not counting the header

 private:
  void Append(std::string_view value);

  ByteSink* sink_;
  Status error_;  // the first failed write: later ones are not tried
  std::string buffer_;
  bool first_field_ = true;
  uint64_t records_ = 0;
};

}  // namespace vigie
