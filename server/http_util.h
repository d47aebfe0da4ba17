// Small HTTP helpers of vigie-serve: conditional requests, HTTP dates, Accept-Encoding, JSON error bodies,
// listen addresses, gzip. Pure functions; safe from any thread.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigie::serve {

// Whether an If-None-Match header value matches `etag` ("*", a list, weak or strong tags; RFC 9110's weak
// comparison, which is the one GET uses).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and its parser (false on anything else).
std::string HttpDate(std::time_t t);
bool ParseHttpDate(std::string_view text, std::time_t* t);

// Whether Accept-Encoding allows gzip (present, and not with q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// gzip (RFC 1952) of `data`, deterministic (no timestamp, no file name).
std::string Gzip(std::string_view data);

// {"error":"<message>","reason":"<reason>"}
std::string JsonError(std::string_view message, std::string_view reason);

struct ListenAddress {
  std::string host;
  int port = 0;
};
// "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces); port 0..65535.
Result<ListenAddress> ParseListen(std::string_view text);

}  // namespace vigie::serve
