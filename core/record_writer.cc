#include "core/record_writer.h"

#include <algorithm>
#include <cstring>

namespace vigie {

namespace {
constexpr size_t kFlushBytes = 1 << 16;
}  // namespace

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
