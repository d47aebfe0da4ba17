#include "core/oprf_key.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace vigie::oprf {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/vigie-oprf-key-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

void WriteRaw(const std::string& path, const std::string& content, mode_t mode) {
  ::unlink(path.c_str());
  std::ofstream(path) << content;
  ::chmod(path.c_str(), mode);
}

TEST_CASE("key file: write, mode 0600, load round trip, fingerprint") {
  TempDir dir;
  const std::string path = dir.path + "/oprf.key";
  auto key = WriteNewKeyFile(path);
  REQUIRE(key.ok());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == FormatKeyFile(*key));
  CHECK(content.rfind("vigie-oprf-p256-key v1\n", 0) == 0);
  auto loaded = LoadKeyFile(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->secret() == key->secret());
  CHECK(loaded->public_key() == key->public_key());
  const std::string fp = PublicKeyFingerprint(key->public_key());
  CHECK(fp.size() == 16);
  CHECK(fp == PublicKeyFingerprint(loaded->public_key()));
  CHECK(PublicKeyHex(key->public_key()).size() == 66);
  auto other = OprfKey::Generate();
  CHECK(PublicKeyFingerprint(other->public_key()) != fp);
}

TEST_CASE("key file: an existing file is never overwritten") {
  TempDir dir;
  const std::string path = dir.path + "/oprf.key";
  REQUIRE(WriteNewKeyFile(path).ok());
  auto first = LoadKeyFile(path);
  auto again = WriteNewKeyFile(path);
  CHECK(again.status().code() == Code::kAlreadyExists);
  CHECK(LoadKeyFile(path)->secret() == first->secret());
  // Nor through a symlink to elsewhere.
  const std::string link = dir.path + "/link.key";
  REQUIRE(::symlink((dir.path + "/target.key").c_str(), link.c_str()) == 0);
  CHECK_FALSE(WriteNewKeyFile(link).ok());
  CHECK(::access((dir.path + "/target.key").c_str(), F_OK) != 0);
}

TEST_CASE("key file: missing folders are created 0700; existing ones are left alone") {
  TempDir dir;
  const std::string path = dir.path + "/etc/vigie/server.key";
  REQUIRE(WriteNewKeyFile(path).ok());
  struct stat st {};
  for (const std::string& folder : {dir.path + "/etc", dir.path + "/etc/vigie"}) {
    CAPTURE(folder);
    REQUIRE(::stat(folder.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
  }
  REQUIRE(::stat(dir.path.c_str(), &st) == 0);
  const mode_t before = st.st_mode & 07777;
  REQUIRE(WriteNewKeyFile(dir.path + "/other.key").ok());
  REQUIRE(::stat(dir.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == before);
  CHECK(LoadKeyFile(path).ok());
}

TEST_CASE("key file: group/other permissions are refused with a clear message") {
  TempDir dir;
  const std::string path = dir.path + "/oprf.key";
  auto key = OprfKey::Generate();
  for (mode_t mode : {0640, 0604, 0644, 0660, 0666, 0610}) {
    INFO(mode);
    WriteRaw(path, FormatKeyFile(*key), mode);
    Status st = LoadKeyFile(path).status();
    CHECK(st.reason() == "oprf.key-permissions");
    CHECK(st.message().find("chmod 600") != std::string::npos);
  }
  WriteRaw(path, FormatKeyFile(*key), 0400);
  CHECK(LoadKeyFile(path).ok());
}

TEST_CASE("key file: malformed content, missing file, symlink, directory") {
  TempDir dir;
  const std::string path = dir.path + "/oprf.key";
  auto key = OprfKey::Generate();
  const std::string good = FormatKeyFile(*key);
  const std::string hex = good.substr(good.find('\n') + 1, 64);
  const std::string cases[] = {
      "",
      "vigie-oprf-p256-key v1\n",
      hex + "\n",
      "vigie-oprf-p256-key v2\n" + hex + "\n",
      "vigie-oprf-p256-key v1\n" + hex,                   // no final newline
      "vigie-oprf-p256-key v1\n" + hex + "\n\n",          // extra line
      "vigie-oprf-p256-key v1\n" + hex.substr(2) + "\n",  // short
      "vigie-oprf-p256-key v1\n" + hex + "00\n",          // long
      "vigie-oprf-p256-key v1\r\n" + hex + "\n",
      "vigie-oprf-p256-key v1\n" + std::string(64, 'g') + "\n",
      "vigie-oprf-p256-key v1\n" + std::string(64, 'A') + "\n",  // upper case
      "vigie-oprf-p256-key v1\n" + std::string(64, '0') + "\n",  // zero scalar
      "vigie-oprf-p256-key v1\n" + std::string(64, 'f') + "\n",  // above the order
      std::string(1000, 'x'),
  };
  for (const auto& c : cases) {
    INFO(c.substr(0, 40));
    WriteRaw(path, c, 0600);
    CHECK(LoadKeyFile(path).status().reason() == "oprf.key-file");
  }
  CHECK(LoadKeyFile(dir.path + "/absent.key").status().IsNotFound());
  WriteRaw(path, good, 0600);
  const std::string link = dir.path + "/link.key";
  REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);
  CHECK(LoadKeyFile(link).status().reason() == "oprf.key-file");
  CHECK_FALSE(LoadKeyFile(dir.path).ok());
}

}  // namespace
}  // namespace vigie::oprf
