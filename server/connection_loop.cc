#include "server/connection_loop.h"

#include <httplib.h>
#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>

#include "server/connection_stream.h"
#include "server/http_util.h"

namespace vigie::serve {

namespace {

using Clock = std::chrono::steady_clock;

thread_local const RequestFrame* t_frame = nullptr;

void Address(int fd, bool peer, std::string* ip, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                     : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (r != 0) return;
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  // As httplib itself does, so that req.remote_addr reads the same.
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    *ip = host;
    *port = std::atoi(serv);
  }
}

bool ReadableWithin(int fd, std::chrono::microseconds wait) {
  pollfd p{fd, POLLIN, 0};
  const timespec ts{static_cast<time_t>(wait.count() / 1000000), static_cast<long>(wait.count() % 1000000) * 1000};
  return ::ppoll(&p, 1, &ts, nullptr) > 0;
}

const char* StatusText(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
  }
}

// httplib's task queue: its accept loop "enqueues" each accepted socket, which is parked on the spot
// (process_and_close_socket -> Adopt, cheap) instead of waiting for a worker; the workers run what the
// parker hands over.
class ServingQueue final : public httplib::TaskQueue {
 public:
  ServingQueue(ConnectionLoop* loop, size_t threads) : pool_(threads), loop_(loop) { loop_->Attach(&pool_, threads); }
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {
    loop_->Stop();
    pool_.shutdown();  // the jobs still queued run (and close their connections) first
    loop_->Attach(nullptr, 0);
  }

 private:
  httplib::ThreadPool pool_;
  ConnectionLoop* loop_;
};

}  // namespace

const RequestFrame* CurrentRequestFrame() { return t_frame; }

httplib::TaskQueue* NewServingQueue(ConnectionLoop* loop, size_t threads) { return new ServingQueue(loop, threads); }

size_t RaiseOpenFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? size_t{1} << 20 : static_cast<size_t>(lim.rlim_cur);
}

ConnectionLoop::ConnectionLoop(LoopOptions options, ProcessRequest process, Refused refused, SSL_CTX* tls_ctx)
    : options_(std::move(options)),
      process_(std::move(process)),
      refused_(std::move(refused)),
      tls_ctx_(tls_ctx),
      parker_(options_.parking,
              ConnectionParker::Callbacks{
                  [this](ParkedSocket* s) { Run(static_cast<Connection*>(s)); },
                  [this](ParkedSocket* s, ConnectionParker::Drop) { Close(static_cast<Connection*>(s)); }}) {}

ConnectionLoop::~ConnectionLoop() { Stop(); }

Status ConnectionLoop::Start() { return parker_.Start(); }

void ConnectionLoop::Attach(httplib::ThreadPool* workers, size_t threads) {
  max_waiting_.store(threads / 2);  // the other half stays free for what the parker hands over
  workers_.store(workers);
}

bool ConnectionLoop::AwaitNextRequest(int fd) {
  if (options_.next_request_wait.count() <= 0) return false;
  const size_t limit = max_waiting_.load(std::memory_order_relaxed);
  if (waiting_.fetch_add(1, std::memory_order_relaxed) >= limit) {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  const bool readable = ReadableWithin(fd, options_.next_request_wait);
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  return readable;
}

void ConnectionLoop::Run(Connection* c) {
  httplib::ThreadPool* workers = workers_.load();
  if (workers == nullptr) {
    Close(c);
    return;
  }
  workers->enqueue([this, c] { Serve(c); });
}

void ConnectionLoop::Stop() {
  stopping_ = true;
  parker_.Stop();
}

ConnectionLoop::Stats ConnectionLoop::stats() const {
  Stats s;
  s.parking = parker_.stats();
  s.open = open_.load(std::memory_order_relaxed);
  s.accepted = accepted_.load(std::memory_order_relaxed);
  return s;
}

std::string ConnectionLoop::MetricsText() const {
  const Stats s = stats();
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "# HELP vigie_connections_open Client connections open (served, parked or queued).\n"
                "# TYPE vigie_connections_open gauge\nvigie_connections_open %llu\n"
                "# HELP vigie_connections_parked Connections waiting on their client without a worker.\n"
                "# TYPE vigie_connections_parked gauge\nvigie_connections_parked %llu\n"
                "# HELP vigie_connections_accepted_total Connections accepted.\n"
                "# TYPE vigie_connections_accepted_total counter\nvigie_connections_accepted_total %llu\n"
                "# HELP vigie_connections_closed_total Parked connections closed by the server, by reason.\n"
                "# TYPE vigie_connections_closed_total counter\n"
                "vigie_connections_closed_total{reason=\"timeout\"} %llu\n"
                "vigie_connections_closed_total{reason=\"parked_cap\"} %llu\n"
                "vigie_connections_closed_total{reason=\"client_cap\"} %llu\n",
                static_cast<unsigned long long>(s.open), static_cast<unsigned long long>(s.parking.parked),
                static_cast<unsigned long long>(s.accepted), static_cast<unsigned long long>(s.parking.timed_out),
                static_cast<unsigned long long>(s.parking.evicted),
                static_cast<unsigned long long>(s.parking.client_evicted));
  return buf;
}

void ConnectionLoop::Adopt(int fd) {
  std::unique_ptr<Transport> transport = tls_ctx_ ? Transport::Tls(fd, tls_ctx_) : Transport::Plain(fd);
  if (!transport) return;
  auto* c = new Connection();
  open_.fetch_add(1, std::memory_order_relaxed);
  accepted_.fetch_add(1, std::memory_order_relaxed);
  c->fd = fd;
  c->transport = std::move(transport);
  c->framer = RequestFramer(options_.framing);
  Address(fd, true, &c->peer_ip, &c->peer_port);
  Address(fd, false, &c->local_ip, &c->local_port);
  c->client = c->peer_ip;
  c->capped = !(options_.uncapped && options_.uncapped(c->peer_ip));
  c->phase = tls_ctx_ ? Connection::Phase::kHandshake : Connection::Phase::kServing;
  // Parked until its first bytes (the client hello, for TLS) arrive.
  Park(c, ConnectionParker::Wait::kReadable, Clock::now() + options_.keep_alive_timeout);
}

void ConnectionLoop::Close(Connection* c) {
  open_.fetch_sub(1, std::memory_order_relaxed);
  delete c;  // the transport closes the socket, which also leaves the epoll set
}

void ConnectionLoop::Park(Connection* c, ConnectionParker::Wait wait, Clock::time_point deadline) {
  if (stopping_ || deadline <= Clock::now()) {
    Close(c);
    return;
  }
  parker_.Park(c, wait, deadline);
}

bool ConnectionLoop::Handshake(Connection* c) {
  if (!c->in_request) {  // the first bytes of the handshake: it gets read_timeout in all from now
    c->in_request = true;
    c->request_start = Clock::now();
  }
  const Io io = c->transport->Handshake();
  if (io.kind == Io::kDone) {
    c->in_request = false;  // the first request's own clock starts with its first byte
    c->phase = Connection::Phase::kServing;
    return true;
  }
  if (io.kind == Io::kWantRead || io.kind == Io::kWantWrite) {
    Park(c, io.kind == Io::kWantRead ? ConnectionParker::Wait::kReadable : ConnectionParker::Wait::kWritable,
         c->request_start + options_.read_timeout);
  } else {
    Close(c);
  }
  return false;
}

// Reads what the socket has, up to what one request may need.
ConnectionLoop::FillResult ConnectionLoop::Fill(Connection* c) {
  const size_t cap = options_.framing.max_head_bytes + options_.framing.max_body_bytes + 16384;
  char buf[16384];
  while (c->in.size() < cap) {
    const size_t want = std::min(sizeof buf, cap - c->in.size());
    const Io io = c->transport->Read(buf, want);
    switch (io.kind) {
      case Io::kDone:
        c->in.append(buf, io.bytes);
        // A short plain read emptied the socket: no second call just to hear EAGAIN.
        if (io.bytes < want && !tls_ctx_) return FillResult::kWaitReadable;
        continue;
      case Io::kWantRead: return FillResult::kWaitReadable;
      case Io::kWantWrite: return FillResult::kWaitWritable;
      case Io::kEof: return FillResult::kEof;
      case Io::kError: return FillResult::kError;
    }
  }
  return FillResult::kFull;
}

bool ConnectionLoop::Flush(Connection* c) {
  while (c->out_sent < c->out.size()) {
    const Io io = c->transport->Write(c->out.data() + c->out_sent, c->out.size() - c->out_sent);
    if (io.kind == Io::kDone) {
      c->out_sent += io.bytes;
      continue;
    }
    if ((io.kind == Io::kWantRead || io.kind == Io::kWantWrite) && Clock::now() < c->write_deadline) {
      Park(c, io.kind == Io::kWantRead ? ConnectionParker::Wait::kReadable : ConnectionParker::Wait::kWritable,
           c->write_deadline);
    } else {
      Close(c);
    }
    return false;
  }
  c->out_sent = 0;
  if (c->out.capacity() > (64 << 10)) {
    std::string().swap(c->out);
  } else {
    c->out.clear();
  }
  return true;
}

// After the last response: a plain close when the client has nothing more in flight; otherwise FIN
// first and drain what it still sends, so that its unread bytes do not turn the close into a reset that
// could destroy the response before the client reads it.
void ConnectionLoop::FinishResponse(Connection* c, bool linger) {
  if (!linger && c->in.empty()) {
    c->transport->ShutdownWrite();
    Close(c);
    return;
  }
  c->transport->ShutdownWrite();
  c->phase = Connection::Phase::kLingering;
  c->linger_deadline = Clock::now() + kLingerTime;
  std::string().swap(c->in);
  Linger(c);
}

void ConnectionLoop::Linger(Connection* c) {
  const Io io = c->transport->DiscardRead(256 << 10);
  c->lingered += io.bytes;
  if (io.kind == Io::kWantRead && c->lingered < (1 << 20) && Clock::now() < c->linger_deadline) {
    Park(c, ConnectionParker::Wait::kReadable, c->linger_deadline);
    return;
  }
  Close(c);
}

// A refusal the loop writes itself: the head never completed, so httplib has nothing to parse.
void ConnectionLoop::Answer(Connection* c, int status, std::string_view reason, std::string_view message) {
  if (refused_) refused_(status);
  const std::string body = JsonError(message, reason);
  char head[512];
  std::snprintf(head, sizeof head,
                "HTTP/1.1 %d %s\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-store\r\n"
                "Connection: close\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                status, StatusText(status), body.size());
  c->out.append(head);
  c->out += body;
  c->write_deadline = Clock::now() + options_.write_timeout;
  c->close_after_flush = true;
  c->linger_after_flush = true;
  if (Flush(c)) FinishResponse(c, true);
}

void ConnectionLoop::Serve(Connection* c) {
  if (stopping_) {
    Close(c);
    return;
  }
  if (c->phase == Connection::Phase::kLingering) {
    Linger(c);
    return;
  }
  if (c->phase == Connection::Phase::kHandshake && !Handshake(c)) return;
  if (c->out_sent < c->out.size()) {  // a response (or 100 Continue) that could not be sent at once
    if (!Flush(c)) return;
    if (c->close_after_flush) {
      FinishResponse(c, c->linger_after_flush);
      return;
    }
  }
  Dispatch(c);
}

void ConnectionLoop::Dispatch(Connection* c) {
  for (size_t served = 0;; ++served) {
    const FillResult fill = c->peer_closed ? FillResult::kEof : Fill(c);
    if (fill == FillResult::kError) {
      Close(c);
      return;
    }
    if (fill == FillResult::kEof) c->peer_closed = true;  // requests already received are still answered
    if (!c->in_request && !c->in.empty()) {
      c->in_request = true;
      c->request_start = Clock::now();
    }
    if (const size_t skip = LeadingEmptyLineBytes(c->in); skip > 0) c->in.erase(0, skip);
    Framing f = c->in.empty() ? Framing() : c->framer.Frame(c->in);
    if (f.state == Framing::kIncomplete) {
      if (c->peer_closed) {  // the client left, idle or midway through a request
        Close(c);
        return;
      }
      if (fill == FillResult::kFull) {  // chunk framing overhead beyond any acceptable body
        Answer(c, 413, "request.body", "the request body is too large");
        return;
      }
      if (f.expect_continue && !c->continue_sent) {
        c->continue_sent = true;
        c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
        c->write_deadline = Clock::now() + options_.write_timeout;
        c->close_after_flush = false;
        if (!Flush(c)) return;
      }
      if (c->transport->HasBuffered()) continue;  // TLS bytes already decrypted
      const auto wait_for =
          fill == FillResult::kWaitWritable ? ConnectionParker::Wait::kWritable : ConnectionParker::Wait::kReadable;
      if (!c->in_request) {
        if (c->in.capacity() > 4096) std::string().swap(c->in);  // idle: hold no buffer
        Park(c, wait_for, Clock::now() + options_.keep_alive_timeout);
      } else {
        Park(c, wait_for, c->request_start + options_.read_timeout);
      }
      return;
    }
    if (f.state == Framing::kRefused && f.head_bytes == 0) {
      Answer(c, f.status, f.reason, f.message);
      return;
    }

    // A whole request, or a refused one with a complete head (the router answers it, so that it is
    // counted and logged like any other): httplib parses it from the buffer.
    const bool refused = f.state == Framing::kRefused;
    const bool closing = refused || c->requests + 1 >= options_.keep_alive_max || stopping_;
    RequestFrame frame;
    frame.refused_status = refused ? f.status : 0;
    frame.reason = f.reason;
    frame.message = f.message;
    frame.has_body = f.has_body;
    frame.closing = closing;
    c->write_deadline = Clock::now() + options_.write_timeout;
    ConnectionStream stream(*c, c->request_start + options_.read_timeout, c->write_deadline);
    bool closed = false;
    t_frame = &frame;
    const bool ok = process_(stream, closing, closed);
    t_frame = nullptr;
    const size_t consumed = std::min(stream.consumed(), c->in.size());
    // httplib must have read exactly this request: anything else (a body the route did not read, a head
    // it could not parse) leaves the following bytes unframed.
    const bool framed = !refused && consumed == f.total_bytes;
    c->in.erase(0, consumed);
    c->framer.Reset();
    c->requests++;
    c->continue_sent = false;
    c->in_request = !c->in.empty();
    if (c->in_request) c->request_start = Clock::now();
    c->close_after_flush = !ok || closed || closing || !framed || stream.failed();
    c->linger_after_flush = !framed || stream.failed();
    if (!Flush(c)) return;
    if (c->close_after_flush) {
      FinishResponse(c, c->linger_after_flush);
      return;
    }
    if (served + 1 >= kMaxRequestsPerTurn && !c->in.empty()) {
      // Pipelined requests keep coming: let the other connections have a worker too.
      Run(c);
      return;
    }
    if (c->in.empty() && !c->transport->HasBuffered() && !c->peer_closed) {
      // The usual case: the client waits for this response before it sends more. A busy client's next
      // request comes soon: while workers are plentiful, wait for it here a little (as httplib's loop
      // did, without a bound) — handing each request over through the parker costs a thread switch,
      // which on a loaded machine shows in throughput. Past that wait, or without a spare worker, park.
      if (AwaitNextRequest(c->fd)) continue;
      // Park without another read: epoll reports at once a request that is already there.
      c->framer.Reset();
      if (c->in.capacity() > 4096) std::string().swap(c->in);
      Park(c, ConnectionParker::Wait::kReadable, Clock::now() + options_.keep_alive_timeout);
      return;
    }
  }
}

}  // namespace vigie::serve
