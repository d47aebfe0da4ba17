#include "server/connection_parker.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigie::serve {

namespace {
// A socket pushed while this many wait to be booked wakes the parker at once (caps apply sooner during a
// connection flood); otherwise booking waits for the next event or tick, which costs nothing per request.
constexpr size_t kWakeBatch = 256;
}  // namespace

ConnectionParker::ConnectionParker(Limits limits, Callbacks callbacks)
    : limits_(limits), callbacks_(std::move(callbacks)) {}

ConnectionParker::~ConnectionParker() {
  Stop();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status ConnectionParker::Start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Status::IOError(std::string("epoll_create1: ") + std::strerror(errno));
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::IOError(std::string("eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake-up descriptor
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return Status::IOError(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  std::lock_guard<std::mutex> lock(mu_);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void ConnectionParker::Park(ParkedSocket* s, Wait wait, Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_ || !thread_.joinable()) {
    lock.unlock();
    callbacks_.drop(s, Drop::kStopping);
    return;
  }
  s->deadline = deadline;
  epoll_event ev{};
  ev.events = (wait == Wait::kReadable ? EPOLLIN | EPOLLRDHUP : EPOLLOUT) | EPOLLONESHOT;
  ev.data.ptr = s;
  // Queued before it is armed: the parker books what is queued before it looks at the events it got, so
  // an event can never name a socket it has not booked. Under mu_, so that Stop() cannot drop (close) the
  // socket between the two.
  incoming_.push_back(s);
  const int op = s->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_fd_, op, s->fd, &ev) != 0) {
    incoming_.pop_back();
    lock.unlock();
    callbacks_.drop(s, Drop::kStopping);
    return;
  }
  s->registered = true;
  const bool wake = incoming_.size() >= kWakeBatch;
  lock.unlock();
  if (wake) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  }
}

void ConnectionParker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
}

ConnectionParker::Stats ConnectionParker::stats() const {
  Stats s;
  s.parked = parked_.load(std::memory_order_relaxed);
  s.timed_out = timed_out_.load(std::memory_order_relaxed);
  s.evicted = evicted_.load(std::memory_order_relaxed);
  s.client_evicted = client_evicted_.load(std::memory_order_relaxed);
  return s;
}

void ConnectionParker::Book(ParkedSocket* s) {
  s->seq = ++next_seq_;
  s->parked = true;
  by_age_.emplace(s->seq, s);
  by_deadline_.emplace(s->deadline, s->seq);
  if (s->capped && limits_.max_per_client > 0) {
    auto& mine = by_client_[s->client];
    mine.insert(s->seq);
    if (mine.size() == limits_.max_per_client + 1) over_cap_.push_back(s->client);
  }
  parked_.fetch_add(1, std::memory_order_relaxed);
}

void ConnectionParker::Unbook(ParkedSocket* s) {
  by_age_.erase(s->seq);
  by_deadline_.erase({s->deadline, s->seq});
  if (s->capped && limits_.max_per_client > 0) {
    auto it = by_client_.find(s->client);
    if (it != by_client_.end()) {
      it->second.erase(s->seq);
      if (it->second.empty()) by_client_.erase(it);
    }
  }
  s->parked = false;
  parked_.fetch_sub(1, std::memory_order_relaxed);
}

void ConnectionParker::DropSocket(ParkedSocket* s, Drop why) {
  Unbook(s);
  switch (why) {
    case Drop::kTimeout:
      timed_out_.fetch_add(1, std::memory_order_relaxed);
      break;
    case Drop::kEvicted:
      evicted_.fetch_add(1, std::memory_order_relaxed);
      break;
    case Drop::kClientCap:
      client_evicted_.fetch_add(1, std::memory_order_relaxed);
      break;
    case Drop::kStopping:
      break;
  }
  callbacks_.drop(s, why);  // closes the descriptor, which also takes it out of the epoll set
}

int ConnectionParker::NextTimeoutMs(Clock::time_point now) const {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kTick);
  if (!by_deadline_.empty()) {
    const auto until = by_deadline_.begin()->first - now;
    wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(until));
  }
  return static_cast<int>(std::max<int64_t>(0, wait.count()));
}

void ConnectionParker::Run() {
  std::vector<epoll_event> events(512);
  std::vector<ParkedSocket*> batch;
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), NextTimeoutMs(Clock::now()));
    bool stop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(incoming_);
      stop = stopping_;
    }
    for (ParkedSocket* s : batch) Book(s);
    batch.clear();
    if (stop) {
      while (!by_age_.empty()) DropSocket(by_age_.begin()->second, Drop::kStopping);
      return;
    }
    // Ready sockets first: a socket dropped below for a cap or a deadline may have an event in this
    // batch, and must not be looked at after it is gone.
    const auto now = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto* s = static_cast<ParkedSocket*>(events[i].data.ptr);
      if (s == nullptr) {
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof count);
        continue;
      }
      if (!s->parked) continue;  // cannot happen: booked before armed (see Park)
      if (s->deadline <= now) {
        // Past its deadline: a client trickling bytes is ready at every check, and must still be cut off.
        DropSocket(s, Drop::kTimeout);
        continue;
      }
      Unbook(s);
      callbacks_.ready(s);
    }
    for (const std::string& client : over_cap_) {
      auto it = by_client_.find(client);
      while (it != by_client_.end() && it->second.size() > limits_.max_per_client) {
        DropSocket(by_age_.at(*it->second.begin()), Drop::kClientCap);  // may erase the entry: look it up again
        it = by_client_.find(client);
      }
    }
    over_cap_.clear();
    while (by_age_.size() > limits_.max_parked) DropSocket(by_age_.begin()->second, Drop::kEvicted);
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
      DropSocket(by_age_.at(by_deadline_.begin()->second), Drop::kTimeout);
    }
  }
}

}  // namespace vigie::serve
