#include "core/ingest_guard.h"

namespace vigie {

void IngestGuard::BeginIngest() {
  std::lock_guard<std::mutex> lock(mu_);
  ingesting_ = true;
  linked_.clear();
  kept_.clear();
}

std::vector<std::string> IngestGuard::EndIngest() {
  std::lock_guard<std::mutex> lock(mu_);
  ingesting_ = false;
  linked_.clear();
  return std::move(kept_);
}

void IngestGuard::Record(const std::string& path) {
  if (!path.ends_with(".sst")) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (ingesting_) linked_.insert(path);
}

rocksdb::IOStatus IngestGuard::LinkFile(const std::string& src, const std::string& target,
                                        const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = FileSystemWrapper::LinkFile(src, target, options, dbg);
  if (s.ok()) Record(target);
  return s;
}

rocksdb::IOStatus IngestGuard::NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                               std::unique_ptr<rocksdb::FSWritableFile>* file,
                                               rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = FileSystemWrapper::NewWritableFile(path, options, file, dbg);
  if (s.ok()) Record(path);
  return s;
}

rocksdb::IOStatus IngestGuard::DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                                          rocksdb::IODebugContext* dbg) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ingesting_ && linked_.erase(path) > 0) {
      kept_.push_back(path);
      return rocksdb::IOStatus::OK();
    }
  }
  return FileSystemWrapper::DeleteFile(path, options, dbg);
}

}  // namespace vigie
