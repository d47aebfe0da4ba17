// IngestGuard: a RocksDB file system that keeps the table files a failed ingestion linked into the
// database, because the failure may have left them referenced.
//
// Why: RocksDB 7.8 commits an ingestion by appending one edit to its MANIFEST and syncing it. When that
// append or sync fails (no space left, an I/O error), IngestExternalFile reports the error and deletes the
// table files it had linked into the database — yet the edit may already be in the MANIFEST (a write
// that went through before a failed sync). The next open then fails: "No such file", the index is lost
// (tests/e2e/write_faults.sh found it). With this guard those deletions are skipped while an ingestion is
// running, so the index holds either the old state (the kept files are unreferenced: the next writable
// open deletes them) or the new one, whole. Index::Ingest then reads which one the disk holds.
//
// Contract: between BeginIngest and EndIngest, a DeleteFile of a table file (".sst") that LinkFile or
// NewWritableFile created since BeginIngest succeeds without deleting; EndIngest returns those paths.
// NewWritableFile covers RocksDB's fallback of copying a file it cannot link (another file system) and a
// memtable flush the ingestion forces. Every other call is forwarded.
// Thread-safety: all methods may be called from any thread; one ingestion at a time per guard.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <rocksdb/file_system.h>

namespace vigie {

class IngestGuard : public rocksdb::FileSystemWrapper {
 public:
  explicit IngestGuard(const std::shared_ptr<rocksdb::FileSystem>& target) : FileSystemWrapper(target) {}
  static const char* kClassName() { return "VigieIngestGuard"; }
  const char* Name() const override { return kClassName(); }

  void BeginIngest();
  // The paths whose deletion was skipped since BeginIngest.
  std::vector<std::string> EndIngest();

  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

 private:
  void Record(const std::string& path);

  std::mutex mu_;
  bool ingesting_ = false;
  std::set<std::string> linked_;
  std::vector<std::string> kept_;
};

}  // namespace vigie
