// Progress: a progress line for long commands. On a terminal it redraws one line (bytes, rows/s, ETA);
// otherwise it prints a plain line every `plain_interval` so that logs stay readable.
//
// A line comes at least every `plain_interval` for as long as the Progress lives, even when the work sends
// no Update for longer (a bulk check waiting out a server's rate limit): a heartbeat thread repeats the
// last state with the time elapsed, so a log never goes silent on a run that is still going.
//
// Thread-safety: Update and Finish may be called from any thread; calls are serialised internally.
// Ownership: `out` is borrowed and must outlive the Progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace vigie {

class Progress {
 public:
  // `out` is borrowed (stderr in the tools). `tty` = whether to redraw in place.
  Progress(std::FILE* out, bool tty, std::chrono::seconds plain_interval = std::chrono::seconds(10));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // phase "read": done/total are raw input bytes (total 0 = unknown); "merge": partitions.
  void Update(std::string_view phase, uint64_t done, uint64_t total, uint64_t rows);
  // Ends the redrawn line, if any, and stops the heartbeat.
  void Finish();

 private:
  struct State {
    std::string phase;
    uint64_t done = 0, total = 0, rows = 0;
  };
  // Prints `state` as of `now`; mu_ held.
  void Print(const State& state, std::chrono::steady_clock::time_point now);
  void Heartbeat();

  std::FILE* out_;
  bool tty_;
  std::chrono::seconds plain_interval_;
  std::chrono::steady_clock::time_point start_, last_;
  bool drawn_ = false;
  bool finished_ = false;
  State state_;  // the last Update's
  std::mutex mu_;
  std::condition_variable wake_;
  std::thread heartbeat_;  // started last: it reads the members above
};

// Whether the stream is a terminal.
bool IsTerminal(std::FILE* stream);

}  // namespace vigie
