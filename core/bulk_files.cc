#include "core/bulk_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/compress.h"
#include "core/fd_writer.h"

namespace vigie {

namespace {

Status SysError(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

BlockSink::~BlockSink() {
  if (fd_ > 1) ::close(fd_);
}

Status BlockSink::Open(const std::string& path, bool resume, uint64_t keep_bytes) {
  path_ = path;
  compression_ = path == "-" ? OutputCompression::kNone : CompressionForPath(path);
  if (path == "-") {
    fd_ = 1;
    return Status::Ok();
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0666);
  if (fd_ < 0) return SysError("cannot open", path);
  if (resume) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return SysError("cannot stat", path);
    if (static_cast<uint64_t>(st.st_size) < keep_bytes) {
      return Status::FailedPrecondition("the output " + path + " is shorter (" + std::to_string(st.st_size) +
                                            " bytes) than the checkpoint records (" + std::to_string(keep_bytes) +
                                            "); it was changed since: start again without the checkpoint",
                                        "checkpoint.output");
    }
    // Whatever a killed run wrote after its last checkpoint goes.
    if (::ftruncate(fd_, static_cast<off_t>(keep_bytes)) != 0) return SysError("cannot truncate", path);
  }
  size_ = keep_bytes;
  if (::lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0) return SysError("cannot seek in", path);
  return Status::Ok();
}

Status BlockSink::Append(std::string_view plain) {
  std::string_view bytes = plain;
  if (compression_ != OutputCompression::kNone) {
    VIGIE_RETURN_IF_ERROR(CompressFrame(compression_, plain, 1, &packed_));
    bytes = packed_;
  }
  VIGIE_RETURN_IF_ERROR(WriteAllToFd(fd_, bytes, path_));
  size_ += bytes.size();
  return Status::Ok();
}

Status BlockSink::Sync() {
  if (fd_ == 1) return Status::Ok();  // standard output: nothing to resume
  if (::fdatasync(fd_) != 0) return SysError("cannot sync", path_);
  return Status::Ok();
}

constexpr std::string_view kCheckpointMagic = "vigie-check-checkpoint 1";

std::string EncodeCheckpoint(const Checkpoint& c) {
  std::ostringstream o;
  o << kCheckpointMagic << "\ninput_digest " << c.input_digest << "\nkind " << c.kind << "\ncolumn " << c.column
    << "\noutput " << c.output << "\nlines " << c.lines << "\noutput_bytes " << c.output_bytes << "\nrows " << c.rows
    << "\nfound " << c.found << "\nnot_found " << c.not_found << "\ninvalid " << c.invalid << "\ndone "
    << (c.done ? 1 : 0) << "\n";
  return o.str();
}

Status DecodeCheckpoint(const std::string& text, Checkpoint* c) {
  auto bad = [] { return Status(Code::kCorruption, "checkpoint.format", "the checkpoint file is not readable"); };
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kCheckpointMagic) return bad();
  int fields = 0;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) return bad();
    const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    auto number = [&](uint64_t* out) {
      char* end = nullptr;
      errno = 0;
      *out = std::strtoull(value.c_str(), &end, 10);
      return !value.empty() && errno == 0 && *end == '\0';
    };
    bool ok = true;
    uint64_t done = 0;
    if (key == "input_digest")
      c->input_digest = value;
    else if (key == "kind")
      c->kind = value;
    else if (key == "column")
      c->column = value;
    else if (key == "output")
      c->output = value;
    else if (key == "lines")
      ok = number(&c->lines);
    else if (key == "output_bytes")
      ok = number(&c->output_bytes);
    else if (key == "rows")
      ok = number(&c->rows);
    else if (key == "found")
      ok = number(&c->found);
    else if (key == "not_found")
      ok = number(&c->not_found);
    else if (key == "invalid")
      ok = number(&c->invalid);
    else if (key == "done")
      ok = number(&done), c->done = done != 0;
    else
      continue;  // written by a newer version: ignore
    if (!ok) return bad();
    ++fields;
  }
  if (fields < 11) return bad();
  return Status::Ok();
}

// Writes `path` so that it holds either the old or the new content whatever happens: temp file, fsync,
// rename, fsync of the directory.
Status WriteFileDurably(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return SysError("cannot create", tmp);
  if (Status s = WriteAllToFd(fd, content, tmp); !s.ok()) {
    ::close(fd);
    return s;
  }
  if (::fsync(fd) != 0) {
    Status s = SysError("cannot sync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return SysError("cannot rename to", path);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace vigie
