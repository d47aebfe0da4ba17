// Connection: what the connection loop (server/connection_loop.h) keeps per client connection — the
// transport, the bytes read and not yet consumed, the response not yet sent, the framer, the timers, and
// what the head phase of the request in progress decided.
//
// Ownership: a Connection owns its transport (socket). Not thread-safe: one thread at a time holds a
// connection (a worker, or the parker while it is parked).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "server/connection_parker.h"
#include "server/http_message.h"
#include "server/request_framing.h"
#include "server/transport.h"

namespace vigie::serve {

struct Connection : ParkedSocket {
  using Clock = std::chrono::steady_clock;
  enum class Phase { kHandshake, kServing, kLingering };

  std::unique_ptr<Transport> transport;
  std::string peer_ip;
  Listener listener = Listener::kPublic;
  bool tls = false;
  Phase phase = Phase::kServing;

  std::string in;   // received, not yet consumed
  std::string out;  // response bytes not yet sent (heads, and small bodies copied in)
  size_t out_sent = 0;
  // A large body, sent after `out` straight from the response cache or the index state that owns it.
  std::shared_ptr<const void> out_body_owner;
  std::string_view out_body;
  size_t out_body_sent = 0;
  RequestFramer framer;
  bool in_request = false;          // a byte of the next request has arrived
  Clock::time_point request_start;  // ... when (the handshake: when accepted)
  Clock::time_point write_deadline;
  bool head_checked = false;   // the handler has seen this request's head (OnHead) and admitted it
  Admission admission;         // ... and what it decided
  bool continue_sent = false;  // 100 Continue sent for this request
  bool peer_closed = false;    // EOF read: what is buffered is served, then the connection closes
  bool close_after_flush = false;
  bool linger_after_flush = false;
  size_t requests = 0;
  size_t lingered = 0;  // bytes drained while lingering
  Clock::time_point linger_deadline;
};

}  // namespace vigie::serve
