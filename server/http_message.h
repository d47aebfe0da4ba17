// HttpRequest and HttpResponse: one HTTP/1.1 exchange as vigie-serve's routes see it, independent of the
// library that parses and writes the bytes (server/http_codec.h, Boost.Beast).
//
// A request's header values are kept exactly as sent (never percent-decoded): API keys, ETags and
// forwarding headers are compared on the raw bytes. Only the path is percent-decoded, once, for routing.
// No route ever serves partial content: Range and If-Range are not read by anything.
//
// Plain values; not thread-safe (one request is handled by one thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::serve {

struct HttpHeader {
  std::string name;
  std::string value;
};

// Which listening socket a connection came through.
enum class Listener : uint8_t {
  kPublic,  // the API, the page (--listen)
  kAdmin,   // operator routes such as /metrics (--admin-listen, loopback by default)
};

// What the server's head phase decided about a request's sender (API key, rate buckets), carried by the
// connection loop from the head of a request whose body had not arrived yet to the whole request, so that
// nothing is charged twice.
struct Admission {
  bool done = false;                        // the head phase ran and admitted the request
  bool keyed = false;                       // an API key was presented and found
  std::string key_id;                       // keyed: the key's rate-bucket label (a digest prefix)
  std::optional<uint32_t> oprf_per_minute;  // keyed: its evaluation limit (nullopt: unlimited)
  std::string client;                       // the client address (ClientAddress), once computed
};

struct HttpRequest {
  std::string method;               // as sent: "GET", "POST", ...
  std::string target;               // the request-target as sent
  std::string path;                 // the target's path, percent-decoded (invalid escapes kept as they are)
  std::string query;                // after '?', as sent
  int version = 11;                 // 10 or 11
  bool keep_alive = true;           // what the client asked for (Connection, version)
  std::vector<HttpHeader> headers;  // in the order sent, names as sent
  std::string body;                 // decoded (chunked framing removed)
  bool has_body = false;            // the request was framed with a body (Content-Length > 0 or chunked)
  std::string peer;                 // the socket's peer address
  Listener listener = Listener::kPublic;
  Admission admission;

  // First field line with this name (case-insensitive), or "" when there is none.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // Every field line with this name, joined with ", " in the order received (RFC 9110 §5.3: a list
  // field sent on several lines is the same as one line with the values comma-separated).
  std::string HeaderList(std::string_view name) const;
  // The value of a query parameter, percent-decoded ('+' as a space); nullopt when absent.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<HttpHeader> headers;  // without Content-Length and Connection (the writer sets those)
  // The body: bytes owned by body_owner (the response cache, the index state, or a string of this
  // response), which keeps them alive until they are sent. Empty: no body.
  std::shared_ptr<const void> body_owner;
  std::string_view body;
  bool close = false;  // close the connection after this response

  // Replaces every field of that name (case-insensitive) with one line.
  void Set(std::string_view name, std::string value);
  void Remove(std::string_view name);
  std::string_view Get(std::string_view name) const;
  size_t body_size() const { return body.size(); }
  // Takes `bytes` as the body, owned by this response.
  void SetBody(std::string bytes);
  // The body is `bytes`, kept alive by `owner`.
  void SetBody(std::shared_ptr<const void> owner, std::string_view bytes) {
    body_owner = std::move(owner);
    body = bytes;
  }
};

// Percent-decodes `text`; a '%' not followed by two hex digits is kept as it is. With plus_as_space,
// '+' decodes to ' ' (query strings).
std::string PercentDecode(std::string_view text, bool plus_as_space);

// ASCII case-insensitive equality (field names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace vigie::serve
