#include "server/connection_loop.h"

#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>

#include "server/connection.h"
#include "server/http_util.h"

namespace vigie::serve {

namespace {

using Clock = std::chrono::steady_clock;

std::string PeerAddress(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return std::string();
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) {
    return std::string();
  }
  return host;
}

bool ReadableWithin(int fd, std::chrono::microseconds wait) {
  pollfd p{fd, POLLIN, 0};
  const timespec ts{static_cast<time_t>(wait.count() / 1000000), static_cast<long>(wait.count() % 1000000) * 1000};
  return ::ppoll(&p, 1, &ts, nullptr) > 0;
}

}  // namespace

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

ConnectionLoop::ConnectionLoop(LoopOptions options, RequestHandler* handler, SSL_CTX* tls_ctx)
    : options_(std::move(options)),
      handler_(handler),
      tls_ctx_(tls_ctx),
      parker_(options_.parking,
              ConnectionParker::Callbacks{
                  [this](ParkedSocket* s) { Run(static_cast<Connection*>(s)); },
                  [this](ParkedSocket* s, ConnectionParker::Drop) { Close(static_cast<Connection*>(s)); }}) {}

ConnectionLoop::~ConnectionLoop() { Stop(); }

Status ConnectionLoop::Start() {
  workers_ = std::make_unique<WorkerPool>(std::max<size_t>(1, options_.threads));
  return parker_.Start();
}

void ConnectionLoop::Stop() {
  stopping_ = true;
  parker_.Stop();
  if (workers_) workers_->Shutdown();  // the jobs still queued run (and close their connections) first
}

ParseLimits ConnectionLoop::parse_limits() const {
  return ParseLimits{options_.framing.max_head_bytes, options_.framing.max_body_bytes};
}

bool ConnectionLoop::AwaitNextRequest(int fd) {
  if (options_.next_request_wait.count() <= 0) return false;
  // The other half of the workers stays free for what the parker hands over.
  const size_t limit = std::max<size_t>(1, options_.threads) / 2;
  if (waiting_.fetch_add(1, std::memory_order_relaxed) >= limit) {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  const bool readable = ReadableWithin(fd, options_.next_request_wait);
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  return readable;
}

void ConnectionLoop::Run(Connection* c) {
  if (!workers_ || !workers_->Enqueue([this, c] { Serve(c); })) Close(c);
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

void ConnectionLoop::Adopt(int fd, Listener listener) {
  const bool tls = tls_ctx_ != nullptr && listener == Listener::kPublic;
  std::unique_ptr<Transport> transport = tls ? Transport::Tls(fd, tls_ctx_) : Transport::Plain(fd);
  if (!transport) return;
  auto* c = new Connection();
  open_.fetch_add(1, std::memory_order_relaxed);
  accepted_.fetch_add(1, std::memory_order_relaxed);
  c->fd = fd;
  c->transport = std::move(transport);
  c->listener = listener;
  c->tls = tls;
  c->framer = RequestFramer(options_.framing);
  c->peer_ip = PeerAddress(fd);
  c->client = c->peer_ip;
  c->capped = !(options_.uncapped && options_.uncapped(c->peer_ip));
  c->phase = tls ? Connection::Phase::kHandshake : Connection::Phase::kServing;
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
        if (io.bytes < want && !c->tls) return FillResult::kWaitReadable;
        continue;
      case Io::kWantRead:
        return FillResult::kWaitReadable;
      case Io::kWantWrite:
        return FillResult::kWaitWritable;
      case Io::kEof:
        return FillResult::kEof;
      case Io::kError:
        return FillResult::kError;
    }
  }
  return FillResult::kFull;
}

bool ConnectionLoop::Flush(Connection* c) {
  for (;;) {
    const char* data;
    size_t left;
    size_t* sent;
    if (c->out_sent < c->out.size()) {
      data = c->out.data() + c->out_sent;
      left = c->out.size() - c->out_sent;
      sent = &c->out_sent;
    } else if (c->out_body_sent < c->out_body.size()) {
      data = c->out_body.data() + c->out_body_sent;
      left = c->out_body.size() - c->out_body_sent;
      sent = &c->out_body_sent;
    } else {
      break;
    }
    const Io io = c->transport->Write(data, left);
    if (io.kind == Io::kDone) {
      *sent += io.bytes;
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
  c->out_body_owner.reset();
  c->out_body = {};
  c->out_body_sent = 0;
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

void ConnectionLoop::Queue(Connection* c, const HttpResponse& res, const WriteOptions& options) {
  WriteOptions w = options;
  const bool by_reference = BodyIsSent(res, w) && res.body_size() >= kCopyBodyBelow;
  w.omit_body = by_reference;
  AppendResponse(res, w, &c->out);
  if (by_reference) {
    c->out_body_owner = res.body_owner;
    c->out_body = res.body;
    c->out_body_sent = 0;
  }
  c->write_deadline = Clock::now() + options_.write_timeout;
}

// A refusal the loop answers itself (framing, an unparsable head): the connection closes after it.
void ConnectionLoop::Answer(Connection* c, int status, std::string_view reason, std::string_view message) {
  handler_->Refused(status, c->listener);
  HttpResponse res;
  res.status = status;
  res.headers = {
      {"Access-Control-Allow-Origin", "*"}, {"Cache-Control", "no-store"}, {"Content-Type", "application/json"}};
  res.SetBody(JsonError(message, reason));
  Queue(c, res, WriteOptions{.close = true});
  c->close_after_flush = true;
  c->linger_after_flush = true;
  if (Flush(c)) FinishResponse(c, true);
}

bool ConnectionLoop::CheckHead(Connection* c, const Framing& f) {
  HttpRequest head;
  if (Status s = ParseRequestHead(std::string_view(c->in).substr(0, f.head_bytes), parse_limits(), &head); !s.ok()) {
    Answer(c, 400, s.reason(), s.message());
    return false;
  }
  head.peer = c->peer_ip;
  head.listener = c->listener;
  c->head_checked = true;
  std::optional<HttpResponse> refusal = handler_->OnHead(head);
  if (refusal) {
    // The body is never read: answer, then close (lingering over what the client still sends).
    Queue(c, *refusal, WriteOptions{.head_only = head.method == "HEAD", .close = true});
    c->close_after_flush = true;
    c->linger_after_flush = true;
    if (Flush(c)) FinishResponse(c, true);
    return false;
  }
  c->admission = std::move(head.admission);
  if (f.expect_continue && !c->continue_sent) {
    c->continue_sent = true;
    c->out.append("HTTP/1.1 100 Continue\r\n\r\n");
    c->write_deadline = Clock::now() + options_.write_timeout;
    c->close_after_flush = false;
    if (!Flush(c)) return false;
  }
  return true;
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
  if (c->out_sent < c->out.size() ||
      c->out_body_sent < c->out_body.size()) {  // a response (or 100 Continue) that could not be sent at once
    if (!Flush(c)) return;
    if (c->close_after_flush) {
      FinishResponse(c, c->linger_after_flush);
      return;
    }
  }
  Dispatch(c);
}

// A whole request of the connection's buffer: parsed, handled, answered, consumed. False when the
// connection is no longer this worker's (parked to send the rest, or closed).
bool ConnectionLoop::AnswerRequest(Connection* c, const Framing& f) {
  HttpRequest req;
  if (Status s = ParseRequest(std::string_view(c->in).substr(0, f.total_bytes), parse_limits(), &req); !s.ok()) {
    Answer(c, 400, s.reason(), s.message());
    return false;
  }
  req.peer = c->peer_ip;
  req.listener = c->listener;
  req.admission = std::move(c->admission);
  HttpResponse res;
  handler_->Handle(req, res);
  const bool closing = res.close || !req.keep_alive || c->requests + 1 >= options_.keep_alive_max || stopping_;
  Queue(c, res,
        WriteOptions{
            .head_only = req.method == "HEAD", .close = closing, .http10_keep_alive = req.version == 10 && !closing});
  c->in.erase(0, f.total_bytes);
  c->framer.Reset();
  c->requests++;
  c->head_checked = false;
  c->admission = Admission();
  c->continue_sent = false;
  c->in_request = !c->in.empty();
  if (c->in_request) c->request_start = Clock::now();
  c->close_after_flush = closing;
  c->linger_after_flush = false;
  if (!Flush(c)) return false;
  if (c->close_after_flush) {
    FinishResponse(c, c->linger_after_flush);
    return false;
  }
  return true;
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
      if (f.head_bytes > 0 && !c->head_checked && !CheckHead(c, f)) return;
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
    if (f.state == Framing::kRefused) {
      Answer(c, f.status, f.reason, f.message);
      return;
    }
    if (!f.body_buffered) {
      // A Content-Length larger than any body the server waits for: the head phase answers (413, with
      // the route's own message), the body is never read.
      if (!c->head_checked && !CheckHead(c, f)) return;
      Answer(c, 413, "request.body", "the request body is too large");
      return;
    }

    if (!AnswerRequest(c, f)) return;
    if (served + 1 >= kMaxRequestsPerTurn && !c->in.empty()) {
      // Pipelined requests keep coming: let the other connections have a worker too.
      Run(c);
      return;
    }
    if (c->in.empty() && !c->transport->HasBuffered() && !c->peer_closed) {
      // The usual case: the client waits for this response before it sends more. A busy client's next
      // request comes soon: while workers are plentiful, wait for it here a little — handing each request
      // over through the parker costs a thread switch, which on a loaded machine shows in throughput.
      // Past that wait, or without a spare worker, park.
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
