#include "indexer/inspect_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/csv.h"
#include "core/dump_inspect.h"
#include "core/kind.h"

namespace vigie::cli {

namespace {

using nlohmann::json;

constexpr Kind kSuggestedKinds[] = {Kind::kNir, Kind::kEmail, Kind::kPhone};

std::string DelimiterName(char d) {
  if (d == '\t') return "tab";
  if (d == '\x1f') return "unit separator";
  return std::string(1, d);
}

std::string ShellQuote(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:@,+") ==
      std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The --kind/--column words that would load the first member's identifiers: a kind is suggested when a
// column holds it; --column is added when the header's names would not find that column.
std::string SuggestedColumns(const MemberInspection& m, const std::vector<Kind>& kinds) {
  std::vector<std::string_view> header;
  for (const ColumnProfile& c : m.profile.columns) header.push_back(c.name);
  std::string words;
  for (Kind kind : kinds) {
    const auto column = GuessColumnByContent(kind, m.profile);
    if (m.dialect.format == Format::kLines) {
      if (column) words += " --kind " + std::string(KindName(kind));
      continue;
    }
    if (!column) continue;
    words += " --kind " + std::string(KindName(kind));
    const auto by_name = m.dialect.header ? GuessColumn(kind, header) : std::nullopt;
    if (by_name == column) continue;
    const std::string& name = m.profile.columns[static_cast<size_t>(*column)].name;
    words += " --column " + (name.empty() || !m.dialect.header ? std::to_string(*column + 1) : ShellQuote(name));
  }
  return words;
}

json MemberJson(const MemberInspection& m) {
  json columns = json::array();
  for (size_t c = 0; c < m.profile.columns.size(); ++c) {
    const ColumnProfile& col = m.profile.columns[c];
    json valid = json::object();
    for (Kind kind : kSuggestedKinds) valid[std::string(KindName(kind))] = col.valid[static_cast<size_t>(kind)];
    columns.push_back({{"number", c + 1}, {"name", col.name}, {"valid", valid}, {"samples", col.samples}});
  }
  return {{"name", m.name},
          {"format", std::string(InputFormatName(m.format))},
          {"encoding", m.encoding},
          {"delimiter", m.dialect.format == Format::kCsv ? DelimiterName(m.dialect.delimiter) : ""},
          {"header", m.dialect.header},
          {"rows_sampled", m.profile.rows},
          {"sql_tables", m.sql_tables},
          {"columns", columns}};
}

void PrintMember(const MemberInspection& m) {
  std::printf("%s%s: %s", m.name.empty() ? "" : "member ", m.name.empty() ? "dump" : m.name.c_str(),
              std::string(InputFormatName(m.format)).c_str());
  if (m.format == InputFormat::kCsv) std::printf(" (delimiter %s)", DelimiterName(m.dialect.delimiter).c_str());
  std::printf(", %s, %s, %llu rows sampled\n", m.encoding.c_str(), m.dialect.header ? "with a header" : "no header",
              static_cast<unsigned long long>(m.profile.rows));
  for (const auto& [table, rows] : m.sql_tables) {
    std::printf("  table %s: %llu rows\n", table.c_str(), static_cast<unsigned long long>(rows));
  }
  if (m.sql_tables.size() > 1 && m.profile.columns.empty()) {
    std::printf("  several tables have rows: choose one with --table to see its columns\n");
    return;
  }
  std::printf("  %-4s %-24s %6s %6s %6s  %s\n", "col", "name", "nir", "email", "phone", "samples (masked)");
  for (size_t c = 0; c < m.profile.columns.size(); ++c) {
    const ColumnProfile& col = m.profile.columns[c];
    std::string samples;
    for (const std::string& s : col.samples) samples += (samples.empty() ? "" : ", ") + s;
    std::printf("  %-4zu %-24.24s %6llu %6llu %6llu  %s\n", c + 1, col.name.c_str(),
                static_cast<unsigned long long>(col.valid[static_cast<size_t>(Kind::kNir)]),
                static_cast<unsigned long long>(col.valid[static_cast<size_t>(Kind::kEmail)]),
                static_cast<unsigned long long>(col.valid[static_cast<size_t>(Kind::kPhone)]), samples.c_str());
  }
}

}  // namespace

Status RunInspect(const InspectCommand& cmd) {
  DumpInputOptions options;
  VIGIE_RETURN_IF_ERROR(ApplyDumpFlags(cmd.dump, &options));
  std::vector<Kind> kinds;
  for (const std::string& k : cmd.kinds) {
    auto kind = ParseKind(k);
    if (!kind || *kind == Kind::kPassword) {
      return Status::InvalidArgument("inspect.kind", "unknown kind '" + k + "' (nir, email, phone)");
    }
    kinds.push_back(*kind);
  }
  if (kinds.empty()) kinds.assign(std::begin(kSuggestedKinds), std::end(kSuggestedKinds));
  auto inspection = InspectDump(cmd.input, options, static_cast<size_t>(cmd.rows));
  if (!inspection.ok()) return inspection.status().WithContext(cmd.input);
  std::string suggestion;
  if (!inspection->members.empty()) {
    const MemberInspection& first = inspection->members.front();
    const std::string words = SuggestedColumns(first, kinds);
    std::string flags;
    if (first.format == InputFormat::kText) flags += " --format text";
    if (!cmd.dump.table.empty()) flags += " --table " + ShellQuote(cmd.dump.table);
    if (!cmd.dump.member.empty()) flags += " --member " + ShellQuote(cmd.dump.member);
    if (!words.empty()) {
      suggestion = "vigie-index add --index INDEX --breach BREACH --input " + ShellQuote(cmd.input) + flags + words;
    }
  }
  if (cmd.json) {
    json members = json::array();
    for (const MemberInspection& m : inspection->members) members.push_back(MemberJson(m));
    std::printf(
        "%s\n",
        json({{"container", inspection->container}, {"members", members}, {"add", suggestion}}).dump(2).c_str());
    return Status::Ok();
  }
  std::printf("%s: %s, %zu member%s\n", cmd.input.c_str(), inspection->container.c_str(), inspection->members.size(),
              inspection->members.size() == 1 ? "" : "s");
  for (const MemberInspection& m : inspection->members) PrintMember(m);
  if (suggestion.empty()) {
    std::printf("no column holds mostly valid identifiers of the kinds asked: check --format, --table, --encoding\n");
  } else {
    std::printf("to load it:\n  %s\n", suggestion.c_str());
  }
  return Status::Ok();
}

}  // namespace vigie::cli
