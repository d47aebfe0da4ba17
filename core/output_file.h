// OutputFile: a buffered streaming writer to a plain, gzip or zstd file, or to standard output.
//
// The format is chosen by the path: "-" is standard output (plain), a name ending in ".gz" is gzip (level 1:
// these are bulk test files, speed beats ratio), ".zst" is zstd (level 3), anything else is written as is.
// Bytes are buffered (1 MiB) and compressed as they stream, so memory stays bounded whatever is written.
// Every failure (open, write, disk full, close) is a Status IOError naming the path and the system error;
// after one, every further call returns the same error. Close() must be called to finish the compressed
// stream and see the final errors; the destructor of an unclosed file closes it and drops the Status.
// A file is created (truncated) with mode 0666 & ~umask; nothing is written atomically.
//
// Ownership and thread-safety: an OutputFile owns its descriptor (except stdout, which it flushes but leaves
// open) and its compressor. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie {

enum class OutputCompression { kNone, kGzip, kZstd };

// The compression OutputFile::Open picks for `path`.
OutputCompression CompressionForPath(std::string_view path);

class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> Open(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Write(std::string_view data);
  // Flushes, ends the compressed stream and closes the descriptor. Idempotent once it has succeeded.
  Status Close();

  const std::string& path() const { return path_; }

  class Encoder;  // the compressor; defined in output_file.cc

 private:
  OutputFile(std::string path, int fd, bool owns_fd, std::unique_ptr<Encoder> encoder);
  Status WriteRaw(std::string_view bytes);
  Status Emit(std::string_view plain, bool finish);
  Status Flush(bool finish);
  Status Fail(Status status);

  std::string path_;
  int fd_;
  bool owns_fd_;
  bool closed_ = false;
  std::unique_ptr<Encoder> encoder_;
  std::string buffer_;
  std::string compressed_;
  Status error_;
};

}  // namespace vigie
