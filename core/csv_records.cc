#include "core/csv_records.h"

#include <algorithm>
#include <cstring>

namespace vigie {

namespace {
constexpr size_t kReadBlock = 1 << 20;
}  // namespace

bool CsvRecordJoiner::EndsInsideQuote(std::string_view line, bool inside) const {
  bool field_start = !inside;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (inside) {
      if (c != '"') continue;
      if (i + 1 < line.size() && line[i + 1] == '"') {
        ++i;
        continue;
      }
      inside = false;
      field_start = false;
    } else if (c == '"' && field_start) {
      inside = true;
    } else if (c == delimiter_) {
      field_start = true;
    } else if (c != ' ' && c != '\r' && c != '\n' && !(c == '\t' && delimiter_ != '\t')) {
      field_start = false;
    }
  }
  return inside;
}

void CsvRecordJoiner::EmitPending() {
  for (size_t i = 0; i + 1 < pending_.size(); ++i) {
    std::string& line = pending_[i];
    line.back() = kJoinedLineBreak;  // every line but the last ends with '\n'
    if (line.size() >= 2 && line[line.size() - 2] == '\r') line[line.size() - 2] = ' ';
    out_ += line;
  }
  out_ += pending_.back();
  if (pending_.size() > 1) joined_records_++;
  pending_.clear();
  pending_bytes_ = 0;
}

void CsvRecordJoiner::GiveBackFirstPendingLine() {
  std::vector<std::string> rest(std::make_move_iterator(pending_.begin() + 1), std::make_move_iterator(pending_.end()));
  out_ += pending_.front();
  pending_.clear();
  pending_bytes_ = 0;
  for (const std::string& line : rest) TakeLine(line);
}

void CsvRecordJoiner::TakeLine(std::string_view line) {
  if (pending_.empty()) {
    if (std::memchr(line.data(), '"', line.size()) == nullptr || !EndsInsideQuote(line, false)) {
      out_ += line;
      return;
    }
    pending_.emplace_back(line);
    pending_bytes_ = line.size();
    return;
  }
  pending_.emplace_back(line);
  pending_bytes_ += line.size();
  if (!EndsInsideQuote(line, true)) {
    EmitPending();
    return;
  }
  const bool last_line = line.empty() || line.back() != '\n';
  if (pending_.size() > kMaxJoinedLines || pending_bytes_ > kMaxRecordBytes || last_line) {
    GiveBackFirstPendingLine();
  }
}

Status CsvRecordJoiner::Fill() {
  while (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    if (in_pos_ == in_.size() && eof_) {
      while (!pending_.empty()) GiveBackFirstPendingLine();
      return Status::Ok();
    }
    if (in_pos_ > 0) {
      in_.erase(0, in_pos_);
      in_pos_ = 0;
    }
    const size_t old = in_.size();
    in_.resize(old + kReadBlock);
    auto n = inner_->Read(in_.data() + old, kReadBlock);
    if (!n.ok()) return n.status();
    in_.resize(old + *n);
    if (*n == 0) eof_ = true;
    for (;;) {
      const char* start = in_.data() + in_pos_;
      const size_t left = in_.size() - in_pos_;
      const void* nl = std::memchr(start, '\n', left);
      if (passing_long_line_) {
        const size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) + 1 : left;
        out_.append(start, take);
        in_pos_ += take;
        passing_long_line_ = nl == nullptr;
        if (!nl) break;
        continue;
      }
      if (nl) {
        const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start) + 1;
        TakeLine(std::string_view(start, len));
        in_pos_ += len;
        continue;
      }
      if (left > kMaxRecordBytes) {
        while (!pending_.empty()) GiveBackFirstPendingLine();
        passing_long_line_ = true;
        continue;
      }
      if (eof_ && left > 0) {
        TakeLine(std::string_view(start, left));
        in_pos_ += left;
      }
      break;
    }
  }
  return Status::Ok();
}

Result<size_t> CsvRecordJoiner::Read(char* buf, size_t cap) {
  VIGIE_RETURN_IF_ERROR(Fill());
  return TakeBuffered(out_, &out_pos_, buf, cap);
}

}  // namespace vigie
