// ByteSource and ByteSink: the two ends every stage of dump reading is written against, so that stages
// stack (file → decompression → archive member → text decoding → format transcoding → line chunker) and
// each can be tested on a string.
//
// Ownership: a stage borrows the source it reads from; the source must outlive it. Thread-safety: none; a
// source is read by one thread at a time (PipeSource hands bytes from one thread to another).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

// Stands for a line break inside a quoted CSV field once CsvRecordJoiner (core/csv_records.h) has joined the
// record onto one line; the chunker and the tagger count it so that line numbers stay physical.
inline constexpr char kJoinedLineBreak = '\x1e';

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to `cap` bytes; 0 means a clean end of input. May return fewer bytes than asked before the end.
  // After an error, every further Read returns an error too.
  virtual Result<size_t> Read(char* buf, size_t cap) = 0;
  // Bytes of the file as stored consumed so far, for progress (a stage over another forwards its source's).
  // Safe to call from the thread that calls Read.
  virtual uint64_t raw_bytes_read() const { return 0; }
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Takes all of `bytes` or fails (e.g. the reader went away: the error to report is the reader's).
  virtual Status Write(std::string_view bytes) = 0;
};

// A source over bytes held in memory (tests, and a sample that was read ahead).
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string_view bytes, size_t max_read = SIZE_MAX) : bytes_(bytes), max_read_(max_read) {}
  Result<size_t> Read(char* buf, size_t cap) override;

 private:
  std::string_view bytes_;
  size_t max_read_;  // tests use small reads to reach every buffer boundary
};

// A sink that appends to a string (tests).
class StringSink : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    out.append(bytes);
    return Status::Ok();
  }
  std::string out;
};

// Hands out the next bytes of `buffered` from *pos (at most cap) and advances *pos: the end of Read for a
// stage that decodes into an output buffer and gives it out piece by piece.
size_t TakeBuffered(const std::string& buffered, size_t* pos, char* buf, size_t cap);

// Reads `source` to the end into *out (tests, small members).
Status ReadAll(ByteSource* source, std::string* out, size_t limit = SIZE_MAX);

}  // namespace vigie
