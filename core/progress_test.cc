// Progress: plain lines at most once per interval from Update, and — the heartbeat — a line at least once
// per interval while the work sends none, until Finish; nothing after Finish.
#include "core/progress.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>

namespace vigie {
namespace {

// What was written to `f` so far.
std::string Contents(std::FILE* f) {
  std::fflush(f);
  const long size = std::ftell(f);
  std::string out(static_cast<size_t>(size), '\0');
  std::rewind(f);
  const size_t n = std::fread(out.data(), 1, out.size(), f);
  out.resize(n);
  std::fseek(f, 0, SEEK_END);
  return out;
}

size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST_CASE("progress: a silent run still gets a line every interval; none after Finish") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    Progress progress(f, /*tty=*/false, std::chrono::seconds(1));
    progress.Update("read", 10, 100, 5);  // not printed: less than an interval since the start
    std::this_thread::sleep_for(std::chrono::milliseconds(3400));
    progress.Finish();
    const std::string out = Contents(f);
    CAPTURE(out);
    // Three heartbeats (at about 1, 2 and 3 s) repeating the last state, with the time elapsed.
    CHECK(Lines(out) >= 2);
    CHECK(Lines(out) <= 4);
    CHECK(out.find("reading 10.0 B / 100.0 B ( 10%), 5 rows") != std::string::npos);
    CHECK(out.find(" s, ETA ") != std::string::npos);  // the time elapsed
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    CHECK(Contents(f) == out);
    progress.Update("read", 20, 100, 10);  // after Finish: ignored
    CHECK(Contents(f) == out);
  }
  std::fclose(f);
}

TEST_CASE("progress: before any Update, the heartbeat says the run is going") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    Progress progress(f, /*tty=*/false, std::chrono::seconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }  // the destructor finishes
  const std::string out = Contents(f);
  CHECK(out.rfind("working, ", 0) == 0);
  CHECK(Lines(out) >= 1);
  std::fclose(f);
}

TEST_CASE("progress: frequent updates print at most once per interval") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  Progress progress(f, /*tty=*/false, std::chrono::seconds(10));
  for (int i = 0; i < 1000; ++i) progress.Update("merge", static_cast<uint64_t>(i), 1000, 0);
  progress.Finish();
  CHECK(Lines(Contents(f)) == 0);  // the first interval has not passed
  std::fclose(f);
}

}  // namespace
}  // namespace vigie
