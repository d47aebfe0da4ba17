// The files of a bulk check (core/bulk_check.h): the output, appended in self-contained blocks (a gzip member
// or zstd frame each when compressed, so that truncating to a block boundary leaves a valid file), and the
// checkpoint that records how far the output is complete, rewritten durably after each block.
//
// Not thread-safe: one run owns its sink and checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/output_file.h"
#include "core/status.h"

namespace vigie {

class BlockSink {
 public:
  BlockSink() = default;
  ~BlockSink();
  BlockSink(const BlockSink&) = delete;
  BlockSink& operator=(const BlockSink&) = delete;

  // "-" is standard output. With `resume`, the file is truncated to `keep_bytes` (what the checkpoint
  // vouches for) and appended to; it must be at least that long.
  Status Open(const std::string& path, bool resume, uint64_t keep_bytes);
  Status Append(std::string_view plain);
  Status Sync();
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  OutputCompression compression_ = OutputCompression::kNone;
  uint64_t size_ = 0;
  std::string packed_;
};

struct Checkpoint {
  std::string input_digest;
  std::string kind;
  std::string column;  // resolved: 1-based number, or "line"
  std::string output;
  uint64_t lines = 0;  // physical input lines whose output rows are in the output (header included)
  uint64_t output_bytes = 0;
  uint64_t rows = 0, found = 0, not_found = 0, invalid = 0;
  bool done = false;
};

std::string EncodeCheckpoint(const Checkpoint& c);
// Corruption (reason "checkpoint.format") for anything else than a checkpoint this version wrote.
Status DecodeCheckpoint(const std::string& text, Checkpoint* c);

// Writes `path` so that it holds either the old or the new content whatever happens: temp file, fsync,
// rename, fsync of the directory.
Status WriteFileDurably(const std::string& path, const std::string& content);

}  // namespace vigie
