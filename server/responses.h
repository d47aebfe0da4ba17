// How vigie-serve's routes fill an HttpResponse: JSON errors, plain bodies, and cacheable bodies with their
// validators (ETag, Last-Modified, conditional requests answered 304) and optional gzip. Every route goes
// through these, so CORS and caching headers are set one way everywhere.
//
// Pure functions; safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http_message.h"
#include "server/response_cache.h"

namespace vigie::serve {

inline constexpr const char* kJson = "application/json";
inline constexpr const char* kText = "text/plain";

void AddCors(HttpResponse& res);
// status, {"error":message,"reason":reason}, no-store, CORS.
void SendError(HttpResponse& res, int status, std::string_view reason, std::string_view message);
// The same for a Status the request caused (a bad prefix, an unknown name): its HTTP code
// (HttpStatusFor), reason and message. Not for internal failures, whose messages are not for clients.
void SendError(HttpResponse& res, const Status& error);
// A body of its own, or bytes kept alive by `owner`.
void SendBody(HttpResponse& res, std::string body, std::string_view content_type);
void SendBytes(HttpResponse& res, std::shared_ptr<const void> owner, std::string_view body,
               std::string_view content_type);

struct Cacheable {
  std::shared_ptr<const void> owner;  // keeps `body` (and the gzip form) alive
  std::string_view body;
  std::string_view etag;                 // strong tag of `body`
  const CachedResponse* gzip = nullptr;  // non-null: may be sent gzip-compressed (weak tag) when accepted
  std::string_view content_type;
  std::string_view last_modified;  // HTTP date, or empty
  bool vary_padding = false;       // the body depends on Add-Padding (Pwned Passwords)
};
// Cache-Control public with max_age_s, Last-Modified, Vary, ETag; 304 when If-None-Match (else
// If-Modified-Since) says the client has it.
void SendCacheable(const HttpRequest& req, HttpResponse& res, Cacheable body, int max_age_s);

}  // namespace vigie::serve
