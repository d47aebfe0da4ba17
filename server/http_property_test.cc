// Property test of vigie-serve's HTTP layer against hostile framing (issue 15): seeded random requests
// mixing Range/If-Range, Content-Length (absent, right, wrong, huge, not a number, twice),
// Transfer-Encoding, Expect and X-Forwarded-For lines over the server's routes and methods, each on its own
// connection, as raw bytes. For every request, whatever the server answers:
//   - every response is well-formed HTTP/1.1, its body exactly its Content-Length;
//   - no response is partial (no 206, no Content-Range) or longer than the body it belongs to: a 200 GET
//     of a route carries exactly that route's body as a plain request gets it, a HEAD its length;
//   - the server still answers /healthz at the end.
// VIGIE_PROPERTY_SEED and VIGIE_PROPERTY_ROUNDS override the seed (default fixed) and the count (400).
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/index.h"
#include "server/running_server_test_util.h"
#include "tests/test_index.h"

namespace vigie::serve {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Sends `request`, half-closes, and reads everything until the server closes (or 5 s).
std::string Exchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may refuse and close before the whole request is sent
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string out;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Splits `raw` into responses; fails the test on anything that is not well-formed.
std::vector<Response> ParseResponses(std::string_view raw, bool head_request) {
  std::vector<Response> out;
  while (!raw.empty()) {
    const size_t end = raw.find("\r\n\r\n");
    REQUIRE_MESSAGE(end != std::string_view::npos, "a response without a complete head");
    std::string_view head = raw.substr(0, end);
    raw.remove_prefix(end + 4);
    REQUIRE(head.starts_with("HTTP/1.1 "));
    Response r;
    r.status = std::atoi(std::string(head.substr(9, 3)).c_str());
    for (size_t at = head.find("\r\n"); at != std::string_view::npos;) {
      const size_t next = head.find("\r\n", at + 2);
      std::string_view line =
          head.substr(at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
      const size_t colon = line.find(':');
      REQUIRE(colon != std::string_view::npos);
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[name] = std::string(value);
      at = next;
    }
    if (r.status >= 200 && r.status != 204 && r.status != 304) {
      REQUIRE(r.headers.count("content-length") == 1);
      const size_t length = std::stoul(r.headers["content-length"]);
      // A HEAD gets no body, but for the loop's own refusals (a head it could not read, answered before
      // the method is known; the connection then closes): take whatever follows.
      size_t take = length;
      if (head_request) take = r.status >= 400 ? std::min(length, raw.size()) : 0;
      REQUIRE(raw.size() >= take);
      r.body = std::string(raw.substr(0, take));
      raw.remove_prefix(take);
    }
    out.push_back(std::move(r));
  }
  return out;
}

struct Route {
  const char* method;
  const char* path;
};

TEST_CASE("HTTP property: hostile framing never yields a partial, oversized or malformed response") {
  const testing::TempDir tmp;  // declared before the server, which holds the index open
  const std::string& dir = tmp.path();
  REQUIRE(Index::Create(dir + "/index", {.scheme = SchemeId::kSha256, .prefix_hex = 4, .pad_responses = true}).ok());
  ServeOptions o;
  o.index_dir = dir + "/index";
  o.listen = "127.0.0.1:0";
  o.admin_listen = "";
  o.threads = 4;
  o.access_log = false;
  o.rate_per_s = 0;
  o.read_timeout_s = 1;
  o.keep_alive_timeout_s = 1;
  RunningServer rs(o);
  const int port = rs.server.port();

  const std::vector<Route> routes = {{"GET", "/v1/range/nir/abcd"},
                                     {"GET", "/v1/range/email/0000"},
                                     {"GET", "/healthz"},
                                     {"GET", "/v1/breaches"},
                                     {"GET", "/v1/index"},
                                     {"GET", "/"},
                                     {"HEAD", "/v1/range/nir/abcd"},
                                     {"HEAD", "/healthz"},
                                     {"GET", "/metrics"},
                                     {"POST", "/v1/oprf/nir/evaluate"},
                                     {"POST", "/v1/breaches"},
                                     {"OPTIONS", "/v1/range/nir/abcd"},
                                     {"GET", "/nope"}};
  // The whole body of every GET route, as a plain request gets it.
  std::map<std::string, std::string> reference;
  for (const Route& r : routes) {
    const std::string raw =
        Exchange(port, std::string("GET ") + r.path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    auto parsed = ParseResponses(raw, false);
    REQUIRE(parsed.size() == 1);
    reference[r.path] = parsed[0].body;
  }

  const std::vector<std::string> ranges = {"bytes=0-99999",
                                           "bytes=0-3",
                                           "bytes=-10",
                                           "bytes=68719476736-",
                                           "bytes=5-2",
                                           "bytes=0-0,2-3,9-1000",
                                           "lines=1-2",
                                           "bytes=18446744073709551615-",
                                           "bytes=0-1," + std::string(2000, '9')};
  const std::vector<std::string> xffs = {"10.0.0.1", "2001:db8::1",   "garbage", "1.2.3.4, 5.6.7.8",
                                         "",         "::ffff:1.2.3.4"};
  unsigned seed = 20261204;
  if (const char* s = std::getenv("VIGIE_PROPERTY_SEED")) seed = static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  int rounds = 400;
  if (const char* s = std::getenv("VIGIE_PROPERTY_ROUNDS")) rounds = std::atoi(s);
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  INFO("seed " << seed);

  for (int round = 0; round < rounds; ++round) {
    const Route& route = routes[pick(routes.size())];
    std::string head = std::string(route.method) + " " + route.path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
    if (chance(60)) head += "Range: " + ranges[pick(ranges.size())] + "\r\n";
    if (chance(15)) head += "If-Range: \"x\"\r\n";
    for (size_t n = pick(4); n > 0; --n) head += "X-Forwarded-For: " + xffs[pick(xffs.size())] + "\r\n";
    if (chance(20)) head += "Expect: " + std::string(chance(80) ? "100-continue" : "something-else") + "\r\n";
    std::string body;
    if (chance(40)) body = std::string(pick(80), 'b');
    switch (pick(7)) {
      case 0:
        break;  // no length at all
      case 1:
        head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        break;
      case 2:
        head += "Content-Length: " + std::to_string(body.size() + 1 + pick(10)) + "\r\n";
        break;  // short
      case 3:
        head += "Content-Length: 99999999999999999999\r\n";
        break;
      case 4:
        head += "Content-Length: 1x\r\n";
        break;
      case 5:
        head += "Content-Length: 3\r\nContent-Length: 3\r\n";
        break;
      case 6:
        head += chance(70) ? "Transfer-Encoding: chunked\r\n" : "Transfer-Encoding: gzip, chunked\r\n";
        if (!body.empty()) {
          char size[24];
          std::snprintf(size, sizeof size, "%zx", body.size());
          body = std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
        } else {
          body = chance(50) ? "0\r\n\r\n" : "zz\r\n";
        }
        break;
    }
    const std::string request = head + "\r\n" + body;
    CAPTURE(request);
    const bool head_request = std::string_view(route.method) == "HEAD";
    const std::string raw = Exchange(port, request);
    const std::vector<Response> responses = ParseResponses(raw, head_request);
    for (const Response& r : responses) {
      CHECK(r.status != 206);
      CHECK(r.headers.count("content-range") == 0);
      CHECK(r.status < 500);
      if (r.status == 200 && std::string_view(route.method) != "POST") {
        const std::string& whole = reference[route.path];
        if (head_request) {
          CHECK(std::stoul(r.headers.at("content-length")) == whole.size());
          CHECK(r.body.empty());
        } else {
          CHECK(r.body == whole);
        }
      }
    }
  }
  const auto health =
      ParseResponses(Exchange(port, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"), false);
  REQUIRE(health.size() == 1);
  CHECK(health[0].status == 200);
}

}  // namespace
}  // namespace vigie::serve
