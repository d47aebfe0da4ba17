#include "core/line_reader.h"

namespace vigie {

Status LineReader::Start() {
  auto got = chunker_.Next(&chunk_);
  if (!got.ok()) return got.status();
  have_chunk_ = *got;
  return Status::Ok();
}

std::string_view LineReader::FirstLine() const {
  std::string_view data(chunk_.data);
  std::string_view line = data.substr(0, data.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Result<bool> LineReader::Next(InputLine* line) {
  while (have_chunk_) {
    if (pos_ < chunk_.data.size()) {
      std::string_view data(chunk_.data);
      size_t end = data.find('\n', pos_);
      if (end == std::string_view::npos) end = data.size();
      line->text = data.substr(pos_, end - pos_);
      line->crlf = !line->text.empty() && line->text.back() == '\r';
      if (line->crlf) line->text.remove_suffix(1);
      line->overlong = false;
      line->number = chunk_.first_line + lines_in_chunk_++;
      pos_ = end + 1;
      return true;
    }
    if (chunk_.overlong && !overlong_done_) {
      overlong_done_ = true;
      *line = InputLine{{}, chunk_.overlong->line_number, false, true};
      return true;
    }
    auto got = chunker_.Next(&chunk_);
    if (!got.ok()) return got.status();
    have_chunk_ = *got;
    pos_ = 0;
    lines_in_chunk_ = 0;
    overlong_done_ = false;
  }
  return false;
}

}  // namespace vigie
