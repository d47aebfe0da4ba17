// Listeners: the listening sockets of vigie-serve (the public one and the operator's admin one) and the
// accept loop that hands every accepted connection to the connection loop.
//
// Lifecycle: Bind() each address first (errors are reported before anything runs), then Run() on one
// thread accepts until Stop() from another; Run() closes the listening sockets before it returns.
//
// Thread-safety: Stop() from any thread; the rest from the thread that owns the Listeners.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/http_message.h"

namespace vigie::serve {

struct BoundAddress {
  std::string host;  // as given ("127.0.0.1", "::1", "0.0.0.0")
  int port = 0;      // the port bound (the one picked, for port 0)
};

class Listeners {
 public:
  // Called on the accepting thread with a new non-blocking socket it now owns.
  using Accepted = std::function<void(int fd, Listener listener)>;

  Listeners();
  ~Listeners();
  Listeners(const Listeners&) = delete;
  Listeners& operator=(const Listeners&) = delete;

  // host: a numeric address or a name; port 0 picks a free one.
  Result<BoundAddress> Bind(const std::string& host, int port, int backlog, Listener listener);
  // Accepts until Stop(). An accept failure other than running out of descriptors (then it pauses briefly
  // and retries) ends the loop with an error.
  Status Run(const Accepted& accepted);
  void Stop();

 private:
  struct Socket {
    int fd;
    Listener listener;
  };
  std::vector<Socket> sockets_;
  int wake_fd_ = -1;  // eventfd: Stop() wakes Run()
};

}  // namespace vigie::serve
