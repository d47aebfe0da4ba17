#include "core/bulk_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/bulk_files.h"
#include "core/csv.h"
#include "core/fd_writer.h"
#include "core/input_file.h"
#include "core/line_reader.h"
#include "core/normalize.h"
#include "core/output_file.h"
#include "core/remote_tagger.h"

namespace vigie {

namespace {

using Clock = std::chrono::steady_clock;

// ---- tagging -----------------------------------------------------------------------------------------

Status CheckInfo(Kind kind, const RemoteIndexInfo& info) {
  if (info.scheme_known) {
    const bool password_scheme = info.scheme == SchemeId::kSha1 || info.scheme == SchemeId::kNtlm;
    if (password_scheme != (kind == Kind::kPassword)) {
      return Status::InvalidArgument("index.kind",
                                     "this index does not hold identifiers of kind " + std::string(KindName(kind)));
    }
  }
  if (info.layout.prefix_hex < 1 || info.layout.prefix_hex > 8 || info.layout.suffix_hex < 1 ||
      info.layout.suffix_hex > 64) {
    return Status::InvalidArgument("remote.layout", "the server reported an impossible tag layout");
  }
  return Status::Ok();
}

// Rows that share a prefix, as [begin, end) ranges of `order` (row numbers sorted by prefix).
struct Groups {
  std::vector<uint32_t> prefixes;  // distinct, ascending
  std::vector<size_t> begin;       // prefixes.size() + 1 offsets into order
  std::vector<uint32_t> order;
};

Groups GroupByPrefix(std::span<const uint32_t> prefix_of_row, std::span<const uint8_t> pending) {
  Groups g;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (size_t i = 0; i < prefix_of_row.size(); ++i) {
    if (pending[i]) pairs.emplace_back(prefix_of_row[i], static_cast<uint32_t>(i));
  }
  std::sort(pairs.begin(), pairs.end());
  g.order.reserve(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i == 0 || pairs[i].first != pairs[i - 1].first) {
      g.prefixes.push_back(pairs[i].first);
      g.begin.push_back(i);
    }
    g.order.push_back(pairs[i].second);
  }
  g.begin.push_back(pairs.size());
  return g;
}

Status CheckBucket(const RangeResponse& bucket, Kind kind, const TagLayout& layout) {
  if (bucket.kind != kind || bucket.suffix_hex != layout.suffix_hex ||
      static_cast<int>(bucket.prefix.size()) != layout.prefix_hex) {
    return Status(Code::kCorruption, "range.body", "the server answered for another kind or tag layout");
  }
  return Status::Ok();
}

std::string ErrorText(const Status& s) { return s.message() + " [" + std::string(s.reason()) + "]"; }

// One block of input lines, copied so that it outlives the chunks it came from.
struct Block {
  std::string text;
  struct Line {
    size_t offset = 0, size = 0;
    bool crlf = false, overlong = false, header = false;
  };
  std::vector<Line> lines;
  std::string_view line(size_t i) const { return std::string_view(text).substr(lines[i].offset, lines[i].size); }
  void Clear() {
    text.clear();
    lines.clear();
  }
};

}  // namespace

// ---- single values -------------------------------------------------------------------------------------

Status BucketSource::Evaluate(Kind, std::span<const oprf::Element>, std::span<oprf::Element>) {
  return Status::FailedPrecondition("this bucket source cannot run OPRF evaluations (oprf-p256 index)",
                                    "remote.scheme");
}

Status BucketSource::Match(Kind kind, const TagLayout& layout, const MatchRows& rows, const OnFound& on_found,
                           uint64_t* requests) {
  const size_t w = rows.width;
  Groups g = GroupByPrefix(rows.prefixes, rows.pending);
  std::atomic<uint64_t> fetched{0};
  Status s = Fetch(kind, g.prefixes, [&](size_t gi, const RangeResponse& bucket) -> Status {
    VIGIE_RETURN_IF_ERROR(CheckBucket(bucket, kind, layout));
    std::vector<std::string> found_names;
    for (size_t k = g.begin[gi]; k < g.begin[gi + 1]; ++k) {
      const uint32_t row = g.order[k];
      const RangeEntry* e = bucket.Find(rows.suffixes.substr(row * w, w));
      if (!e) continue;
      found_names.clear();
      for (uint32_t p : e->breaches) found_names.push_back(bucket.breaches[p]);
      on_found(row, found_names, e->count);
    }
    const uint64_t done = fetched.fetch_add(1) + 1;
    if (rows.progress && (done & 1023) == 0) rows.progress(done, g.prefixes.size());
    return Status::Ok();
  });
  *requests += g.prefixes.size();
  return s;
}

Result<std::vector<LookupResult>> CheckValues(BucketSource* source, Kind kind, const std::vector<std::string>& values) {
  auto info = source->Describe(kind);
  if (!info.ok()) return info.status();
  VIGIE_RETURN_IF_ERROR(CheckInfo(kind, *info));
  const TagLayout layout = info->layout;
  const size_t w = static_cast<size_t>(layout.suffix_hex);
  RemoteTagger tagger(kind, *info);
  std::vector<LookupResult> results(values.size());
  std::vector<uint32_t> prefixes(values.size());
  std::vector<uint8_t> pending(values.size());
  std::string suffixes(values.size() * w, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    LookupResult& r = results[i];
    Status s = tagger.Tag(values[i], &r.canonical, &r.valid, &prefixes[i], suffixes.data() + i * w, i);
    if (!r.valid) r.canonical.clear();
    r.error = s;
    pending[i] = s.ok();
  }
  VIGIE_RETURN_IF_ERROR(tagger.FinishOprf(source, prefixes.data(), suffixes.data(), w));
  uint64_t requests = 0;
  VIGIE_RETURN_IF_ERROR(source->Match(
      kind, layout, MatchRows{prefixes, suffixes, w, pending, {}},
      [&](uint32_t row, const std::vector<std::string>& names, uint64_t count) {
        LookupResult& r = results[row];
        r.found = true;
        r.breaches = names;
        r.count = count;
      },
      &requests));
  return results;
}

// ---- bulk ------------------------------------------------------------------------------------------------

std::string CsvField(std::string_view value, char delimiter) {
  const bool quote = value.find_first_of(std::string{delimiter, '"', '\r', '\n'}) != std::string_view::npos ||
                     (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace {

// One bulk run, stage by stage: Open (the index, the input, its column), Resume (the checkpoint), then per
// block Read, Tag, Match, Write (output and checkpoint).
class BulkRun {
 public:
  BulkRun(const BulkOptions& options, BucketSource* source) : options_(options), source_(source) {}

  Status Open();
  // Picks up the checkpoint; true when it says the run is already complete (report_ filled).
  Result<bool> Resume();
  Result<BulkReport> Run();

 private:
  Result<bool> ReadBlock();  // false at the end of the input (nothing read)
  Status TagBlock();
  Status MatchBlock(uint64_t block_raw_end);
  std::string RenderBlock();
  Status WriteBlock(bool eof);
  void TagLine(size_t i, std::string* canonical);

  const BulkOptions& options_;
  BucketSource* source_;
  BulkReport report_;
  RemoteIndexInfo info_;
  std::unique_ptr<InputFile> input_;
  std::unique_ptr<LineReader> reader_;
  Dialect dialect_;
  std::vector<std::string_view> header_fields_;
  std::string first_line_;
  int field_ = -1;
  char out_delim_ = ',';
  std::unique_ptr<LineParser> parser_;
  std::unique_ptr<RemoteTagger> tagger_;
  Checkpoint cp_;
  bool resume_ = false;
  BlockSink sink_;
  // Progress: raw input bytes (ETA) and rows (rate) of this run.
  uint64_t raw_start_ = 0, raw_total_ = 0, block_raw_begin_ = 0, session_rows_ = 0;
  // The block in hand and what each row got: state 0 invalid, 1 pending (not found), 2 found.
  Block block_;
  std::vector<uint32_t> prefixes_;
  std::vector<uint8_t> state_;
  std::vector<std::string> errors_, breaches_;
  std::string suffixes_;
  std::vector<std::string_view> fields_;
};

Status BulkRun::Open() {
  if (!options_.checkpoint_path.empty() && (options_.input_path == "-" || options_.output_path == "-")) {
    return Status::InvalidArgument("checkpoint.stdio", "a checkpoint needs named input and output files");
  }
  if (options_.block_rows == 0) return Status::InvalidArgument("bulk.block", "the block size must be positive");
  std::error_code ec;
  if (options_.output_path != "-" && std::filesystem::equivalent(options_.input_path, options_.output_path, ec)) {
    return Status::InvalidArgument("bulk.output", "the output file is the input file");
  }
  auto info = source_->Describe(options_.kind);
  if (!info.ok()) return info.status();
  VIGIE_RETURN_IF_ERROR(CheckInfo(options_.kind, *info));
  info_ = *info;
  auto input = InputFile::Open(options_.input_path);
  if (!input.ok()) return input.status().WithContext(options_.input_path);
  input_ = std::move(*input);
  reader_ = std::make_unique<LineReader>(input_.get(), options_.chunk_bytes);
  VIGIE_RETURN_IF_ERROR(reader_->Start().WithContext(options_.input_path));
  first_line_ = std::string(reader_->FirstLine());
  dialect_ = DetectDialect(first_line_);
  if (options_.kind == Kind::kPassword) dialect_ = Dialect{Format::kLines, 0, dialect_.header};
  if (options_.header >= 0) dialect_.header = options_.header == 1;
  LineParser header_parser(Dialect{dialect_.format, dialect_.delimiter, false});
  if (dialect_.format == Format::kCsv && dialect_.header) {
    Status s = header_parser.ParseLine(first_line_, &header_fields_);
    if (!s.ok()) return s.WithContext("the header line of " + options_.input_path);
  }
  auto column = ChooseColumn(options_.kind, options_.column, dialect_, header_fields_);
  if (!column.ok()) return column.status().WithContext(options_.input_path);
  field_ = *column;
  out_delim_ = dialect_.format == Format::kCsv ? dialect_.delimiter : ',';
  parser_ = std::make_unique<LineParser>(dialect_);
  parser_->set_expected_fields(header_fields_.size());
  tagger_ = std::make_unique<RemoteTagger>(options_.kind, info_);
  return Status::Ok();
}

Result<bool> BulkRun::Resume() {
  cp_.kind = std::string(KindName(options_.kind));
  cp_.column = field_ < 0 ? "line" : std::to_string(field_ + 1);
  cp_.output = options_.output_path;
  if (!options_.checkpoint_path.empty()) {
    auto digest = DigestFile(options_.input_path);
    if (!digest.ok()) return digest.status().WithContext(options_.input_path);
    cp_.input_digest = digest->Hex();
    std::ifstream in(options_.checkpoint_path, std::ios::binary);
    if (in) {
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      Checkpoint old;
      VIGIE_RETURN_IF_ERROR(DecodeCheckpoint(text, &old).WithContext(options_.checkpoint_path));
      if (old.input_digest != cp_.input_digest || old.kind != cp_.kind || old.column != cp_.column ||
          old.output != cp_.output) {
        return Status::FailedPrecondition("the checkpoint " + options_.checkpoint_path +
                                              " belongs to another run (the input file, kind, column or output "
                                              "changed): delete it to start over",
                                          "checkpoint.mismatch");
      }
      cp_ = old;
      resume_ = true;
      report_.rows = cp_.rows;
      report_.found = cp_.found;
      report_.not_found = cp_.not_found;
      report_.invalid = cp_.invalid;
      if (cp_.done) {
        report_.already_complete = true;
        return true;
      }
      report_.resumed_at_line = cp_.lines + 1;
    }
  }
  VIGIE_RETURN_IF_ERROR(sink_.Open(options_.output_path, resume_, resume_ ? cp_.output_bytes : 0));
  // Skip what an earlier run already wrote.
  InputLine line;
  for (uint64_t skipped = 0; skipped < cp_.lines; ++skipped) {
    auto got = reader_->Next(&line);
    if (!got.ok()) return got.status().WithContext(options_.input_path);
    if (!*got) return Status::FailedPrecondition("the checkpoint is past the end of the input", "checkpoint.mismatch");
  }
  // The reader runs up to a chunk ahead of the rows handed out: a fresh run counts from 0, a resumed one
  // from where skipping ended.
  raw_start_ = resume_ ? reader_->raw_bytes_read() : 0;
  block_raw_begin_ = raw_start_;
  raw_total_ = input_->raw_size();
  return false;
}

Result<bool> BulkRun::ReadBlock() {
  block_.Clear();
  InputLine line;
  while (block_.lines.size() < options_.block_rows) {
    auto got = reader_->Next(&line);
    if (!got.ok()) return got.status().WithContext(options_.input_path);
    if (!*got) break;
    Block::Line l{block_.text.size(), line.text.size(), line.crlf, line.overlong, line.number == 1 && dialect_.header};
    block_.text.append(line.text);
    block_.lines.push_back(l);
  }
  return !block_.lines.empty();
}

void BulkRun::TagLine(size_t i, std::string* canonical) {
  const Block::Line& l = block_.lines[i];
  if (l.header) return;
  if (l.overlong) {
    errors_[i] = "the line is longer than 1 MiB and was not read [line.too-long]";
    return;
  }
  std::string_view value = block_.line(i);
  if (field_ >= 0) {
    if (Status s = parser_->ParseLine(value, &fields_); !s.ok()) {
      errors_[i] = ErrorText(s);
      return;
    }
    if (static_cast<size_t>(field_) >= fields_.size()) {  // no header to check widths against
      errors_[i] = "the line has " + std::to_string(fields_.size()) + " fields, the column is number " +
                   std::to_string(field_ + 1) + " [line.too-few-fields]";
      return;
    }
    value = fields_[static_cast<size_t>(field_)];
  }
  const size_t w = static_cast<size_t>(info_.layout.suffix_hex);
  bool valid = false;
  if (Status s = tagger_->Tag(value, canonical, &valid, &prefixes_[i], suffixes_.data() + i * w, i); !s.ok()) {
    errors_[i] = ErrorText(s);
    return;
  }
  state_[i] = 1;
}

Status BulkRun::TagBlock() {
  const size_t n = block_.lines.size();
  const size_t w = static_cast<size_t>(info_.layout.suffix_hex);
  prefixes_.assign(n, 0);
  state_.assign(n, 0);
  errors_.assign(n, std::string());
  breaches_.assign(n, std::string());
  suffixes_.assign(n * w, '\0');
  std::string canonical;
  for (size_t i = 0; i < n; ++i) TagLine(i, &canonical);
  return tagger_->FinishOprf(source_, prefixes_.data(), suffixes_.data(), w);
}

Status BulkRun::MatchBlock(uint64_t block_raw_end) {
  const size_t n = block_.lines.size();
  std::mutex progress_mu;
  auto last_progress = Clock::now();
  auto progress = [&](uint64_t done, uint64_t total) {
    if (!options_.progress || !progress_mu.try_lock()) return;
    std::lock_guard lock(progress_mu, std::adopt_lock);
    const auto now = Clock::now();
    if (now - last_progress <= std::chrono::milliseconds(250)) return;
    last_progress = now;
    const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const auto raw_done =
        block_raw_begin_ + static_cast<uint64_t>(f * static_cast<double>(block_raw_end - block_raw_begin_));
    options_.progress->Update("read", raw_done - raw_start_, raw_total_ > raw_start_ ? raw_total_ - raw_start_ : 0,
                              session_rows_ + static_cast<uint64_t>(f * static_cast<double>(n)));
  };
  const size_t w = static_cast<size_t>(info_.layout.suffix_hex);
  return source_->Match(
      options_.kind, info_.layout, MatchRows{prefixes_, suffixes_, w, state_, progress},
      [&](uint32_t row, const std::vector<std::string>& names, uint64_t) {
        state_[row] = 2;
        std::string& b = breaches_[row];
        for (const std::string& name : names) {
          if (!b.empty()) b += ',';
          b += name;
        }
      },
      &report_.buckets);
}

// The block's output rows, in input order: every original line verbatim, then found, breaches, error.
std::string BulkRun::RenderBlock() {
  std::string out;
  for (size_t i = 0; i < block_.lines.size(); ++i) {
    const Block::Line& l = block_.lines[i];
    if (field_ < 0) {
      out += CsvField(block_.line(i), out_delim_);
    } else if (l.overlong) {
      out.append(header_fields_.empty() ? 0 : header_fields_.size() - 1, out_delim_);
    } else {
      out += block_.line(i);
    }
    out += out_delim_;
    if (l.header) {
      out += std::string("found") + out_delim_ + "breaches" + out_delim_ + "error";
    } else {
      ++cp_.rows;
      if (state_[i] == 2) {
        ++cp_.found;
      } else if (state_[i] == 1) {
        ++cp_.not_found;
      } else {
        ++cp_.invalid;
      }
      out += state_[i] == 2 ? "yes" : state_[i] == 1 ? "no" : "";
      out += out_delim_;
      out += CsvField(breaches_[i], out_delim_);
      out += out_delim_;
      out += CsvField(errors_[i], out_delim_);
    }
    out += l.crlf ? "\r\n" : "\n";
  }
  return out;
}

// The block's rows, synced, then the checkpoint that vouches for them (in that order: a crash between the
// two repeats the block, never loses it).
Status BulkRun::WriteBlock(bool eof) {
  VIGIE_RETURN_IF_ERROR(sink_.Append(RenderBlock()));
  VIGIE_RETURN_IF_ERROR(sink_.Sync());
  cp_.lines += block_.lines.size();
  session_rows_ += block_.lines.size();
  if (options_.test_stop && options_.test_stop("output-synced", cp_.lines)) {
    return Status(Code::kInternal, "bulk.stopped", "stopped by the test hook");
  }
  if (!options_.checkpoint_path.empty()) {
    cp_.output_bytes = sink_.size();
    cp_.done = eof;
    VIGIE_RETURN_IF_ERROR(WriteFileDurably(options_.checkpoint_path, EncodeCheckpoint(cp_)));
  }
  if (options_.test_stop && options_.test_stop("checkpoint-synced", cp_.lines)) {
    return Status(Code::kInternal, "bulk.stopped", "stopped by the test hook");
  }
  return Status::Ok();
}

Result<BulkReport> BulkRun::Run() {
  const auto start = Clock::now();
  VIGIE_RETURN_IF_ERROR(Open());
  auto complete = Resume();
  if (!complete.ok()) return complete.status();
  if (*complete) return report_;
  for (;;) {
    auto got = ReadBlock();
    if (!got.ok()) return got.status();
    if (!*got) break;
    const bool eof = block_.lines.size() < options_.block_rows;
    const uint64_t block_raw_end = reader_->raw_bytes_read();
    VIGIE_RETURN_IF_ERROR(TagBlock());
    VIGIE_RETURN_IF_ERROR(MatchBlock(block_raw_end));
    VIGIE_RETURN_IF_ERROR(WriteBlock(eof));
    block_raw_begin_ = block_raw_end;
    if (options_.progress) {
      options_.progress->Update("read", block_raw_end - raw_start_,
                                raw_total_ > raw_start_ ? raw_total_ - raw_start_ : 0, session_rows_);
    }
    if (eof) break;
  }
  if (!options_.checkpoint_path.empty() && !cp_.done) {
    // The input ended exactly at a block boundary: record completion.
    cp_.output_bytes = sink_.size();
    cp_.done = true;
    VIGIE_RETURN_IF_ERROR(WriteFileDurably(options_.checkpoint_path, EncodeCheckpoint(cp_)));
  }
  if (options_.progress) options_.progress->Finish();
  report_.rows = cp_.rows;
  report_.found = cp_.found;
  report_.not_found = cp_.not_found;
  report_.invalid = cp_.invalid;
  report_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report_;
}

}  // namespace

Result<BulkReport> RunBulkCheck(const BulkOptions& options, BucketSource* source) {
  BulkRun run(options, source);
  return run.Run();
}

}  // namespace vigie
