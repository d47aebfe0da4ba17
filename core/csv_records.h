// CsvRecordJoiner: RFC 4180 records whose quoted fields hold line breaks (postal addresses, comments), made
// into one line each so that the line-based pipeline (LineChunker, LineParser) reads them as one record.
//
// A '"' opens a quoted field only at the start of a field (after the delimiter, a line start or spaces), as
// LineParser reads it; "" inside is an escaped quote. While a line ends inside a quoted field, the next line
// belongs to the same record: the '\n' between them becomes kJoinedLineBreak (and a '\r' before it a space),
// which ChunkerOptions::joined_lines counts so that reported line numbers stay physical.
//
// Nothing is lost to a stray quote: a record still open after kMaxJoinedLines lines or kMaxRecordBytes, or
// at the end of the input, is given back unchanged line by line (its first line is then rejected as
// "line.unbalanced-quote" and the lines after it are read as records of their own). A physical line longer
// than kMaxRecordBytes is passed through as it is (the chunker drops it as overlong).
//
// Bytes other than those line breaks are passed through unchanged. Borrows `inner`; not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/status.h"

namespace vigie {

class CsvRecordJoiner : public ByteSource {
 public:
  static constexpr size_t kMaxJoinedLines = 64;
  static constexpr size_t kMaxRecordBytes = 1 << 20;

  CsvRecordJoiner(ByteSource* inner, char delimiter) : inner_(inner), delimiter_(delimiter) {}

  Result<size_t> Read(char* buf, size_t cap) override;
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }

  // Records that spanned several lines so far.
  uint64_t joined_records() const { return joined_records_; }

 private:
  Status Fill();
  void TakeLine(std::string_view line);  // one physical line with its '\n' (the input's last may lack it)
  void EmitPending();
  void GiveBackFirstPendingLine();
  bool EndsInsideQuote(std::string_view line, bool inside) const;

  ByteSource* inner_;
  char delimiter_;
  std::string in_;
  size_t in_pos_ = 0;
  bool eof_ = false;
  bool passing_long_line_ = false;  // inside a line over kMaxRecordBytes: copied as is up to its '\n'
  std::string out_;
  size_t out_pos_ = 0;
  std::vector<std::string> pending_;  // the lines of a record still inside a quoted field
  size_t pending_bytes_ = 0;
  uint64_t joined_records_ = 0;
};

}  // namespace vigie
