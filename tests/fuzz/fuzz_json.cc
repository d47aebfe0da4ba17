// Fuzz target "json": a JSON dump (NDJSON, an array, a wrapper object, or garbage) through TranscodeJson
// (core/json_dump.h), read whole and again in small reads.
//
// Input: byte 0 = the small read size (low 3 bits, an index into kReadSizes) and the sample size (high 5
// bits: 0..31 records); then a length-prefixed --column path (up to 16 bytes; none when empty); the rest is
// the dump.
//
// Invariants: nothing crashes or throws; the result does not depend on how the source cuts its reads (same
// status, same output); an error is InvalidArgument with a json.* reason and one of the fixed messages
// (numbers aside), so that it never quotes the dump. On success the output is a header line then one line
// per record (JsonStats::records), each either blank (a malformed NDJSON line, or no column at all) or
// exactly as wide as the header; the header holds the asked column, and at most kJsonMaxColumns others.
// Every line the fast NDJSON reader (core/json_ndjson.h) takes is one nlohmann takes, with the same handler
// calls.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_stream.h"
#include "core/json_dump.h"
#include "core/json_ndjson.h"
#include "core/record_writer.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/sax_recorder.h"

namespace {

constexpr size_t kReadSizes[8] = {1, 2, 3, 7, 64, 4096, 1 << 16, SIZE_MAX};

struct Run {
  vigie::Status status;
  std::string out;
  vigie::JsonStats stats;
};

Run Transcode(std::string_view dump, const vigie::JsonOptions& options, size_t max_read) {
  vigie::StringSource source(dump, max_read);
  vigie::StringSink sink;
  vigie::RecordWriter writer(&sink);
  Run run;
  run.status = vigie::TranscodeJson(&source, options, &writer, &run.stats);
  run.out = std::move(sink.out);
  return run;
}

// The message with every run of digits replaced by '#'.
std::string Template(std::string_view message) {
  std::string out;
  for (char c : message) {
    if (c < '0' || c > '9') {
      out += c;
    } else if (out.empty() || out.back() != '#') {
      out += '#';
    }
  }
  return out;
}

void CheckError(const vigie::Status& status) {
  static const std::set<std::string, std::less<>> kMessages = {
      "malformed JSON near byte #",
      "the JSON document is truncated (it ends near byte #, inside a value)",
      "objects and arrays nested more than # deep (near byte #)",
      "objects and arrays nested more than # deep (line #)",
      "more than # columns (near byte #)",
      "more than # columns (line #)",
      "a record with more than # fields (near byte #)",
      "a record with more than # fields (line #)",
      "a line is over # MiB (line #)",
      "a record, or what lies between two records, is over # MiB (starting near byte #)",
  };
  FUZZ_CHECK(status.code() == vigie::Code::kInvalidArgument, "errors are InvalidArgument");
  const std::string_view reason = status.reason();
  FUZZ_CHECK(reason == "json.syntax" || reason == "json.too-deep" || reason == "json.record-too-large" ||
                 reason == "json.too-many-columns",
             "a json.* reason");
  FUZZ_CHECK(kMessages.count(Template(status.message())) == 1, "a fixed message, quoting nothing");
}

size_t FieldCount(std::string_view line) {
  if (line.empty()) return 0;
  size_t count = 1;
  for (char c : line) count += c == vigie::kUnitSeparator;
  return count;
}

void CheckOutput(const Run& run, const vigie::JsonOptions& options) {
  std::string_view out = run.out;
  FUZZ_CHECK(!out.empty() && out.back() == '\n', "the output is whole lines");
  const size_t header_end = out.find('\n');
  const std::string_view header = out.substr(0, header_end);
  const size_t width = FieldCount(header);
  FUZZ_CHECK(width <= vigie::kJsonMaxColumns + options.columns.size(), "bounded header");
  if (!options.columns.empty()) {
    std::string asked = options.columns[0];
    for (char& c : asked) {
      if (c == vigie::kUnitSeparator || c == '\n' || c == '\r') c = ' ';
    }
    bool found = false;
    size_t start = 0;
    while (start <= header.size() && !found) {
      const size_t end = std::min(header.find(vigie::kUnitSeparator, start), header.size());
      found = header.substr(start, end - start) == asked;
      start = end + 1;
    }
    FUZZ_CHECK(found, "the asked column is in the header");
  }
  uint64_t lines = 0, blank = 0;
  for (size_t start = header_end + 1; start < out.size();) {
    const size_t end = out.find('\n', start);
    const size_t fields = FieldCount(out.substr(start, end - start));
    // A header of one column named "" is an empty line, as is a record of one empty field: the
    // unit-separated form cannot tell them from zero fields (add then refuses the blank header line).
    FUZZ_CHECK(fields == 0 || fields == width || (width == 0 && fields == 1),
               "a record is blank or as wide as the header");
    blank += fields == 0;
    ++lines;
    start = end + 1;
  }
  FUZZ_CHECK(lines == run.stats.records, "one line per record");
  FUZZ_CHECK(run.stats.malformed_lines <= blank, "a malformed line is a blank record");
}

// The fast NDJSON reader (core/json_ndjson.h) against nlohmann, line by line: a line it takes must be one
// nlohmann takes too, with the same handler calls.
void CheckFastLines(std::string_view dump) {
  std::vector<vigie::json_internal::LineEvent> events;
  std::string scratch;
  while (!dump.empty()) {
    const size_t end = std::min(dump.find('\n'), dump.size());
    std::string_view line = dump.substr(0, end);
    dump.remove_prefix(std::min(end + 1, dump.size()));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!vigie::json_internal::ScanSimpleLine(line, &events)) continue;
    vigie::testing::SaxRecorder slow, replayed;
    FUZZ_CHECK(nlohmann::json::sax_parse(line.begin(), line.end(), &slow), "nlohmann takes what the fast reader takes");
    FUZZ_CHECK(vigie::json_internal::ReplayLine(events, &replayed, &scratch), "a scanned line replays");
    FUZZ_CHECK(replayed.calls == slow.calls, "the fast reader makes nlohmann's calls");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  const uint8_t params = in.Byte();
  vigie::JsonOptions options;
  options.sample_records = params >> 3;
  const std::string_view column = in.Bytes(16);
  if (!column.empty()) options.columns.emplace_back(column);
  const std::string_view dump = in.Rest();
  CheckFastLines(dump);

  const Run whole = Transcode(dump, options, SIZE_MAX);
  const Run cut = Transcode(dump, options, kReadSizes[params & 7]);
  FUZZ_CHECK(cut.status.reason() == whole.status.reason() && cut.status.message() == whole.status.message(),
             "the status does not depend on the reads");
  if (!whole.status.ok()) {
    CheckError(whole.status);
    return 0;
  }
  FUZZ_CHECK(cut.out == whole.out, "the output does not depend on the reads");
  FUZZ_CHECK(cut.stats.records == whole.stats.records && cut.stats.dropped_fields == whole.stats.dropped_fields,
             "the counts do not depend on the reads");
  CheckOutput(whole, options);
  return 0;
}
