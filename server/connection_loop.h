// ConnectionLoop: vigie-serve's own per-connection loop, replacing cpp-httplib's. httplib binds a connection
// to a worker thread for its whole keep-alive life, so a few hundred idle or slow clients take every worker
// and starve everyone else. Here a worker only ever runs a request whose bytes have all arrived:
//   - bytes are read without blocking into a buffer kept per connection (pipelined requests survive), and
//     framed by RequestFramer (server/request_framing.h), which also refuses ambiguous framing;
//   - a connection that has nothing complete to serve — new, idle between requests, partway through a
//     request, or unable to take the rest of a response — is parked on the ConnectionParker
//     (server/connection_parker.h) and comes back to a worker when its socket is ready; the parker closes
//     it at its deadline: keep_alive_timeout when idle, read_timeout after the first byte of a request for
//     the whole request (a slow-loris trickle gets no more), write_timeout for a response, and evicts the
//     oldest when too many are parked in all or for one client address;
//   - a complete request is parsed and routed by httplib (process_request, through the ProcessRequest
//     callback) on a ConnectionStream over that buffer; the response is gathered and sent in one write;
//     then the worker waits up to next_request_wait for the connection's next request (a busy client's
//     comes at once) before parking it, as long as at most half the workers are doing so;
//   - the connection closes after the response when the request was refused for its framing, when
//     httplib did not consume exactly the request's bytes (a body the handler did not read: never parsed
//     as a request), on Connection: close / HTTP/1.0 / keep_alive_max; a close that may leave client
//     bytes unread lingers (FIN first, then what the client still sends is drained, parked, for at most
//     kLingerTime) so the client reads the response instead of a reset.
// TLS (tls_ctx non-null): the same, over OpenSSL on the non-blocking socket; the handshake is part of the
// first request's read_timeout.
//
// Lifecycle: Start() (the parker thread), then NewServingQueue() as httplib's new_task_queue: its workers
// serve what the parker hands over (Attach), and httplib's accept loop hands it each accepted socket,
// which goes to Adopt() (through process_and_close_socket) and is parked at once; the queue's shutdown()
// calls Stop(): parked connections close, requests in progress finish and their connections close.
//
// Thread-safety: every method from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/connection_parker.h"
#include "server/request_framing.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace httplib {
class Stream;
class TaskQueue;
class ThreadPool;
}  // namespace httplib

namespace vigie::serve {

struct Connection;

struct LoopOptions {
  std::chrono::milliseconds read_timeout{5000};        // a whole request, from its first byte
  std::chrono::milliseconds write_timeout{5000};       // a whole response
  std::chrono::milliseconds keep_alive_timeout{5000};  // idle (and new) connections
  size_t keep_alive_max = 10000;                       // requests per connection
  // After a response, how long a worker waits for the connection's next request before parking it (at
  // most half the workers at a time). 0: park at once. Measured (bench/serve_bench.sh data, wrk -c64,
  // alternating rounds): 0 gave 17.3k req/s, 20 ms 25.3k, 100 ms 22.5k, httplib's own loop 19.1k.
  std::chrono::microseconds next_request_wait{20000};
  FramingLimits framing;
  ConnectionParker::Limits parking;
  std::function<bool(std::string_view address)> uncapped;  // addresses without the per-client cap
};

// What the loop knows of the request being processed on this thread, for the router.
struct RequestFrame {
  int refused_status = 0;      // non-zero: answer this status (reason, message) and nothing else
  std::string_view reason;
  std::string_view message;
  bool has_body = false;       // the request carries a body: unless the route reads it, the connection closes
  bool closing = false;        // the connection closes after this response (httplib sends Connection: close)
};
// Null outside the loop's process_request calls.
const RequestFrame* CurrentRequestFrame();

class ConnectionLoop {
 public:
  using ProcessRequest = std::function<bool(httplib::Stream&, bool close_connection, bool& connection_closed)>;
  // A request the loop answered itself, its head never complete (431, 400): for the metrics.
  using Refused = std::function<void(int status)>;

  static constexpr std::chrono::milliseconds kLingerTime{2000};
  static constexpr size_t kMaxRequestsPerTurn = 64;  // pipelined requests served before yielding the worker

  ConnectionLoop(LoopOptions options, ProcessRequest process, Refused refused, SSL_CTX* tls_ctx);
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  Status Start();
  // Where ready connections are served, and how many workers (NewServingQueue).
  void Attach(httplib::ThreadPool* workers, size_t threads);
  void Stop();
  void Adopt(int fd);

  struct Stats {
    ConnectionParker::Stats parking;
    uint64_t open = 0;      // connections now
    uint64_t accepted = 0;  // since start
  };
  Stats stats() const;
  // Prometheus text for the stats (vigie_connections_*).
  std::string MetricsText() const;

 private:
  void Run(Connection* c);  // on a worker
  bool AwaitNextRequest(int fd);
  void Serve(Connection* c);
  bool Handshake(Connection* c);
  enum class FillResult { kWaitReadable, kWaitWritable, kFull, kEof, kError };
  FillResult Fill(Connection* c);
  bool Flush(Connection* c);
  void Answer(Connection* c, int status, std::string_view reason, std::string_view message);
  void FinishResponse(Connection* c, bool linger);
  void Linger(Connection* c);
  void Park(Connection* c, ConnectionParker::Wait wait, std::chrono::steady_clock::time_point deadline);
  void Close(Connection* c);
  void Dispatch(Connection* c);

  const LoopOptions options_;
  const ProcessRequest process_;
  const Refused refused_;
  SSL_CTX* const tls_ctx_;
  ConnectionParker parker_;
  std::atomic<httplib::ThreadPool*> workers_{nullptr};
  std::atomic<size_t> max_waiting_{0}, waiting_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> open_{0}, accepted_{0};
};

// httplib::Server::new_task_queue for a server whose connections `loop` runs: `threads` workers. Its
// shutdown() (the server stopped listening) stops the loop, then the workers once their jobs are done.
httplib::TaskQueue* NewServingQueue(ConnectionLoop* loop, size_t threads);

// Raises the soft limit on open descriptors to the hard limit (thousands of parked sockets); returns
// the soft limit now in force.
size_t RaiseOpenFileLimit();

}  // namespace vigie::serve
