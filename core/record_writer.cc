#include "core/record_writer.h"

#include <algorithm>
#include <cstring>

namespace vigie {

namespace {
constexpr size_t kFlushBytes = 1 << 16;
}  // namespace

Result<size_t> StringSource::Read(char* buf, size_t cap) {
  const size_t n = std::min({cap, bytes_.size(), max_read_});
  std::memcpy(buf, bytes_.data(), n);
  bytes_.remove_prefix(n);
  return n;
}

Status ReadAll(ByteSource* source, std::string* out, size_t limit) {
  char buf[1 << 14];
  for (;;) {
    auto n = source->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::Ok();
    if (out->size() + *n > limit) return Status::InvalidArgument("input.too-large", "more than the limit");
    out->append(buf, *n);
  }
}

Status RecordWriter::Header(const std::vector<std::string>& names) {
  for (const std::string& name : names) Field(name);
  Status s = EndRecord();
  records_ = 0;
  return s;
}

void RecordWriter::Append(std::string_view value) {
  const size_t start = buffer_.size();
  buffer_.append(value);
  for (size_t i = start; i < buffer_.size(); ++i) {
    const char c = buffer_[i];
    if (c == kUnitSeparator || c == '\n' || c == '\r') buffer_[i] = ' ';
  }
}

void RecordWriter::Field(std::string_view value) {
  if (!first_field_) buffer_ += kUnitSeparator;
  first_field_ = false;
  Append(value);
}

Status RecordWriter::EndRecord() {
  buffer_ += '\n';
  first_field_ = true;
  records_++;
  if (buffer_.size() < kFlushBytes) return Status::Ok();
  return Finish();
}

Status RecordWriter::Finish() {
  if (!error_.ok() || buffer_.empty()) {
    buffer_.clear();
    return error_;
  }
  error_ = sink_->Write(buffer_);
  buffer_.clear();
  return error_;
}

}  // namespace vigie
