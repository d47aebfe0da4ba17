// The connection loop inside a running server, over raw sockets: pipelining, idle and slow clients that
// hold no worker, per-request deadlines, smuggling and unread bodies closing the connection, lingering
// closes, 100-continue, blocked responses parked, per-client caps.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/index.h"
#include "server/connection_loop.h"
#include "server/running_server_test_util.h"
#include "tests/test_index.h"

namespace vigie::serve {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct EmptyIndex {
  testing::TempDir tmp;
  std::string dir = tmp.path();
  EmptyIndex() { REQUIRE(Index::Create(dir + "/index", {.scheme = SchemeId::kSha256, .prefix_hex = 4}).ok()); }
  ServeOptions Options() const {
    ServeOptions o;
    o.index_dir = dir + "/index";
    o.listen = "127.0.0.1:0";
    o.admin_listen = "127.0.0.1:0";
    o.threads = 2;
    o.access_log = false;
    o.rate_per_s = 0;
    return o;
  }
};

// A raw client socket.
struct Raw {
  int fd = -1;
  explicit Raw(int port, const char* source = nullptr) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    if (source != nullptr) {
      inet_pton(AF_INET, source, &addr.sin_addr);
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~Raw() {
    if (fd >= 0) ::close(fd);
  }
  void Send(std::string_view data) const {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      REQUIRE(n > 0);
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  // Reads until EOF (or an error, or `timeout`): everything the server sent, and whether it closed.
  std::string ReadAll(bool* closed, std::chrono::milliseconds timeout = 5000ms) const {
    std::string out;
    *closed = false;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      const int left =
          static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (::poll(&p, 1, std::max(1, left)) <= 0) break;
      char buf[65536];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        *closed = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Reads until `count` complete responses with Content-Length bodies have arrived.
  std::string ReadResponses(int count, std::chrono::milliseconds timeout = 5000ms) const {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && Responses(out) < count) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  bool OpenAndSilent() const {  // the server has neither closed it nor sent anything
    char c;
    const ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  static int Responses(const std::string& s) {
    int n = 0;
    size_t pos = 0;
    while ((pos = s.find("HTTP/1.1 ", pos)) != std::string::npos) {
      if (s.compare(pos + 9, 3, "100") != 0) ++n;
      pos += 9;
    }
    return n;
  }
};

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

TEST_CASE("loop: pipelined requests on one connection are all answered, in order") {
  EmptyIndex index;
  RunningServer rs(index.Options());
  Raw c(rs.server.port());
  c.Send(Get("/healthz") + Get("/readyz") + Get("/v1/index") + Get("/nope"));
  const std::string out = c.ReadResponses(4);
  REQUIRE(Raw::Responses(out) == 4);
  const size_t ok = out.find("{\"status\":\"ok\"}"), ready = out.find("\"ready\""), range = out.find("\"scheme\"");
  const size_t missing = out.find("route.unknown");
  CHECK(ok < ready);
  CHECK(ready < range);
  CHECK(range < missing);
  CHECK(missing != std::string::npos);
  CHECK(c.OpenAndSilent());  // kept alive
}

TEST_CASE("loop: idle, silent and half-sent connections hold no worker") {
  EmptyIndex index;
  ServeOptions o = index.Options();
  o.threads = 2;
  o.keep_alive_timeout_s = 60;
  o.read_timeout_s = 60;
  o.max_idle_per_client = 0;  // all from 127.0.0.1
  RunningServer rs(o);
  std::vector<std::unique_ptr<Raw>> hostile;
  for (int i = 0; i < 200; ++i) hostile.push_back(std::make_unique<Raw>(rs.server.port()));
  for (int i = 0; i < 50; ++i) {
    hostile.push_back(std::make_unique<Raw>(rs.server.port()));
    hostile.back()->Send("GET /healthz HT");
  }
  // Kept alive, then idle: one more kind.
  for (int i = 0; i < 20; ++i) {
    hostile.push_back(std::make_unique<Raw>(rs.server.port()));
    hostile.back()->Send(Get("/healthz"));
    REQUIRE(Raw::Responses(hostile.back()->ReadResponses(1)) == 1);
  }
  auto cli = rs.client();
  const auto start = Clock::now();
  for (int i = 0; i < 50; ++i) {
    auto res = cli.Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
  }
  CHECK(Clock::now() - start < 5s);  // with httplib's loop: never (2 workers, 270 held connections)
  int open = 0;
  for (const auto& h : hostile) open += h->OpenAndSilent() ? 1 : 0;
  CHECK(open == 270);
  CHECK(rs.server.metrics().requests(Route::kHealthz, 200) == 70);
}

TEST_CASE("loop: a request trickled in gets read_timeout in all, however often bytes arrive") {
  EmptyIndex index;
  ServeOptions o = index.Options();
  o.read_timeout_s = 1;
  RunningServer rs(o);
  Raw c(rs.server.port());
  const auto start = Clock::now();
  c.Send("GET /healthz HTTP/1.1\r\n");
  bool closed = false;
  while (Clock::now() - start < 4s && !closed) {
    if (send(c.fd, "X-A: b\r\n", 8, MSG_NOSIGNAL) <= 0) break;
    std::string got = c.ReadAll(&closed, 200ms);
    CHECK(got.empty());  // no answer to half a request
  }
  const auto elapsed = Clock::now() - start;
  CHECK(elapsed >= 1s);
  CHECK(elapsed < 1s + ConnectionParker::kTick + 1s);
}

TEST_CASE("loop: smuggling attempts get 400 and a closed connection, the smuggled request is never answered") {
  EmptyIndex index;
  RunningServer rs(index.Options());
  const std::string smuggled = Get("/readyz");
  const std::vector<std::string> attempts = {
      "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
      "POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length : 0\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: t\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n",
  };
  for (const std::string& attempt : attempts) {
    CAPTURE(attempt);
    Raw c(rs.server.port());
    c.Send(attempt + smuggled);
    bool closed = false;
    const std::string out = c.ReadAll(&closed);
    CHECK(closed);
    CHECK(Raw::Responses(out) == 1);
    CHECK(out.starts_with("HTTP/1.1 400"));
    CHECK(out.find("Connection: close") != std::string::npos);
    CHECK(out.find("\"reason\":\"request.framing\"") != std::string::npos);
    CHECK(out.find("ready") == std::string::npos);
  }
  CHECK(rs.server.metrics().requests(Route::kReadyz, 200) == 0);
}

TEST_CASE("loop: a body the route does not read closes the connection after the answer") {
  EmptyIndex index;
  RunningServer rs(index.Options());
  for (const std::string& request :
       {std::string("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 26\r\n\r\n") + Get("/readyz").substr(0, 26),
        std::string("GET /nope HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n") +
            Get("/readyz").substr(0, 26) + "\r\n0\r\n\r\n",
        std::string("DELETE /v1/breaches HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd")}) {
    CAPTURE(request);
    Raw c(rs.server.port());
    c.Send(request + Get("/readyz"));
    bool closed = false;
    const std::string out = c.ReadAll(&closed);
    CHECK(closed);
    CHECK(Raw::Responses(out) == 1);
    CHECK(out.find("Connection: close") != std::string::npos);
    CHECK(out.find("Keep-Alive") == std::string::npos);
  }
  CHECK(rs.server.metrics().requests(Route::kReadyz, 200) == 0);
}

TEST_CASE("loop: a large refused body still lets the client read its 413 (lingering close)") {
  EmptyIndex index;
  RunningServer rs(index.Options());
  Raw c(rs.server.port());
  const std::string body(4 << 20, 'x');
  std::thread sender([&] {
    c.Send("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    std::string_view rest = body;
    while (!rest.empty()) {  // the server drains for a while, then may reset: stop at the first error
      const ssize_t n = ::send(c.fd, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      rest.remove_prefix(static_cast<size_t>(n));
    }
  });
  bool closed = false;
  const std::string out = c.ReadAll(&closed);
  sender.join();
  CHECK(out.starts_with("HTTP/1.1 413"));
  CHECK(out.find("request.body") != std::string::npos);
}

TEST_CASE("loop: Expect: 100-continue gets its interim answer before the body is sent") {
  EmptyIndex index;
  RunningServer rs(index.Options());
  Raw c(rs.server.port());
  c.Send(
      "POST /v1/oprf/email/evaluate HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  bool closed = false;
  const std::string interim = c.ReadAll(&closed, 1000ms);
  CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
  c.Send("{}");
  const std::string out = c.ReadResponses(1);
  CHECK(out.find("oprf.scheme") != std::string::npos);  // not an oprf index: 404, after reading the body
  CHECK(c.OpenAndSilent());                             // the body was read: kept alive
  c.Send(Get("/healthz"));
  CHECK(Raw::Responses(c.ReadResponses(1)) == 1);
}

TEST_CASE("loop: a client that does not read its responses holds no worker") {
  EmptyIndex index;
  ServeOptions o = index.Options();
  o.threads = 1;
  RunningServer rs(o);
  Raw greedy(rs.server.port());
  int rcvbuf = 4096;
  setsockopt(greedy.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  std::string pipeline;
  for (int i = 0; i < 300; ++i) pipeline += Get("/v1/openapi.json");
  std::thread sender([&] { (void)::send(greedy.fd, pipeline.data(), pipeline.size(), MSG_NOSIGNAL); });
  std::this_thread::sleep_for(300ms);  // its responses fill both socket buffers
  auto cli = rs.client();
  const auto start = Clock::now();
  for (int i = 0; i < 10; ++i) {
    auto res = cli.Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
  }
  CHECK(Clock::now() - start < 2s);
  ::shutdown(greedy.fd, SHUT_RDWR);
  sender.join();
}

TEST_CASE("loop: per client address, the oldest parked connections go past the cap") {
  EmptyIndex index;
  ServeOptions o = index.Options();
  o.max_idle_per_client = 5;
  o.keep_alive_timeout_s = 60;
  RunningServer rs(o);
  std::vector<std::unique_ptr<Raw>> first, last;
  for (int i = 0; i < 5; ++i) first.push_back(std::make_unique<Raw>(rs.server.port(), "127.0.0.3"));
  std::this_thread::sleep_for(ConnectionParker::kTick * 2);
  for (int i = 0; i < 5; ++i) last.push_back(std::make_unique<Raw>(rs.server.port(), "127.0.0.3"));
  Raw other(rs.server.port(), "127.0.0.4");
  for (const auto& c : first) {
    bool closed = false;
    c->ReadAll(&closed, 3000ms);
    CHECK(closed);
  }
  for (const auto& c : last) CHECK(c->OpenAndSilent());
  CHECK(other.OpenAndSilent());
  other.Send(Get("/healthz"));
  CHECK(Raw::Responses(other.ReadResponses(1)) == 1);
}

}  // namespace
}  // namespace vigie::serve
