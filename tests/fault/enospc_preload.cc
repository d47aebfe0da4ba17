// A test-only LD_PRELOAD library that makes writes to chosen files fail with ENOSPC ("No space left on
// device"), to reach the failure points a small file system cannot: on tmpfs, RocksDB's MANIFEST is
// preallocated and ingested table files are hard-linked, so a full disk never fails the commit itself
// (tests/e2e/write_faults.sh).
//
// Configuration (environment; nothing happens without VIGIE_ENOSPC_MATCH):
//   VIGIE_ENOSPC_MATCH  a substring of the file's path (e.g. "/MANIFEST-"): only such files are affected
//   VIGIE_ENOSPC_AFTER  how many matching writes and syncs succeed first (default 0); from then on every
//                       matching write, sync and preallocation fails, as on a disk that stays full (a
//                       sync can fail so on file systems that allocate blocks late)
//   VIGIE_ENOSPC_LOG    a file to which one line is appended when the first fault fires (so a test can
//                       tell a run that met the fault from one that finished before it)
// Covered calls: write, pwrite, pwrite64, writev, pwritev, fsync, fdatasync, fallocate, fallocate64. Not
// covered: pwritev2, sync_file_range, ftruncate, msync, and anything glibc calls internally (stdio).
// A file's path is read from /proc/self/fd on every call: slow, and only for tests.
//
// Thread-safety: the counter is atomic; the real functions are looked up once (dlsym RTLD_NEXT).
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

const char* Match() {
  static const char* match = [] {
    const char* m = std::getenv("VIGIE_ENOSPC_MATCH");
    return (m != nullptr && *m != '\0') ? m : nullptr;
  }();
  return match;
}

long AllowedWrites() {
  static const long after = [] {
    const char* a = std::getenv("VIGIE_ENOSPC_AFTER");
    return a != nullptr ? std::strtol(a, nullptr, 10) : 0L;
  }();
  return after;
}

std::atomic<long> g_matching_calls{0};
std::atomic<bool> g_fired{false};

bool PathMatches(int fd) {
  const char* match = Match();
  if (match == nullptr) return false;
  char link[64];
  char path[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const int saved_errno = errno;  // the forwarded call must see errno as its caller left it
  const ssize_t n = ::readlink(link, path, sizeof path - 1);
  errno = saved_errno;
  if (n <= 0) return false;
  path[n] = '\0';
  return std::strstr(path, match) != nullptr;
}

void NoteFired(int fd) {
  if (g_fired.exchange(true)) return;
  const int saved_errno = errno;
  struct Restore {
    int value;
    ~Restore() { errno = value; }
  } restore{saved_errno};
  const char* log = std::getenv("VIGIE_ENOSPC_LOG");
  if (log == nullptr) return;
  // Plain open/write of another file: not matched (the log's name is the test's to choose).
  FILE* f = std::fopen(log, "a");
  if (f == nullptr) return;
  char link[64];
  char path[4096] = "?";
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(link, path, sizeof path - 1);
  if (n > 0) path[n] = '\0';
  std::fprintf(f, "ENOSPC injected after %ld writes and syncs to %s\n", AllowedWrites(), path);
  std::fclose(f);
}

// True when this call must fail. Writes and syncs are counted; preallocations only fail once the fault has
// fired (RocksDB treats a failed preallocation as a hint not taken).
bool ShouldFail(int fd, bool counts) {
  if (!PathMatches(fd)) return false;
  if (g_fired.load()) return true;
  if (!counts) return false;
  if (g_matching_calls.fetch_add(1) < AllowedWrites()) return false;
  NoteFired(fd);
  return true;
}

template <typename F>
F Real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t count) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t)>("write");
  if (count > 0 && ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (count > 0 && ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (count > 0 && ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (iovcnt > 0 && ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev");
  if (iovcnt > 0 && ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd, iov, iovcnt, offset);
}

int fsync(int fd) {
  static auto real = Real<int (*)(int)>("fsync");
  if (ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd);
}

int fdatasync(int fd) {
  static auto real = Real<int (*)(int)>("fdatasync");
  if (ShouldFail(fd, true)) return errno = ENOSPC, -1;
  return real(fd);
}

int fallocate(int fd, int mode, off_t offset, off_t len) {
  static auto real = Real<int (*)(int, int, off_t, off_t)>("fallocate");
  if (ShouldFail(fd, false)) return errno = ENOSPC, -1;
  return real(fd, mode, offset, len);
}

int fallocate64(int fd, int mode, off64_t offset, off64_t len) {
  static auto real = Real<int (*)(int, int, off64_t, off64_t)>("fallocate64");
  if (ShouldFail(fd, false)) return errno = ENOSPC, -1;
  return real(fd, mode, offset, len);
}

}  // extern "C"
