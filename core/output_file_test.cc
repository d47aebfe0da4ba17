#include "core/output_file.h"
#include "tests/test_index.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vigie {
namespace {

using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Gunzip(const std::string& data) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    rc = inflate(&z, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.append(chunk, sizeof(chunk) - z.avail_out);
  } while (rc != Z_STREAM_END);
  CHECK(z.avail_in == 0);
  inflateEnd(&z);
  return out;
}

std::string Unzstd(const std::string& data) {
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_inBuffer in = {data.data(), data.size(), 0};
  std::string out;
  char chunk[65536];
  size_t rc = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o = {chunk, sizeof(chunk), 0};
    rc = ZSTD_decompressStream(d, &o, &in);
    REQUIRE(!ZSTD_isError(rc));
    out.append(chunk, o.pos);
  }
  CHECK(rc == 0);  // the frame is complete
  ZSTD_freeDStream(d);
  return out;
}

// More than the 1 MiB buffer, written in small and large pieces, to cross several flushes.
std::string Payload() {
  std::string s;
  for (int i = 0; s.size() < 3 * 1024 * 1024; ++i) s += "ligne;" + std::to_string(i * 7919) + ";é\n";
  return s;
}

void WriteInPieces(OutputFile& file, const std::string& payload) {
  CHECK(file.Write(std::string_view(payload).substr(0, 100)).ok());
  CHECK(file.Write(std::string_view(payload).substr(100, 2 * 1024 * 1024)).ok());  // bigger than the buffer
  for (size_t at = 100 + 2 * 1024 * 1024; at < payload.size(); at += 777) {
    REQUIRE(file.Write(std::string_view(payload).substr(at, 777)).ok());
  }
}

TEST_CASE("OutputFile: compression follows the extension") {
  CHECK(CompressionForPath("dump.csv") == OutputCompression::kNone);
  CHECK(CompressionForPath("dump.csv.gz") == OutputCompression::kGzip);
  CHECK(CompressionForPath("dump.csv.zst") == OutputCompression::kZstd);
  CHECK(CompressionForPath("dump.gzip") == OutputCompression::kNone);
  CHECK(CompressionForPath("-") == OutputCompression::kNone);
}

TEST_CASE("OutputFile: plain, gzip and zstd round trips") {
  TempDir dir;
  const std::string payload = Payload();
  struct Case {
    const char* name;
    std::string (*decode)(const std::string&);
    bool compressed;
  };
  const Case cases[] = {{"out.csv", [](const std::string& s) { return s; }, false},
                        {"out.csv.gz", Gunzip, true},
                        {"out.csv.zst", Unzstd, true}};
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string path = dir.path() + "/" + c.name;
    auto file = OutputFile::Open(path);
    REQUIRE(file.ok());
    WriteInPieces(**file, payload);
    REQUIRE((*file)->Close().ok());
    const std::string raw = ReadFile(path);
    if (c.compressed) CHECK(raw.size() < payload.size() / 2);
    CHECK(c.decode(raw) == payload);
  }
}

TEST_CASE("OutputFile: an empty compressed file is still a valid stream") {
  TempDir dir;
  for (const char* name : {"empty.gz", "empty.zst"}) {
    const std::string path = dir.path() + "/" + name;
    auto file = OutputFile::Open(path);
    REQUIRE(file.ok());
    REQUIRE((*file)->Close().ok());
    const std::string raw = ReadFile(path);
    CHECK(!raw.empty());
    CHECK((std::string(name).ends_with(".gz") ? Gunzip(raw) : Unzstd(raw)).empty());
  }
}

TEST_CASE("OutputFile: a full disk is an IOError, and it sticks") {
  if (access("/dev/full", W_OK) != 0) return;  // Linux only
  auto file = OutputFile::Open("/dev/full");
  REQUIRE(file.ok());
  Status s = (*file)->Write(Payload());  // larger than the buffer: reaches the device now
  CHECK(s.code() == Code::kIOError);
  CHECK(s.message().find("/dev/full") != std::string::npos);
  CHECK(s.message().find("No space left") != std::string::npos);
  CHECK((*file)->Write("x").code() == Code::kIOError);
  CHECK((*file)->Close().code() == Code::kIOError);
}

TEST_CASE("OutputFile: a full disk is seen at Close when everything fitted in the buffer") {
  if (access("/dev/full", W_OK) != 0) return;
  auto file = OutputFile::Open("/dev/full");
  REQUIRE(file.ok());
  CHECK((*file)->Write("small\n").ok());
  CHECK((*file)->Close().code() == Code::kIOError);
}

TEST_CASE("OutputFile: open and use errors") {
  TempDir dir;
  auto missing = OutputFile::Open(dir.path() + "/no/such/dir/out.csv");
  CHECK(missing.status().code() == Code::kIOError);
  CHECK(missing.status().message().find("no/such/dir") != std::string::npos);

  auto file = OutputFile::Open(dir.path() + "/closed.csv");
  REQUIRE(file.ok());
  REQUIRE((*file)->Close().ok());
  CHECK((*file)->Close().ok());  // idempotent
  CHECK(!(*file)->Write("late").ok());
}

}  // namespace
}  // namespace vigie
