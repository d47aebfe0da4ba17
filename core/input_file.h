// Reading raw leak dumps: InputFile, DigestFile and LineChunker.
//
// InputFile opens a path ("-" = standard input), recognises the compression by its magic bytes (gzip
// 1f 8b, zstd 28 b5 2f fd, anything else is read as is) and streams the decompressed bytes. Concatenated
// gzip members and multi-frame zstd streams are read to the end. A truncated or corrupt stream is reported
// as Status Corruption naming the raw byte offset; it is never a short read passed off as EOF. After an
// error every further Read returns the same error. Bytes after a gzip member that do not start another
// member (e.g. zero padding) are corruption too: we would rather refuse a dump than silently drop a tail.
//
// DigestFile hashes the bytes as stored (compressed or not) with XXH3-128: it identifies a dump file for
// idempotent re-adds, so the same content compressed differently is a different digest.
//
// LineChunker cuts the decompressed stream into chunks of whole lines (about chunk_size bytes each) so that
// chunks can be parsed on several threads. Line numbers stay exact across chunks. A line longer than
// max_line_length is dropped, not buffered: the chunk ends right before it and names it in `overlong`, so
// memory stays bounded whatever the input.
//
// Ownership and thread-safety: an InputFile owns its descriptor (except stdin, which it leaves open) and
// its decoder; a LineChunker borrows an InputFile that must outlive it. Neither is thread-safe: one
// reader thread drives them and hands the Chunk values (plain data, movable) to workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/status.h"

struct z_stream_s;   // zlib, kept out of this header
struct ZSTD_DCtx_s;  // libzstd, likewise

namespace vigie {

class InputFile : public ByteSource {
 public:
  // NotFound when the path does not exist; IOError for other open/read failures.
  static Result<std::unique_ptr<InputFile>> Open(const std::string& path);
  ~InputFile() override;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Fills up to `cap` bytes of decompressed data; 0 means a clean end of input. May return fewer bytes
  // than asked before the end.
  Result<size_t> Read(char* buf, size_t cap) override;

  // Bytes read from the file so far, as stored (for progress against raw_size()).
  uint64_t raw_bytes_read() const override { return raw_bytes_read_; }
  // Size of the file as stored; 0 when unknown (a pipe).
  uint64_t raw_size() const { return raw_size_; }
  // "none", "gzip" or "zstd".
  std::string_view compression() const;
  const std::string& path() const { return path_; }

 private:
  enum class Codec { kNone, kGzip, kZstd };

  InputFile(std::string path, int fd, bool owns_fd, uint64_t raw_size);
  Status Prime();   // reads the magic bytes and sets up the decoder
  Status Refill();  // reads the next raw block; sets eof_ at the end
  Result<size_t> ReadPlain(char* buf, size_t cap);
  Result<size_t> ReadGzip(char* buf, size_t cap);
  Result<size_t> ReadZstd(char* buf, size_t cap);
  uint64_t consumed_offset() const { return raw_bytes_read_ - (in_len_ - in_pos_); }
  Status Fail(Status status);  // makes the error sticky

  std::string path_;
  int fd_ = -1;
  bool owns_fd_ = false;
  uint64_t raw_size_ = 0;
  uint64_t raw_bytes_read_ = 0;
  Codec codec_ = Codec::kNone;
  std::unique_ptr<char[]> raw_;  // raw (compressed) block; [in_pos_, in_len_) not yet consumed
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  bool eof_ = false;
  Status error_;
  // gzip
  std::unique_ptr<z_stream_s> zs_;
  bool gz_member_done_ = false;
  uint64_t gz_member_start_ = 0;
  // zstd
  ZSTD_DCtx_s* zstd_ = nullptr;
  size_t zstd_hint_ = 1;  // last ZSTD_decompressStream result; 0 = at a frame boundary
};

struct Digest {
  uint64_t high = 0;
  uint64_t low = 0;
  // XXH128 canonical (big-endian) form: 32 lower-case hex digits.
  std::string Hex() const;
  bool operator==(const Digest&) const = default;
};

// XXH3-128 of the file's bytes as stored. Standard input cannot be digested (it cannot be re-read for
// indexing afterwards): "-" is InvalidArgument.
Result<Digest> DigestFile(const std::string& path);

struct ChunkerOptions {
  size_t chunk_size = 4 << 20;       // target bytes per chunk; a chunk ends at the first line end past it
  size_t max_line_length = 1 << 20;  // longest accepted line, in bytes, not counting its '\n'
  // The input comes from CsvRecordJoiner (core/csv_records.h): a kJoinedLineBreak byte stands for a line
  // break inside a quoted field, and line numbers count them so that they stay physical line numbers.
  bool joined_lines = false;
};

struct OverlongLine {
  uint64_t line_number = 0;  // 1-based
  uint64_t length = 0;       // bytes, not counting the '\n'
};

struct Chunk {
  // Whole lines. Every line ends with '\n' except possibly the last line of the input. A '\r' before the
  // '\n' is left in place (LineParser strips it). Empty when the chunk only reports an overlong line.
  std::string data;
  uint64_t first_line = 1;  // 1-based number of the first line of `data`
  uint64_t line_count = 0;  // lines in `data`; they are numbered consecutively
  // A dropped line that comes right after the lines of `data` (number first_line + line_count).
  std::optional<OverlongLine> overlong;
  uint64_t raw_bytes_read = 0;  // InputFile::raw_bytes_read() when the chunk was cut, for progress
};

class LineChunker {
 public:
  explicit LineChunker(ByteSource* input, ChunkerOptions options = {});

  // Fills `chunk` (reusing its buffer) and returns true, or returns false at the end of input. A UTF-8
  // byte order mark at the very start of the input is removed.
  Result<bool> Next(Chunk* chunk);

 private:
  Status ReadMore(std::string* data, size_t want);
  Status SkipRestOfLine(std::string* data, size_t keep, uint64_t* length);

  ByteSource* input_;
  ChunkerOptions options_;
  std::string carry_;  // bytes already read that start the next chunk (a partial line)
  uint64_t next_line_ = 1;
  bool eof_ = false;
  bool bom_checked_ = false;
};

}  // namespace vigie
