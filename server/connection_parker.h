// ConnectionParker: one epoll thread holding every connection that is waiting on its client — idle between
// keep-alive requests, brand new and not yet sending, midway through a request head or body, or waiting
// for room to send the rest of a response — so that none of them holds a worker thread. A parked socket
// is handed back (`ready`, on the parker thread; the callback passes it to a worker) as soon as it becomes
// readable (or writable, for a blocked response), or disposed of (`drop`) when
//   - its deadline passes (idle keep-alive timeout, request or write timeout): within kTick, or at once
//     when it becomes ready after its deadline (a client trickling bytes is cut off all the same);
//   - more than max_parked sockets are parked: the oldest parked goes first;
//   - its client has more than max_per_client parked: that client's oldest goes first (sockets with
//     `capped` false, trusted proxies, are not counted per client);
//   - the parker stops.
//
// (Measured against the alternative of every worker waiting on the epoll set itself: one thread owning
// the bookkeeping, with no lock on it, gave the better throughput and tail latency on the 2-core VM.)
//
// Ownership: Park() hands the socket to the parker until `ready` or `drop` gives it back; the caller must
// not touch it in between. Thread-safety: Park(), Stop() and stats() from any thread; the callbacks run on
// the parker thread (after Stop(), `drop` may also run on the thread calling Park()).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace vigie::serve {

// What the parker needs of a connection (the connection loop's Connection derives from it).
struct ParkedSocket {
  int fd = -1;
  std::string client;  // the peer address: the key of the per-client cap
  bool capped = true;  // counted against max_per_client

  // The parker's bookkeeping.
  bool registered = false;  // in the epoll set (later parks re-arm it)
  bool parked = false;
  uint64_t seq = 0;
  std::chrono::steady_clock::time_point deadline;
};

class ConnectionParker {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kTick{200};

  enum class Wait { kReadable, kWritable };
  enum class Drop { kTimeout, kEvicted, kClientCap, kStopping };
  struct Limits {
    size_t max_parked = 10000;
    size_t max_per_client = 256;  // 0: no per-client cap
  };
  struct Callbacks {
    std::function<void(ParkedSocket*)> ready;
    std::function<void(ParkedSocket*, Drop)> drop;
  };
  struct Stats {
    uint64_t parked = 0;  // now
    uint64_t timed_out = 0, evicted = 0, client_evicted = 0;
  };

  ConnectionParker(Limits limits, Callbacks callbacks);
  ~ConnectionParker();
  ConnectionParker(const ConnectionParker&) = delete;
  ConnectionParker& operator=(const ConnectionParker&) = delete;

  Status Start();
  void Park(ParkedSocket* socket, Wait wait, Clock::time_point deadline);
  // Drops everything parked and joins the thread; later Park() calls drop at once. Idempotent.
  void Stop();
  Stats stats() const;
  const Limits& limits() const { return limits_; }

 private:
  void Run();
  void Book(ParkedSocket* s);
  void Unbook(ParkedSocket* s);
  void DropSocket(ParkedSocket* s, Drop why);
  int NextTimeoutMs(Clock::time_point now) const;

  const Limits limits_;
  const Callbacks callbacks_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;

  std::mutex mu_;
  bool stopping_ = false;                // guarded by mu_
  std::vector<ParkedSocket*> incoming_;  // guarded by mu_: parked, not yet booked

  // Parker thread only.
  uint64_t next_seq_ = 0;
  std::map<uint64_t, ParkedSocket*> by_age_;
  std::set<std::pair<Clock::time_point, uint64_t>> by_deadline_;
  std::unordered_map<std::string, std::set<uint64_t>> by_client_;
  std::vector<std::string> over_cap_;

  std::atomic<uint64_t> parked_{0}, timed_out_{0}, evicted_{0}, client_evicted_{0};
};

}  // namespace vigie::serve
