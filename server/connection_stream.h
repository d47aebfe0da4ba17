// Connection: the state the connection loop keeps per client connection (transport, the bytes read and not
// yet consumed, the response bytes not yet sent, the framer, timers). ConnectionStream: the httplib::Stream
// one request is parsed from and answered on, inside process_request:
//   - reads come from the connection's buffer, which normally holds the whole request already; past it,
//     the stream reads the socket, waiting at most until the request's read deadline;
//   - writes are gathered in the connection's output buffer, sent by the loop in one write after
//     process_request returns (one packet per small response; the write itself never blocks a worker);
//     past kMaxGathered bytes they are sent at once, waiting at most until the write deadline;
//   - the addresses are those taken once at accept.
//
// Ownership: a Connection owns its transport (socket). A ConnectionStream borrows its Connection for one
// request. Not thread-safe: one thread at a time holds a connection.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "server/connection_parker.h"
#include "server/request_framing.h"
#include "server/transport.h"

namespace vigie::serve {

struct Connection : ParkedSocket {
  using Clock = std::chrono::steady_clock;
  enum class Phase { kHandshake, kServing, kLingering };

  std::unique_ptr<Transport> transport;
  std::string peer_ip, local_ip;
  int peer_port = 0, local_port = 0;
  Phase phase = Phase::kServing;

  std::string in;          // received, not yet consumed
  std::string out;         // response bytes not yet sent
  size_t out_sent = 0;
  RequestFramer framer;
  bool in_request = false;          // a byte of the next request has arrived
  Clock::time_point request_start;  // ... when (the handshake: when accepted)
  Clock::time_point write_deadline;
  bool continue_sent = false;       // 100 Continue sent for this request
  bool peer_closed = false;         // EOF read: what is buffered is served, then the connection closes
  bool close_after_flush = false;
  bool linger_after_flush = false;
  size_t requests = 0;
  size_t lingered = 0;              // bytes drained while lingering
  Clock::time_point linger_deadline;
};

class ConnectionStream final : public httplib::Stream {
 public:
  static constexpr size_t kMaxGathered = 1 << 20;
  using Clock = std::chrono::steady_clock;

  ConnectionStream(Connection& c, Clock::time_point read_deadline, Clock::time_point write_deadline)
      : c_(c), read_deadline_(read_deadline), write_deadline_(write_deadline) {}

  bool is_readable() const override;
  bool is_writable() const override { return !failed_; }
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.peer_ip;
    port = c_.peer_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.local_ip;
    port = c_.local_port;
  }
  socket_t socket() const override { return c_.fd; }

  // Bytes of the connection's buffer the request consumed.
  size_t consumed() const { return consumed_; }
  // A read or write failed or timed out: the connection cannot be reused.
  bool failed() const { return failed_; }

 private:
  // Waits until the socket is ready for `events` (POLLIN/POLLOUT), at most until `deadline`.
  bool WaitFor(short events, Clock::time_point deadline) const;

  Connection& c_;
  const Clock::time_point read_deadline_;
  const Clock::time_point write_deadline_;
  size_t consumed_ = 0;
  bool failed_ = false;
};

// Sends the connection's pending output, waiting (poll) at most until `deadline`. False on failure.
bool SendAllBlocking(Connection& c, std::chrono::steady_clock::time_point deadline);

}  // namespace vigie::serve
