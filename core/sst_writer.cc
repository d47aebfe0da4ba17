#include "core/sst_writer.h"

#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>

namespace vigie {

namespace {

// Bucket values are random suffixes: compression would cost time and save nothing (as in the index).
rocksdb::Options TableOptions() {
  rocksdb::Options options;
  options.compression = rocksdb::kNoCompression;
  return options;
}

Status Failed(const rocksdb::Status& s, const std::string& what) { return Status::IOError(what + ": " + s.ToString()); }

}  // namespace

SstWriter::SstWriter(std::string path) : path_(std::move(path)) {}
SstWriter::~SstWriter() = default;

Status SstWriter::OpenOnce() {
  if (writer_) return Status::Ok();
  writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), TableOptions());
  const rocksdb::Status s = writer_->Open(path_);
  if (!s.ok()) {
    writer_.reset();
    return Failed(s, "creating " + path_);
  }
  return Status::Ok();
}

Status SstWriter::Put(std::string_view key, std::string_view value) {
  VIGIE_RETURN_IF_ERROR(OpenOnce());
  const rocksdb::Status s =
      writer_->Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
  if (!s.ok()) return Failed(s, "writing " + path_);
  ++entries_;
  return Status::Ok();
}

Status SstWriter::Delete(std::string_view key) {
  VIGIE_RETURN_IF_ERROR(OpenOnce());
  const rocksdb::Status s = writer_->Delete(rocksdb::Slice(key.data(), key.size()));
  if (!s.ok()) return Failed(s, "writing " + path_);
  ++entries_;
  return Status::Ok();
}

Result<std::string> SstWriter::Finish() {
  if (!writer_) return std::string();
  const rocksdb::Status s = writer_->Finish();
  writer_.reset();
  if (!s.ok()) return Failed(s, "finishing " + path_);
  return path_;
}

}  // namespace vigie
