#include "core/progress.h"

#include <unistd.h>

#include <string>

namespace vigie {

bool IsTerminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

Progress::Progress(std::FILE* out, bool tty, std::chrono::seconds plain_interval)
    : out_(out), tty_(tty), plain_interval_(plain_interval), start_(std::chrono::steady_clock::now()), last_(start_) {}

namespace {
std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}
}  // namespace

void Progress::Update(std::string_view phase, uint64_t done, uint64_t total, uint64_t rows) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (!tty_ && now - last_ < plain_interval_) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
  char line[200];
  if (phase == "read") {
    double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 0;
    std::string eta = "?";
    if (fraction > 0.01) eta = std::to_string(static_cast<int>(elapsed / fraction - elapsed)) + " s";
    std::snprintf(line, sizeof line, "reading %s / %s (%3.0f%%), %llu rows, %.0f rows/s, ETA %s",
                  HumanBytes(static_cast<double>(done)).c_str(),
                  total ? HumanBytes(static_cast<double>(total)).c_str() : "?", fraction * 100,
                  static_cast<unsigned long long>(rows), rate, eta.c_str());
  } else {
    std::snprintf(line, sizeof line, "%.*s %3.0f%% of buckets, %llu rows", static_cast<int>(phase.size()), phase.data(),
                  total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0.0,
                  static_cast<unsigned long long>(rows));
  }
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s", line);
    drawn_ = true;
  } else {
    std::fprintf(out_, "%s\n", line);
  }
  std::fflush(out_);
}

void Progress::Finish() {
  std::lock_guard lock(mu_);
  if (drawn_) std::fprintf(out_, "\r\033[K");
  drawn_ = false;
  std::fflush(out_);
}

}  // namespace vigie
