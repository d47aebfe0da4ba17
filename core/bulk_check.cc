#include "core/bulk_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

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

#include "core/fd_writer.h"
#include "core/csv.h"
#include "core/input_file.h"
#include "core/normalize.h"
#include "core/output_file.h"

namespace vigie {

namespace {

using Clock = std::chrono::steady_clock;

// ---- tagging -----------------------------------------------------------------------------------------

// Runs fn(begin, end) over [0, n) in up to hardware_concurrency slices (the OPRF client work is a few
// scalar multiplications per row); returns the first error.
Status ParallelSlices(size_t n, const std::function<Status(size_t, size_t)>& fn) {
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  const size_t slices = std::min(threads, std::max<size_t>(1, n / 64));
  if (slices <= 1) return fn(0, n);
  std::vector<Status> results(slices);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < slices; ++t) {
    pool.emplace_back([&, t] { results[t] = fn(n * t / slices, n * (t + 1) / slices); });
  }
  for (auto& th : pool) th.join();
  for (Status& r : results) VIGIE_RETURN_IF_ERROR(r);
  return Status::Ok();
}

// Normalises and tags identifiers of one kind the way the index did, and cuts the tag like the server.
// On oprf-p256, Tag only normalises and queues the row; FinishOprf tags every queued row at once.
class RemoteTagger {
 public:
  RemoteTagger(Kind kind, const RemoteIndexInfo& info) : kind_(kind), info_(info) {
    oprf_ = info.scheme_known && info.scheme == SchemeId::kOprfP256;
    if (kind == Kind::kPassword) {
      sha1_ = std::move(MakeUnkeyedScheme(SchemeId::kSha1).value());
      ntlm_ = std::move(MakeUnkeyedScheme(SchemeId::kNtlm).value());
    } else {
      sha256_ = std::move(MakeUnkeyedScheme(SchemeId::kSha256).value());
    }
    tag_.resize(32);
  }

  // Fills *prefix and suffix_hex (layout.suffix_hex characters). `*valid` says whether the input itself
  // was acceptable (false: the error is about the input; true with an error: the tag could not be made).
  // `row` identifies the row for FinishOprf.
  Status Tag(std::string_view input, std::string* canonical, bool* valid, uint32_t* prefix,
             char* suffix_hex, size_t row) {
    *valid = false;
    Status s = Normalize(kind_, input, canonical);
    if (!s.ok()) return s;
    *valid = true;
    if (oprf_) {
      pending_.push_back({row, TagInput(kind_, *canonical)});
      return Status::Ok();
    }
    const Scheme* scheme = sha256_.get();
    if (kind_ == Kind::kPassword) {
      const bool ntlm = info_.scheme_known ? info_.scheme == SchemeId::kNtlm : canonical->size() == 32;
      scheme = ntlm ? ntlm_.get() : sha1_.get();
    }
    VIGIE_RETURN_IF_ERROR(scheme->ComputeTag(kind_, *canonical, tag_.data()));
    return Cut(tag_.data(), scheme->tag_bytes(), prefix, suffix_hex);
  }

  // oprf-p256: blinds every queued input, has the source evaluate them, finalizes, and writes each row's
  // prefix and suffix (suffix_hex points at row 0's, w characters per row).
  Status FinishOprf(BucketSource* source, uint32_t* prefixes, char* suffix_hex, size_t w) {
    if (!oprf_ || pending_.empty()) return Status::Ok();
    const size_t n = pending_.size();
    std::vector<oprf::Blinded> blinded(n);
    std::vector<oprf::Element> elements(n), evaluated(n);
    VIGIE_RETURN_IF_ERROR(ParallelSlices(n, [&](size_t begin, size_t end) -> Status {
      for (size_t i = begin; i < end; ++i) {
        auto b = oprf::Blind(oprf::Mode::kOprf, pending_[i].input);
        if (!b.ok()) return b.status();
        blinded[i] = *b;
        elements[i] = b->element;
      }
      return Status::Ok();
    }));
    VIGIE_RETURN_IF_ERROR(source->Evaluate(kind_, elements, evaluated));
    auto finalize = [&](size_t begin, size_t end) -> Status {
      for (size_t i = begin; i < end; ++i) {
        auto out = oprf::Finalize(pending_[i].input, blinded[i].blind, evaluated[i]);
        if (!out.ok()) return out.status();
        const size_t row = pending_[i].row;
        VIGIE_RETURN_IF_ERROR(Cut(out->data(), out->size(), &prefixes[row], suffix_hex + row * w));
      }
      return Status::Ok();
    };
    VIGIE_RETURN_IF_ERROR(ParallelSlices(n, finalize));
    pending_.clear();
    return Status::Ok();
  }

 private:
  Status Cut(const uint8_t* tag, size_t tag_bytes, uint32_t* prefix, char* suffix_hex) const {
    const TagLayout& layout = info_.layout;
    if (static_cast<size_t>(layout.prefix_hex + layout.suffix_hex) > 2 * tag_bytes) {
      return Status::InvalidArgument("remote.layout",
                                     "the server's prefix and suffix are longer than the tag");
    }
    *prefix = layout.Prefix(tag);
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < layout.suffix_hex; ++i) {
      const int nibble = layout.prefix_hex + i;
      const uint8_t byte = tag[static_cast<size_t>(nibble / 2)];
      suffix_hex[i] = kHex[nibble % 2 ? byte & 0xf : byte >> 4];
    }
    return Status::Ok();
  }

  struct Pending {
    size_t row;
    std::string input;  // "vigie:{kind}:{canonical}"
  };
  bool oprf_ = false;
  std::vector<Pending> pending_;
  Kind kind_;
  RemoteIndexInfo info_;
  std::unique_ptr<Scheme> sha256_, sha1_, ntlm_;
  std::vector<uint8_t> tag_;
};

Status CheckInfo(Kind kind, const RemoteIndexInfo& info) {
  if (info.scheme_known) {
    const bool password_scheme = info.scheme == SchemeId::kSha1 || info.scheme == SchemeId::kNtlm;
    if (password_scheme != (kind == Kind::kPassword)) {
      return Status::InvalidArgument(
          "index.kind", "this index does not hold identifiers of kind " + std::string(KindName(kind)));
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

// ---- output and checkpoint files -----------------------------------------------------------------------

Status SysError(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

// Appends whole blocks to the output, each one self-contained (a gzip member or zstd frame when the output
// is compressed: concatenations of those are valid streams), so that truncating to a block boundary always
// leaves a valid file.
class BlockSink {
 public:
  ~BlockSink() {
    if (fd_ > 1) ::close(fd_);
  }
  Status Open(const std::string& path, bool resume, uint64_t keep_bytes) {
    path_ = path;
    compression_ = path == "-" ? OutputCompression::kNone : CompressionForPath(path);
    if (path == "-") {
      fd_ = 1;
      return Status::Ok();
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0666);
    if (fd_ < 0) return SysError("cannot open", path);
    if (resume) {
      struct stat st;
      if (::fstat(fd_, &st) != 0) return SysError("cannot stat", path);
      if (static_cast<uint64_t>(st.st_size) < keep_bytes) {
        return Status::FailedPrecondition(
            "the output " + path + " is shorter (" + std::to_string(st.st_size) +
                " bytes) than the checkpoint records (" + std::to_string(keep_bytes) +
                "); it was changed since: start again without the checkpoint",
            "checkpoint.output");
      }
      // Whatever a killed run wrote after its last checkpoint goes.
      if (::ftruncate(fd_, static_cast<off_t>(keep_bytes)) != 0) return SysError("cannot truncate", path);
    }
    size_ = keep_bytes;
    if (::lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0) return SysError("cannot seek in", path);
    return Status::Ok();
  }

  Status Append(std::string_view plain) {
    std::string_view bytes = plain;
    if (compression_ == OutputCompression::kGzip) {
      VIGIE_RETURN_IF_ERROR(GzipMember(plain));
      bytes = packed_;
    } else if (compression_ == OutputCompression::kZstd) {
      packed_.resize(ZSTD_compressBound(plain.size()));
      size_t n = ZSTD_compress(packed_.data(), packed_.size(), plain.data(), plain.size(), 3);
      if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
      packed_.resize(n);
      bytes = packed_;
    }
    VIGIE_RETURN_IF_ERROR(WriteAllToFd(fd_, bytes, path_));
    size_ += bytes.size();
    return Status::Ok();
  }

  Status Sync() {
    if (fd_ == 1) return Status::Ok();  // standard output: nothing to resume
    if (::fdatasync(fd_) != 0) return SysError("cannot sync", path_);
    return Status::Ok();
  }
  uint64_t size() const { return size_; }

 private:
  Status GzipMember(std::string_view plain) {
    z_stream zs{};
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("zlib: deflateInit2 failed");
    }
    packed_.resize(deflateBound(&zs, plain.size()) + 64);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    zs.avail_in = static_cast<uInt>(plain.size());
    zs.next_out = reinterpret_cast<Bytef*>(packed_.data());
    zs.avail_out = static_cast<uInt>(packed_.size());
    const int rc = deflate(&zs, Z_FINISH);
    packed_.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return Status::Internal("zlib: deflate did not finish");
    return Status::Ok();
  }

  std::string path_;
  int fd_ = -1;
  OutputCompression compression_ = OutputCompression::kNone;
  uint64_t size_ = 0;
  std::string packed_;
};

struct Checkpoint {
  std::string input_digest;
  std::string kind;
  std::string column;  // resolved: 1-based number, or "line"
  std::string output;
  uint64_t lines = 0;  // physical input lines whose output rows are in the output (header included)
  uint64_t output_bytes = 0;
  uint64_t rows = 0, found = 0, not_found = 0, invalid = 0;
  bool done = false;
};

constexpr std::string_view kCheckpointMagic = "vigie-check-checkpoint 1";

std::string EncodeCheckpoint(const Checkpoint& c) {
  std::ostringstream o;
  o << kCheckpointMagic << "\ninput_digest " << c.input_digest << "\nkind " << c.kind << "\ncolumn "
    << c.column << "\noutput " << c.output << "\nlines " << c.lines << "\noutput_bytes " << c.output_bytes
    << "\nrows " << c.rows << "\nfound " << c.found << "\nnot_found " << c.not_found << "\ninvalid "
    << c.invalid << "\ndone " << (c.done ? 1 : 0) << "\n";
  return o.str();
}

Status DecodeCheckpoint(const std::string& text, Checkpoint* c) {
  auto bad = [] {
    return Status(Code::kCorruption, "checkpoint.format", "the checkpoint file is not readable");
  };
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kCheckpointMagic) return bad();
  int fields = 0;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) return bad();
    const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    auto number = [&](uint64_t* out) {
      char* end = nullptr;
      errno = 0;
      *out = std::strtoull(value.c_str(), &end, 10);
      return !value.empty() && errno == 0 && *end == '\0';
    };
    bool ok = true;
    uint64_t done = 0;
    if (key == "input_digest")
      c->input_digest = value;
    else if (key == "kind")
      c->kind = value;
    else if (key == "column")
      c->column = value;
    else if (key == "output")
      c->output = value;
    else if (key == "lines")
      ok = number(&c->lines);
    else if (key == "output_bytes")
      ok = number(&c->output_bytes);
    else if (key == "rows")
      ok = number(&c->rows);
    else if (key == "found")
      ok = number(&c->found);
    else if (key == "not_found")
      ok = number(&c->not_found);
    else if (key == "invalid")
      ok = number(&c->invalid);
    else if (key == "done")
      ok = number(&done), c->done = done != 0;
    else
      continue;  // written by a newer version: ignore
    if (!ok) return bad();
    ++fields;
  }
  if (fields < 11) return bad();
  return Status::Ok();
}

// Writes `path` so that it holds either the old or the new content whatever happens: temp file, fsync,
// rename, fsync of the directory.
Status WriteFileDurably(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return SysError("cannot create", tmp);
  if (Status s = WriteAllToFd(fd, content, tmp); !s.ok()) {
    ::close(fd);
    return s;
  }
  if (::fsync(fd) != 0) {
    Status s = SysError("cannot sync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return SysError("cannot rename to", path);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

// ---- input lines -------------------------------------------------------------------------------------

struct InputLine {
  std::string_view text;  // without '\n' and '\r'
  uint64_t number = 0;    // 1-based
  bool crlf = false;
  bool overlong = false;  // dropped by the chunker: text is empty
};

// Physical lines of the input, one at a time, over LineChunker. A line's text stays valid until the next
// call to Next.
class LineReader {
 public:
  LineReader(InputFile* input, size_t chunk_bytes)
      : input_(input), chunker_(input, ChunkerOptions{chunk_bytes}) {}

  Status Start() {
    auto got = chunker_.Next(&chunk_);
    if (!got.ok()) return got.status();
    have_chunk_ = *got;
    return Status::Ok();
  }
  // The first line of the input (empty when there is none); only before the first Next.
  std::string_view FirstLine() const {
    std::string_view data(chunk_.data);
    std::string_view line = data.substr(0, data.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  Result<bool> Next(InputLine* line) {
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
  uint64_t raw_bytes_read() const { return input_->raw_bytes_read(); }

 private:
  InputFile* input_;
  LineChunker chunker_;
  Chunk chunk_;
  bool have_chunk_ = false;
  size_t pos_ = 0;
  uint64_t lines_in_chunk_ = 0;
  bool overlong_done_ = false;
};

// The 0-based field holding the identifiers, or -1 for "the whole line" (a plain list).
Result<int> ResolveBulkColumn(Kind kind, const std::string& column, const Dialect& dialect,
                              const std::vector<std::string_view>& header) {
  if (dialect.format == Format::kLines) {
    if (!column.empty() && column != "1") {
      return Status::InvalidArgument("column.lines",
                                     "this input is a plain list (one identifier per line); "
                                     "--column " +
                                         column + " does not apply");
    }
    return -1;
  }
  if (!column.empty()) {
    ColumnSpec spec;
    if (std::all_of(column.begin(), column.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      spec.number = std::atoi(column.c_str());
    } else {
      spec.name = column;
    }
    return ResolveColumn(spec, header);
  }
  auto guessed = dialect.header ? GuessColumn(kind, header) : std::nullopt;
  if (!guessed) {
    return Status::InvalidArgument("column.missing", "no column for kind " + std::string(KindName(kind)) +
                                                         " could be guessed from the header: give --column");
  }
  return *guessed;
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
  std::string_view line(size_t i) const {
    return std::string_view(text).substr(lines[i].offset, lines[i].size);
  }
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

Result<std::vector<LookupResult>> CheckValues(BucketSource* source, Kind kind,
                                              const std::vector<std::string>& values) {
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
  VIGIE_RETURN_IF_ERROR(source->Match(kind, layout, MatchRows{prefixes, suffixes, w, pending, {}},
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

Result<BulkReport> RunBulkCheck(const BulkOptions& options, BucketSource* source) {
  const auto start = Clock::now();
  BulkReport report;
  const bool resumable = !options.checkpoint_path.empty();
  if (resumable && (options.input_path == "-" || options.output_path == "-")) {
    return Status::InvalidArgument("checkpoint.stdio", "a checkpoint needs named input and output files");
  }
  if (options.block_rows == 0) {
    return Status::InvalidArgument("bulk.block", "the block size must be positive");
  }
  std::error_code ec;
  if (options.output_path != "-" &&
      std::filesystem::equivalent(options.input_path, options.output_path, ec)) {
    return Status::InvalidArgument("bulk.output", "the output file is the input file");
  }

  auto info = source->Describe(options.kind);
  if (!info.ok()) return info.status();
  VIGIE_RETURN_IF_ERROR(CheckInfo(options.kind, *info));
  const TagLayout layout = info->layout;
  const size_t w = static_cast<size_t>(layout.suffix_hex);

  // Input, dialect and column.
  auto input = InputFile::Open(options.input_path);
  if (!input.ok()) return input.status().WithContext(options.input_path);
  LineReader reader(input->get(), options.chunk_bytes);
  VIGIE_RETURN_IF_ERROR(reader.Start().WithContext(options.input_path));
  const std::string first_line(reader.FirstLine());
  Dialect dialect = DetectDialect(first_line);
  if (options.kind == Kind::kPassword) dialect = Dialect{Format::kLines, 0, dialect.header};
  if (options.header >= 0) dialect.header = options.header == 1;
  std::vector<std::string_view> header_fields;
  LineParser header_parser(Dialect{dialect.format, dialect.delimiter, false});
  if (dialect.format == Format::kCsv && dialect.header) {
    Status s = header_parser.ParseLine(first_line, &header_fields);
    if (!s.ok()) return s.WithContext("the header line of " + options.input_path);
  }
  auto column = ResolveBulkColumn(options.kind, options.column, dialect, header_fields);
  if (!column.ok()) return column.status().WithContext(options.input_path);
  const int field = *column;
  const char out_delim = dialect.format == Format::kCsv ? dialect.delimiter : ',';
  LineParser parser(dialect);
  parser.set_expected_fields(header_fields.size());

  // Checkpoint: where to start.
  Checkpoint cp;
  cp.kind = std::string(KindName(options.kind));
  cp.column = field < 0 ? "line" : std::to_string(field + 1);
  cp.output = options.output_path;
  bool resume = false;
  if (resumable) {
    auto digest = DigestFile(options.input_path);
    if (!digest.ok()) return digest.status().WithContext(options.input_path);
    cp.input_digest = digest->Hex();
    std::ifstream in(options.checkpoint_path, std::ios::binary);
    if (in) {
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      Checkpoint old;
      VIGIE_RETURN_IF_ERROR(DecodeCheckpoint(text, &old).WithContext(options.checkpoint_path));
      if (old.input_digest != cp.input_digest || old.kind != cp.kind || old.column != cp.column ||
          old.output != cp.output) {
        return Status::FailedPrecondition("the checkpoint " + options.checkpoint_path +
                                              " belongs to another run (input file, kind, column or "
                                              "output differ); remove it to start again",
                                          "checkpoint.mismatch");
      }
      cp = old;
      resume = true;
      report.rows = cp.rows;
      report.found = cp.found;
      report.not_found = cp.not_found;
      report.invalid = cp.invalid;
      if (cp.done) {
        report.already_complete = true;
        return report;
      }
      report.resumed_at_line = cp.lines + 1;
    }
  }
  BlockSink sink;
  VIGIE_RETURN_IF_ERROR(sink.Open(options.output_path, resume, resume ? cp.output_bytes : 0));

  // Skip what an earlier run already wrote.
  InputLine line;
  for (uint64_t skipped = 0; skipped < cp.lines; ++skipped) {
    auto got = reader.Next(&line);
    if (!got.ok()) return got.status().WithContext(options.input_path);
    if (!*got) {
      return Status::FailedPrecondition("the checkpoint is past the end of the input", "checkpoint.mismatch");
    }
  }

  // Progress is measured in raw input bytes (ETA) and rows (rate) of this run. The reader runs up to a chunk
  // ahead of the rows handed out, so a fresh run counts from 0, a resumed one from where skipping ended.
  const uint64_t raw_start = resume ? reader.raw_bytes_read() : 0;
  uint64_t block_raw_begin = raw_start;
  const uint64_t raw_total = (*input)->raw_size();
  uint64_t session_rows = 0;
  RemoteTagger tagger(options.kind, *info);
  Block block;
  std::vector<uint32_t> prefixes;
  std::vector<uint8_t> state;  // 0 invalid, 1 pending, 2 found
  std::vector<std::string> errors, breaches;
  std::string suffixes, canonical, out;
  std::vector<std::string_view> fields;
  bool eof = false;
  while (!eof) {
    // 1. Read a block of lines.
    block.Clear();
    while (block.lines.size() < options.block_rows) {
      auto got = reader.Next(&line);
      if (!got.ok()) return got.status().WithContext(options.input_path);
      if (!*got) {
        eof = true;
        break;
      }
      Block::Line l{block.text.size(), line.text.size(), line.crlf, line.overlong,
                    line.number == 1 && dialect.header};
      block.text.append(line.text);
      block.lines.push_back(l);
    }
    const size_t n = block.lines.size();
    if (n == 0) break;
    const uint64_t block_raw_end = reader.raw_bytes_read();

    // 2. Normalise and tag.
    prefixes.assign(n, 0);
    state.assign(n, 0);
    errors.assign(n, std::string());
    breaches.assign(n, std::string());
    suffixes.assign(n * w, '\0');
    for (size_t i = 0; i < n; ++i) {
      const Block::Line& l = block.lines[i];
      if (l.header) continue;
      if (l.overlong) {
        errors[i] = "the line is longer than 1 MiB and was not read [line.too-long]";
        continue;
      }
      std::string_view value = block.line(i);
      if (field >= 0) {
        Status s = parser.ParseLine(value, &fields);
        if (!s.ok()) {
          errors[i] = ErrorText(s);
          continue;
        }
        if (static_cast<size_t>(field) >= fields.size()) {  // no header to check widths against
          errors[i] = "the line has " + std::to_string(fields.size()) + " fields, the column is number " +
                      std::to_string(field + 1) + " [line.too-few-fields]";
          continue;
        }
        value = fields[static_cast<size_t>(field)];
      }
      bool valid = false;
      Status s = tagger.Tag(value, &canonical, &valid, &prefixes[i], suffixes.data() + i * w, i);
      if (!s.ok()) {
        errors[i] = ErrorText(s);
        continue;
      }
      state[i] = 1;
    }
    VIGIE_RETURN_IF_ERROR(tagger.FinishOprf(source, prefixes.data(), suffixes.data(), w));

    // 3. Look the block's rows up (by default one fetch per distinct prefix).
    std::mutex progress_mu;
    auto last_progress = Clock::now();
    auto progress = [&](uint64_t done, uint64_t total) {
      if (!options.progress || !progress_mu.try_lock()) return;
      std::lock_guard lock(progress_mu, std::adopt_lock);
      const auto now = Clock::now();
      if (now - last_progress <= std::chrono::milliseconds(250)) return;
      last_progress = now;
      const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
      const auto raw_done =
          block_raw_begin + static_cast<uint64_t>(f * static_cast<double>(block_raw_end - block_raw_begin));
      options.progress->Update("read", raw_done - raw_start, raw_total > raw_start ? raw_total - raw_start : 0,
                               session_rows + static_cast<uint64_t>(f * static_cast<double>(n)));
    };
    VIGIE_RETURN_IF_ERROR(source->Match(
        options.kind, layout, MatchRows{prefixes, suffixes, w, state, progress},
        [&](uint32_t row, const std::vector<std::string>& names, uint64_t) {
          state[row] = 2;
          std::string& b = breaches[row];
          for (const std::string& name : names) {
            if (!b.empty()) b += ',';
            b += name;
          }
        },
        &report.buckets));

    // 4. Output rows in input order.
    out.clear();
    for (size_t i = 0; i < n; ++i) {
      const Block::Line& l = block.lines[i];
      if (field < 0) {
        out += CsvField(block.line(i), out_delim);
      } else if (l.overlong) {
        out.append(header_fields.empty() ? 0 : header_fields.size() - 1, out_delim);
      } else {
        out += block.line(i);
      }
      out += out_delim;
      if (l.header) {
        out += "found";
        out += out_delim;
        out += "breaches";
        out += out_delim;
        out += "error";
      } else {
        ++cp.rows;
        if (state[i] == 2)
          ++cp.found;
        else if (state[i] == 1)
          ++cp.not_found;
        else
          ++cp.invalid;
        out += state[i] == 2 ? "yes" : state[i] == 1 ? "no" : "";
        out += out_delim;
        out += CsvField(breaches[i], out_delim);
        out += out_delim;
        out += CsvField(errors[i], out_delim);
      }
      out += l.crlf ? "\r\n" : "\n";
    }
    VIGIE_RETURN_IF_ERROR(sink.Append(out));
    VIGIE_RETURN_IF_ERROR(sink.Sync());
    cp.lines += n;
    session_rows += n;
    if (options.test_stop && options.test_stop("output-synced", cp.lines)) {
      return Status(Code::kInternal, "bulk.stopped", "stopped by the test hook");
    }
    if (resumable) {
      cp.output_bytes = sink.size();
      cp.done = eof;
      VIGIE_RETURN_IF_ERROR(WriteFileDurably(options.checkpoint_path, EncodeCheckpoint(cp)));
    }
    if (options.test_stop && options.test_stop("checkpoint-synced", cp.lines)) {
      return Status(Code::kInternal, "bulk.stopped", "stopped by the test hook");
    }
    block_raw_begin = block_raw_end;
    if (options.progress) {
      options.progress->Update("read", block_raw_end - raw_start,
                               raw_total > raw_start ? raw_total - raw_start : 0, session_rows);
    }
  }
  if (resumable && !cp.done) {
    // The input ended exactly at a block boundary: record completion.
    cp.output_bytes = sink.size();
    cp.done = true;
    VIGIE_RETURN_IF_ERROR(WriteFileDurably(options.checkpoint_path, EncodeCheckpoint(cp)));
  }
  if (options.progress) options.progress->Finish();
  report.rows = cp.rows;
  report.found = cp.found;
  report.not_found = cp.not_found;
  report.invalid = cp.invalid;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace vigie
