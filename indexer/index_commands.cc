#include "indexer/index_commands.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/export.h"
#include "core/index_scheme.h"
#include "core/oprf_key.h"
#include "core/padding_key.h"
#include "core/progress.h"
#include "core/verify.h"

namespace vigie::cli {

using nlohmann::json;

namespace {

Result<std::unique_ptr<Scheme>> SchemeFor(const Index& index, const std::string& key_path) {
  return OpenIndexScheme(index.meta(), key_path);
}

Status ValidateDate(const std::string& date) {
  int y, m, d;
  char tail;
  if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
      d < 1 || d > 31 || y < 1900) {
    return Status::InvalidArgument("breach.date", "--date must be YYYY-MM-DD");
  }
  return Status::Ok();
}

void PrintJson(const json& j) { std::printf("%s\n", j.dump(2).c_str()); }

}  // namespace

Status RunCreate(const CreateCommand& cmd) {
  CreateOptions options;
  options.scheme = *ParseSchemeName(cmd.scheme);
  options.oprf_key_path = cmd.key_path;
  if (options.scheme != SchemeId::kOprfP256 && !cmd.key_path.empty()) {
    return Status::InvalidArgument("create.option", "--key only applies to the oprf-p256 scheme");
  }
  options.prefix_hex = cmd.prefix_hex;
  options.suffix_hex = cmd.suffix_hex;
  options.allow_unkeyed_nir = cmd.allow_unkeyed_nir;
  options.pad_responses = cmd.padding;
  options.shard_bits = cmd.shard_bits;
  if (cmd.allow_unkeyed_nir && options.scheme != SchemeId::kSha256) {
    return Status::InvalidArgument("create.option", "--allow-unkeyed-nir only applies to the sha256 scheme");
  }
  auto index = Index::Create(cmd.index_dir, options);
  if (!index.ok()) return index.status();
  const IndexMeta& meta = (*index)->meta();
  std::printf("created %s index in %s: prefix %d hex digits, stored suffix %d hex digits%s\n",
              std::string(SchemeName(meta.scheme)).c_str(), cmd.index_dir.c_str(), meta.layout.prefix_hex,
              meta.layout.suffix_hex, meta.allow_unkeyed_nir ? ", unkeyed NIRs allowed" : "");
  if (meta.pad_responses)
    std::printf("range responses will be padded to one size; padding key %s/padding.key\n", cmd.index_dir.c_str());
  std::printf("private path: %d shards per kind (--shard-bits %d)\n", 1 << meta.shard_bits, meta.shard_bits);
  if (meta.scheme == SchemeId::kOprfP256) {
    std::printf("server key %s (fingerprint %s)\n", meta.oprf_key_path.c_str(), meta.oprf_key_fingerprint.c_str());
  }
  return Status::Ok();
}

Status RunKeygen(const KeygenCommand& cmd) {
  auto key = oprf::WriteNewKeyFile(cmd.key_path);
  if (!key.ok()) return key.status();
  std::printf("wrote a new oprf-p256 key to %s (mode 0600); public key fingerprint %s\n", cmd.key_path.c_str(),
              oprf::PublicKeyFingerprint(key->public_key()).c_str());
  std::printf("keep it secret and backed up: the index cannot be extended or served without it\n");
  return Status::Ok();
}

Status RunDefine(const DefineCommand& cmd) {
  VIGIE_RETURN_IF_ERROR(ValidateDate(cmd.date));
  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadWrite);
  if (!index.ok()) return index.status();
  BreachRecord breach;
  breach.name = cmd.breach;
  breach.title = cmd.title;
  breach.breach_date = cmd.date;
  breach.description = cmd.description;
  for (const std::string& c : cmd.data_classes) {
    if (!c.empty()) breach.data_classes.push_back(c);
  }
  bool created = false;
  VIGIE_RETURN_IF_ERROR((*index)->DefineBreach(breach, &created));
  std::printf("%s breach '%s'\n", created ? "defined" : "updated", cmd.breach.c_str());
  return Status::Ok();
}

namespace {

json MembersJson(const std::vector<MemberReport>& members) {
  json out = json::array();
  for (const MemberReport& m : members) {
    out.push_back({{"name", m.name},
                   {"format", m.format},
                   {"encoding", m.encoding},
                   {"rows", m.rows},
                   {"identifiers", m.identifiers},
                   {"rejected", m.rejected},
                   {"rejects_by_reason", m.rejects_by_reason}});
  }
  return out;
}

// One line per member: what each part of an archive gave (a plain file says its format and encoding only
// when they are not plain UTF-8 delimited text).
void PrintMembers(const AddReport& report) {
  const bool archive = report.members.size() > 1 || (!report.members.empty() && !report.members[0].name.empty());
  for (const MemberReport& m : report.members) {
    if (!archive && (m.format == "csv" || m.format == "lines") && m.encoding == "utf-8") continue;
    const std::string what = archive ? "member " + m.name + " (" + m.format + ")" : "read as " + m.format;
    std::printf("  %s: %llu rows, %llu identifiers, %llu rejected\n", what.c_str(),
                static_cast<unsigned long long>(m.rows), static_cast<unsigned long long>(m.identifiers),
                static_cast<unsigned long long>(m.rejected));
    if (m.encoding != "utf-8") std::printf("    decoded from %s\n", m.encoding.c_str());
  }
}

// The summary of an add, as JSON or as text.
void PrintAddReport(const AddReport& report, const AddCommand& cmd) {
  const DumpRecord& d = report.dump;
  if (cmd.json) {
    PrintJson({{"skipped", report.skipped},
               {"breach", d.breach},
               {"digest", d.digest},
               {"rows", d.rows},
               {"identifiers", d.identifiers},
               {"new_to_index", d.new_to_index},
               {"already_present", d.already_present},
               {"new_to_breach", d.new_to_breach},
               {"rejected", d.rejected},
               {"rejects_by_reason", d.rejects_by_reason},
               {"container", report.container},
               {"members", MembersJson(report.members)},
               {"buckets_written", report.buckets_written},
               {"spilled_runs", report.spilled_runs},
               {"seconds", d.seconds},
               {"phase_seconds",
                {{"read", report.read_seconds}, {"merge", report.merge_seconds}, {"commit", report.commit_seconds}}}});
    return;
  }
  if (report.skipped) {
    std::printf("skipped: %s\n", report.skip_reason.c_str());
    return;
  }
  std::printf("loaded %s into breach '%s' in %.2f s (%.0f rows/s)\n", d.file_name.c_str(), d.breach.c_str(), d.seconds,
              d.seconds > 0 ? static_cast<double>(d.rows) / d.seconds : 0.0);
  std::printf("  rows read            %llu\n", static_cast<unsigned long long>(d.rows));
  std::printf("  identifiers accepted %llu\n", static_cast<unsigned long long>(d.identifiers));
  std::printf("    distinct, new to the index   %llu\n", static_cast<unsigned long long>(d.new_to_index));
  std::printf("    distinct, already present    %llu\n", static_cast<unsigned long long>(d.already_present));
  std::printf("    newly attributed to breach   %llu\n", static_cast<unsigned long long>(d.new_to_breach));
  std::printf("  rejected             %llu\n", static_cast<unsigned long long>(d.rejected));
  for (const auto& [reason, n] : d.rejects_by_reason) {
    std::printf("    %-28s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
  }
  PrintMembers(report);
  if (!cmd.rejects_path.empty()) std::printf("  rejected line numbers written to %s\n", cmd.rejects_path.c_str());
  std::printf("  buckets written %llu, spilled runs %llu; read %.2f s, merge %.2f s, commit %.2f s\n",
              static_cast<unsigned long long>(report.buckets_written),
              static_cast<unsigned long long>(report.spilled_runs), report.read_seconds, report.merge_seconds,
              report.commit_seconds);
}

}  // namespace

Status ApplyDumpFlags(const DumpFlags& flags, DumpInputOptions* options) {
  auto format = ParseInputFormat(flags.format);
  if (!format.ok()) return format.status();
  options->format = *format;
  if (flags.format == "tsv") options->delimiter = '\t';
  options->table = flags.table;
  options->member_glob = flags.member;
  options->encoding = flags.encoding;
  return Status::Ok();
}

Status RunAdd(const AddCommand& cmd) {
  AddOptions options;
  options.breach = cmd.breach;
  options.input_path = cmd.input;
  if (cmd.columns.size() > cmd.kinds.size()) {
    return Status::InvalidArgument("add.column", "more --column than --kind options: pair each --column with a --kind");
  }
  for (size_t i = 0; i < cmd.kinds.size(); ++i) {
    auto kind = ParseKind(cmd.kinds[i]);
    if (!kind)
      return Status::InvalidArgument("add.kind", "unknown kind '" + cmd.kinds[i] + "' (nir, email, phone, password)");
    options.columns.push_back({*kind, i < cmd.columns.size() ? cmd.columns[i] : std::string()});
  }
  VIGIE_RETURN_IF_ERROR(ApplyDumpFlags(cmd.dump, &options.input));
  if (!(cmd.max_expanded_gb > 0) || cmd.max_expanded_gb > 1e6) {
    return Status::InvalidArgument("add.max-expanded", "--max-expanded-gb is a number of GiB above 0");
  }
  options.input.max_expanded_bytes = static_cast<uint64_t>(cmd.max_expanded_gb * double(uint64_t{1} << 30));
  options.allow_rejects = cmd.allow_rejects;
  if (!cmd.delimiter.empty()) {
    std::string d = cmd.delimiter == "\\t" || cmd.delimiter == "tab" ? "\t" : cmd.delimiter;
    if (d.size() != 1) return Status::InvalidArgument("add.delimiter", "--delimiter is one character");
    options.input.delimiter = d[0];
  }
  options.input.header = cmd.header;
  options.threads = cmd.threads;
  options.memory_bytes = cmd.memory_mb << 20;
  options.rejects_path = cmd.rejects_path;
  std::optional<Progress> progress;  // only with --progress: it prints, heartbeat included, while it lives
  if (cmd.progress) {
    progress.emplace(stderr, IsTerminal(stderr));
    options.progress = [&](std::string_view phase, uint64_t done, uint64_t total, uint64_t rows) {
      progress->Update(phase, done, total, rows);
    };
  }

  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadWrite);
  if (!index.ok()) return index.status();
  auto scheme = SchemeFor(**index, cmd.key_path);
  if (!scheme.ok()) return scheme.status();
  auto report = AddDump(index->get(), **scheme, options);
  if (progress) progress->Finish();
  if (!report.ok()) return report.status();
  PrintAddReport(*report, cmd);
  return Status::Ok();
}

Status RunRemove(const RemoveCommand& cmd) {
  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadWrite);
  if (!index.ok()) return index.status();
  auto report = RemoveBreach(index->get(), cmd.breach);
  if (!report.ok()) return report.status();
  if (cmd.json) {
    PrintJson({{"breach", cmd.breach},
               {"memberships_removed", report->identifiers_removed},
               {"identifiers_gone", report->identifiers_gone},
               {"buckets_rewritten", report->buckets_rewritten},
               {"buckets_deleted", report->buckets_deleted},
               {"seconds", report->seconds}});
    return Status::Ok();
  }
  std::printf("removed breach '%s' in %.2f s: %llu identifiers no longer attributed to it, %llu gone from the index\n",
              cmd.breach.c_str(), report->seconds, static_cast<unsigned long long>(report->identifiers_removed),
              static_cast<unsigned long long>(report->identifiers_gone));
  return Status::Ok();
}

Status RunStats(const StatsCommand& cmd) {
  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadOnly);
  if (!index.ok()) return index.status();
  auto scan = ScanIndex(**index);
  if (!scan.ok()) return scan.status();
  auto dumps = (*index)->ListDumps();
  if (!dumps.ok()) return dumps.status();
  const IndexMeta& meta = (*index)->meta();
  const uint64_t disk = (*index)->DiskBytes();
  uint64_t identifiers = 0;
  json kinds = json::object();
  for (const auto& [kind, k] : scan->kinds) {
    identifiers += k.identifiers;
    kinds[std::string(KindName(kind))] = {
        {"buckets", k.buckets},           {"identifiers", k.identifiers},
        {"memberships", k.memberships},   {"bucket_min", k.min_bucket},
        {"bucket_max", k.max_bucket},     {"bucket_mean", k.buckets ? double(k.identifiers) / double(k.buckets) : 0.0},
        {"encoded_bytes", k.bucket_bytes}};
  }
  json breaches = json::array();
  for (const auto& [name, b] : (*index)->breaches()) {
    json dump_list = json::array();
    for (const DumpRecord& d : *dumps) {
      if (d.breach != name) continue;
      dump_list.push_back({{"file_name", d.file_name},
                           {"digest", d.digest},
                           {"added_at", d.added_at},
                           {"rows", d.rows},
                           {"identifiers", d.identifiers},
                           {"rejected", d.rejected},
                           {"rejects_by_reason", d.rejects_by_reason}});
    }
    breaches.push_back({{"name", name},
                        {"title", b.title},
                        {"breach_date", b.breach_date},
                        {"added_date", b.added_date},
                        {"data_classes", b.data_classes},
                        {"count", b.count},
                        {"count_by_kind", b.count_by_kind},
                        {"dumps", dump_list}});
  }
  json out = {{"scheme", std::string(SchemeName(meta.scheme))},
              {"format_version", meta.format_version},
              {"prefix_hex", meta.layout.prefix_hex},
              {"suffix_hex", meta.layout.suffix_hex},
              {"shard_bits", meta.shard_bits},
              {"allow_unkeyed_nir", meta.allow_unkeyed_nir},
              {"created_at", meta.created_at},
              {"generation", meta.generation},
              {"identifiers", identifiers},
              {"disk_bytes", disk},
              {"disk_bytes_per_identifier", identifiers ? double(disk) / double(identifiers) : 0.0},
              {"kinds", kinds},
              {"breaches", breaches}};
  if (cmd.json) {
    PrintJson(out);
    return Status::Ok();
  }
  std::printf("index %s: scheme %s, prefix %d hex, suffix %d hex, format %d, generation %llu\n", cmd.index_dir.c_str(),
              std::string(SchemeName(meta.scheme)).c_str(), meta.layout.prefix_hex, meta.layout.suffix_hex,
              meta.format_version, static_cast<unsigned long long>(meta.generation));
  std::printf("identifiers %llu, on disk %llu bytes (%.2f bytes per identifier)\n",
              static_cast<unsigned long long>(identifiers), static_cast<unsigned long long>(disk),
              identifiers ? double(disk) / double(identifiers) : 0.0);
  for (const auto& [kind, k] : scan->kinds) {
    std::printf("  %-8s %llu identifiers in %llu buckets (min %llu, mean %.1f, max %llu per bucket)\n",
                std::string(KindName(kind)).c_str(), static_cast<unsigned long long>(k.identifiers),
                static_cast<unsigned long long>(k.buckets), static_cast<unsigned long long>(k.min_bucket),
                k.buckets ? double(k.identifiers) / double(k.buckets) : 0.0,
                static_cast<unsigned long long>(k.max_bucket));
  }
  std::printf("breaches:\n");
  for (const auto& [name, b] : (*index)->breaches()) {
    size_t n_dumps = 0;
    for (const DumpRecord& d : *dumps) n_dumps += d.breach == name;
    std::printf("  %-24s %-10s %llu identifiers, %zu dump(s) — %s\n", name.c_str(), b.breach_date.c_str(),
                static_cast<unsigned long long>(b.count), n_dumps, b.title.c_str());
  }
  return Status::Ok();
}

Status RunVerify(const VerifyCommand& cmd) {
  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadOnly);
  if (!index.ok()) return index.status();
  auto report = VerifyIndex(**index);
  if (!report.ok()) return report.status();
  uint64_t identifiers = 0, buckets = 0;
  for (const auto& [kind, k] : report->scan.kinds) {
    identifiers += k.identifiers;
    buckets += k.buckets;
  }
  if (cmd.json) {
    PrintJson(
        {{"ok", report->ok()}, {"problems", report->problems}, {"buckets", buckets}, {"identifiers", identifiers}});
  } else {
    for (const std::string& p : report->problems) std::printf("problem: %s\n", p.c_str());
    if (report->ok()) {
      std::printf("ok: %llu buckets, %llu identifiers, %zu breaches; catalogue counts match the buckets\n",
                  static_cast<unsigned long long>(buckets), static_cast<unsigned long long>(identifiers),
                  (*index)->breaches().size());
    }
  }
  if (!report->ok()) {
    return Status::Corruption(std::to_string(report->problems.size()) + " problem(s) found in " + cmd.index_dir);
  }
  return Status::Ok();
}

Status RunPaddingKey(const PaddingKeyCommand& cmd) {
  auto index = Index::Open(cmd.index_dir, Index::Mode::kReadOnly);
  if (!index.ok()) return index.status();
  if (!(*index)->meta().pad_responses) {
    return Status::FailedPrecondition("this index does not pad its responses: it needs no padding key",
                                      "padding.unpadded");
  }
  const std::string path = DefaultPaddingKeyPath(cmd.index_dir);
  VIGIE_RETURN_IF_ERROR(CreatePaddingKeyFile(path));
  std::printf("wrote %s (mode 0600): copy it to every replica's index folder, or pass it as --padding-key\n",
              path.c_str());
  return Status::Ok();
}

Status RunExport(const ExportCommand& cmd) {
  PublishOptions publish;
  auto key = ResolvePaddingKey(cmd.index_dir, cmd.padding_key_file);
  if (key.ok()) publish.pad_key = *key;
  auto index = PublishedIndex::Open(cmd.index_dir, publish);
  if (!index.ok()) return index.status();
  // A key is needed only to pad; an unpadded index exports without one.
  if ((*index)->meta().pad_responses && !key.ok()) return key.status();
  if (cmd.only == "hibp" && !(*index)->ServesHibp()) {
    return Status::InvalidArgument("export.only",
                                   "--only hibp: this index has no Pwned Passwords ranges (only sha1/ntlm indexes "
                                   "with 5-digit prefixes have them); nothing would be exported");
  }
  ExportOptions options;
  options.out_dir = cmd.out_dir;
  options.all_kinds = cmd.all_kinds;
  options.v1_range = cmd.only != "hibp";
  options.hibp_range = cmd.only != "v1";
  options.threads = std::max(1, cmd.threads);
  ExportStats stats;
  VIGIE_RETURN_IF_ERROR(ExportIndex(**index, options, &stats));
  std::vector<std::string> kinds;
  for (Kind k : stats.kinds) kinds.emplace_back(KindName(k));
  if (cmd.json) {
    PrintJson({{"out", cmd.out_dir},
               {"files", stats.files},
               {"bytes", stats.bytes},
               {"unchanged_linked", stats.linked},
               {"kinds", kinds},
               {"hibp", stats.hibp_dir.empty() ? json(nullptr) : json(stats.hibp_dir)},
               {"generation", (*index)->meta().generation},
               {"write_seconds", stats.write_seconds},
               {"sync_seconds", stats.sync_seconds},
               {"replace_seconds", stats.replace_seconds}});
  } else {
    std::string kind_list;
    for (const std::string& k : kinds) kind_list += (kind_list.empty() ? "" : ", ") + k;
    std::printf(
        "exported generation %llu to %s: %llu files (%llu unchanged, linked), %llu bytes (kinds: %s%s%s); "
        "written in %.1f s, synced in %.1f s, published in %.1f s\n",
        static_cast<unsigned long long>((*index)->meta().generation), cmd.out_dir.c_str(),
        static_cast<unsigned long long>(stats.files), static_cast<unsigned long long>(stats.linked),
        static_cast<unsigned long long>(stats.bytes), kind_list.empty() ? "none" : kind_list.c_str(),
        stats.hibp_dir.empty() ? "" : "; Pwned Passwords: ", stats.hibp_dir.c_str(), stats.write_seconds,
        stats.sync_seconds, stats.replace_seconds);
  }
  return Status::Ok();
}

}  // namespace vigie::cli
