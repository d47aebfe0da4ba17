#include "core/db_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <rocksdb/env.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <vector>

namespace vigie {

namespace {

namespace fs = std::filesystem;

class AppendLog final : public rocksdb::Logger {
 public:
  explicit AppendLog(const std::string& path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
        fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {}
  ~AppendLog() override { CloseFd(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0) return;
    timeval now{};
    gettimeofday(&now, nullptr);
    std::tm tm{};
    localtime_r(&now.tv_sec, &tm);
    char line[1024];
    int head = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %llx ", tm.tm_year + 1900,
                             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                             static_cast<long>(now.tv_usec), static_cast<unsigned long long>(pthread_self()));
    head = std::clamp(head, 0, static_cast<int>(sizeof line) - 1);
    va_list copy;
    va_copy(copy, ap);
    const int body = std::vsnprintf(line + head, sizeof line - static_cast<size_t>(head), format, copy);
    va_end(copy);
    if (body < 0) return;
    std::string text;
    if (static_cast<size_t>(head + body) < sizeof line - 1) {
      text.assign(line, static_cast<size_t>(head + body));
    } else {  // a long line (RocksDB logs whole option sets): format again at its size
      text.assign(line, static_cast<size_t>(head));
      text.resize(static_cast<size_t>(head + body) + 1);
      va_copy(copy, ap);
      std::vsnprintf(text.data() + head, static_cast<size_t>(body) + 1, format, copy);
      va_end(copy);
      text.resize(static_cast<size_t>(head + body));
    }
    if (text.empty() || text.back() != '\n') text += '\n';
    // Failures (a full disk) are ignored on purpose: see the header.
    if (::write(fd_, text.data(), text.size()) < 0) return;
  }

 protected:
  rocksdb::Status CloseImpl() override {
    CloseFd();
    return rocksdb::Status::OK();
  }

 private:
  void CloseFd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewAppendLog(const std::string& path) { return std::make_shared<AppendLog>(path); }

std::shared_ptr<rocksdb::Logger> OpenDbLog(const std::string& db_dir, int keep_old) {
  const fs::path dir(db_dir);
  std::error_code ec;
  if (fs::exists(dir / "LOG", ec)) {
    timeval now{};
    gettimeofday(&now, nullptr);
    const long long micros = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_usec;
    fs::rename(dir / "LOG", dir / ("LOG.old." + std::to_string(micros)), ec);
  }
  // Same-length decimal timestamps: the names sort by age.
  std::vector<fs::path> old;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with("LOG.old.")) old.push_back(entry.path());
  }
  std::sort(old.begin(), old.end());
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep_old, 0)) < old.size(); ++i) fs::remove(old[i], ec);
  return NewAppendLog((dir / "LOG").string());
}

}  // namespace vigie
