// Shared by the fuzz targets (tests/fuzz/fuzz_*.cc): an invariant check that aborts, so that libFuzzer
// records the input as a crash and the replay tests (replay_main.cc) fail on it, a cursor that splits
// the fuzzer's bytes into parameters and a payload, and a file path holding given bytes (for code that reads
// files by path: InputFile, libarchive).
//
// FUZZ_CHECK messages name the invariant, never the input: the input may be a regression file that CI logs
// show, and although corpora are synthetic the habit is the project's (no identifiers in logs).
//
// Header-only; every function is pure or works on caller-owned values, except MemFilePath (one memfd per
// process, rewritten per call: fuzz targets run one input at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond, what)                                                                          \
  do {                                                                                                  \
    if (!(cond)) {                                                                                      \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s (%s)\n", __FILE__, __LINE__, what, #cond); \
      std::abort();                                                                                     \
    }                                                                                                   \
  } while (0)

namespace vigie::fuzz {

// Reads parameters from the front of the input; whatever is left is the payload. Past the end, parameters
// read as zero, so every input is usable.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  uint16_t U16() { return static_cast<uint16_t>(Byte() | (Byte() << 8)); }
  // Up to `max` bytes, length given by the next byte.
  std::string_view Bytes(size_t max) {
    size_t n = Byte();
    if (n > max) n = max;
    if (n > size_) n = size_;
    std::string_view out(reinterpret_cast<const char*>(data_), n);
    data_ += n;
    size_ -= n;
    return out;
  }
  std::string_view Rest() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  const uint8_t* data_;
  size_t size_;
};

// A path ("/proc/self/fd/N") whose file holds exactly `bytes`, so that code under test runs its real open and
// read path. One memfd for the whole process, rewritten at each call.
inline std::string MemFilePath(std::string_view bytes) {
  static const int fd = [] {
    const int f = memfd_create("vigie-fuzz", MFD_CLOEXEC);
    FUZZ_CHECK(f >= 0, "memfd_create");
    return f;
  }();
  FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    FUZZ_CHECK(n > 0, "pwrite");
    done += static_cast<size_t>(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace vigie::fuzz
