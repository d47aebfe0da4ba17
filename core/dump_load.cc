#include "core/dump_load.h"

#include <algorithm>
#include <fstream>
#include <optional>

#include "core/column_guess.h"
#include "core/csv.h"
#include "core/input_file.h"

namespace vigie {

namespace {

struct RejectLine {
  size_t member = 0;
  uint64_t line = 0;
  std::string_view reason;
  bool operator<(const RejectLine& o) const { return std::tie(member, line) < std::tie(o.member, o.line); }
};

// "line<TAB>reason" per rejected row; for an archive the line is "member:line".
Status WriteRejects(const std::string& path, std::vector<RejectLine> lines, const std::vector<MemberReport>& members,
                    bool archive) {
  std::stable_sort(lines.begin(), lines.end());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + path);
  out << "# line\treason. Rejected rows of the dump, by line number. Their content is deliberately not copied.\n";
  for (const RejectLine& r : lines) {
    if (archive) out << members[r.member].name << ':';
    out << r.line << '\t' << r.reason << '\n';
  }
  out.flush();
  if (!out) return Status::IOError("writing " + path + " failed");
  return Status::Ok();
}

// The field of each --kind: by --column, else by header name, else by content (the first chunk's rows).
Result<std::vector<ResolvedColumn>> ResolveColumns(const std::vector<ColumnChoice>& choices, const Dialect& dialect,
                                                   const std::vector<std::string_view>& header,
                                                   std::string_view first_chunk) {
  std::vector<ResolvedColumn> out;
  std::optional<SampleProfile> profile;
  for (const ColumnChoice& choice : choices) {
    auto field = ChooseColumn(choice.kind, choice.column, dialect, header);
    if (!field.ok() && field.status().reason() == "column.missing" && choice.kind != Kind::kPassword) {
      if (!profile) profile = ProfileColumns(first_chunk, dialect);
      if (auto by_content = GuessColumnByContent(choice.kind, *profile)) field = *by_content;
    }
    if (!field.ok()) return field.status();
    out.push_back({choice.kind, *field});
  }
  return out;
}

std::string MemberContext(const AddOptions& options, const DumpMember& member) {
  return member.name.empty() ? options.input_path : options.input_path + " (member " + member.name + ")";
}

// A member's shape (dialect, header, columns) from its first chunk, which is left in plan->first.
Status PlanMember(const AddOptions& options, LoadPlan* plan) {
  const DumpMember& member = plan->member;
  ChunkerOptions chunker_options;
  chunker_options.joined_lines = member.joined_lines;
  plan->chunker = std::make_unique<LineChunker>(member.source, chunker_options);
  plan->first = Chunk();
  auto got = plan->chunker->Next(&plan->first);
  if (!got.ok()) return got.status().WithContext(MemberContext(options, member));
  plan->have_first = *got;

  std::string_view first_data(plan->first.data);
  std::string_view first_line = first_data.substr(0, first_data.find('\n'));
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  DumpShape& shape = plan->shape;
  shape = DumpShape{};
  shape.dialect = member.dialect;
  shape.joined_lines = member.joined_lines;
  std::vector<std::string_view> header_fields;
  const std::string header_copy(first_line);
  Dialect header_dialect = shape.dialect;
  header_dialect.header = false;
  LineParser header_parser(header_dialect);
  if (shape.dialect.format == Format::kCsv && shape.dialect.header && plan->have_first) {
    Status s = header_parser.ParseLine(header_copy, &header_fields);
    if (!s.ok()) return s.WithContext("the header line of " + MemberContext(options, member));
    shape.expected_fields = header_fields.size();
  }
  auto columns = ResolveColumns(options.columns, shape.dialect, header_fields, plan->first.data);
  if (!columns.ok()) return columns.status().WithContext(MemberContext(options, member));
  shape.columns = std::move(*columns);
  return Status::Ok();
}

std::string SelectionOf(const DumpShape& shape) {
  std::string selection;
  for (const ResolvedColumn& c : shape.columns) {
    if (!selection.empty()) selection += ',';
    selection +=
        std::string(KindName(c.kind)) + "@" + (c.field < 0 ? std::string("line") : std::to_string(c.field + 1));
  }
  return selection;
}

// The main reject reasons, most frequent first: "nir.key (812), line.too-few-fields (40)".
std::string TopReasons(const std::map<std::string, uint64_t>& rejects) {
  std::vector<std::pair<uint64_t, std::string>> by_count;
  for (const auto& [reason, n] : rejects) by_count.emplace_back(n, reason);
  std::sort(by_count.rbegin(), by_count.rend());
  std::string out;
  for (size_t i = 0; i < by_count.size() && i < 3; ++i) {
    if (!out.empty()) out += ", ";
    out += by_count[i].second + " (" + std::to_string(by_count[i].first) + ")";
  }
  return out.empty() ? "none" : out;
}

}  // namespace

Result<LoadPlan> PlanLoad(const Index& index, const Scheme& scheme, const AddOptions& options) {
  LoadPlan plan;
  auto breach = index.GetBreach(options.breach);
  if (!breach.ok()) return breach.status();
  plan.breach = *breach;
  if (options.columns.empty()) return Status::InvalidArgument("add.kind", "give at least one --kind");
  for (const ColumnChoice& c : options.columns) {
    VIGIE_RETURN_IF_ERROR(CheckKindAllowed(index.meta(), scheme, c.kind));
    plan.passwords |= c.kind == Kind::kPassword;
  }
  if (plan.passwords && options.columns.size() > 1) {
    return Status::InvalidArgument("add.kind", "password hashes are loaded alone, one HASH:COUNT per line");
  }
  auto digest = DigestFile(options.input_path);
  if (!digest.ok()) return digest.status().WithContext(options.input_path);
  plan.digest_hex = digest->Hex();

  DumpInputOptions input_options = options.input;
  input_options.passwords = plan.passwords;
  for (const ColumnChoice& c : options.columns) {
    if (!c.column.empty()) input_options.json_columns.push_back(c.column);
  }
  auto input = DumpInput::Open(options.input_path, input_options);
  if (!input.ok()) return input.status().WithContext(options.input_path);
  plan.input = std::move(*input);
  auto more = plan.input->NextMember(&plan.member);
  if (!more.ok()) return more.status().WithContext(options.input_path);
  plan.have_member = *more;
  if (plan.have_member) {
    VIGIE_RETURN_IF_ERROR(PlanMember(options, &plan));
    plan.selection = SelectionOf(plan.shape);
  }
  return plan;
}

Result<ReadResult> ReadMembers(const Index& index, const Scheme& scheme, const RecordLayout& records,
                               const AddOptions& options, int threads, LoadPlan* plan) {
  ReadResult result;
  std::vector<RejectLine> reject_lines;
  uint64_t rows_before = 0;
  for (size_t m = 0; plan->have_member; ++m) {
    if (m > 0) VIGIE_RETURN_IF_ERROR(PlanMember(options, plan));
    TagStageOptions tag{threads, options.memory_bytes, !options.rejects_path.empty(), index.staging_dir(), {}};
    tag.spill_name = "run-m" + std::to_string(m);
    tag.raw_size = plan->input->raw_size();
    if (options.progress) {
      tag.progress = [&](uint64_t done, uint64_t total, uint64_t rows) {
        options.progress("read", done, total, rows_before + rows);
      };
    }
    auto tagged = ReadAndTag(index, scheme, records, plan->shape, plan->chunker.get(), std::move(plan->first),
                             plan->have_first, tag);
    if (!tagged.ok()) return tagged.status().WithContext(MemberContext(options, plan->member));
    MemberReport member{plan->member.name,        std::string(InputFormatName(plan->member.format)),
                        plan->member.encoding,    tagged->rows,
                        tagged->identifiers,      tagged->rejected,
                        tagged->rejects_by_reason};
    result.members.push_back(std::move(member));
    rows_before += tagged->rows;
    TaggedDump& all = result.all;
    all.rows += tagged->rows;
    all.identifiers += tagged->identifiers;
    all.rejected += tagged->rejected;
    all.spilled_runs += tagged->spilled_runs;
    for (const auto& [reason, n] : tagged->rejects_by_reason) all.rejects_by_reason[reason] += n;
    for (Run& r : tagged->runs) all.runs.push_back(std::move(r));
    for (const auto& [line, reason] : tagged->reject_lines) reject_lines.push_back({m, line, reason});
    plan->chunker.reset();
    auto more = plan->input->NextMember(&plan->member);
    if (!more.ok()) return more.status().WithContext(options.input_path);
    plan->have_member = *more;
  }
  if (!options.rejects_path.empty()) {
    VIGIE_RETURN_IF_ERROR(
        WriteRejects(options.rejects_path, std::move(reject_lines), result.members, plan->input->is_archive()));
  }
  return result;
}

Status CheckRejectRate(const DumpRecord& dump, bool allow_rejects) {
  if (allow_rejects) return Status::Ok();
  const std::string hint = ". Main reasons: " + TopReasons(dump.rejects_by_reason) +
                           ". Check --column, --format and --delimiter (vigie-index inspect shows what it sees), "
                           "or pass --allow-rejects to load it anyway; nothing was changed";
  if (dump.identifiers == 0) {
    return Status::InvalidArgument("add.no-identifiers",
                                   "no identifier was accepted from " + std::to_string(dump.rows) + " rows" + hint);
  }
  if (dump.rejected * 2 > dump.rows) {
    return Status::InvalidArgument("add.too-many-rejects", std::to_string(dump.rejected) + " of " +
                                                               std::to_string(dump.rows) +
                                                               " rows were rejected (more than half)" + hint);
  }
  return Status::Ok();
}

}  // namespace vigie
