// Fuzz target "xlsx": a workbook read the way a spreadsheet dump is (core/xlsx_dump.h TranscodeXlsx): zip
// container through libarchive (opened once or twice), workbook, relationships, shared strings and the
// chosen sheet through expat, rows out through a RecordWriter.
//
// Input: byte 0 = options (bits 0-1: the sheet asked for: first, "Feuil1", "Clients", absent; bits 2-3:
// max_columns 64, 16, 3 or 1; bit 4: a 4 KiB expansion cap instead of 1 MiB), then the file's bytes. The
// file lives in a memfd opened through /proc/self/fd, so libarchive runs its real open, seek and read path.
// Small caps keep every input fast: a few compressed bytes can name a far column or expand 1000-fold.
//
// Invariants: no crash, leak or hang; LooksLikeXlsx answers on any sample. On OK the output is a header
// line then exactly writer.records() record lines, every line at most max_columns fields and without a
// stray '\r'. On failure the status is the output sink's own refusal (output over 64 MiB) or one of the
// documented refusals: an InvalidArgument with a known reason, or IOError.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/record_writer.h"
#include "core/status.h"
#include "core/xlsx_dump.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

// Keeps the output, up to a cap past which it refuses like a reader that went away.
class CappedSink : public vigie::ByteSink {
 public:
  vigie::Status Write(std::string_view bytes) override {
    if (out.size() + bytes.size() > kCap) {
      refused = true;
      return vigie::Status::InvalidArgument("fuzz.output-cap", "output over the fuzz cap");
    }
    out.append(bytes);
    return vigie::Status::Ok();
  }
  static constexpr size_t kCap = 64 << 20;
  std::string out;
  bool refused = false;
};

bool KnownRefusal(std::string_view reason) {
  for (std::string_view known :
       {"xlsx.not-xlsx", "xlsx.sheet-not-found", "archive.encrypted", "archive.corrupt", "archive.too-large",
        "xlsx.xml", "xlsx.too-many-columns", "xlsx.bad-string-index", "xlsx.row-too-large"}) {
    if (reason == known) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  const uint8_t choice = in.Byte();
  const std::string_view file = in.Rest();
  (void)vigie::LooksLikeXlsx(file.substr(0, 4096));

  static constexpr const char* kSheets[4] = {"", "Feuil1", "Clients", "Absent"};
  static constexpr uint32_t kColumns[4] = {64, 16, 3, 1};
  vigie::XlsxOptions options;
  options.sheet = kSheets[choice & 3];
  options.max_columns = kColumns[(choice >> 2) & 3];
  options.max_expanded_bytes = (choice & 0x10) ? 4 << 10 : 1 << 20;

  const std::string path = vigie::fuzz::MemFilePath(file);
  CappedSink sink;
  vigie::RecordWriter writer(&sink);
  const vigie::Status status = vigie::TranscodeXlsx(path, options, &writer);
  if (!status.ok()) {
    if (sink.refused) {
      FUZZ_CHECK(status.reason() == "fuzz.output-cap", "a sink refusal is returned as it is");
    } else if (status.code() == vigie::Code::kInvalidArgument) {
      FUZZ_CHECK(KnownRefusal(status.reason()), "refusals carry a documented reason");
    } else {
      FUZZ_CHECK(status.code() == vigie::Code::kIOError, "other failures are IOError");
    }
    return 0;
  }
  FUZZ_CHECK(writer.Finish().ok(), "nothing left to write after OK");
  const std::string_view out = sink.out;
  FUZZ_CHECK(!out.empty() && out.back() == '\n', "the output is whole lines, a header first");
  uint64_t lines = 0;
  for (size_t start = 0; start < out.size();) {
    const size_t end = out.find('\n', start);
    const std::string_view line = out.substr(start, end - start);
    size_t fields = 1;
    for (char c : line) fields += c == vigie::kUnitSeparator;
    FUZZ_CHECK(fields <= options.max_columns, "no line is wider than max_columns");
    FUZZ_CHECK(line.find('\r') == std::string_view::npos, "no stray carriage return");
    ++lines;
    start = end + 1;
  }
  FUZZ_CHECK(lines == writer.records() + 1, "one header line, then one line per record");
  return 0;
}
