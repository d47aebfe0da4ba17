#include "core/dump_input.h"

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/test_index.h"

namespace vigie {
namespace {

void WriteFile(const std::string& path, std::string_view bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// An archive at `path` in libarchive's `format` ("zip", "7zip", "gnutar") holding `members` (name, bytes).
void WriteArchive(const std::string& path, const char* format,
                  const std::vector<std::pair<std::string, std::string>>& members) {
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_by_name(a, format) == ARCHIVE_OK);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& [name, bytes] : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, bytes.data(), bytes.size()) == static_cast<la_ssize_t>(bytes.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

struct Read {
  std::string name, format, encoding, text;
  bool joined = false;
};

Result<std::vector<Read>> ReadMembers(const std::string& path, DumpInputOptions options = {}) {
  auto input = DumpInput::Open(path, options);
  if (!input.ok()) return input.status();
  std::vector<Read> out;
  DumpMember member;
  for (;;) {
    auto more = (*input)->NextMember(&member);
    if (!more.ok()) return more.status();
    if (!*more) break;
    Read r{member.name, std::string(InputFormatName(member.format)), member.encoding, {}, member.joined_lines};
    VIGIE_RETURN_IF_ERROR(ReadAll(member.source, &r.text));
    out.push_back(std::move(r));
  }
  return out;
}

TEST_CASE("DumpInput: a plain CSV is one member; quoted line breaks are joined") {
  testing::TempDir dir;
  WriteFile(dir / "a.csv", "\xEF\xBB\xBF\"email\";\"adresse\"\na@b.fr;\"1 rue X\n75001 Paris\"\n");
  auto members = ReadMembers(dir / "a.csv");
  REQUIRE(members.ok());
  REQUIRE(members->size() == 1);
  const Read& m = (*members)[0];
  CHECK(m.name.empty());
  CHECK(m.format == "csv");
  CHECK(m.joined);
  CHECK(m.text == std::string("\"email\";\"adresse\"\na@b.fr;\"1 rue X") + kJoinedLineBreak + "75001 Paris\"\n");
}

TEST_CASE("DumpInput: UTF-16 and Windows-1252 are decoded to UTF-8") {
  testing::TempDir dir;
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("email;nom\na@b.fr;Zo\xE9\n")) utf16 += std::string{c, '\0'};
  WriteFile(dir / "u16.csv", utf16);
  auto members = ReadMembers(dir / "u16.csv");
  REQUIRE(members.ok());
  CHECK((*members)[0].encoding == "utf-16le");
  CHECK((*members)[0].text == "email;nom\na@b.fr;Zo\xC3\xA9\n");
  WriteFile(dir / "latin1.csv", "email;nom\na@b.fr;Zo\xE9\n");
  members = ReadMembers(dir / "latin1.csv");
  REQUIRE(members.ok());
  CHECK((*members)[0].encoding == "windows-1252");
  CHECK((*members)[0].text == "email;nom\na@b.fr;Zo\xC3\xA9\n");
}

TEST_CASE("DumpInput: archive members, each with its own shape; --member; the expansion cap") {
  testing::TempDir dir;
  const std::vector<std::pair<std::string, std::string>> members = {{"part1.csv", "email;nom\na@b.fr;A\n"},
                                                                    {"notes/readme.txt", "a@b.fr\nc@d.fr\n"}};
  for (const char* format : {"zip", "7zip", "gnutar"}) {
    CAPTURE(format);
    const std::string path = dir / (std::string("dump.") + format);
    WriteArchive(path, format, members);
    auto got = ReadMembers(path);
    REQUIRE(got.ok());
    REQUIRE(got->size() == 2);
    CHECK((*got)[0].name == "part1.csv");
    CHECK((*got)[0].format == "csv");
    CHECK((*got)[0].text == "email;nom\na@b.fr;A\n");
    CHECK((*got)[1].name == "notes/readme.txt");
    CHECK((*got)[1].format == "lines");
    DumpInputOptions only_csv;
    only_csv.member_glob = "*.csv";
    got = ReadMembers(path, only_csv);
    REQUIRE(got.ok());
    CHECK(got->size() == 1);
    DumpInputOptions none;
    none.member_glob = "*.sql";
    CHECK(ReadMembers(path, none).status().reason() == "archive.no-member");
  }
  const std::string bomb = dir / "bomb.zip";
  WriteArchive(bomb, "zip", {{"zeros.csv", std::string(1 << 20, '0')}});
  DumpInputOptions capped;
  capped.max_expanded_bytes = 1000;
  CHECK(ReadMembers(bomb, capped).status().reason() == "archive.too-large");
}

TEST_CASE("DumpInput: SQL, JSON and free text come out unit-separated") {
  testing::TempDir dir;
  WriteFile(dir / "d.sql", "CREATE TABLE `u` (`id` int, `email` varchar(64));\nINSERT INTO `u` VALUES (1,'a@b.fr');\n");
  auto got = ReadMembers(dir / "d.sql");
  REQUIRE(got.ok());
  CHECK((*got)[0].format == "sql");
  CHECK((*got)[0].text ==
        "id\x1f"
        "email\n1\x1f"
        "a@b.fr\n");
  WriteFile(dir / "d.json", "{\"user\":{\"email\":\"a@b.fr\"}}\n");
  got = ReadMembers(dir / "d.json");
  REQUIRE(got.ok());
  CHECK((*got)[0].format == "json");
  CHECK((*got)[0].text == "user.email\na@b.fr\n");
  WriteFile(dir / "t.txt", "write to a@b.fr please\n");
  DumpInputOptions text;
  text.format = InputFormat::kText;
  got = ReadMembers(dir / "t.txt", text);
  REQUIRE(got.ok());
  CHECK((*got)[0].text ==
        "nir\x1f"
        "email\x1f"
        "phone\n\x1f"
        "a@b.fr\x1f\n");
}

}  // namespace
}  // namespace vigie
