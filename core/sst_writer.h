// SstWriter: one table file of an update, written in staging/ and then ingested (Index::Ingest). The file is
// created on the first entry, so a writer that gets none leaves nothing behind; entries must come in key
// order (the caller's scans and merges are in key order already).
//
// The one place Vigie writes table files: the add and remove pipelines' bucket files and their catalogue
// file. Not thread-safe: one writer per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace rocksdb {
class SstFileWriter;
}  // namespace rocksdb

namespace vigie {

class SstWriter {
 public:
  explicit SstWriter(std::string path);
  ~SstWriter();
  SstWriter(const SstWriter&) = delete;
  SstWriter& operator=(const SstWriter&) = delete;

  Status Put(std::string_view key, std::string_view value);
  Status Delete(std::string_view key);
  // Completes the file. Its path, or "" when no entry was written (and no file created).
  Result<std::string> Finish();
  uint64_t entries() const { return entries_; }

 private:
  Status OpenOnce();

  std::string path_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  uint64_t entries_ = 0;
};

}  // namespace vigie
