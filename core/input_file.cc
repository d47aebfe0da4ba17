#include "core/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

namespace vigie {
namespace {

// Large enough that read() and the decoders run at memory speed, small enough to stay in L2/L3.
constexpr size_t kRawBlock = 1 << 20;
// Per-read cap: Linux returns at most ~2 GiB per read() anyway.
constexpr size_t kMaxSyscall = 1 << 30;

Status OpenError(const std::string& path, int err) {
  std::string message = "cannot open " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

std::string Offset(uint64_t offset) { return std::to_string(offset); }

// Opens `path` for a sequential read and checks that it is not a directory. *size is 0 unless regular.
Status OpenForReading(const std::string& path, int* fd, uint64_t* size) {
  do {
    *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (*fd < 0 && errno == EINTR);
  if (*fd < 0) return OpenError(path, errno);
  struct stat st;
  *size = 0;
  if (::fstat(*fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(*fd);
      *fd = -1;
      return Status::InvalidArgument("file.directory", path + " is a directory");
    }
    if (S_ISREG(st.st_mode)) *size = static_cast<uint64_t>(st.st_size);
  }
  ::posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // advisory: a failure changes nothing
  return Status::Ok();
}

// read() that retries on EINTR; 0 = end of file.
Result<size_t> ReadFd(int fd, const std::string& path, char* buf, size_t cap) {
  while (true) {
    ssize_t n = ::read(fd, buf, std::min(cap, kMaxSyscall));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return Status::IOError("reading " + path + ": " + std::strerror(errno));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// InputFile

InputFile::InputFile(std::string path, int fd, bool owns_fd, uint64_t raw_size)
    : path_(std::move(path)), fd_(fd), owns_fd_(owns_fd), raw_size_(raw_size) {}

InputFile::~InputFile() {
  if (zs_) inflateEnd(zs_.get());
  if (zstd_) ZSTD_freeDCtx(zstd_);
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  int fd = 0;
  uint64_t size = 0;
  bool owns = path != "-";
  if (owns) {
    VIGIE_RETURN_IF_ERROR(OpenForReading(path, &fd, &size));
  } else {
    struct stat st;
    if (::fstat(0, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
  }
  std::unique_ptr<InputFile> file(new InputFile(owns ? path : "<stdin>", fd, owns, size));
  VIGIE_RETURN_IF_ERROR(file->Prime());
  return file;
}

std::string_view InputFile::compression() const {
  switch (codec_) {
    case Codec::kNone:
      return "none";
    case Codec::kGzip:
      return "gzip";
    case Codec::kZstd:
      return "zstd";
  }
  return "none";
}

Status InputFile::Refill() {
  in_pos_ = in_len_ = 0;
  Result<size_t> n = ReadFd(fd_, path_, raw_.get(), kRawBlock);
  if (!n.ok()) return n.status();
  in_len_ = *n;
  raw_bytes_read_ += *n;
  if (*n == 0) eof_ = true;
  return Status::Ok();
}

Status InputFile::Prime() {
  raw_.reset(new char[kRawBlock]);
  // A pipe may deliver the magic bytes in pieces.
  while (in_len_ < 4 && !eof_) {
    Result<size_t> n = ReadFd(fd_, path_, raw_.get() + in_len_, kRawBlock - in_len_);
    if (!n.ok()) return n.status();
    in_len_ += *n;
    raw_bytes_read_ += *n;
    if (*n == 0) eof_ = true;
  }
  const auto* b = reinterpret_cast<const unsigned char*>(raw_.get());
  if (in_len_ >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
    codec_ = Codec::kGzip;
    zs_ = std::make_unique<z_stream>();  // value-initialised: default allocators
    if (inflateInit2(zs_.get(), 16 + MAX_WBITS) != Z_OK) {
      zs_.reset();
      return Status::Internal("zlib initialisation failed");
    }
  } else if (in_len_ >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
    codec_ = Codec::kZstd;
    zstd_ = ZSTD_createDCtx();
    if (zstd_ == nullptr) return Status::Internal("zstd initialisation failed");
  }
  return Status::Ok();
}

Status InputFile::Fail(Status status) {
  error_ = status.WithContext(path_);
  return error_;
}

Result<size_t> InputFile::Read(char* buf, size_t cap) {
  if (!error_.ok()) return error_;
  if (cap == 0) return Status::InvalidArgument("read.zero", "InputFile::Read needs room for at least one byte");
  Result<size_t> n = Status::Internal("unreachable");
  switch (codec_) {
    case Codec::kNone:
      n = ReadPlain(buf, cap);
      break;
    case Codec::kGzip:
      n = ReadGzip(buf, cap);
      break;
    case Codec::kZstd:
      n = ReadZstd(buf, cap);
      break;
  }
  if (!n.ok()) return Fail(n.status());
  return n;
}

Result<size_t> InputFile::ReadPlain(char* buf, size_t cap) {
  if (in_pos_ < in_len_) {
    size_t n = std::min(cap, in_len_ - in_pos_);
    std::memcpy(buf, raw_.get() + in_pos_, n);
    in_pos_ += n;
    return n;
  }
  if (eof_) return size_t{0};
  // Past the magic bytes, plain data goes straight into the caller's buffer.
  Result<size_t> n = ReadFd(fd_, path_, buf, cap);
  if (!n.ok()) return n.status();
  raw_bytes_read_ += *n;
  if (*n == 0) eof_ = true;
  return n;
}

Result<size_t> InputFile::ReadGzip(char* buf, size_t cap) {
  z_stream* zs = zs_.get();
  const uInt out_cap = static_cast<uInt>(std::min<size_t>(cap, UINT_MAX));
  zs->next_out = reinterpret_cast<Bytef*>(buf);
  zs->avail_out = out_cap;
  while (zs->avail_out == out_cap) {
    if (in_pos_ == in_len_ && !eof_) VIGIE_RETURN_IF_ERROR(Refill());
    if (gz_member_done_) {
      if (in_pos_ == in_len_) return size_t{0};  // eof_ is set: a clean end after a whole member
      // Another member follows (concatenated .gz files are one stream, as for gzip -d).
      inflateReset(zs);
      gz_member_done_ = false;
      gz_member_start_ = consumed_offset();
    }
    if (in_pos_ == in_len_) {
      return Status::Corruption("truncated gzip data: the input ends at offset " + Offset(raw_bytes_read_) +
                                " inside the member that starts at offset " + Offset(gz_member_start_));
    }
    zs->next_in = reinterpret_cast<Bytef*>(raw_.get() + in_pos_);
    zs->avail_in = static_cast<uInt>(in_len_ - in_pos_);
    int rc = inflate(zs, Z_NO_FLUSH);
    in_pos_ = in_len_ - zs->avail_in;
    if (rc == Z_STREAM_END) {
      gz_member_done_ = true;
    } else if (rc == Z_MEM_ERROR) {
      return Status::Internal("zlib: out of memory");
    } else if (rc == Z_BUF_ERROR && zs->avail_in > 0) {
      return Status::Internal("zlib made no progress");  // cannot happen with room on both sides
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::Corruption("corrupt gzip data near offset " + Offset(consumed_offset()) +
                                " (member starting at offset " + Offset(gz_member_start_) +
                                "): " + (zs->msg ? zs->msg : "error " + std::to_string(rc)));
    }
  }
  return static_cast<size_t>(out_cap - zs->avail_out);
}

Result<size_t> InputFile::ReadZstd(char* buf, size_t cap) {
  ZSTD_outBuffer out{buf, cap, 0};
  while (out.pos == 0) {
    if (in_pos_ == in_len_ && !eof_) VIGIE_RETURN_IF_ERROR(Refill());
    ZSTD_inBuffer in{raw_.get(), in_len_, in_pos_};
    const bool at_end = in_pos_ == in_len_;
    if (at_end && zstd_hint_ == 0) return size_t{0};  // a clean end at a frame boundary
    // At the end this still flushes what the decoder holds, and tells a truncated frame apart.
    size_t r = ZSTD_decompressStream(zstd_, &out, &in);
    in_pos_ = in.pos;
    if (ZSTD_isError(r)) {
      return Status::Corruption("corrupt zstd data near offset " + Offset(consumed_offset()) + ": " +
                                ZSTD_getErrorName(r));
    }
    zstd_hint_ = r;
    if (at_end && out.pos == 0 && r != 0) {
      return Status::Corruption("truncated zstd data: the input ends at offset " + Offset(raw_bytes_read_) +
                                " inside a frame");
    }
  }
  return out.pos;
}

// ---------------------------------------------------------------------------------------------------------
// DigestFile

std::string Digest::Hex() const {
  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return std::string(text, 32);
}

Result<Digest> DigestFile(const std::string& path) {
  if (path == "-") {
    return Status::InvalidArgument("file.stdin", "standard input cannot be digested: pass a file path");
  }
  int fd = -1;
  uint64_t size = 0;
  VIGIE_RETURN_IF_ERROR(OpenForReading(path, &fd, &size));
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(), XXH3_freeState);
  if (!state) {
    ::close(fd);
    return Status::Internal("xxhash: out of memory");
  }
  XXH3_128bits_reset(state.get());
  constexpr size_t kBlock = 4 << 20;
  std::unique_ptr<char[]> buf(new char[kBlock]);
  while (true) {
    Result<size_t> n = ReadFd(fd, path, buf.get(), kBlock);
    if (!n.ok()) {
      ::close(fd);
      return n.status();
    }
    if (*n == 0) break;
    XXH3_128bits_update(state.get(), buf.get(), *n);
  }
  ::close(fd);
  XXH128_hash_t h = XXH3_128bits_digest(state.get());
  return Digest{h.high64, h.low64};
}

// ---------------------------------------------------------------------------------------------------------
// LineChunker

namespace {
// Read size once a chunk is full but its last line is not: small, since what overshoots the line end is
// copied into the next chunk.
constexpr size_t kMaxGrow = 64 << 10;
}  // namespace

LineChunker::LineChunker(ByteSource* input, ChunkerOptions options) : input_(input), options_(options) {
  options_.chunk_size = std::max<size_t>(options_.chunk_size, 1);
}

Status LineChunker::ReadMore(std::string* data, size_t want) {
  const size_t old = data->size();
  data->resize(old + want);
  Result<size_t> n = input_->Read(data->data() + old, want);
  if (!n.ok()) {
    data->resize(old);
    return n.status();
  }
  data->resize(old + *n);
  if (*n == 0) eof_ = true;
  return Status::Ok();
}

Status LineChunker::SkipRestOfLine(std::string* data, size_t keep, uint64_t* length) {
  // The buffer past `keep` serves as scratch; what follows the line end becomes the next chunk's start.
  while (true) {
    data->resize(keep);
    if (eof_) return Status::Ok();
    VIGIE_RETURN_IF_ERROR(ReadMore(data, kMaxGrow));
    const char* p = data->data() + keep;
    const size_t n = data->size() - keep;
    if (const void* nl = std::memchr(p, '\n', n)) {
      const size_t k = static_cast<const char*>(nl) - p;
      *length += k;
      carry_.assign(p + k + 1, n - k - 1);
      data->resize(keep);
      return Status::Ok();
    }
    *length += n;
  }
}

Result<bool> LineChunker::Next(Chunk* chunk) {
  std::string& data = chunk->data;
  data.assign(carry_);
  carry_.clear();
  chunk->first_line = next_line_;
  chunk->line_count = 0;
  chunk->overlong.reset();

  const size_t target = options_.chunk_size;
  const size_t max_line = options_.max_line_length;
  const size_t grow = std::clamp<size_t>(target / 8, 1, kMaxGrow);
  if (data.capacity() < target + grow) data.reserve(target + grow);

  size_t line_start = 0;  // start of the first line not yet complete
  size_t scanned = 0;     // bytes already searched for '\n'
  uint64_t lines = 0;
  auto finish = [&](bool overlong) {
    chunk->line_count = lines;
    next_line_ += lines + (overlong ? 1 : 0);
    if (options_.joined_lines) {
      const auto joined = static_cast<uint64_t>(std::count(data.begin(), data.end(), kJoinedLineBreak));
      next_line_ += joined;
      if (chunk->overlong) chunk->overlong->line_number += joined;
    }
    chunk->raw_bytes_read = input_->raw_bytes_read();
    return true;
  };

  while (true) {
    if (!bom_checked_) {
      if (data.size() < 3 && !eof_) {
        VIGIE_RETURN_IF_ERROR(ReadMore(&data, std::max<size_t>(target, 3) - data.size()));
        continue;
      }
      if (data.size() >= 3 && std::memcmp(data.data(), "\xEF\xBB\xBF", 3) == 0) data.erase(0, 3);
      bom_checked_ = true;
    }

    const char* base = data.data();
    while (const void* nl = std::memchr(base + scanned, '\n', data.size() - scanned)) {
      const size_t end = static_cast<const char*>(nl) - base;
      if (end - line_start > max_line) {
        chunk->overlong = OverlongLine{next_line_ + lines, end - line_start};
        carry_.assign(base + end + 1, data.size() - end - 1);
        data.resize(line_start);
        return finish(true);
      }
      ++lines;
      line_start = scanned = end + 1;
      if (line_start >= target) {
        carry_.assign(base + line_start, data.size() - line_start);
        data.resize(line_start);
        return finish(false);
      }
    }
    scanned = data.size();

    if (data.size() - line_start > max_line) {
      // Already too long without its end: drop it rather than buffer it.
      uint64_t length = data.size() - line_start;
      chunk->overlong = OverlongLine{next_line_ + lines, 0};
      VIGIE_RETURN_IF_ERROR(SkipRestOfLine(&data, line_start, &length));
      chunk->overlong->length = length;
      return finish(true);
    }
    if (eof_) {
      if (data.size() > line_start) ++lines;  // the last line has no '\n'
      if (lines == 0) return false;
      return finish(false);
    }
    VIGIE_RETURN_IF_ERROR(ReadMore(&data, data.size() < target ? target - data.size() : grow));
  }
}

}  // namespace vigie
