#include "core/dump_inspect.h"

#include <memory>

#include "core/input_file.h"
#include "core/sql_dump.h"
#include "core/text_encoding.h"

namespace vigie {

namespace {

// Every table of a SQL dump that has rows, with its count: a pass over the whole file (decompressed and
// decoded as `add` would), so that inspect can say which --table to pick.
Result<std::vector<std::pair<std::string, uint64_t>>> SurveySql(const std::string& path, const std::string& encoding) {
  auto file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<TextDecoder> decoder;
  ByteSource* text = file->get();
  if (encoding != "utf-8") {
    auto parsed = ParseEncodingName(encoding);
    if (!parsed.ok()) return parsed.status();
    decoder = std::make_unique<TextDecoder>(text, *parsed);
    text = decoder.get();
  }
  SqlReport report;
  VIGIE_RETURN_IF_ERROR(TranscodeSql(text, SqlOptions{}, nullptr, &report));
  std::vector<std::pair<std::string, uint64_t>> tables;
  for (size_t i = 0; i < report.tables_with_rows.size(); ++i) {
    tables.emplace_back(report.tables_with_rows[i], i < report.row_counts.size() ? report.row_counts[i] : 0);
  }
  return tables;
}

}  // namespace

Result<DumpInspection> InspectDump(const std::string& path, const DumpInputOptions& options, size_t sample_rows) {
  auto input = DumpInput::Open(path, options);
  if (!input.ok()) return input.status();
  DumpInspection out;
  out.container = (*input)->container();
  DumpMember member;
  for (;;) {
    auto more = (*input)->NextMember(&member);
    if (!more.ok()) return more.status();
    if (!*more) break;
    MemberInspection m{member.name, member.format, member.encoding, member.dialect, {}, {}};
    if (member.format == InputFormat::kSql && member.name.empty()) {
      auto tables = SurveySql(path, member.encoding);
      if (!tables.ok()) return tables.status().WithContext(path);
      m.sql_tables = std::move(*tables);
      if (m.sql_tables.size() > 1 && options.table.empty()) {
        out.members.push_back(std::move(m));
        continue;
      }
    }
    ChunkerOptions chunker_options;
    chunker_options.chunk_size = 256 << 10;  // enough lines for the sample
    chunker_options.joined_lines = member.joined_lines;
    LineChunker chunker(member.source, chunker_options);
    Chunk chunk;
    auto got = chunker.Next(&chunk);
    if (!got.ok()) return got.status().WithContext(member.name.empty() ? path : path + " (member " + member.name + ")");
    if (*got) m.profile = ProfileColumns(chunk.data, member.dialect, sample_rows);
    out.members.push_back(std::move(m));
  }
  return out;
}

}  // namespace vigie
