#include "core/bulk_check.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "core/input_file.h"
#include "core/normalize.h"
#include "core/oprf_scheme.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

// An index held in memory: buckets built from canonical NIRs with the sha256 scheme, served like the
// range API would. Counts fetches so that tests can see the grouping.
class FakeSource : public BucketSource {
 public:
  explicit FakeSource(int prefix_hex = 2) {
    info_.layout = TagLayout{prefix_hex, 16};
    info_.scheme_known = true;
  }

  void Add(std::string_view nir, std::vector<uint32_t> breach_positions) {
    std::string canonical;
    REQUIRE(Normalize(Kind::kNir, nir, &canonical).ok());
    auto scheme = MakeUnkeyedScheme(SchemeId::kSha256);
    uint8_t tag[32];
    REQUIRE((*scheme)->ComputeTag(Kind::kNir, canonical, tag).ok());
    const std::string hex = HexEncode(tag, 32);
    const TagLayout& l = info_.layout;
    entries_[l.Prefix(tag)][hex.substr(static_cast<size_t>(l.prefix_hex), static_cast<size_t>(l.suffix_hex))] =
        std::move(breach_positions);
  }

  Result<RemoteIndexInfo> Describe(Kind) override { return info_; }

  Status Fetch(Kind kind, std::span<const uint32_t> prefixes, const OnBucket& on_bucket) override {
    ++fetch_calls;
    for (size_t i = 0; i < prefixes.size(); ++i) {
      if (fail_after >= 0 && fetched_total >= static_cast<uint64_t>(fail_after)) {
        return Status::IOError("fake: connection refused");
      }
      ++fetched_total;
      ++fetches[prefixes[i]];
      RangeResponse r;
      r.version = 1;
      r.kind = kind;
      r.prefix = info_.layout.PrefixHex(prefixes[i]);
      r.suffix_hex = info_.layout.suffix_hex;
      r.breaches = {"alpha", "beta", "gamma"};
      for (const auto& [suffix, positions] : entries_[prefixes[i]]) r.entries.push_back({suffix, positions, 0});
      VIGIE_RETURN_IF_ERROR(on_bucket(i, r));
    }
    return Status::Ok();
  }

  RemoteIndexInfo info_;
  std::map<uint32_t, std::map<std::string, std::vector<uint32_t>>> entries_;
  std::map<uint32_t, int> fetches;
  uint64_t fetched_total = 0;
  int fetch_calls = 0;
  int64_t fail_after = -1;  // >= 0: fail once this many buckets were served
};

// 13-digit NIR bodies (the key is computed): "1850578006" + 3 digits.
std::string Nir(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "1850578%06d", i);
  return buf;
}

using testing::TempDir;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}
std::string ReadRaw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
// Decompressed content (gzip/zstd recognised by InputFile).
std::string ReadPlain(const std::string& path) {
  auto in = InputFile::Open(path);
  REQUIRE(in.ok());
  std::string out;
  char buf[65536];
  for (;;) {
    auto n = (*in)->Read(buf, sizeof buf);
    REQUIRE(n.ok());
    if (*n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

}  // namespace

TEST_CASE("CsvField quotes only when needed") {
  struct Case {
    const char* in;
    char delim;
    const char* out;
  } cases[] = {
      {"plain", ',', "plain"},
      {"a,b", ',', "\"a,b\""},
      {"a,b", ';', "a,b"},
      {"say \"hi\"", ';', "\"say \"\"hi\"\"\""},
      {" lead", ',', "\" lead\""},
      {"", ',', ""},
      {"tab\there", '\t', "\"tab\there\""},
  };
  for (const Case& c : cases) CHECK(CsvField(c.in, c.delim) == c.out);
}

TEST_CASE("CheckValues: present, absent, invalid, in input order, one fetch per prefix") {
  FakeSource source(1);  // 16 buckets: values share prefixes
  source.Add(Nir(1), {0});
  source.Add(Nir(2), {0, 2});
  std::vector<std::string> values = {Nir(2), "12345", Nir(3), Nir(1), Nir(2)};
  auto results = CheckValues(&source, Kind::kNir, values);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 5);
  CHECK((*results)[0].found);
  CHECK((*results)[0].breaches == std::vector<std::string>{"alpha", "gamma"});
  CHECK_FALSE((*results)[1].valid);
  CHECK((*results)[1].error.reason() == "nir.length");
  CHECK(((*results)[2].valid && !(*results)[2].found && (*results)[2].error.ok()));
  CHECK((*results)[3].breaches == std::vector<std::string>{"alpha"});
  CHECK((*results)[4].found);
  for (const auto& [prefix, n] : source.fetches) CHECK(n == 1);
  CHECK(source.fetched_total <= 3);
}

TEST_CASE("CheckValues: a kind the index does not hold is refused") {
  FakeSource source;
  CHECK(CheckValues(&source, Kind::kPassword, {"x"}).status().reason() == "index.kind");
}

TEST_CASE("RunBulkCheck: columns kept, rows in order, invalid rows reported, CRLF kept") {
  TempDir dir;
  FakeSource source(2);
  source.Add(Nir(10), {1});
  source.Add(Nir(11), {0, 1});
  std::string input = "id;name;nir\n";
  input += "1;Ann;" + Nir(10) + "\n";
  input += "2;\"Bob; Jr\";" + Nir(12) + "\r\n";
  input += "3;Cy;1234\n";
  input += "4;Di\n";                              // too few fields
  input += "5;\"unterminated;" + Nir(11) + "\n";  // unbalanced quote
  input += "6;Ed;" + Nir(11);                     // no final newline
  WriteFile(dir / "in.csv", input);
  BulkOptions o;
  o.input_path = dir / "in.csv";
  o.output_path = dir / "out.csv";
  o.column = "nir";
  o.block_rows = 2;
  auto report = RunBulkCheck(o, &source);
  REQUIRE(report.ok());
  CHECK(report->rows == 6);
  CHECK(report->found == 2);
  CHECK(report->not_found == 1);
  CHECK(report->invalid == 3);
  const std::string expected =
      "id;name;nir;found;breaches;error\n"
      "1;Ann;" +
      Nir(10) +
      ";yes;beta;\n"
      "2;\"Bob; Jr\";" +
      Nir(12) +
      ";no;;\r\n"
      "3;Cy;1234;;;\"the NIR must have 13 digits, or 15 with its key; this one has 4 [nir.length]\"\n";
  const std::string got = ReadPlain(dir / "out.csv");
  // Row 3's message is the normaliser's; compare the stable part of it.
  CHECK(got.substr(0, got.find("3;Cy")) == expected.substr(0, expected.find("3;Cy")));
  CHECK(got.find("3;Cy;1234;;;") != std::string::npos);
  CHECK(got.find("[nir.length]") != std::string::npos);
  CHECK(got.find("4;Di;;;") != std::string::npos);
  CHECK(got.find("[line.too-few-fields]") != std::string::npos);
  CHECK(got.find("[line.unbalanced-quote]") != std::string::npos);
  CHECK(got.substr(got.rfind("6;Ed")) == "6;Ed;" + Nir(11) + ";yes;alpha,beta;\n");
  int lines = 0;
  for (char c : got) lines += c == '\n';
  CHECK(lines == 7);
}

TEST_CASE("RunBulkCheck: each prefix fetched once per block; plain lists; column by number") {
  TempDir dir;
  FakeSource source(1);
  std::string input;
  for (int i = 0; i < 40; ++i) {
    if (i % 3 == 0) source.Add(Nir(i), {2});
    input += Nir(i) + "\n";
  }
  WriteFile(dir / "list.txt", input);
  BulkOptions o;
  o.input_path = dir / "list.txt";
  o.output_path = dir / "out.csv";
  o.block_rows = 40;
  auto report = RunBulkCheck(o, &source);
  REQUIRE(report.ok());
  CHECK(report->found == 14);
  CHECK(report->not_found == 26);
  for (const auto& [prefix, n] : source.fetches) CHECK(n == 1);
  CHECK(report->buckets == source.fetches.size());
  const std::string got = ReadPlain(dir / "out.csv");
  CHECK(got.substr(0, got.find('\n')) == Nir(0) + ",yes,gamma,");  // no header on a plain list
  o.column = "2";
  CHECK(RunBulkCheck(o, &source).status().reason() == "column.lines");

  // No header: the first row is data; a short row is reported, not read past its end.
  WriteFile(dir / "nohead.csv", "x;" + Nir(3) + "\ny\n");
  o.input_path = dir / "nohead.csv";
  o.column = "2";
  o.header = 0;
  REQUIRE(RunBulkCheck(o, &source).ok());
  CHECK(ReadPlain(dir / "out.csv") ==
        "x;" + Nir(3) + ";yes;gamma;\ny;;;the line has 1 fields, the column is number 2 [line.too-few-fields]\n");
  o.header = -1;
  o.output_path = o.input_path;
  CHECK(RunBulkCheck(o, &source).status().reason() == "bulk.output");
  o.output_path = dir / "out.csv";

  WriteFile(dir / "tab.tsv", "a\tb\nx\t" + Nir(3) + "\n");
  o.input_path = dir / "tab.tsv";
  o.column = "2";
  REQUIRE(RunBulkCheck(o, &source).ok());
  CHECK(ReadPlain(dir / "out.csv") == "a\tb\tfound\tbreaches\terror\nx\t" + Nir(3) + "\tyes\tgamma\t\n");
}

// The crash tests: an uninterrupted run is the reference; every interrupted run, resumed with the same
// checkpoint, must give byte-identical output (decompressed for .gz/.zst: those are block-wise frames, the
// compressed bytes differ only if block boundaries differ).
TEST_CASE("RunBulkCheck: resume after a crash at or inside a block gives identical output") {
  for (const char* out_name : {"out.csv", "out.csv.gz", "out.csv.zst"}) {
    CAPTURE(out_name);
    TempDir dir;
    FakeSource source(2);
    std::string input = "nir,comment\n";
    for (int i = 0; i < 103; ++i) {
      if (i % 4 == 0) source.Add(Nir(i), {static_cast<uint32_t>(i % 3)});
      input += (i % 17 == 5 ? std::string("bad") : Nir(i)) + ",c" + std::to_string(i) + "\n";
    }
    WriteFile(dir / "in.csv", input);
    BulkOptions o;
    o.input_path = dir / "in.csv";
    o.column = "nir";
    o.block_rows = 10;
    o.chunk_bytes = 64;  // chunks cut inside blocks
    o.output_path = dir / ("ref-" + std::string(out_name));
    REQUIRE(RunBulkCheck(o, &source).ok());
    const std::string reference = ReadPlain(o.output_path);
    CHECK(std::count(reference.begin(), reference.end(), '\n') == 104);

    struct Crash {
      const char* stage;
      uint64_t at_lines;
      bool torn_tail;  // bytes of an unfinished block left after the checkpointed length
    } crashes[] = {{"checkpoint-synced", 10, false}, {"output-synced", 30, false}, {"output-synced", 50, true},
                   {"checkpoint-synced", 100, true}, {"output-synced", 104, true}, {"checkpoint-synced", 104, false}};
    for (const Crash& c : crashes) {
      CAPTURE(c.stage);
      CAPTURE(c.at_lines);
      o.output_path = dir / out_name;
      o.checkpoint_path = dir / "cp";
      std::filesystem::remove(o.checkpoint_path);
      o.test_stop = [&](std::string_view stage, uint64_t lines) { return stage == c.stage && lines == c.at_lines; };
      auto first = RunBulkCheck(o, &source);
      CHECK(first.status().reason() == "bulk.stopped");
      if (c.torn_tail) std::ofstream(o.output_path, std::ios::app | std::ios::binary) << "1850578000;half a ro";
      o.test_stop = nullptr;
      auto second = RunBulkCheck(o, &source);
      REQUIRE(second.ok());
      CHECK(second->rows == 103);
      // A crash after the last checkpoint finds the run complete.
      CHECK(second->already_complete == (std::string_view(c.stage) == "checkpoint-synced" && c.at_lines == 104));
      CHECK(ReadPlain(o.output_path) == reference);
      // Run again: complete, nothing rewritten.
      const std::string raw = ReadRaw(o.output_path);
      auto third = RunBulkCheck(o, &source);
      REQUIRE(third.ok());
      CHECK(third->already_complete);
      CHECK(ReadRaw(o.output_path) == raw);
    }
  }
}

TEST_CASE("RunBulkCheck: a failing source leaves a resumable run; a changed input is refused") {
  TempDir dir;
  FakeSource source(2);
  std::string input = "nir\n";
  for (int i = 0; i < 60; ++i) {
    if (i % 2) source.Add(Nir(i), {0});
    input += Nir(i) + "\n";
  }
  WriteFile(dir / "in.csv", input);
  BulkOptions o;
  o.input_path = dir / "in.csv";
  o.output_path = dir / "ref.csv";
  o.block_rows = 7;
  REQUIRE(RunBulkCheck(o, &source).ok());
  o.output_path = dir / "out.csv";
  o.checkpoint_path = dir / "cp";
  source.fail_after = static_cast<int64_t>(source.fetched_total) + 20;
  auto failed = RunBulkCheck(o, &source);
  CHECK(failed.status().code() == Code::kIOError);
  source.fail_after = -1;
  auto resumed = RunBulkCheck(o, &source);
  REQUIRE(resumed.ok());
  CHECK(resumed->found == 30);
  CHECK(ReadRaw(dir / "out.csv") == ReadRaw(dir / "ref.csv"));

  WriteFile(dir / "in.csv", input + Nir(99) + "\n");
  CHECK(RunBulkCheck(o, &source).status().reason() == "checkpoint.mismatch");
}

}  // namespace vigie

namespace vigie {

namespace {

// An oprf-p256 index in memory: tags from OprfScheme, Evaluate = the server's BlindEvaluateBatch. Records
// what the "server" saw, to check that no input or tag reaches it.
class OprfFakeSource : public FakeSource {
 public:
  OprfFakeSource()
      : FakeSource(2), key_(std::make_shared<const oprf::OprfKey>(oprf::OprfKey::Generate().value())), scheme_(key_) {
    info_.scheme = SchemeId::kOprfP256;
  }
  void AddOprf(std::string_view nir) {
    std::string canonical;
    REQUIRE(Normalize(Kind::kNir, nir, &canonical).ok());
    uint8_t tag[32];
    REQUIRE(scheme_.ComputeTag(Kind::kNir, canonical, tag).ok());
    const std::string hex = HexEncode(tag, 32);
    entries_[info_.layout.Prefix(tag)][hex.substr(2, 16)] = {1};
  }
  Status Evaluate(Kind, std::span<const oprf::Element> blinded, std::span<oprf::Element> evaluated) override {
    ++evaluate_calls;
    seen.insert(seen.end(), blinded.begin(), blinded.end());
    return oprf::BlindEvaluateBatch(*key_, blinded, evaluated);
  }
  std::shared_ptr<const oprf::OprfKey> key_;
  OprfScheme scheme_;
  std::vector<oprf::Element> seen;
  int evaluate_calls = 0;
};

}  // namespace

TEST_CASE("oprf-p256 remote checks: blinded evaluation per block, exact matches, blinds never repeat") {
  OprfFakeSource source;
  for (int i = 0; i < 50; ++i) source.AddOprf(Nir(i));
  std::vector<std::string> values = {Nir(3), Nir(49), Nir(77), "12345", Nir(3)};
  auto results = CheckValues(&source, Kind::kNir, values);
  REQUIRE(results.ok());
  CHECK((*results)[0].found);
  CHECK((*results)[1].found);
  CHECK_FALSE((*results)[2].found);
  CHECK_FALSE((*results)[3].valid);
  CHECK((*results)[4].found);
  CHECK((*results)[0].breaches == std::vector<std::string>{"beta"});
  CHECK(source.evaluate_calls == 1);
  REQUIRE(source.seen.size() == 4);         // the invalid value is never evaluated
  CHECK(source.seen[0] != source.seen[3]);  // the same NIR twice: two fresh blinds

  // Bulk, three blocks: one evaluation round per block.
  TempDir dir;
  std::string input;
  for (int i = 0; i < 100; ++i) input += Nir(i) + "\n";
  WriteFile(dir / "in.txt", input);
  BulkOptions o;
  o.kind = Kind::kNir;
  o.input_path = dir / "in.txt";
  o.output_path = dir / "out.csv";
  o.block_rows = 40;
  source.evaluate_calls = 0;
  auto report = RunBulkCheck(o, &source);
  REQUIRE(report.ok());
  CHECK(report->found == 50);
  CHECK(report->not_found == 50);
  CHECK(source.evaluate_calls == 3);
  const std::string out = ReadRaw(dir / "out.csv");
  CHECK(out.find(Nir(0) + ",yes,beta,") != std::string::npos);
  CHECK(out.find(Nir(50) + ",no,,") != std::string::npos);

  // A source that cannot evaluate refuses instead of guessing sha256 tags.
  FakeSource plain;
  plain.info_.scheme = SchemeId::kOprfP256;
  auto refused = CheckValues(&plain, Kind::kNir, {Nir(3)});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().reason() == "remote.scheme");
}

}  // namespace vigie
