// ArchiveInput: the members of an archive (zip, 7z, tar, tar.gz/.zst/.xz/.bz2) and single compressed
// streams InputFile does not decode (xz, bzip2), read through libarchive. Each regular-file member is read
// as one dump; directories, links and other entries are skipped.
//
// Refused, as errors that name the member: an encrypted member ("archive.encrypted"), more than
// max_expanded_bytes decompressed over all members ("archive.too-large": the zip-bomb guard), a damaged
// archive ("archive.corrupt", libarchive's message, which names no content).
//
// Ownership: owns the libarchive handle. Not thread-safe: one thread moves between members and reads them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/byte_stream.h"
#include "core/status.h"

struct archive;

namespace vigie {

struct ArchiveOptions {
  uint64_t max_expanded_bytes = uint64_t{256} << 30;  // decompressed bytes over all members
};

// Whether a file whose first stored bytes are `raw_head` (and, once InputFile decompressed gzip/zstd,
// `decoded_head`) is for ArchiveInput: zip, 7z, xz, bzip2 magic, or a tar header ("ustar" at offset 257).
bool LooksLikeArchive(std::string_view raw_head, std::string_view decoded_head);

class ArchiveInput : public ByteSource {
 public:
  static Result<std::unique_ptr<ArchiveInput>> Open(const std::string& path, const ArchiveOptions& options);
  ~ArchiveInput() override;
  ArchiveInput(const ArchiveInput&) = delete;
  ArchiveInput& operator=(const ArchiveInput&) = delete;

  // Moves to the next regular-file member; false after the last.
  Result<bool> NextMember();
  // The current member's path in the archive (for a single compressed stream: the file's name without its
  // compression suffix).
  const std::string& member_name() const { return member_name_; }
  // "zip", "7zip", "tar", "raw" (a single stream), … as libarchive names it.
  std::string format_name() const;

  // The current member's bytes.
  Result<size_t> Read(char* buf, size_t cap) override;
  uint64_t raw_bytes_read() const override;
  uint64_t expanded_bytes() const { return expanded_bytes_; }

 private:
  ArchiveInput(std::string path, ArchiveOptions options) : path_(std::move(path)), options_(options) {}
  Status Error(std::string_view what) const;

  std::string path_;
  ArchiveOptions options_;
  struct archive* archive_ = nullptr;
  std::string member_name_;
  bool in_member_ = false;
  uint64_t expanded_bytes_ = 0;
};

}  // namespace vigie
