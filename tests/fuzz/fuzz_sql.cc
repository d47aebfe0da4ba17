// Fuzz target "sql": a SQL dump through TranscodeSql (core/sql_dump.h) from memory, the way `vigie-index add`
// reads one once the format is SQL, plus LooksLikeSql on its first bytes.
//
// Input: byte 0 = bits 0-2 the read size (unlimited, 1, 2, 3, 7, 64, 4096, unlimited), bits 3-4 the table
// option ("", "t", "users", "public.users"), bit 5 survey mode (no writer); the rest is the dump.
//
// Invariants: no crash, hang or unbounded memory; every error is InvalidArgument with a "sql." reason and a
// message without control bytes (it names offsets and tables, whose names are shown sanitised); survey mode
// never selects, so never fails for want of a table. On OK the output is whole lines without '\r', a header
// line first and then one line per row of the one table whose row count the report gives, a single table
// with rows when no table was asked for. Reading the same dump one byte at a time gives the same status,
// output and report (the read buffer's boundaries change nothing).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/byte_stream.h"
#include "core/record_writer.h"
#include "core/sql_dump.h"
#include "core/status.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

struct Outcome {
  vigie::Status status;
  std::string out;
  vigie::SqlReport report;
};

Outcome Run(std::string_view dump, const std::string& table, size_t max_read, bool survey) {
  vigie::StringSource in(dump, max_read);
  vigie::StringSink sink;
  vigie::RecordWriter writer(&sink);
  Outcome outcome;
  outcome.status = vigie::TranscodeSql(&in, vigie::SqlOptions{table}, survey ? nullptr : &writer, &outcome.report);
  outcome.out = sink.out;
  return outcome;
}

void CheckError(const vigie::Status& status, bool survey) {
  FUZZ_CHECK(status.code() == vigie::Code::kInvalidArgument, "errors are InvalidArgument");
  FUZZ_CHECK(status.reason().substr(0, 4) == "sql.", "reasons are sql.*");
  for (const char c : status.message()) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F, "messages hold no control bytes");
  }
  if (survey) {
    for (const std::string_view selection :
         {"sql.several-tables", "sql.table-not-found", "sql.no-rows", "sql.columns"}) {
      FUZZ_CHECK(status.reason() != selection, "a survey selects nothing");
    }
  }
}

void CheckOutput(const Outcome& outcome, const std::string& table) {
  const std::string& out = outcome.out;
  FUZZ_CHECK(!out.empty() && out.back() == '\n', "whole lines, a header first");
  FUZZ_CHECK(out.find('\r') == std::string::npos, "no '\\r' inside fields");
  uint64_t lines = 0;
  for (const char c : out) lines += c == '\n';
  const auto& counts = outcome.report.row_counts;
  FUZZ_CHECK(counts.size() == outcome.report.tables_with_rows.size(), "a count per table");
  if (table.empty()) FUZZ_CHECK(counts.size() == 1, "without --table, one table has rows");
  bool matched = false;
  for (const uint64_t rows : counts) matched = matched || lines == rows + 1;
  FUZZ_CHECK(matched, "a header and one line per row of a table");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  const uint8_t choice = in.Byte();
  static constexpr size_t kReadSizes[8] = {SIZE_MAX, 1, 2, 3, 7, 64, 4096, SIZE_MAX};
  static const char* const kTables[4] = {"", "t", "users", "public.users"};
  const size_t max_read = kReadSizes[choice & 7];
  const std::string table = kTables[(choice >> 3) & 3];
  const bool survey = (choice & 0x20) != 0;
  const std::string_view dump = in.Rest();

  (void)vigie::LooksLikeSql(dump.substr(0, 4096));

  const Outcome first = Run(dump, table, max_read, survey);
  if (first.status.ok()) {
    if (!survey) CheckOutput(first, table);
  } else {
    CheckError(first.status, survey);
  }

  // One byte a read moves every buffer boundary; large inputs would make that slow, and add little.
  if (dump.size() <= (64 << 10) && max_read != 1) {
    const Outcome again = Run(dump, table, 1, survey);
    FUZZ_CHECK(again.status.reason() == first.status.reason(), "read size changes nothing: status");
    FUZZ_CHECK(again.status.message() == first.status.message(), "read size changes nothing: message");
    FUZZ_CHECK(!first.status.ok() || again.out == first.out, "read size changes nothing: output");
    FUZZ_CHECK(again.report.statements == first.report.statements, "read size changes nothing: statements");
    FUZZ_CHECK(again.report.row_counts == first.report.row_counts, "read size changes nothing: rows");
  }
  return 0;
}
