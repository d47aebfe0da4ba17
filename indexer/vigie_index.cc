// vigie-index: create an index, define breaches, load dumps, remove breaches, show statistics, verify, export.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <utility>
#include <vector>

#include "indexer/index_commands.h"
#include "indexer/inspect_command.h"

namespace {

using namespace vigie::cli;

// Every subcommand's options, filled by CLI11. The Add* functions below register one subcommand each.
struct Commands {
  KeygenCommand keygen;
  CreateCommand create;
  DefineCommand define;
  AddCommand add;
  bool header = false, no_header = false;  // add: --header / --no-header
  RemoveCommand remove;
  StatsCommand stats;
  VerifyCommand verify;
  PaddingKeyCommand padding_key;
  ExportCommand export_cmd;
  InspectCommand inspect;
};

// The options `add` and `inspect` share: how to read a dump.
void AddDumpFlags(CLI::App* sub, DumpFlags* dump) {
  sub->add_option("--format", dump->format,
                  "input format (default auto: detected from the content; text is never guessed)")
      ->check(CLI::IsMember({"auto", "csv", "tsv", "lines", "sql", "json", "xlsx", "text"}));
  sub->add_option("--table", dump->table,
                  "SQL dump: the table to read; xlsx: the sheet (default: the only one with rows)");
  sub->add_option("--member", dump->member, "archive: read only the members whose path matches this glob");
  sub->add_option("--encoding", dump->encoding,
                  "text encoding: utf-8, utf-16le, utf-16be, windows-1252 (default: detected)");
}

CLI::App* AddKeygen(CLI::App& app, Commands& all) {
  KeygenCommand& keygen = all.keygen;
  auto* k = app.add_subcommand("keygen", "write a new oprf-p256 server key (mode 0600, never overwrites)");
  k->add_option("--key", keygen.key_path, "key file to create")->required();
  return k;
}

CLI::App* AddCreate(CLI::App& app, Commands& all) {
  CreateCommand& create = all.create;
  auto* c = app.add_subcommand("create", "create an empty index");
  c->add_option("--index", create.index_dir, "index directory")->required();
  c->add_option("--scheme", create.scheme,
                "tag scheme: oprf-p256 (default; keyed, needs --key), sha256 (e-mails, phones), sha1/ntlm (passwords)")
      ->check(CLI::IsMember({"sha256", "sha1", "ntlm", "oprf-p256"}));
  c->add_option("--key", create.key_path, "oprf-p256 server key file (from `vigie-index keygen`)");
  c->add_option("--prefix-hex", create.prefix_hex, "prefix length in hex digits (4-6)")->check(CLI::Range(4, 6));
  c->add_option("--shard-bits", create.shard_bits,
                "private path: the set of each kind is split into 2^S shards; a look-up reveals S bits (0-12)")
      ->capture_default_str()
      ->check(CLI::Range(0, 12));
  c->add_option("--suffix-hex", create.suffix_hex, "stored suffix length in hex digits (default: scheme's)");
  c->add_flag("--allow-unkeyed-nir", create.allow_unkeyed_nir,
              "let this sha256 index take NIRs (they can then be brute-forced from the index)");
  c->add_flag("--padding,!--no-padding", create.padding,
              "pad every range response of this index to one size (default on; --no-padding turns it off)");
  return c;
}

CLI::App* AddDefine(CLI::App& app, Commands& all) {
  DefineCommand& define = all.define;
  auto* d = app.add_subcommand("define", "define a breach or update its metadata");
  d->add_option("--index", define.index_dir, "index directory")->required();
  d->add_option("--breach", define.breach, "breach name: [a-z0-9-]")->required();
  d->add_option("--title", define.title, "human title")->required();
  d->add_option("--date", define.date, "breach date YYYY-MM-DD")->required();
  d->add_option("--data-classes", define.data_classes, "exposed data, comma-separated")->delimiter(',')->required();
  d->add_option("--description", define.description, "description");
  return d;
}

CLI::App* AddAdd(CLI::App& app, Commands& all) {
  AddCommand& add = all.add;
  bool& header = all.header;
  bool& no_header = all.no_header;
  auto* a = app.add_subcommand("add", "load a dump into a breach (idempotent)");
  a->add_option("--index", add.index_dir, "index directory")->required();
  a->add_option("--breach", add.breach, "breach name (defined first)")->required();
  a->add_option("--input", add.input,
                "dump file: CSV/TSV/plain list, SQL, JSON, xlsx or free text; plain, gzip, zstd, xz, bzip2, or an "
                "archive (zip, 7z, tar.*) whose members are each read as a dump")
      ->required();
  a->add_option("--kind", add.kinds, "identifier kind (nir, email, phone, password); repeat for several columns")
      ->required();
  a->add_option(
      "--column", add.columns,
      "column for the --kind at the same position: header name, 1-based number, or a dotted JSON path (a.b.c)");
  AddDumpFlags(a, &add.dump);
  a->add_option("--max-expanded-gb", add.max_expanded_gb, "archive: refuse one that expands to more than this (GiB)");
  a->add_flag("--allow-rejects", add.allow_rejects,
              "commit even when no identifier was accepted or more than half of the rows were rejected");
  a->add_option("--delimiter", add.delimiter, "CSV delimiter (default: detected)");
  a->add_flag("--header", header, "the first line is a header (default for CSV)");
  a->add_flag("--no-header", no_header, "the first line is data (default for plain lists)")->excludes("--header");
  a->add_option("--threads", add.threads, "worker threads (default: one per core)");
  a->add_option("--memory-mb", add.memory_mb, "record buffer budget before spilling to disk, MiB");
  a->add_option("--rejects", add.rejects_path, "write line numbers and reasons of rejected rows to this file");
  a->add_option("--key", add.key_path, "oprf-p256 key file (default: the path recorded at create)");
  a->add_flag("--json", add.json, "print the summary as JSON");
  a->add_flag("!--no-progress", add.progress, "no progress output");
  return a;
}

CLI::App* AddRemove(CLI::App& app, Commands& all) {
  RemoveCommand& remove = all.remove;
  auto* r = app.add_subcommand("remove", "take a breach out of the index");
  r->add_option("--index", remove.index_dir, "index directory")->required();
  r->add_option("--breach", remove.breach, "breach name")->required();
  r->add_flag("--json", remove.json, "print the summary as JSON");
  return r;
}

CLI::App* AddStats(CLI::App& app, Commands& all) {
  StatsCommand& stats = all.stats;
  auto* s = app.add_subcommand("stats", "show index statistics");
  s->add_option("--index", stats.index_dir, "index directory")->required();
  s->add_flag("--json", stats.json, "print JSON");
  return s;
}

CLI::App* AddVerify(CLI::App& app, Commands& all) {
  VerifyCommand& verify = all.verify;
  auto* v = app.add_subcommand("verify", "check every bucket and the catalogue counts");
  v->add_option("--index", verify.index_dir, "index directory")->required();
  v->add_flag("--json", verify.json, "print JSON");
  return v;
}

CLI::App* AddPaddingKey(CLI::App& app, Commands& all) {
  PaddingKeyCommand& padding_key = all.padding_key;
  auto* p = app.add_subcommand("padding-key",
                               "write INDEX/padding.key for a padded index that has none (0600, never overwrites)");
  p->add_option("--index", padding_key.index_dir, "index directory")->required();
  return p;
}

CLI::App* AddExport(CLI::App& app, Commands& all) {
  ExportCommand& export_cmd = all.export_cmd;
  auto* e = app.add_subcommand("export", "write every response body as a static file tree, for nginx or a CDN");
  e->add_option("--index", export_cmd.index_dir, "index directory")->required();
  e->add_option("--out", export_cmd.out_dir, "output directory (replaced atomically when it holds an export)")
      ->required();
  e->add_option("--padding-key", export_cmd.padding_key_file,
                "padding key file of the servers (padded indexes; default: INDEX/padding.key)");
  e->add_flag("--all-kinds", export_cmd.all_kinds, "export every kind the index serves, even kinds nobody is in");
  e->add_option("--only", export_cmd.only, "write only the v1/range/ tree, or only the Pwned Passwords range/ tree")
      ->check(CLI::IsMember({"v1", "hibp"}));
  e->add_option("--threads", export_cmd.threads, "writer threads")->check(CLI::Range(1, 64));
  e->add_flag("--json", export_cmd.json, "print JSON");
  return e;
}
CLI::App* AddInspect(CLI::App& app, Commands& all) {
  InspectCommand& inspect = all.inspect;
  auto* i = app.add_subcommand("inspect", "show how `add` would read a dump: format, members, columns, masked samples");
  i->add_option("--input", inspect.input, "dump file, as for add")->required();
  i->add_option("--kind", inspect.kinds, "suggest columns for these kinds only (nir, email, phone)");
  AddDumpFlags(i, &inspect.dump);
  i->add_option("--rows", inspect.rows, "rows sampled per member")->check(CLI::Range(1, 100000));
  i->add_flag("--json", inspect.json, "print JSON");
  return i;
}
}  // namespace

int main(int argc, char** argv) {
  // Named rather than argv[0], so usage lines read the same wherever the binary lies; --version prints
  // VIGIE_VERSION (CMake's project version). help2man makes the man page from both (packaging/).
  CLI::App app{"vigie-index: build and maintain a Vigie breach index", "vigie-index"};
  app.set_version_flag("--version", "vigie-index " VIGIE_VERSION);
  app.require_subcommand(1);
  Commands c;
  const std::vector<std::pair<CLI::App*, std::function<vigie::Status()>>> subcommands = {
      {AddKeygen(app, c), [&] { return RunKeygen(c.keygen); }},
      {AddCreate(app, c), [&] { return RunCreate(c.create); }},
      {AddDefine(app, c), [&] { return RunDefine(c.define); }},
      {AddAdd(app, c),
       [&] {
         c.add.header = c.header ? 1 : c.no_header ? 0 : -1;
         return RunAdd(c.add);
       }},
      {AddRemove(app, c), [&] { return RunRemove(c.remove); }},
      {AddStats(app, c), [&] { return RunStats(c.stats); }},
      {AddVerify(app, c), [&] { return RunVerify(c.verify); }},
      {AddPaddingKey(app, c), [&] { return RunPaddingKey(c.padding_key); }},
      {AddExport(app, c), [&] { return RunExport(c.export_cmd); }},
      {AddInspect(app, c), [&] { return RunInspect(c.inspect); }},
  };
  CLI11_PARSE(app, argc, argv);
  vigie::Status status;
  for (const auto& [subcommand, run] : subcommands) {
    if (subcommand->parsed()) status = run();
  }
  if (!status.ok()) {
    std::fprintf(stderr, "vigie-index: %s\n", status.message().c_str());
    return vigie::ExitCodeFor(status);
  }
  return 0;
}
