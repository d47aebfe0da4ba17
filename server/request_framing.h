// Request framing: where one HTTP/1.1 request ends in the bytes received on a connection, decided before
// cpp-httplib parses it, and the refusal of every request whose framing two HTTP implementations could
// read differently (request smuggling: RFC 9112 §6.3, §11.2).
//
// The connection loop (server/connection_loop.h) reads a connection's bytes without blocking and hands a
// request to a worker only once the framer says it is complete, so that no worker waits on a slow client;
// it then checks that httplib consumed exactly `total_bytes`, and closes the connection otherwise (a body
// the handler did not read is never parsed as a request).
//
// Refused (400 unless stated; the connection is closed after the answer):
//   - both Content-Length and Transfer-Encoding; several Content-Length fields (even equal ones); a
//     Content-Length that is not 1*DIGIT; a Transfer-Encoding other than exactly `chunked` (any case), or
//     several; Transfer-Encoding on an HTTP/1.0 request;
//   - a bare CR or LF, NUL or another control byte in the head; whitespace between a field name and its
//     colon; a field line without a colon or with a name that is not a token; obs-fold continuation lines;
//     a request line that is not `TOKEN SP TARGET SP HTTP/1.x`;
//   - a malformed chunked body (size line, CRLF after the data; trailers, which cpp-httplib cannot read);
//   - a head larger than max_head_bytes (431); a chunked body decoding to more than max_body_bytes (413).
// A Content-Length above max_body_bytes is complete at once with `body_buffered` false: the router refuses
// it (413) without reading it, and the connection closes.
//
// Incremental: each call gets all the bytes of the request received so far and resumes where the previous
// call stopped, so a client trickling bytes costs linear, not quadratic, work.
//
// Not thread-safe: one framer per connection, used by the thread serving it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigie::serve {

struct FramingLimits {
  size_t max_head_bytes = 16 << 10;  // request line, fields and the blank line
  size_t max_body_bytes = 64 << 10;  // the largest body the server waits for (decoded, for chunked)
};

struct Framing {
  enum State {
    kIncomplete,  // more bytes are needed
    kComplete,    // one whole request: head_bytes, then its body, total_bytes in all
    kRefused,     // answer `status` and close; head_bytes is 0 when the head itself never completed
  };
  State state = kIncomplete;
  size_t head_bytes = 0;
  size_t total_bytes = 0;        // kComplete: head and body as sent (chunked: with the chunk framing)
  bool has_body = false;         // Content-Length above 0, or chunked
  bool body_buffered = true;     // kComplete: false when the body was too large to wait for
  bool expect_continue = false;  // the head is complete and asks for 100-continue before its body
  int status = 0;                // kRefused: 400, 413 or 431
  std::string_view reason;       // kRefused: the JSON error reason (static storage)
  std::string_view message;      // kRefused: the human message (static storage)
};

class RequestFramer {
 public:
  explicit RequestFramer(FramingLimits limits = {}) : limits_(limits) {}

  // `bytes`: everything received since the first byte of the request (each call: the same bytes, and
  // possibly more). Once kComplete or kRefused, the framer must be Reset before the next request.
  Framing Frame(std::string_view bytes);
  void Reset();

  const FramingLimits& limits() const { return limits_; }

 private:
  Framing ParseHead(std::string_view head);
  Framing FrameChunked(std::string_view bytes);

  FramingLimits limits_;
  size_t scanned_ = 0;  // head bytes already checked
  Framing head_;        // once the head is complete: what it says (state kIncomplete until then)
  uint64_t content_length_ = 0;
  bool chunked_ = false;
  size_t chunk_at_ = 0;   // chunked: offset of the next chunk-size line
  uint64_t decoded_ = 0;  // chunked: body bytes so far
};

// Bytes of empty lines (CRLF pairs) at the start of `bytes`: RFC 9112 §2.2 lets a server skip them before a
// request line (some clients send one after a body).
size_t LeadingEmptyLineBytes(std::string_view bytes);

}  // namespace vigie::serve
