// The HTTP/1.1 wire format of vigie-serve's requests and responses, through Boost.Beast's public parser
// and serializer (the only file that includes Beast). The connection loop (server/connection_loop.h) has
// already framed the bytes (server/request_framing.h: where a request ends, and the refusal of ambiguous
// framing); Beast turns them into an HttpRequest and an HttpResponse into bytes.
//
// Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http_message.h"

namespace vigie::serve {

struct ParseLimits {
  size_t max_head_bytes = 16 << 10;
  size_t max_body_bytes = 64 << 10;
};

// `bytes` is exactly one request as framed: its head, then its body as sent (chunked framing included).
// Fills every field of *out but peer, listener and admission. An error (reason "request.invalid") means
// the bytes are not one well-formed request.
Status ParseRequest(std::string_view bytes, const ParseLimits& limits, HttpRequest* out);
// The head alone (through the blank line), for a request whose body has not all arrived: *out gets
// everything but the body.
Status ParseRequestHead(std::string_view head, const ParseLimits& limits, HttpRequest* out);

struct WriteOptions {
  bool head_only = false;          // a HEAD request: the same fields, Content-Length of the full body, no body
  bool close = false;              // Connection: close
  bool http10_keep_alive = false;  // an HTTP/1.0 client kept alive: Connection: keep-alive
  bool omit_body = false;          // the caller sends the body bytes itself (after these)
};
// Appends the status line, res.headers, Content-Length (the body's whole size: ranges are never applied)
// and Connection, then the body when BodyIsSent and not omit_body.
void AppendResponse(const HttpResponse& res, const WriteOptions& options, std::string* out);
// Whether the body's bytes follow the head: not for HEAD, 1xx, 204 or 304.
bool BodyIsSent(const HttpResponse& res, const WriteOptions& options);

// The reason phrase of a status code ("Not Found").
std::string_view StatusReason(int status);

}  // namespace vigie::serve
