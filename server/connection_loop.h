// ConnectionLoop: vigie-serve's per-connection loop. A worker only ever runs a request whose bytes have all
// arrived, so that idle or slow clients never hold one:
//   - bytes are read without blocking into a buffer kept per connection (pipelined requests survive), and
//     framed by RequestFramer (server/request_framing.h), which also refuses ambiguous framing;
//   - a connection that has nothing complete to serve — new, idle between requests, partway through a
//     request, or unable to take the rest of a response — is parked on the ConnectionParker
//     (server/connection_parker.h) and comes back to a worker when its socket is ready; the parker closes
//     it at its deadline: keep_alive_timeout when idle, read_timeout after the first byte of a request for
//     the whole request (a slow-loris trickle gets no more), write_timeout for a response, and evicts the
//     oldest when too many are parked in all or for one client address;
//   - once a request's head is complete but its body is not (or is too large to wait for), the handler's
//     head phase (RequestHandler::OnHead) runs first: routing, method, length and rate limits. A refusal is
//     answered at once and the body is never read (the connection closes); only an accepted head gets its
//     `100 Continue`, when it asked for one;
//   - a whole request is parsed (server/http_codec.h) and answered by RequestHandler::Handle; the response
//     is sent in one write (a large body from the buffer that owns it); then the worker waits up to
//     next_request_wait for the connection's next request (a busy client's comes at once) before parking
//     it, as long as at most half the workers are doing so;
//   - the connection closes after the response when the request was refused for its framing, on
//     Connection: close / HTTP/1.0 without keep-alive / keep_alive_max, or when the handler says so; a
//     close that may leave client bytes unread lingers (FIN first, then what the client still sends is
//     drained, parked, for at most kLingerTime) so the client reads the response instead of a reset.
// TLS (a context given, public listener only): the same, over OpenSSL on the non-blocking socket; the
// handshake is part of the first request's read_timeout.
//
// Lifecycle: Start() (the parker thread and the workers), Adopt() each accepted socket (parked at once),
// Stop(): parked connections close, requests in progress finish and their connections close.
//
// Thread-safety: every method from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/connection_parker.h"
#include "server/http_codec.h"
#include "server/http_message.h"
#include "server/request_framing.h"
#include "server/worker_pool.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace vigie::serve {

struct Connection;

// What the server does with requests. Called on worker threads, concurrently.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // The head of a request whose body has not all arrived (or is too large to wait for). A response
  // refuses it now (the body is never read; the connection closes); nullopt admits it: head.admission is
  // then carried to Handle with the whole request.
  virtual std::optional<HttpResponse> OnHead(HttpRequest& head) = 0;
  // A whole request; `response` starts as an empty 200.
  virtual void Handle(HttpRequest& request, HttpResponse& response) = 0;
  // A request the loop refused itself (its framing, a head too large, a parse failure): for the metrics.
  virtual void Refused(int status, Listener listener) = 0;
};

struct LoopOptions {
  size_t threads = 128;                                // workers: requests processed at once
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

class ConnectionLoop {
 public:
  static constexpr std::chrono::milliseconds kLingerTime{2000};
  static constexpr size_t kMaxRequestsPerTurn = 64;   // pipelined requests served before yielding the worker
  static constexpr size_t kCopyBodyBelow = 64 << 10;  // smaller bodies are copied after the head: one write

  // `handler` must outlive the loop. `tls_ctx` (may be null) applies to the public listener's connections.
  ConnectionLoop(LoopOptions options, RequestHandler* handler, SSL_CTX* tls_ctx);
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  Status Start();
  void Stop();
  // Takes an accepted non-blocking socket.
  void Adopt(int fd, Listener listener);

  struct Stats {
    ConnectionParker::Stats parking;
    uint64_t open = 0;      // connections now
    uint64_t accepted = 0;  // since start
  };
  Stats stats() const;
  // Prometheus text for the stats (vigie_connections_*).
  std::string MetricsText() const;

 private:
  void Run(Connection* c);  // hands the connection to a worker
  bool AwaitNextRequest(int fd);
  void Serve(Connection* c);
  bool Handshake(Connection* c);
  enum class FillResult { kWaitReadable, kWaitWritable, kFull, kEof, kError };
  FillResult Fill(Connection* c);
  bool Flush(Connection* c);
  // The head phase of a request whose body is still to come: false when it was refused (and answered).
  bool CheckHead(Connection* c, const Framing& f);
  void Answer(Connection* c, int status, std::string_view reason, std::string_view message);
  void Queue(Connection* c, const HttpResponse& res, const WriteOptions& options);
  void FinishResponse(Connection* c, bool linger);
  void Linger(Connection* c);
  void Park(Connection* c, ConnectionParker::Wait wait, std::chrono::steady_clock::time_point deadline);
  void Close(Connection* c);
  void Dispatch(Connection* c);
  bool AnswerRequest(Connection* c, const Framing& f);
  ParseLimits parse_limits() const;

  const LoopOptions options_;
  RequestHandler* const handler_;
  SSL_CTX* const tls_ctx_;
  ConnectionParker parker_;
  std::unique_ptr<WorkerPool> workers_;
  std::atomic<size_t> waiting_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> open_{0}, accepted_{0};
};

// Raises the soft limit on open descriptors to the hard limit (thousands of parked sockets); returns
// the soft limit now in force.
size_t RaiseOpenFileLimit();

}  // namespace vigie::serve
