#include "core/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include "core/fd_writer.h"

namespace vigie {
namespace {

constexpr size_t kBufferSize = 1 << 20;

std::string SystemError(int err) { return std::strerror(err); }

}  // namespace

// Turns buffered plain bytes into compressed bytes handed to `sink`.
class OutputFile::Encoder {
 public:
  virtual ~Encoder() = default;
  // Compresses `in` (all of it); with `finish`, also ends the stream.
  virtual Status Encode(std::string_view in, bool finish, std::string* out) = 0;
};

namespace {

class GzipEncoder : public OutputFile::Encoder {
 public:
  GzipEncoder() {
    std::memset(&z_, 0, sizeof(z_));
    ok_ = deflateInit2(&z_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;  // +16: gzip wrapper
  }
  ~GzipEncoder() override {
    if (ok_) deflateEnd(&z_);
  }
  Status Encode(std::string_view in, bool finish, std::string* out) override {
    if (!ok_) return Status::Internal("gzip: deflateInit2 failed");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    char chunk[1 << 16];
    while (true) {
      z_.next_out = reinterpret_cast<Bytef*>(chunk);
      z_.avail_out = sizeof(chunk);
      int rc = deflate(&z_, finish ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return Status::Internal("gzip: deflate failed");
      out->append(chunk, sizeof(chunk) - z_.avail_out);
      if (finish ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) break;
    }
    return Status::Ok();
  }

 private:
  z_stream z_;
  bool ok_ = false;
};

class ZstdEncoder : public OutputFile::Encoder {
 public:
  ZstdEncoder() : cctx_(ZSTD_createCCtx()) {
    if (cctx_) ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, 3);
  }
  ~ZstdEncoder() override { ZSTD_freeCCtx(cctx_); }
  Status Encode(std::string_view in, bool finish, std::string* out) override {
    if (!cctx_) return Status::Internal("zstd: ZSTD_createCCtx failed");
    ZSTD_inBuffer input = {in.data(), in.size(), 0};
    char chunk[1 << 16];
    while (true) {
      ZSTD_outBuffer output = {chunk, sizeof(chunk), 0};
      size_t left = ZSTD_compressStream2(cctx_, &output, &input, finish ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(left)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(left));
      out->append(chunk, output.pos);
      if (finish ? left == 0 : input.pos == input.size) break;
    }
    return Status::Ok();
  }

 private:
  ZSTD_CCtx* cctx_;
};

}  // namespace

OutputCompression CompressionForPath(std::string_view path) {
  if (path.ends_with(".gz")) return OutputCompression::kGzip;
  if (path.ends_with(".zst")) return OutputCompression::kZstd;
  return OutputCompression::kNone;
}

Result<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path) {
  int fd = STDOUT_FILENO;
  const bool is_stdout = path == "-";
  if (!is_stdout) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return Status::IOError("cannot open " + path + " for writing: " + SystemError(errno));
  }
  std::unique_ptr<Encoder> encoder;
  switch (is_stdout ? OutputCompression::kNone : CompressionForPath(path)) {
    case OutputCompression::kGzip:
      encoder = std::make_unique<GzipEncoder>();
      break;
    case OutputCompression::kZstd:
      encoder = std::make_unique<ZstdEncoder>();
      break;
    case OutputCompression::kNone:
      break;
  }
  return std::unique_ptr<OutputFile>(new OutputFile(is_stdout ? "<stdout>" : path, fd, !is_stdout, std::move(encoder)));
}

OutputFile::OutputFile(std::string path, int fd, bool owns_fd, std::unique_ptr<Encoder> encoder)
    : path_(std::move(path)), fd_(fd), owns_fd_(owns_fd), encoder_(std::move(encoder)) {
  buffer_.reserve(kBufferSize);
}

OutputFile::~OutputFile() {
  if (!closed_) Close();  // the Status is dropped: callers who care call Close() themselves
}

Status OutputFile::Fail(Status status) {
  if (error_.ok()) error_ = status.WithContext("writing " + path_);
  return error_;
}

Status OutputFile::Write(std::string_view data) {
  if (!error_.ok()) return error_;
  if (closed_) return Fail(Status::FailedPrecondition("the file is already closed"));
  if (buffer_.size() + data.size() > kBufferSize) {
    VIGIE_RETURN_IF_ERROR(Flush(false));
    if (data.size() >= kBufferSize) return Emit(data, false);  // no point copying it into the buffer
  }
  buffer_.append(data);
  return Status::Ok();
}

Status OutputFile::WriteRaw(std::string_view bytes) {
  Status s = WriteAllToFd(fd_, bytes, "the output");  // ENOSPC: "No space left on device"
  return s.ok() ? s : Fail(s);
}

Status OutputFile::Emit(std::string_view plain, bool finish) {
  if (!error_.ok()) return error_;
  if (!encoder_) return WriteRaw(plain);
  compressed_.clear();
  Status s = encoder_->Encode(plain, finish, &compressed_);
  if (!s.ok()) return Fail(s);
  return WriteRaw(compressed_);
}

Status OutputFile::Flush(bool finish) {
  Status s = Emit(buffer_, finish);
  buffer_.clear();
  return s;
}

Status OutputFile::Close() {
  if (closed_) return error_;
  closed_ = true;
  Status s = Flush(true);
  if (owns_fd_ && ::close(fd_) != 0 && s.ok()) s = Fail(Status::IOError(SystemError(errno)));
  return s.ok() ? error_ : s;
}

}  // namespace vigie
