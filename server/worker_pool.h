// WorkerPool: a fixed set of threads running queued jobs in order, for the connection loop's requests.
//
// Shutdown() lets the jobs already queued run (each closes or serves its connection), then joins the
// threads; jobs queued after it are dropped by Enqueue returning false (the caller then cleans up).
//
// Thread-safety: Enqueue from any thread; Shutdown once, not from a worker.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vigie::serve {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False once shut down: the job was not queued.
  bool Enqueue(std::function<void()> job);
  void Shutdown();
  size_t threads() const { return threads_.size(); }

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigie::serve
