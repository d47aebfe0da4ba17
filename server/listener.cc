#include "server/listener.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace vigie::serve {

Listeners::Listeners() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Listeners::~Listeners() {
  for (const Socket& s : sockets_) ::close(s.fd);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Result<BoundAddress> Listeners::Bind(const std::string& host, int port, int backlog, Listener listener) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const std::string where = host + ":" + service;
  if (const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Status::IOError("cannot bind " + where + ": " + ::gai_strerror(rc));
  }
  std::string error = "no usable address";
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, backlog) != 0) {
      error = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return Status::IOError("cannot bind " + where + " (" + error + ")");
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  BoundAddress bound{host, port};
  if (addr.ss_family == AF_INET) bound.port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) bound.port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  sockets_.push_back({fd, listener});
  return bound;
}

Status Listeners::Run(const Accepted& accepted) {
  std::vector<pollfd> polled;
  for (const Socket& s : sockets_) polled.push_back({s.fd, POLLIN, 0});
  polled.push_back({wake_fd_, POLLIN, 0});
  Status result = Status::Ok();
  for (bool running = true; running;) {
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      if (errno == EINTR) continue;
      result = Status::IOError(std::string("poll on the listening sockets failed: ") + std::strerror(errno));
      break;
    }
    if (polled.back().revents != 0) break;  // Stop()
    for (size_t i = 0; i < sockets_.size() && running; ++i) {
      if (polled[i].revents == 0) continue;
      for (;;) {  // everything already queued on this socket
        const int fd = ::accept4(sockets_[i].fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
          const int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          accepted(fd, sockets_[i].listener);
          continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) break;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: connections close as they time out; try again shortly.
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          break;
        }
        result = Status::IOError(std::string("accept failed: ") + std::strerror(errno));
        running = false;
        break;
      }
    }
  }
  for (const Socket& s : sockets_) ::close(s.fd);
  sockets_.clear();
  return result;
}

void Listeners::Stop() {
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

}  // namespace vigie::serve
