#include "core/progress.h"

#include <unistd.h>

#include <string>

namespace vigie {

bool IsTerminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

Progress::Progress(std::FILE* out, bool tty, std::chrono::seconds plain_interval)
    : out_(out),
      tty_(tty),
      plain_interval_(plain_interval),
      start_(std::chrono::steady_clock::now()),
      last_(start_),
      heartbeat_([this] { Heartbeat(); }) {}

Progress::~Progress() { Finish(); }

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
  state_ = State{std::string(phase), done, total, rows};
  const auto now = std::chrono::steady_clock::now();
  if (finished_ || (!tty_ && now - last_ < plain_interval_)) return;
  Print(state_, now);
}

// Wakes every interval; when nothing was printed for that long, repeats the last state (its rate and the
// time elapsed move on) — or, before the first Update, says the run is going.
void Progress::Heartbeat() {
  std::unique_lock lock(mu_);
  while (!finished_) {
    wake_.wait_for(lock, plain_interval_);
    if (finished_) break;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ >= plain_interval_) Print(state_, now);
  }
}

void Progress::Print(const State& state, std::chrono::steady_clock::time_point now) {
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(state.rows) / elapsed : 0;
  char line[200];
  if (state.phase.empty()) {
    std::snprintf(line, sizeof line, "working, %.0f s", elapsed);
  } else if (state.phase == "read") {
    const double fraction = state.total ? static_cast<double>(state.done) / static_cast<double>(state.total) : 0;
    std::string eta = "?";
    if (fraction > 0.01) eta = std::to_string(static_cast<int>(elapsed / fraction - elapsed)) + " s";
    std::snprintf(line, sizeof line, "reading %s / %s (%3.0f%%), %llu rows, %.0f rows/s, %.0f s, ETA %s",
                  HumanBytes(static_cast<double>(state.done)).c_str(),
                  state.total ? HumanBytes(static_cast<double>(state.total)).c_str() : "?", fraction * 100,
                  static_cast<unsigned long long>(state.rows), rate, elapsed, eta.c_str());
  } else {
    std::snprintf(line, sizeof line, "%s %3.0f%% of buckets, %llu rows, %.0f s", state.phase.c_str(),
                  state.total ? 100.0 * static_cast<double>(state.done) / static_cast<double>(state.total) : 0.0,
                  static_cast<unsigned long long>(state.rows), elapsed);
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
  {
    std::lock_guard lock(mu_);
    if (drawn_) std::fprintf(out_, "\r\033[K");
    drawn_ = false;
    std::fflush(out_);
    finished_ = true;
  }
  wake_.notify_all();
  if (heartbeat_.joinable() && heartbeat_.get_id() != std::this_thread::get_id()) heartbeat_.join();
}

}  // namespace vigie
