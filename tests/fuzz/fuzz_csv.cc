// Fuzz target "csv": a dump read the way `vigie-index add` reads one (core/indexer.cc AddDump), from
// memory: InputFile (compression sniffed: plain, gzip, zstd; a UTF-8 BOM dropped) -> LineChunker with tiny
// chunk and line limits -> DetectDialect on the first line -> header parsed, column resolved by number,
// by name or guessed per kind -> LineParser on every line -> Normalize of the selected field.
//
// Input: byte 0 = chunk size and line limit, byte 1 = column choice and kind, byte 2 = dialect override
// (0x80) and reader (0x40: a plain file through InputFile too), then (by name only) a length-prefixed
// column name; the rest is the file's bytes. The file lives in a memfd opened through /proc/self/fd, so
// InputFile runs its real open/read path.
//
// Invariants: chunks number lines consecutively, hold whole lines within the limit, only the input's last
// line may lack its '\n', and for a plain input the chunks plus the dropped overlong lines are the input
// (minus a BOM) byte for byte; decoding errors are Corruption and sticky. A parsed line without quotes is
// its fields joined by the delimiter; any parsed line, re-encoded with every field quoted, parses back to
// the same fields; the expected field count is honoured.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/input_file.h"
#include "core/kind.h"
#include "core/normalize.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using vigie::Dialect;
using vigie::Format;
using vigie::Kind;
using vigie::LineParser;

std::string QuoteAll(const std::vector<std::string_view>& fields, char delimiter) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += delimiter;
    line += '"';
    for (char c : fields[i]) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  return line;
}

// The parser's contracts on one line, then the selected field through its normaliser.
void CheckLine(LineParser& parser, size_t expected_fields, std::string_view line, int column, Kind kind) {
  std::vector<std::string_view> fields;
  const vigie::Status s = parser.ParseLine(line, &fields);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == vigie::Code::kInvalidArgument, "line errors are InvalidArgument");
    return;
  }
  FUZZ_CHECK(!fields.empty() && fields.size() >= expected_fields, "a parsed line has the expected fields");
  std::string_view bare = line;
  if (!bare.empty() && bare.back() == '\r') bare.remove_suffix(1);
  const Dialect& d = parser.dialect();
  if (d.format == Format::kLines) {
    FUZZ_CHECK(fields.size() == 1 && fields[0] == bare, "a list line is one field");
  } else {
    if (bare.find('"') == std::string_view::npos) {
      std::string joined;
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) joined += d.delimiter;
        joined.append(fields[i]);
      }
      FUZZ_CHECK(joined == bare, "unquoted fields join back into the line");
    }
    // Copies: the views die with the next ParseLine.
    std::vector<std::string> copies(fields.begin(), fields.end());
    std::vector<std::string_view> views(copies.begin(), copies.end());
    const std::string requoted = QuoteAll(views, d.delimiter);
    LineParser again(Dialect{Format::kCsv, d.delimiter, false});
    std::vector<std::string_view> fields2;
    FUZZ_CHECK(again.ParseLine(requoted, &fields2).ok(), "a re-quoted line parses");
    FUZZ_CHECK(fields2.size() == copies.size(), "re-quoted field count");
    for (size_t i = 0; i < copies.size(); ++i) FUZZ_CHECK(fields2[i] == copies[i], "re-quoted field");
  }
  if (column >= 0 && static_cast<size_t>(column) < fields.size()) {
    std::string canonical;
    (void)vigie::Normalize(kind, fields[static_cast<size_t>(column)], &canonical);
  }
}

// The file through InputFile and LineChunker with their invariants; *text = the kept lines. False when
// the stream is refused (after checking how).
bool ReadThroughChunker(std::string_view file, const vigie::ChunkerOptions& options, std::string* text_out) {
  std::string& text = *text_out;
  const std::string path = vigie::fuzz::MemFilePath(file);
  auto opened = vigie::InputFile::Open(path);
  if (!opened.ok()) {
    FUZZ_CHECK(opened.status().code() == vigie::Code::kCorruption, "open fails only on a corrupt stream");
    return false;
  }
  vigie::InputFile* input = opened->get();
  const bool plain = input->compression() == "none";

  // 1. Chunks.
  vigie::LineChunker chunker(input, options);
  uint64_t next_line = 1, lines = 0, overlong_lines = 0, overlong_bytes = 0;
  bool ended_without_newline = false;
  vigie::Status error;
  vigie::Chunk chunk;
  while (true) {
    auto more = chunker.Next(&chunk);
    if (!more.ok()) {
      error = more.status();
      break;
    }
    if (!*more) break;
    FUZZ_CHECK(!ended_without_newline, "only the last line lacks its newline");
    FUZZ_CHECK(chunk.first_line == next_line, "chunks number lines consecutively");
    std::string_view d(chunk.data);
    uint64_t count = 0;
    size_t start = 0;
    while (start < d.size()) {
      const size_t nl = d.find('\n', start);
      const size_t end = nl == std::string_view::npos ? d.size() : nl;
      FUZZ_CHECK(end - start <= options.max_line_length, "no kept line exceeds the limit");
      ++count;
      if (nl == std::string_view::npos) ended_without_newline = true;
      start = end + 1;
    }
    FUZZ_CHECK(count == chunk.line_count, "line_count matches the data");
    if (chunk.overlong) {
      FUZZ_CHECK(!ended_without_newline, "an overlong line follows whole lines");
      FUZZ_CHECK(chunk.overlong->line_number == chunk.first_line + chunk.line_count, "overlong line number");
      FUZZ_CHECK(chunk.overlong->length > options.max_line_length, "overlong means over the limit");
      ++overlong_lines;
      overlong_bytes += chunk.overlong->length;
    } else {
      FUZZ_CHECK(chunk.line_count > 0, "a chunk holds a line or reports an overlong one");
    }
    next_line = chunk.first_line + chunk.line_count + (chunk.overlong ? 1 : 0);
    lines += chunk.line_count;
    text += chunk.data;
    FUZZ_CHECK(text.size() <= (size_t{64} << 20), "bounded output");
  }
  if (!error.ok()) {
    FUZZ_CHECK(error.code() == vigie::Code::kCorruption || error.code() == vigie::Code::kIOError,
               "stream errors are Corruption");
    FUZZ_CHECK(!plain, "a plain input never fails");
    char buf[16];
    auto again = input->Read(buf, sizeof buf);
    FUZZ_CHECK(!again.ok() && again.status().message() == error.message(), "errors are sticky");
    return false;
  }
  if (plain) {
    std::string_view expect = file;
    if (expect.substr(0, 3) == "\xEF\xBB\xBF") expect.remove_prefix(3);
    uint64_t expect_lines = 0;
    for (char c : expect) expect_lines += c == '\n';
    if (!expect.empty() && expect.back() != '\n') ++expect_lines;
    FUZZ_CHECK(lines + overlong_lines == expect_lines, "every line is kept or reported");
    if (overlong_lines == 0) {
      FUZZ_CHECK(text == expect, "the chunks are the input");
    } else {
      FUZZ_CHECK(text.size() + overlong_bytes <= expect.size() &&
                     expect.size() <= text.size() + overlong_bytes + overlong_lines,
                 "kept and dropped bytes add up to the input");
    }
  }

  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  const uint8_t limits = in.Byte();
  const uint8_t choice = in.Byte();
  const uint8_t override_byte = in.Byte();
  // Half the inputs get tiny line limits (overlong lines); each overlong line costs the chunker a 64 KiB
  // scratch read, so the other half keep the real limit and run fast.
  static constexpr size_t kLineLimits[8] = {1, 3, 20, 300, 1 << 20, 1 << 20, 1 << 20, 1 << 20};
  vigie::ChunkerOptions options;
  options.chunk_size = (limits & 0x1f) * 5;  // 0 is raised to 1 by the chunker
  options.max_line_length = kLineLimits[limits >> 5];
  const Kind kind = vigie::kAllKinds[(choice >> 2) % vigie::kAllKinds.size()];
  const int column_mode = choice & 3;  // 0 guess, 1 by number, 2 by name, 3 kLines
  const std::string column_name(column_mode == 2 ? in.Bytes(32) : std::string_view());
  const std::string_view file = in.Rest();

  // Every compressed input goes through InputFile + LineChunker; plain ones when bit 0x40 says so (that
  // path costs a 1 MiB read buffer per input, ~5x slower under ASan), else they are split here.
  std::string text;
  const bool compressed = file.substr(0, 2) == "\x1f\x8b" || file.substr(0, 4) == "\x28\xb5\x2f\xfd";
  if (compressed || (override_byte & 0x40)) {
    if (!ReadThroughChunker(file, options, &text)) return 0;
  } else {
    text.assign(file.substr(0, 3) == "\xEF\xBB\xBF" ? file.substr(3) : file);
  }

  // 2. Dialect, header and column, as AddDump picks them.
  std::string_view all(text);
  std::string_view first_line = all.substr(0, all.find('\n'));
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  Dialect dialect = vigie::DetectDialect(first_line);
  if (dialect.format == Format::kCsv) {
    FUZZ_CHECK(
        dialect.delimiter == ';' || dialect.delimiter == '\t' || dialect.delimiter == ',' || dialect.delimiter == '|',
        "known delimiter");
  }
  if (column_mode == 3) dialect = Dialect{Format::kLines, 0, false};
  if (override_byte & 0x80) {
    static constexpr char kDelimiters[4] = {';', '\t', ',', '|'};
    dialect = Dialect{Format::kCsv, kDelimiters[override_byte & 3], (override_byte & 4) != 0};
  }
  std::vector<std::string_view> header;
  const std::string header_copy(first_line);
  LineParser header_parser(Dialect{dialect.format, dialect.delimiter, false});
  size_t expected_fields = 0;
  if (dialect.format == Format::kCsv && dialect.header && !text.empty()) {
    if (!header_parser.ParseLine(header_copy, &header).ok()) return 0;
    expected_fields = header.size();
  }
  int column = 0;
  if (dialect.format == Format::kCsv) {
    vigie::ColumnSpec spec;
    if (column_mode == 1) spec.number = (choice >> 4) - 2;  // -2..13: out of range included
    if (column_mode == 2) spec.name = column_name;
    if (column_mode == 1 || column_mode == 2) {
      auto resolved = vigie::ResolveColumn(spec, header);
      if (!resolved.ok()) {
        FUZZ_CHECK(resolved.status().code() == vigie::Code::kInvalidArgument, "column errors");
        column = -1;
      } else {
        column = *resolved;
        FUZZ_CHECK(column >= 0, "resolved column");
        if (!header.empty()) FUZZ_CHECK(static_cast<size_t>(column) < header.size(), "column in the header");
      }
    } else {
      const auto guessed = dialect.header ? vigie::GuessColumn(kind, header) : std::nullopt;
      if (guessed) FUZZ_CHECK(*guessed >= 0 && static_cast<size_t>(*guessed) < header.size(), "guess in range");
      column = guessed.value_or(-1);
    }
  }

  // 3. Every line.
  LineParser parser(dialect);
  parser.set_expected_fields(expected_fields);
  size_t start = 0;
  bool first = true;
  while (start < all.size()) {
    const size_t nl = all.find('\n', start);
    const size_t end = nl == std::string_view::npos ? all.size() : nl;
    const std::string_view line = all.substr(start, end - start);
    if (!(first && dialect.header)) CheckLine(parser, expected_fields, line, column, kind);
    first = false;
    start = end + 1;
  }
  return 0;
}
