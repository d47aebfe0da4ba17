#include "server/connection_stream.h"

#include <poll.h>

#include <algorithm>
#include <cstring>

namespace vigie::serve {

namespace {

bool PollUntil(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

}  // namespace

bool SendAllBlocking(Connection& c, std::chrono::steady_clock::time_point deadline) {
  while (c.out_sent < c.out.size()) {
    const Io io = c.transport->Write(c.out.data() + c.out_sent, c.out.size() - c.out_sent);
    if (io.kind == Io::kDone) {
      c.out_sent += io.bytes;
    } else if (io.kind == Io::kWantRead || io.kind == Io::kWantWrite) {
      if (!PollUntil(c.fd, io.kind == Io::kWantRead ? POLLIN : POLLOUT, deadline)) return false;
    } else {
      return false;
    }
  }
  c.out.clear();
  c.out_sent = 0;
  return true;
}

bool ConnectionStream::WaitFor(short events, Clock::time_point deadline) const {
  return PollUntil(c_.fd, events, deadline);
}

bool ConnectionStream::is_readable() const {
  return consumed_ < c_.in.size() || c_.transport->HasBuffered() || WaitFor(POLLIN, read_deadline_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (failed_) return -1;
  while (consumed_ >= c_.in.size()) {
    // Past the framed request (httplib disagrees with the framer, or a body too large to wait for): read
    // the socket, within the request's deadline.
    char buf[16384];
    const Io io = c_.transport->Read(buf, sizeof buf);
    if (io.kind == Io::kDone) {
      c_.in.append(buf, io.bytes);
    } else if (io.kind == Io::kEof) {
      return 0;
    } else if (io.kind == Io::kError ||
               !WaitFor(io.kind == Io::kWantWrite ? POLLOUT : POLLIN, read_deadline_)) {
      failed_ = true;
      return -1;
    }
  }
  const size_t n = std::min(size, c_.in.size() - consumed_);
  std::memcpy(ptr, c_.in.data() + consumed_, n);
  consumed_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (failed_) return -1;
  c_.out.append(ptr, size);
  if (c_.out.size() - c_.out_sent > kMaxGathered && !SendAllBlocking(c_, write_deadline_)) {
    failed_ = true;
    return -1;
  }
  return static_cast<ssize_t>(size);
}

}  // namespace vigie::serve
