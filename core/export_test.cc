// Static export: every file equals the body PublishedIndex renders (what vigie-serve sends), the manifest
// lists each with its ETag and size, mtimes are the commit time, and publishing replaces only exports.
#include "core/export.h"

#include <doctest/doctest.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/indexer.h"
#include "core/scheme.h"

namespace vigie {
namespace {

namespace fs = std::filesystem;

// On tmpfs when there is one: an export is tens of thousands of synced small files, and deleting those
// from some virtual disks (online discard) costs milliseconds each.
std::string TempDir() {
  const fs::path base = fs::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                                        : fs::temp_directory_path();
  std::string pattern = (base / "vigie-export-test.XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// An index in dir/index (prefix 4: 65,536 buckets per kind) with one breach holding `lines` of `kind`.
std::unique_ptr<PublishedIndex> Build(const std::string& dir, SchemeId scheme, bool padded, Kind kind,
                                      const std::vector<std::string>& lines, const std::array<uint8_t, 32>& key) {
  const std::string index_dir = dir + "/index";
  CreateOptions create{.scheme = scheme, .prefix_hex = 4, .pad_responses = padded};
  REQUIRE(Index::Create(index_dir, create).ok());
  {
    auto index = Index::Open(index_dir, Index::Mode::kReadWrite);
    REQUIRE(index.ok());
    bool created = false;
    REQUIRE((*index)
                ->DefineBreach({.name = "acme-2024",
                                .title = "Acme",
                                .breach_date = "2024-02-01",
                                .description = "test",
                                .data_classes = {"e-mails"}},
                               &created)
                .ok());
    std::ofstream out(dir + "/dump.txt");
    for (const std::string& l : lines) out << l << '\n';
    out.close();
    auto s = MakeUnkeyedScheme(scheme);
    REQUIRE(s.ok());
    AddOptions add;
    add.breach = "acme-2024";
    add.input_path = dir + "/dump.txt";
    add.columns = {{kind, ""}};
    add.input.format = InputFormat::kLines;
    add.threads = 1;
    REQUIRE(AddDump(index->get(), **s, add).ok());
  }
  auto published = PublishedIndex::Open(index_dir, PublishOptions{key});
  REQUIRE(published.ok());
  return std::move(*published);
}

// path -> (etag, size) from manifest.json, checking that it parses as one JSON document.
std::map<std::string, std::pair<std::string, uint64_t>> Manifest(const std::string& out, nlohmann::json* head) {
  nlohmann::json j = nlohmann::json::parse(ReadAll(out + "/manifest.json"));
  std::map<std::string, std::pair<std::string, uint64_t>> files;
  for (const auto& f : j["files"]) files[f["path"]] = {f["etag"], f["size"]};
  j.erase("files");
  *head = j;
  return files;
}

TEST_CASE("export: every range file is the server's body, listed in the manifest") {
  const std::string dir = TempDir();
  std::vector<std::string> emails;
  for (int i = 0; i < 300; ++i) emails.push_back("user" + std::to_string(i) + "@example.org");
  auto index = Build(dir, SchemeId::kSha256, false, Kind::kEmail, emails, {});
  ExportOptions options{.out_dir = dir + "/out", .threads = 2};
  ExportStats stats;
  Status s = ExportIndex(*index, options, &stats);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(stats.kinds == std::vector<Kind>{Kind::kEmail});  // only the kind present
  CHECK(stats.hibp_dir.empty());
  // + the breach list, the breach, v1/index, and the set: manifest, 64 shards, all
  CHECK(stats.files == 65536 + 3 + 66);
  nlohmann::json head;
  auto files = Manifest(options.out_dir, &head);
  CHECK(files.size() == stats.files);
  const PublishedSet* set = index->Set(Kind::kEmail);
  REQUIRE(set != nullptr);
  CHECK(ReadAll(options.out_dir + "/v1/set/email.json") == set->manifest_json());
  CHECK(ReadAll(options.out_dir + "/v1/set/email/all") == set->all());
  CHECK(ReadAll(options.out_dir + "/v1/set/email/3f") == set->shard(63));
  CHECK(files.at("v1/set/email/3f").first == set->shard_etag(63));
  // /v1/index lists the exported kinds only (the server lists every kind the scheme takes).
  CHECK(ReadAll(options.out_dir + "/v1/index") == EncodeIndexInfoJson(index->meta(), {Kind::kEmail}));
  CHECK(index->info_json().find("\"phone\"") != std::string::npos);
  CHECK(ReadAll(options.out_dir + "/v1/index").find("\"phone\"") == std::string::npos);
  CHECK(files.count("v1/index") == 1);
  CHECK(head["prefix_hex"] == 4);
  CHECK(head["kinds"] == nlohmann::json::array({"email"}));
  CHECK(head["last_modified"] == HttpDateOf(index->commit_time()));
  CHECK(!fs::exists(options.out_dir + "/v1/range/nir"));
  uint64_t total = 0;
  for (const auto& [path, f] : files) total += f.second;
  CHECK(total == stats.bytes);

  int nonempty = 0;
  for (uint32_t prefix : {0u, 1u, 0x1234u, 0xabcdu, 0xffffu}) {
    std::string body;
    REQUIRE(index->RangeJson(Kind::kEmail, prefix, &body).ok());
    const std::string path = "v1/range/email/" + index->layout().PrefixHex(prefix);
    CHECK(ReadAll(options.out_dir + "/" + path) == body);
    CHECK(files[path] == std::make_pair(BodyEtag(body), uint64_t{body.size()}));
  }
  // Every bucket someone is in, checked against the renderer.
  for (const auto& [path, f] : files) {
    if (!path.starts_with("v1/range/email/")) continue;
    const uint32_t prefix = *index->layout().ParsePrefix(path.substr(15));
    std::string body;
    REQUIRE(index->RangeJson(Kind::kEmail, prefix, &body).ok());
    if (body.find("\"entries\":[]") != std::string::npos) continue;
    ++nonempty;
    CHECK(ReadAll(options.out_dir + "/" + path) == body);
    CHECK(f.first == BodyEtag(body));
  }
  CHECK(nonempty > 250);
  CHECK(ReadAll(options.out_dir + "/v1/breaches.json") == index->breach_list_json());
  CHECK(ReadAll(options.out_dir + "/v1/breaches/acme-2024") == *index->BreachJson("acme-2024"));
  struct stat st {};
  REQUIRE(::stat((options.out_dir + "/v1/range/email/0000").c_str(), &st) == 0);
  CHECK(st.st_mtime == index->commit_time());

  // Sequential blocks, not SUBCASEs: doctest re-runs the whole test case (and its export) per SUBCASE.
  {  // a second export replaces the first atomically, leaving nothing behind
    std::ofstream(options.out_dir + "/stale-marker") << "x";
    REQUIRE(ExportIndex(*index, options, &stats).ok());
    CHECK(stats.linked == 65536);  // nothing changed: every range file is the previous one, linked
    CHECK(!fs::exists(options.out_dir + "/stale-marker"));
    std::string body;
    REQUIRE(index->RangeJson(Kind::kEmail, 0x0042, &body).ok());
    CHECK(ReadAll(options.out_dir + "/v1/range/email/0042") == body);
    CHECK(fs::exists(options.out_dir + "/manifest.json"));
    int entries = 0;
    for (const auto& e : fs::directory_iterator(dir))
      entries += e.path().filename().string().starts_with("out") ? 1 : 0;
    CHECK(entries == 1);
  }
  {  // a directory that is not an export is never replaced
    fs::create_directories(dir + "/precious");
    std::ofstream(dir + "/precious/file") << "keep";
    ExportOptions other{.out_dir = dir + "/precious", .threads = 1};
    Status refused = ExportIndex(*index, other, &stats);
    CHECK(refused.code() == Code::kFailedPrecondition);
    CHECK(ReadAll(dir + "/precious/file") == "keep");
    CHECK(!fs::exists(dir + "/precious.tmp-" + std::to_string(::getpid())));
  }
  {  // --all-kinds adds the kinds nobody is in
    ExportOptions all{.out_dir = dir + "/all", .all_kinds = true, .threads = 2};
    REQUIRE(ExportIndex(*index, all, &stats).ok());
    CHECK(stats.kinds.size() == 3);
    std::string body;
    REQUIRE(index->RangeJson(Kind::kNir, 0x0042, &body).ok());
    CHECK(ReadAll(all.out_dir + "/v1/range/nir/0042") == body);
  }
  fs::remove_all(dir);
}

TEST_CASE("export: a padded sha1 index gets equal-size files, and range/ needs 5-digit prefixes") {
  const std::string dir = TempDir();
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) {
    const std::string password = "password-" + std::to_string(i);
    uint8_t digest[20];
    SHA1(reinterpret_cast<const uint8_t*>(password.data()), password.size(), digest);
    lines.push_back(HexEncode(digest, 20, true) + ":" + std::to_string(i + 1));
  }
  std::array<uint8_t, 32> key{};
  key[0] = 7;
  auto index = Build(dir, SchemeId::kSha1, true, Kind::kPassword, lines, key);
  ExportOptions options{.out_dir = dir + "/out", .threads = 2};
  ExportStats stats;
  REQUIRE(ExportIndex(*index, options, &stats).ok());
  CHECK(stats.hibp_dir.empty());  // Pwned Passwords prefixes are 5 digits; this index has 4
  CHECK(stats.files == 65536 + 3 + 66);
  // Padded /v1/range bodies: one size for every prefix, and the same bytes as the renderer with that key.
  const auto size = fs::file_size(options.out_dir + "/v1/range/password/0000");
  for (const char* p : {"ffff", "1234", "abcd"}) {
    CHECK(fs::file_size(options.out_dir + "/v1/range/password/" + p) == size);
  }
  std::string body;
  REQUIRE(index->RangeJson(Kind::kPassword, 0xabcd, &body).ok());
  CHECK(ReadAll(options.out_dir + "/v1/range/password/abcd") == body);
  const std::string hex = lines[5].substr(0, 4);
  REQUIRE(index->RangeJson(Kind::kPassword, *index->layout().ParsePrefix(hex), &body).ok());
  CHECK(body.find(ToLower(lines[5].substr(4, 16))) != std::string::npos);
  CHECK(ReadAll(options.out_dir + "/v1/range/password/" + ToLower(hex)) == body);
  fs::remove_all(dir);
}

TEST_CASE("export: HTTP dates as servers write them") {
  CHECK(HttpDateOf(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace vigie
