#include "core/dump_input.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/archive_input.h"
#include "core/csv_records.h"
#include "core/input_file.h"
#include "core/json_dump.h"
#include "core/pipe_source.h"
#include "core/record_writer.h"
#include "core/sql_dump.h"
#include "core/text_dump.h"
#include "core/text_encoding.h"
#include "core/xlsx_dump.h"

namespace vigie {

namespace {

constexpr size_t kSampleBytes = 64 << 10;

// Replays the first bytes of a source after they were read for detection.
class PeekSource : public ByteSource {
 public:
  explicit PeekSource(ByteSource* inner) : inner_(inner) {}
  Status Peek(size_t want) {
    sample_.resize(want);
    size_t got = 0;
    while (got < want) {
      auto n = inner_->Read(sample_.data() + got, want - got);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      got += *n;
    }
    sample_.resize(got);
    return Status::Ok();
  }
  const std::string& sample() const { return sample_; }
  // Drops the first n bytes of the sample from what is replayed (a byte order mark).
  void Skip(size_t n) { pos_ = std::min(n, sample_.size()); }
  Result<size_t> Read(char* buf, size_t cap) override {
    if (pos_ < sample_.size()) return TakeBuffered(sample_, &pos_, buf, cap);
    return inner_->Read(buf, cap);
  }
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }

 private:
  ByteSource* inner_;
  std::string sample_;
  size_t pos_ = 0;
};

std::string ReadHead(const std::string& path, size_t n) {
  std::string head(n, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const ssize_t got = ::pread(fd, head.data(), n, 0);
  ::close(fd);
  head.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return head;
}

std::string_view FirstLine(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The dialect of delimited text from its first line and the user's overrides (AddOptions' rules).
Dialect DelimitedDialect(std::string_view first_line, const DumpInputOptions& options) {
  Dialect dialect = DetectDialect(first_line);
  if (options.passwords) dialect = Dialect{Format::kLines, 0, false};
  if (options.format == InputFormat::kLines) {
    dialect = Dialect{Format::kLines, 0, dialect.format == Format::kLines && dialect.header};
  }
  if (options.format == InputFormat::kCsv && dialect.format == Format::kLines) {
    dialect = Dialect{Format::kCsv, options.delimiter ? options.delimiter : ',', true};
  }
  if (options.delimiter) {
    dialect.format = Format::kCsv;
    dialect.delimiter = options.delimiter;
  }
  if (options.header >= 0) dialect.header = options.header == 1;
  return dialect;
}

InputFormat DetectFormat(std::string_view sample, const DumpInputOptions& options) {
  if (options.format != InputFormat::kAuto) return options.format;
  if (options.passwords) return InputFormat::kLines;
  if (LooksLikeXlsx(sample)) return InputFormat::kXlsx;
  if (LooksLikeSql(sample)) return InputFormat::kSql;
  if (LooksLikeJson(sample)) return InputFormat::kJson;
  return InputFormat::kCsv;  // delimited text or a plain list: the first line tells
}

}  // namespace

struct DumpInput::Stages {
  std::unique_ptr<InputFile> file;
  std::unique_ptr<ArchiveInput> archive;
  // Per member, in stacking order; reset top first.
  std::unique_ptr<PeekSource> raw_peek;
  std::unique_ptr<TextDecoder> decoder;
  std::unique_ptr<PeekSource> text_peek;
  std::unique_ptr<ByteSource> top;  // PipeSource or CsvRecordJoiner

  void ResetMember() {
    top.reset();
    text_peek.reset();
    decoder.reset();
    raw_peek.reset();
  }
};

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto:
      return "auto";
    case InputFormat::kCsv:
      return "csv";
    case InputFormat::kLines:
      return "lines";
    case InputFormat::kSql:
      return "sql";
    case InputFormat::kJson:
      return "json";
    case InputFormat::kXlsx:
      return "xlsx";
    case InputFormat::kText:
      return "text";
  }
  return "?";
}

Result<InputFormat> ParseInputFormat(std::string_view name) {
  if (name == "tsv") return InputFormat::kCsv;
  for (InputFormat f : {InputFormat::kAuto, InputFormat::kCsv, InputFormat::kLines, InputFormat::kSql,
                        InputFormat::kJson, InputFormat::kXlsx, InputFormat::kText}) {
    if (InputFormatName(f) == name) return f;
  }
  return Status::InvalidArgument("add.format",
                                 "unknown --format (known: auto, csv, tsv, lines, sql, json, xlsx, text)");
}

DumpInput::~DumpInput() {
  if (stages_) stages_->ResetMember();
}

Result<std::unique_ptr<DumpInput>> DumpInput::Open(const std::string& path, const DumpInputOptions& options) {
  std::unique_ptr<DumpInput> in(new DumpInput());
  in->path_ = path;
  in->options_ = options;
  in->stages_ = std::make_unique<Stages>();
  auto file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  in->raw_size_ = (*file)->raw_size();
  std::string decoded_head(512, '\0');
  size_t got = 0;
  while (got < decoded_head.size()) {
    auto n = (*file)->Read(decoded_head.data() + got, decoded_head.size() - got);
    if (!n.ok() || *n == 0) break;  // a decoding error is reported when the member is read
    got += *n;
  }
  decoded_head.resize(got);
  if (path != "-" && LooksLikeArchive(ReadHead(path, 8), decoded_head) &&
      !(options.format == InputFormat::kXlsx || LooksLikeXlsx(ReadHead(path, kSampleBytes)))) {
    auto archive = ArchiveInput::Open(path, ArchiveOptions{options.max_expanded_bytes});
    if (!archive.ok()) return archive.status();
    in->stages_->archive = std::move(*archive);
    return in;
  }
  if (path != "-") {  // read again from the start (standard input cannot be: it has no archives)
    file = InputFile::Open(path);
    if (!file.ok()) return file.status();
  } else {
    return Status::InvalidArgument("add.stdin", "a dump is read from a file, not standard input");
  }
  in->stages_->file = std::move(*file);
  return in;
}

bool DumpInput::is_archive() const { return stages_->archive != nullptr; }

std::string DumpInput::container() const {
  if (stages_->archive) return stages_->archive->format_name();
  return std::string(stages_->file->compression());
}

uint64_t DumpInput::raw_bytes_read() const {
  if (stages_->top) return stages_->top->raw_bytes_read();
  if (stages_->archive) return stages_->archive->raw_bytes_read();
  return stages_->file->raw_bytes_read();
}

Result<bool> DumpInput::NextMember(DumpMember* member) {
  stages_->ResetMember();
  if (!stages_->archive) {
    if (plain_done_) return false;
    plain_done_ = true;
    VIGIE_RETURN_IF_ERROR(SetUpMember(stages_->file.get(), "", member));
    return true;
  }
  for (;;) {
    auto next = stages_->archive->NextMember();
    if (!next.ok()) return next.status();
    if (!*next) {
      if (members_seen_ > 0) return false;
      return Status::NotFound(options_.member_glob.empty()
                                  ? std::string("the archive has no file in it")
                                  : "no member of the archive matches --member " + options_.member_glob,
                              "archive.no-member");
    }
    const std::string& name = stages_->archive->member_name();
    if (!options_.member_glob.empty() && fnmatch(options_.member_glob.c_str(), name.c_str(), 0) != 0) continue;
    members_seen_++;
    VIGIE_RETURN_IF_ERROR(SetUpMember(stages_->archive.get(), name, member));
    return true;
  }
}

Status DumpInput::SetUpMember(ByteSource* raw, const std::string& name, DumpMember* member) {
  Stages& st = *stages_;
  *member = DumpMember{};
  member->name = name;
  st.raw_peek = std::make_unique<PeekSource>(raw);
  VIGIE_RETURN_IF_ERROR(st.raw_peek->Peek(kSampleBytes));
  InputFormat format = DetectFormat(st.raw_peek->sample(), options_);
  if (format == InputFormat::kXlsx) {
    if (!name.empty()) {
      return Status::InvalidArgument("archive.xlsx-member",
                                     "member " + name + " is a spreadsheet: extract it and add it on its own");
    }
    XlsxOptions xlsx;
    xlsx.sheet = options_.table;
    xlsx.max_expanded_bytes = options_.max_expanded_bytes;
    const std::string path = path_;
    st.top = std::make_unique<PipeSource>(
        [path, xlsx](ByteSink* sink) {
          RecordWriter out(sink);
          VIGIE_RETURN_IF_ERROR(TranscodeXlsx(path, xlsx, &out));
          return out.Finish();
        },
        nullptr);
    member->format = format;
    member->encoding = "utf-8";
    member->dialect = Dialect::UnitSeparated();
    member->source = st.top.get();
    return Status::Ok();
  }

  TextEncoding encoding = DetectEncoding(st.raw_peek->sample());
  if (!options_.encoding.empty()) {
    auto forced = ParseEncodingName(options_.encoding);
    if (!forced.ok()) return forced.status();
    encoding = *forced;
  }
  member->encoding = std::string(EncodingName(encoding));
  ByteSource* text = st.raw_peek.get();
  // Stages after this one see text, not a byte order mark: a quote right after one still opens a field.
  if (encoding == TextEncoding::kUtf8 && st.raw_peek->sample().rfind("\xEF\xBB\xBF", 0) == 0) st.raw_peek->Skip(3);
  if (encoding != TextEncoding::kUtf8) {
    st.decoder = std::make_unique<TextDecoder>(text, encoding);
    st.text_peek = std::make_unique<PeekSource>(st.decoder.get());
    VIGIE_RETURN_IF_ERROR(st.text_peek->Peek(kSampleBytes));
    text = st.text_peek.get();
    format = DetectFormat(st.text_peek->sample(), options_);
  }
  const std::string& sample = st.text_peek ? st.text_peek->sample() : st.raw_peek->sample();
  member->format = format;
  member->source = text;

  if (format == InputFormat::kSql || format == InputFormat::kJson || format == InputFormat::kText) {
    const DumpInputOptions options = options_;
    st.top = std::make_unique<PipeSource>(
        [text, format, options](ByteSink* sink) {
          RecordWriter out(sink);
          if (format == InputFormat::kSql) {
            VIGIE_RETURN_IF_ERROR(TranscodeSql(text, SqlOptions{options.table}, &out));
          } else if (format == InputFormat::kJson) {
            JsonOptions json;
            json.columns = options.json_columns;
            VIGIE_RETURN_IF_ERROR(TranscodeJson(text, json, &out));
          } else {
            VIGIE_RETURN_IF_ERROR(TranscodeText(text, &out));
          }
          return out.Finish();
        },
        text);
    member->dialect = Dialect::UnitSeparated();
    member->source = st.top.get();
    return Status::Ok();
  }

  member->dialect = DelimitedDialect(FirstLine(sample), options_);
  member->format = member->dialect.format == Format::kLines ? InputFormat::kLines : InputFormat::kCsv;
  if (member->dialect.format == Format::kCsv && member->dialect.quoting) {
    st.top = std::make_unique<CsvRecordJoiner>(text, member->dialect.delimiter);
    member->source = st.top.get();
    member->joined_lines = true;
  }
  return Status::Ok();
}

}  // namespace vigie
