// ConnectionParker on socketpairs: readiness hands a socket back, deadlines and caps drop it (oldest first).
#include "server/connection_parker.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigie::serve {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionParker::Clock;

struct Pair {
  ParkedSocket socket;
  int peer = -1;
  Pair(std::string client, bool capped = true) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
    socket.fd = fds[0];
    peer = fds[1];
    socket.client = std::move(client);
    socket.capped = capped;
  }
  ~Pair() {
    if (socket.fd >= 0) ::close(socket.fd);
    ::close(peer);
  }
};

// Records the parker's callbacks; `drop` closes the socket as the connection loop does.
struct Harness {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ParkedSocket*> ready;
  std::vector<std::pair<ParkedSocket*, ConnectionParker::Drop>> dropped;
  ConnectionParker parker;

  explicit Harness(ConnectionParker::Limits limits)
      : parker(limits, ConnectionParker::Callbacks{[this](ParkedSocket* s) {
                                                     std::lock_guard<std::mutex> lock(mu);
                                                     ready.push_back(s);
                                                     cv.notify_all();
                                                   },
                                                   [this](ParkedSocket* s, ConnectionParker::Drop why) {
                                                     std::lock_guard<std::mutex> lock(mu);
                                                     ::close(s->fd);
                                                     s->fd = -1;
                                                     dropped.emplace_back(s, why);
                                                     cv.notify_all();
                                                   }}) {
    REQUIRE(parker.Start().ok());
  }
  template <typename Pred>
  bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, pred);
  }
  bool WasDropped(const ParkedSocket* s, ConnectionParker::Drop why) {
    std::lock_guard<std::mutex> lock(mu);
    return std::find(dropped.begin(), dropped.end(), std::make_pair(const_cast<ParkedSocket*>(s), why)) !=
           dropped.end();
  }
};

TEST_CASE("parker: a parked socket comes back when readable, and can be parked again") {
  Pair p("a");  // before the harness: parked sockets must outlive the parker
  Harness h({});
  h.parker.Park(&p.socket, ConnectionParker::Wait::kReadable, Clock::now() + 10s);
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard<std::mutex> lock(h.mu);
    CHECK(h.ready.empty());
  }
  CHECK(::write(p.peer, "x", 1) == 1);
  REQUIRE(h.WaitUntil([&] { return h.ready.size() == 1; }));
  CHECK(h.ready[0] == &p.socket);
  CHECK_FALSE(p.socket.parked);
  char c;
  CHECK(::read(p.socket.fd, &c, 1) == 1);
  // Re-armed (the socket stays in the epoll set): the next byte brings it back again.
  h.parker.Park(&p.socket, ConnectionParker::Wait::kReadable, Clock::now() + 10s);
  CHECK(::write(p.peer, "y", 1) == 1);
  REQUIRE(h.WaitUntil([&] { return h.ready.size() == 2; }));
  // A peer that closes is readable too (the loop then reads EOF).
  CHECK(::read(p.socket.fd, &c, 1) == 1);
  h.parker.Park(&p.socket, ConnectionParker::Wait::kReadable, Clock::now() + 10s);
  ::shutdown(p.peer, SHUT_WR);
  REQUIRE(h.WaitUntil([&] { return h.ready.size() == 3; }));
  CHECK(h.parker.stats().parked == 0);
}

TEST_CASE("parker: a socket waiting for room to write comes back when writable") {
  Pair p("a");
  Harness h({});
  h.parker.Park(&p.socket, ConnectionParker::Wait::kWritable, Clock::now() + 10s);
  REQUIRE(h.WaitUntil([&] { return h.ready.size() == 1; }));
}

TEST_CASE("parker: deadlines close sockets, to within a tick") {
  Pair quick("a"), slow("a");
  Harness h({});
  const auto start = Clock::now();
  h.parker.Park(&quick.socket, ConnectionParker::Wait::kReadable, start + 100ms);
  h.parker.Park(&slow.socket, ConnectionParker::Wait::kReadable, start + 30s);
  REQUIRE(h.WaitUntil([&] { return h.dropped.size() == 1; }));
  const auto elapsed = Clock::now() - start;
  CHECK(h.WasDropped(&quick.socket, ConnectionParker::Drop::kTimeout));
  CHECK(elapsed >= 100ms);
  CHECK(elapsed < 100ms + ConnectionParker::kTick + 500ms);
  CHECK(h.parker.stats().timed_out == 1);
  CHECK(h.parker.stats().parked == 1);
}

TEST_CASE("parker: a socket that becomes ready after its deadline is dropped, not handed out") {
  Pair p("a");
  Harness h({});
  h.parker.Park(&p.socket, ConnectionParker::Wait::kReadable, Clock::now() + 1ms);
  std::this_thread::sleep_for(5ms);
  CHECK(::write(p.peer, "x", 1) == 1);
  REQUIRE(h.WaitUntil([&] { return h.dropped.size() == 1; }));
  CHECK(h.WasDropped(&p.socket, ConnectionParker::Drop::kTimeout));
  CHECK(h.ready.empty());
}

TEST_CASE("parker: past max_parked the oldest go first") {
  std::vector<std::unique_ptr<Pair>> pairs;
  Harness h({.max_parked = 3, .max_per_client = 0});
  for (int i = 0; i < 5; ++i) {
    pairs.push_back(std::make_unique<Pair>("c" + std::to_string(i)));
    h.parker.Park(&pairs.back()->socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  }
  REQUIRE(h.WaitUntil([&] { return h.dropped.size() == 2; }));
  CHECK(h.WasDropped(&pairs[0]->socket, ConnectionParker::Drop::kEvicted));
  CHECK(h.WasDropped(&pairs[1]->socket, ConnectionParker::Drop::kEvicted));
  std::this_thread::sleep_for(ConnectionParker::kTick + 100ms);
  CHECK(h.dropped.size() == 2);
  CHECK(h.parker.stats().parked == 3);
  CHECK(h.parker.stats().evicted == 2);
  // The survivors still work.
  CHECK(::write(pairs[4]->peer, "x", 1) == 1);
  REQUIRE(h.WaitUntil([&] { return h.ready.size() == 1; }));
  CHECK(h.ready[0] == &pairs[4]->socket);
}

TEST_CASE("parker: past max_per_client that client's oldest go first, uncapped clients are not counted") {
  std::vector<std::unique_ptr<Pair>> a, b, proxy;
  Harness h({.max_parked = 100, .max_per_client = 2});
  for (int i = 0; i < 4; ++i) {
    a.push_back(std::make_unique<Pair>("10.0.0.1"));
    h.parker.Park(&a.back()->socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  }
  for (int i = 0; i < 2; ++i) {
    b.push_back(std::make_unique<Pair>("10.0.0.2"));
    h.parker.Park(&b.back()->socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  }
  for (int i = 0; i < 5; ++i) {
    proxy.push_back(std::make_unique<Pair>("10.0.0.3", /*capped=*/false));
    h.parker.Park(&proxy.back()->socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  }
  REQUIRE(h.WaitUntil([&] { return h.dropped.size() == 2; }));
  CHECK(h.WasDropped(&a[0]->socket, ConnectionParker::Drop::kClientCap));
  CHECK(h.WasDropped(&a[1]->socket, ConnectionParker::Drop::kClientCap));
  std::this_thread::sleep_for(ConnectionParker::kTick + 100ms);
  CHECK(h.dropped.size() == 2);
  CHECK(h.parker.stats().parked == 9);
  CHECK(h.parker.stats().client_evicted == 2);
}

TEST_CASE("parker: Stop drops everything parked, a later Park drops at once") {
  Pair p1("a"), p2("b"), late("c");
  Harness h({});
  h.parker.Park(&p1.socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  h.parker.Park(&p2.socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  h.parker.Stop();
  CHECK(h.WasDropped(&p1.socket, ConnectionParker::Drop::kStopping));
  CHECK(h.WasDropped(&p2.socket, ConnectionParker::Drop::kStopping));
  h.parker.Park(&late.socket, ConnectionParker::Wait::kReadable, Clock::now() + 30s);
  CHECK(h.WasDropped(&late.socket, ConnectionParker::Drop::kStopping));
  h.parker.Stop();  // idempotent
}

}  // namespace
}  // namespace vigie::serve
