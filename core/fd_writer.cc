#include "core/fd_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigie {

Status WriteAllToFd(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // write(2) returning 0 for a non-empty buffer means no progress: report it as the device being full.
      const int err = n < 0 ? errno : ENOSPC;
      return Status::IOError("cannot write " + std::string(what) + ": " + std::strerror(err));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace vigie
