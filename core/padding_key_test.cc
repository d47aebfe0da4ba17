// The padding key: derivation (SHA-256 of the file), the file `create` writes (0600, never overwritten),
// and the errors that name a bad file.
#include "core/padding_key.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/codec.h"
#include "core/index.h"
#include "tests/test_index.h"

namespace vigie {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

void WriteSecret(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

TEST_CASE("padding key: the SHA-256 of the file's bytes, as servers and exports derive it") {
  TempDir dir;
  WriteSecret(dir.path() + "/key", "abc", 0600);
  auto key = LoadPaddingKey(dir.path() + "/key");
  REQUIRE(key.ok());
  CHECK(HexEncode(key->data(), 4) == "ba7816bf");  // SHA-256("abc")
}

TEST_CASE("padding key: bad files are errors naming the file") {
  TempDir dir;
  struct Case {
    const char* name;
    const char* text;
    mode_t mode;
    const char* says;
  } cases[] = {
      {"missing", nullptr, 0, "cannot read"},
      {"empty", "", 0600, "is empty"},
      {"group-readable", "secret", 0640, "readable by group or others"},
      {"world-readable", "secret", 0604, "readable by group or others"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string path = dir.path() + "/" + c.name;
    if (c.text) WriteSecret(path, c.text, c.mode);
    auto key = LoadPaddingKey(path);
    REQUIRE_FALSE(key.ok());
    CHECK(key.status().message().find(path) != std::string::npos);
    CHECK(key.status().message().find(c.says) != std::string::npos);
  }
}

TEST_CASE("padding key: a new file is 0600, random, and never overwritten") {
  TempDir dir;
  const std::string path = dir.path() + "/padding.key";
  REQUIRE(CreatePaddingKeyFile(path).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto first = LoadPaddingKey(path);
  REQUIRE(first.ok());
  CHECK(CreatePaddingKeyFile(path).code() == Code::kAlreadyExists);
  CHECK(*LoadPaddingKey(path) == *first);
  REQUIRE(CreatePaddingKeyFile(dir.path() + "/other.key").ok());
  CHECK(*LoadPaddingKey(dir.path() + "/other.key") != *first);
}

TEST_CASE("padding key: create writes it for a padded index only; resolve finds it, or says how to make one") {
  TempDir dir;
  REQUIRE(Index::Create(dir.path() + "/padded", {.scheme = SchemeId::kSha256, .pad_responses = true}).ok());
  REQUIRE(Index::Create(dir.path() + "/plain", {.scheme = SchemeId::kSha256}).ok());
  CHECK(fs::exists(DefaultPaddingKeyPath(dir.path() + "/padded")));
  CHECK_FALSE(fs::exists(DefaultPaddingKeyPath(dir.path() + "/plain")));
  auto resolved = ResolvePaddingKey(dir.path() + "/padded", "");
  REQUIRE(resolved.ok());
  CHECK(*resolved == *LoadPaddingKey(DefaultPaddingKeyPath(dir.path() + "/padded")));
  auto missing = ResolvePaddingKey(dir.path() + "/plain", "");
  CHECK(missing.status().reason() == "padding.key-missing");
  CHECK(missing.status().message().find("vigie-index padding-key") != std::string::npos);
  WriteSecret(dir.path() + "/explicit", "xyz", 0600);
  CHECK(*ResolvePaddingKey(dir.path() + "/padded", dir.path() + "/explicit") ==
        *LoadPaddingKey(dir.path() + "/explicit"));
}

}  // namespace
}  // namespace vigie
