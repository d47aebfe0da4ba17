// Progress: a progress line for long commands. On a terminal it redraws one line (bytes, rows/s, ETA);
// otherwise it prints a plain line every `plain_interval` so that logs stay readable.
//
// Thread-safety: Update may be called from any thread; calls are serialised internally.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string_view>

namespace vigie {

class Progress {
 public:
  // `out` is borrowed (stderr in the tools). `tty` = whether to redraw in place.
  Progress(std::FILE* out, bool tty, std::chrono::seconds plain_interval = std::chrono::seconds(10));
  // phase "read": done/total are raw input bytes (total 0 = unknown); "merge": partitions.
  void Update(std::string_view phase, uint64_t done, uint64_t total, uint64_t rows);
  // Ends the redrawn line, if any.
  void Finish();

 private:
  std::FILE* out_;
  bool tty_;
  std::chrono::seconds plain_interval_;
  std::chrono::steady_clock::time_point start_, last_;
  bool drawn_ = false;
  std::mutex mu_;
};

// Whether the stream is a terminal.
bool IsTerminal(std::FILE* stream);

}  // namespace vigie
