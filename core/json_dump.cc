#include "core/json_dump.h"

#include <charconv>
#include <cstring>
#include <functional>
#include <iterator>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_ndjson.h"

namespace vigie {
namespace {

using Json = nlohmann::json;

constexpr size_t kReadChunk = size_t{1} << 16;
constexpr size_t kMaxSampleBytes = size_t{64} << 20;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

constexpr std::string_view kSpaces = " \t\r\n";  // JSON's whitespace

bool IsSpace(char c) { return kSpaces.find(c) != std::string_view::npos; }
bool IsBlank(std::string_view line) { return line.find_first_not_of(kSpaces) == std::string_view::npos; }

// Appends where an InvalidArgument happened; other codes (the source's, the sink's) are passed on as they are.
Status Located(const Status& status, const std::string& where) {
  if (status.code() != Code::kInvalidArgument) return status;
  return Status(status.code(), status.reason(), status.message() + " (" + where + ")");
}

std::string NearByte(uint64_t offset) { return "near byte " + std::to_string(offset); }

// Buffers the source: whole lines for NDJSON (see json_internal::NextLine), a byte at a time for the document
// parser, and a look-ahead that is not consumed to tell the two apart.
class ByteReader {
 public:
  explicit ByteReader(ByteSource* in) : in_(in), buf_(kReadChunk) {}

  // Reads until `n` bytes are buffered past the read position, the input ends or fails (see status()).
  void FillAtLeast(size_t n) {
    while (end_ - pos_ < n && Refill()) continue;
  }
  std::string_view buffered() const { return {buf_.data() + pos_, end_ - pos_}; }
  void Skip(size_t n) { pos_ += n; }
  bool eof() const { return eof_; }
  const Status& status() const { return status_; }
  uint64_t offset() const { return base_ + pos_; }  // of the read position, from the start of the input
  uint64_t bytes_read() const { return base_ + end_; }

  // Document, at each record's start and end: false (see status()) when more than kJsonMaxRecordBytes
  // were read since the last checkpoint. From the first call on, Refill refuses to buffer more than that,
  // so that no value (nor the whitespace between values) holds unbounded memory in the parser.
  bool Checkpoint() {
    if (limited_ && offset() - checkpoint_ > kJsonMaxRecordBytes) return SpanTooLarge();
    checkpoint_ = offset();
    limited_ = true;
    return true;
  }
  bool AtEnd() { return pos_ == end_ && !Refill(); }
  char Peek() const { return buf_[pos_]; }
  void Advance() { ++pos_; }

 private:
  // Appends a read to the buffer, first dropping the consumed bytes. False at the end or on an error.
  bool Refill() {
    if (eof_ || !status_.ok()) return false;
    if (limited_ && bytes_read() - checkpoint_ > kJsonMaxRecordBytes) return SpanTooLarge();
    if (pos_ > 0) {
      std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
      base_ += pos_;
      end_ -= pos_;
      pos_ = 0;
    }
    if (buf_.size() - end_ < kReadChunk) buf_.resize(end_ + kReadChunk);  // capacity grows geometrically
    Result<size_t> n = in_->Read(buf_.data() + end_, buf_.size() - end_);
    if (!n.ok()) {
      status_ = n.status();
      return false;
    }
    if (*n == 0) {
      eof_ = true;
      return false;
    }
    end_ += *n;
    return true;
  }

  // The same error wherever it is seen first (here or in Refill), whatever the sizes of the reads.
  bool SpanTooLarge() {
    status_ = Status::InvalidArgument(
        "json.record-too-large", "a record, or what lies between two records, is over 16 MiB (starting near byte " +
                                     std::to_string(checkpoint_) + ")");
    return false;
  }

  ByteSource* in_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_ = 0;  // input offset of buf_[0]
  bool eof_ = false;
  bool limited_ = false;
  uint64_t checkpoint_ = 0;
  Status status_;
};

// An input iterator over a ByteReader, for nlohmann's iterator input adapter: the parser pulls bytes
// straight from the reader's buffer. Copies share the reader; a default-constructed one is the end.
class StreamIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;

  StreamIterator() = default;
  explicit StreamIterator(ByteReader* reader) : reader_(reader) {}
  char operator*() const { return reader_->Peek(); }
  StreamIterator& operator++() {  // the adapter only uses std::advance(it, 1)
    reader_->Advance();
    return *this;
  }
  friend bool operator==(const StreamIterator& a, const StreamIterator& b) { return a.AtEnd() == b.AtEnd(); }

 private:
  bool AtEnd() const { return reader_ == nullptr || reader_->AtEnd(); }
  ByteReader* reader_ = nullptr;
};

struct PathHash {
  using is_transparent = void;
  size_t operator()(std::string_view path) const { return std::hash<std::string_view>()(path); }
};

// Maps paths to columns and holds the sample until the header is known; then writes each record as it
// ends, one field per column.
class ColumnTable {
 public:
  ColumnTable(const JsonOptions& options, RecordWriter* out, JsonStats* stats)
      : options_(options), out_(out), stats_(stats) {}

  const Status& status() const { return status_; }

  // False when the sample reaches kJsonMaxColumns columns (see status()).
  bool Field(std::string_view path, std::string_view value) {
    if (sampling_) return SampleField(path, value);
    const uint32_t column = Lookup(path);
    if (column != kNoColumn) row_[column].assign(value);
    stats_->dropped_fields += column == kNoColumn;
    return true;
  }

  // Forgets the fields of a record that turned out malformed.
  void DiscardRecord() {
    record_.cells.clear();
    for (std::string& value : row_) value.clear();
    field_position_ = 0;
  }

  Status EndRecord() {
    stats_->records++;
    if (!sampling_) return WriteRow();
    sample_.push_back(std::move(record_));
    record_ = {};
    if (sample_.size() >= options_.sample_records || sample_bytes_ > kMaxSampleBytes) return StartWriting();
    return Status::Ok();
  }

  // A malformed NDJSON line: a record without a field, i.e. a blank line, which the tagger counts.
  Status MalformedRecord() {
    DiscardRecord();
    stats_->malformed_lines++;
    if (!sampling_) {
      stats_->records++;
      return out_->EndRecord();
    }
    record_.malformed = true;
    return EndRecord();
  }

  // Writes the header and the sample; from then on, paths that are not columns are dropped.
  Status StartWriting() {
    if (!sampling_) return Status::Ok();
    sampling_ = false;
    for (const std::string& column : options_.columns) {
      if (columns_.emplace(column, static_cast<uint32_t>(names_.size())).second) names_.push_back(column);
    }
    VIGIE_RETURN_IF_ERROR(out_->Header(names_));
    row_.resize(names_.size());
    for (const SampledRecord& record : sample_) {
      if (record.malformed) {
        VIGIE_RETURN_IF_ERROR(out_->EndRecord());
        continue;
      }
      for (const Cell& cell : record.cells) row_[cell.column] = cell.value;
      VIGIE_RETURN_IF_ERROR(WriteRow());
    }
    sample_ = {};
    return Status::Ok();
  }

  Status Finish() {
    VIGIE_RETURN_IF_ERROR(StartWriting());
    return out_->Finish();
  }

 private:
  static constexpr uint32_t kNoColumn = UINT32_MAX;
  struct Cell {
    uint32_t column;
    std::string value;
  };
  struct SampledRecord {
    bool malformed = false;
    std::vector<Cell> cells;
  };

  // Records of a dump mostly list the same keys in the same order: the previous record's column at this
  // position is tried first, a comparison instead of a hash.
  uint32_t Lookup(std::string_view path) {
    const size_t position = field_position_++;
    if (position < recent_columns_.size()) {
      const uint32_t guess = recent_columns_[position];
      if (guess != kNoColumn && names_[guess] == path) return guess;
    } else {
      recent_columns_.resize(position + 1);
    }
    const auto it = columns_.find(path);
    return recent_columns_[position] = it == columns_.end() ? kNoColumn : it->second;
  }

  bool SampleField(std::string_view path, std::string_view value) {
    auto it = columns_.find(path);
    if (it == columns_.end()) {
      if (names_.size() >= kJsonMaxColumns) {
        status_ = Status::InvalidArgument("json.too-many-columns",
                                          "more than " + std::to_string(kJsonMaxColumns) + " columns");
        return false;
      }
      it = columns_.emplace(std::string(path), static_cast<uint32_t>(names_.size())).first;
      names_.emplace_back(path);
      sample_bytes_ += 2 * path.size();
    }
    record_.cells.push_back({it->second, std::string(value)});
    sample_bytes_ += sizeof(Cell) + value.size();
    return true;
  }

  // Every column, so that the tagger never counts a record short; a repeated key has left its last value.
  Status WriteRow() {
    field_position_ = 0;
    for (std::string& value : row_) {
      out_->Field(value);
      value.clear();
    }
    return out_->EndRecord();
  }

  const JsonOptions& options_;
  RecordWriter* out_;
  JsonStats* stats_;
  std::unordered_map<std::string, uint32_t, PathHash, std::equal_to<>> columns_;
  std::vector<std::string> names_;
  bool sampling_ = true;
  size_t sample_bytes_ = 0;
  std::vector<SampledRecord> sample_;
  SampledRecord record_;          // sampling: the record being read
  std::vector<std::string> row_;  // writing: the record being read, one value per column
  std::vector<uint32_t> recent_columns_;
  size_t field_position_ = 0;
  Status status_;
};

// The SAX handler: flattens each record's values to (path, text) pairs for the ColumnTable. `final`, so
// that the parser's calls through the json_sax interface are direct.
class Flattener final : public nlohmann::json_sax<Json> {
 public:
  // `reader` is the document's (checkpointed between records), null for NDJSON lines.
  Flattener(ColumnTable* table, ByteReader* reader) : table_(table), reader_(reader) { frames_.reserve(kJsonMaxDepth); }

  // Before each NDJSON line.
  void Reset() {
    frames_.clear();
    record_depth_ = kNoRecord;
    record_done_ = false;
  }
  bool record_done() const { return record_done_; }
  const Status& error() const { return error_; }  // a fatal error: anything but a syntax error
  uint64_t syntax_error_position() const { return syntax_error_position_; }
  uint64_t dropped() const { return dropped_; }  // values past an array's kJsonMaxArrayElements

  bool null() override { return Scalar({}); }
  bool boolean(bool value) override { return Scalar(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return Integer(value); }
  bool number_unsigned(number_unsigned_t value) override { return Integer(value); }
  // The source's text: a float keeps its notation, and an integer past 64 bits (parsed as a float) its digits.
  bool number_float(number_float_t, const string_t& text) override { return Scalar(text); }
  bool string(string_t& value) override { return Scalar(value); }
  bool binary(binary_t&) override { return Scalar({}); }  // JSON text has none
  bool start_object(std::size_t) override { return Open(Kind::kObject); }
  bool start_array(std::size_t) override { return Open(Kind::kArray); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }
  bool key(string_t& key) override {
    const Frame& object = frames_.back();
    if (object.role == Role::kRecord) {
      path_.resize(object.path_length);
      if (!object.record_root) path_ += '.';
      path_ += key;
    }
    return true;
  }
  // nlohmann's message may quote the input: only the position is kept.
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
    syntax_error_position_ = position;
    return false;
  }

 private:
  enum class Kind : uint8_t { kScalar, kObject, kArray };
  // kOutside: the document's top-level array, or a wrapper object and its arrays of records.
  // kStop: a record starts past the size limit.
  enum class Role : uint8_t { kOutside, kRecord, kIgnored, kStop };
  struct Frame {
    bool is_array;
    bool record_root;   // the record itself: its members' paths have no leading '.'
    bool record_array;  // (document) an array whose elements are records
    Role role;
    uint32_t next_index;
    size_t path_length;  // of this container's own path
  };
  static constexpr size_t kNoRecord = SIZE_MAX;

  bool document() const { return reader_ != nullptr; }

  template <typename Number>
  bool Integer(Number value) {
    char text[24];
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    return Scalar(std::string_view(text, end - text));
  }

  bool Scalar(std::string_view text) {
    const Role role = Enter(Kind::kScalar);
    if (role != Role::kRecord) return role != Role::kStop;
    if (!Emit(text)) return false;
    return frames_.size() == record_depth_ ? EndRecord() : true;
  }

  bool Open(Kind kind) {
    if (frames_.size() >= kJsonMaxDepth) {
      return Fail(Status::InvalidArgument(
          "json.too-deep", "objects and arrays nested more than " + std::to_string(kJsonMaxDepth) + " deep"));
    }
    const Role role = Enter(kind);
    if (role == Role::kStop) return false;
    const bool record_root = role == Role::kRecord && frames_.size() == record_depth_ && kind == Kind::kObject;
    frames_.push_back({kind == Kind::kArray, record_root, false, role, 0, path_.size()});
    return true;
  }

  bool Close() {
    const Role role = frames_.back().role;
    frames_.pop_back();
    return role == Role::kRecord && frames_.size() == record_depth_ ? EndRecord() : true;
  }

  // Decides the role of the value about to start and, inside a record, sets path_ to its path.
  Role Enter(Kind kind) {
    if (frames_.empty()) {
      if (document() && kind == Kind::kArray) return Role::kOutside;
      pending_root_ = document() && kind == Kind::kObject;  // a record, unless it holds arrays of records
      return StartRecord(kind);
    }
    Frame& parent = frames_.back();
    const uint32_t index = parent.is_array ? parent.next_index++ : 0;
    const bool first_object_of_member = document() && frames_.size() == 2 && !frames_[0].is_array && parent.is_array &&
                                        index == 0 && kind == Kind::kObject;
    switch (parent.role) {
      case Role::kRecord:
        if (pending_root_ && first_object_of_member) {  // the top-level object is a wrapper
          pending_root_ = false;
          pending_.clear();
          frames_[0].role = Role::kOutside;
          parent.role = Role::kOutside;
          parent.record_array = true;
          return StartRecord(kind);
        }
        if (parent.is_array) {
          if (index >= kJsonMaxArrayElements) {
            dropped_++;
            return Role::kIgnored;
          }
          path_.resize(parent.path_length);
          if (!parent.record_root) path_ += '.';
          path_ += std::to_string(index);
        }
        return Role::kRecord;
      case Role::kOutside:
        if (parent.is_array && (parent.record_array || frames_.size() == 1)) return StartRecord(kind);
        if (first_object_of_member) {
          parent.record_array = true;
          return StartRecord(kind);
        }
        return frames_.size() == 1 && kind == Kind::kArray ? Role::kOutside : Role::kIgnored;
      default:  // inside an ignored value
        return Role::kIgnored;
    }
  }

  Role StartRecord(Kind kind) {
    if (reader_ != nullptr && !reader_->Checkpoint()) return Role::kStop;
    record_depth_ = frames_.size();
    record_fields_ = 0;
    path_.clear();
    if (kind != Kind::kObject) path_ = "value";  // a record that is not an object reads as {"value": X}
    return Role::kRecord;
  }

  bool Emit(std::string_view value) {
    if (++record_fields_ > kJsonMaxColumns) {
      return Fail(Status::InvalidArgument("json.too-many-columns",
                                          "a record with more than " + std::to_string(kJsonMaxColumns) + " fields"));
    }
    if (pending_root_) {
      pending_.emplace_back(path_, value);
      return true;
    }
    return table_->Field(path_, value) || Fail(table_->status());
  }

  bool EndRecord() {
    record_depth_ = kNoRecord;
    if (pending_root_) {
      pending_root_ = false;
      for (const auto& [path, value] : pending_) {
        if (!table_->Field(path, value)) return Fail(table_->status());
      }
      pending_.clear();
    }
    if (!document()) {  // the line's driver ends it once the whole line has parsed
      record_done_ = true;
      return true;
    }
    if (!reader_->Checkpoint()) return false;
    const Status written = table_->EndRecord();
    return written.ok() || Fail(written);
  }

  bool Fail(Status status) {
    error_ = std::move(status);
    return false;
  }

  ColumnTable* table_;
  ByteReader* reader_;
  std::vector<Frame> frames_;
  std::string path_;
  size_t record_depth_ = kNoRecord;  // frames_.size() where the current record started
  size_t record_fields_ = 0;
  bool record_done_ = false;
  bool pending_root_ = false;  // the document's top-level object, held in pending_ until it ends
  std::vector<std::pair<std::string, std::string>> pending_;
  uint64_t dropped_ = 0;
  uint64_t syntax_error_position_ = 0;
  Status error_;
};

enum class Shape { kEmpty, kLines, kDocument };

// NDJSON when the first line is a complete JSON value and another non-blank line follows. Consumes the BOM.
Shape DetectShape(ByteReader* reader) {
  reader->FillAtLeast(kBom.size());
  if (reader->buffered().substr(0, kBom.size()) == kBom) reader->Skip(kBom.size());
  // Index of the first byte at or after `from` that `stop` accepts, npos at the end or past the limit.
  const auto find = [reader](size_t from, auto stop) {
    for (;;) {
      const std::string_view bytes = reader->buffered();
      for (; from < bytes.size(); ++from) {
        if (stop(bytes[from])) return from;
      }
      if (bytes.size() > kJsonMaxRecordBytes || reader->eof() || !reader->status().ok()) return std::string_view::npos;
      reader->FillAtLeast(bytes.size() + 1);
    }
  };
  const size_t first = find(0, [](char c) { return !IsSpace(c); });
  if (first == std::string_view::npos)
    return reader->buffered().size() > kJsonMaxRecordBytes ? Shape::kDocument : Shape::kEmpty;
  const size_t newline = find(first, [](char c) { return c == '\n'; });
  if (newline == std::string_view::npos) return Shape::kDocument;
  const std::string_view line = reader->buffered().substr(first, newline - first);
  if (!Json::accept(line.begin(), line.end())) return Shape::kDocument;
  const size_t next = find(newline, [](char c) { return !IsSpace(c); });
  return next != std::string_view::npos || reader->buffered().size() > kJsonMaxRecordBytes ? Shape::kLines
                                                                                           : Shape::kDocument;
}

Status TranscodeLines(ByteReader* reader, ColumnTable* table, JsonStats* stats) {
  Flattener flattener(table, nullptr);
  std::vector<json_internal::LineEvent> events;  // most lines: see json_ndjson.h
  std::string scratch;
  uint64_t line_number = 0;
  std::string_view line;
  for (;;) {
    Result<bool> more = json_internal::NextLine(reader, &line);
    ++line_number;
    if (!more.ok()) return Located(more.status(), "line " + std::to_string(line_number));
    if (!*more) break;
    if (IsBlank(line)) continue;
    flattener.Reset();
    const bool parsed = json_internal::ScanSimpleLine(line, &events)
                            ? json_internal::ReplayLine(events, &flattener, &scratch)
                            : Json::sax_parse(line.begin(), line.end(), &flattener);
    if (!flattener.error().ok()) return Located(flattener.error(), "line " + std::to_string(line_number));
    if (parsed && flattener.record_done()) {
      VIGIE_RETURN_IF_ERROR(table->EndRecord());
    } else {
      VIGIE_RETURN_IF_ERROR(table->MalformedRecord());
    }
  }
  stats->dropped_fields += flattener.dropped();
  return Status::Ok();
}

Status TranscodeDocument(ByteReader* reader, ColumnTable* table, JsonStats* stats) {
  Flattener flattener(table, reader);
  reader->Checkpoint();
  const uint64_t start = reader->offset();
  const bool parsed = Json::sax_parse(StreamIterator(reader), StreamIterator(), &flattener);
  stats->dropped_fields += flattener.dropped();
  if (!reader->status().ok()) return reader->status();
  if (!flattener.error().ok()) return Located(flattener.error(), NearByte(reader->offset()));
  if (parsed) return reader->Checkpoint() ? Status::Ok() : reader->status();
  // nlohmann counts the end of the input as one more character read.
  const uint64_t position = start + flattener.syntax_error_position();
  if (reader->eof() && position > reader->bytes_read()) {
    return Status::InvalidArgument("json.syntax", "the JSON document is truncated (it ends " +
                                                      NearByte(reader->bytes_read()) + ", inside a value)");
  }
  return Status::InvalidArgument("json.syntax", "malformed JSON " + NearByte(position > 0 ? position - 1 : 0));
}

Status Transcode(ByteSource* in, const JsonOptions& options, RecordWriter* out, JsonStats* stats) {
  ByteReader reader(in);
  ColumnTable table(options, out, stats);
  if (options.sample_records == 0) VIGIE_RETURN_IF_ERROR(table.StartWriting());
  const Shape shape = DetectShape(&reader);
  VIGIE_RETURN_IF_ERROR(reader.status());
  if (shape == Shape::kLines) VIGIE_RETURN_IF_ERROR(TranscodeLines(&reader, &table, stats));
  if (shape == Shape::kDocument) VIGIE_RETURN_IF_ERROR(TranscodeDocument(&reader, &table, stats));
  return table.Finish();
}

}  // namespace

Status TranscodeJson(ByteSource* in, const JsonOptions& options, RecordWriter* out, JsonStats* stats) {
  JsonStats ignored;
  try {
    return Transcode(in, options, out, stats != nullptr ? stats : &ignored);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while reading JSON");
  } catch (...) {  // nlohmann's messages may quote the input: none is passed on
    return Status::Internal("unexpected error while reading JSON");
  }
}

bool LooksLikeJson(std::string_view sample) {
  if (sample.substr(0, kBom.size()) == kBom) sample.remove_prefix(kBom.size());
  const size_t first = sample.find_first_not_of(kSpaces);
  return first != std::string_view::npos && (sample[first] == '[' || sample[first] == '{');
}

}  // namespace vigie
