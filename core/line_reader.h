// LineReader: the physical lines of an input (plain, gzip or zstd; core/input_file.h), one at a time, with
// their numbers — over the same LineChunker the indexer uses, so lines are cut the same way (CRLF, a UTF-8
// byte order mark, lines over the chunker's limit reported as `overlong` without their text).
//
// A line's text stays valid until the next call to Next. Not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/input_file.h"
#include "core/status.h"

namespace vigie {

struct InputLine {
  std::string_view text;  // without '\n' and '\r'
  uint64_t number = 0;    // 1-based
  bool crlf = false;
  bool overlong = false;  // dropped by the chunker: text is empty
};

class LineReader {
 public:
  LineReader(InputFile* input, size_t chunk_bytes) : input_(input), chunker_(input, ChunkerOptions{chunk_bytes}) {}

  Status Start();
  // The first line of the input (empty when there is none); only before the first Next.
  std::string_view FirstLine() const;
  // False at the end of the input.
  Result<bool> Next(InputLine* line);
  uint64_t raw_bytes_read() const { return input_->raw_bytes_read(); }

 private:
  InputFile* input_;
  LineChunker chunker_;
  Chunk chunk_;
  bool have_chunk_ = false;
  size_t pos_ = 0;
  uint64_t lines_in_chunk_ = 0;
  bool overlong_done_ = false;
};

}  // namespace vigie
