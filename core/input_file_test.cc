#include "core/input_file.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace vigie {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigie_input_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& bytes) const {
    std::string path = (path_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
    return path;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string Gzip(const std::string& in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& in, bool checksum = false) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum ? 1 : 0);
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), in.data(), in.size());
  ZSTD_freeCCtx(cctx);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string Plain(const std::string& in) { return in; }
// Two members / frames: a dump split and compressed in two runs, then concatenated (cat a.gz b.gz).
std::string GzipTwoMembers(const std::string& in) {
  return Gzip(in.substr(0, in.size() / 3)) + Gzip(in.substr(in.size() / 3));
}
std::string ZstdTwoFrames(const std::string& in) {
  return Zstd(in.substr(0, in.size() / 3)) + Zstd(in.substr(in.size() / 3), true);
}

// Synthetic dump text: ~`bytes` of CSV lines with made-up values.
std::string TextDump(size_t bytes) {
  std::string s;
  for (int i = 0; s.size() < bytes; ++i) {
    s += "user" + std::to_string(i) + "@example.test;Nom" + std::to_string(i % 977) + ";06" +
         std::to_string(10000000 + i * 7 % 89999999) + "\n";
  }
  return s;
}

// Incompressible bytes, so that compressed files span several raw read blocks.
std::string RandomBytes(size_t bytes) {
  std::string s(bytes, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

Result<std::string> ReadAll(InputFile* file, size_t cap) {
  std::string out;
  std::string buf(cap, '\0');
  while (true) {
    Result<size_t> n = file->Read(buf.data(), cap);
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    REQUIRE(*n <= cap);
    out.append(buf.data(), *n);
  }
}

struct Codec {
  const char* name;
  std::function<std::string(const std::string&)> encode;
  const char* compression;
};

const std::vector<Codec>& Codecs() {
  static const std::vector<Codec> codecs = {
      {"plain", Plain, "none"},
      {"gzip", [](const std::string& s) { return Gzip(s); }, "gzip"},
      {"gzip-2-members", GzipTwoMembers, "gzip"},
      {"zstd", [](const std::string& s) { return Zstd(s); }, "zstd"},
      {"zstd-checksum", [](const std::string& s) { return Zstd(s, true); }, "zstd"},
      {"zstd-2-frames", ZstdTwoFrames, "zstd"},
  };
  return codecs;
}

TEST_CASE("InputFile detects the compression and yields identical bytes") {
  TempDir dir;
  struct Content {
    const char* name;
    std::string bytes;
    std::vector<size_t> caps;
  };
  const std::vector<Content> contents = {
      {"empty", "", {1, 4096}},
      {"tiny", "a\nb", {1, 2, 7}},
      {"starts-like-gzip", "\x1f", {1, 7}},  // one magic byte is not a gzip file
      {"text-3MB", TextDump(3 << 20), {7919, 1 << 16, 4 << 20}},
      {"random-2.5MB", RandomBytes(5 << 19), {65536, 3 << 20}},
  };
  for (const Codec& codec : Codecs()) {
    for (const Content& content : contents) {
      const std::string stored = codec.encode(content.bytes);
      const std::string path = dir.Write(std::string(codec.name) + "-" + content.name, stored);
      for (size_t cap : content.caps) {
        CAPTURE(codec.name);
        CAPTURE(content.name);
        CAPTURE(cap);
        auto file = InputFile::Open(path);
        REQUIRE(file.ok());
        CHECK((*file)->raw_size() == stored.size());
        CHECK((*file)->compression() == codec.compression);
        Result<std::string> all = ReadAll(file->get(), cap);
        REQUIRE(all.ok());
        CHECK(*all == content.bytes);
        CHECK((*file)->raw_bytes_read() == stored.size());
        // EOF is sticky.
        char c;
        Result<size_t> again = (*file)->Read(&c, 1);
        REQUIRE(again.ok());
        CHECK(*again == 0);
      }
    }
  }
}

TEST_CASE("InputFile reports truncated and corrupt compressed data as Corruption") {
  TempDir dir;
  const std::string text = TextDump(200000);
  const std::string random = RandomBytes(3 << 20);  // spans several raw blocks
  const std::string gz = Gzip(text);
  const std::string zst = Zstd(text);
  const std::string big_gz = Gzip(random);
  const std::string big_zst = Zstd(random);
  std::string flipped_gz = gz;
  flipped_gz[gz.size() / 2] ^= 0x55;
  std::string flipped_crc = gz;
  flipped_crc[gz.size() - 6] ^= 0x01;  // the CRC32 in the trailer
  std::string flipped_zst = Zstd(text, true);
  flipped_zst[flipped_zst.size() / 2] ^= 0x55;
  struct Case {
    const char* name;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {"gz-magic-only", gz.substr(0, 2)},
      {"gz-header-only", gz.substr(0, 10)},
      {"gz-half", gz.substr(0, gz.size() / 2)},
      {"gz-no-trailer", gz.substr(0, gz.size() - 8)},
      {"gz-one-byte-short", gz.substr(0, gz.size() - 1)},
      {"gz-big-truncated", big_gz.substr(0, big_gz.size() - 1000)},
      {"gz-second-member-truncated", gz + gz.substr(0, gz.size() / 2)},
      {"gz-trailing-garbage", gz + "garbage"},
      {"gz-trailing-zeros", gz + std::string(16, '\0')},
      {"gz-flipped-byte", flipped_gz},
      {"gz-bad-crc", flipped_crc},
      {"zst-magic-only", zst.substr(0, 4)},
      {"zst-half", zst.substr(0, zst.size() / 2)},
      {"zst-one-byte-short", zst.substr(0, zst.size() - 1)},
      {"zst-big-truncated", big_zst.substr(0, big_zst.size() - 1000)},
      {"zst-second-frame-truncated", zst + zst.substr(0, zst.size() - 3)},
      {"zst-trailing-garbage", zst + "garbage!"},
      {"zst-flipped-byte-with-checksum", flipped_zst},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string path = dir.Write(c.name, c.bytes);
    for (size_t cap : {size_t{1} << 16, size_t{4} << 20}) {
      auto file = InputFile::Open(path);
      REQUIRE(file.ok());
      Result<std::string> all = ReadAll(file->get(), cap);
      REQUIRE_FALSE(all.ok());
      CHECK(all.status().code() == Code::kCorruption);
      CHECK(all.status().message().find("offset") != std::string::npos);
      CHECK(all.status().message().find(path) != std::string::npos);
      // The error sticks: no later Read passes off the rest as a clean end.
      char buf[16];
      Result<size_t> again = (*file)->Read(buf, sizeof(buf));
      REQUIRE_FALSE(again.ok());
      CHECK(again.status().code() == Code::kCorruption);
    }
  }
}

TEST_CASE("InputFile truncation message names where the input ends") {
  TempDir dir;
  const std::string gz = Gzip(TextDump(10000));
  const std::string path = dir.Write("t.gz", gz + gz.substr(0, 100));
  auto file = InputFile::Open(path);
  REQUIRE(file.ok());
  Result<std::string> all = ReadAll(file->get(), 4096);
  REQUIRE_FALSE(all.ok());
  const std::string& m = all.status().message();
  CHECK(m.find("truncated gzip") != std::string::npos);
  CHECK(m.find("ends at offset " + std::to_string(gz.size() + 100)) != std::string::npos);
  CHECK(m.find("starts at offset " + std::to_string(gz.size())) != std::string::npos);
}

TEST_CASE("InputFile open errors") {
  TempDir dir;
  auto missing = InputFile::Open((dir.path() / "missing.csv").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  auto directory = InputFile::Open(dir.path().string());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == Code::kInvalidArgument);
}

TEST_CASE("InputFile reads standard input for \"-\"") {
  TempDir dir;
  const std::string text = TextDump(100000);
  const std::string path = dir.Write("stdin.zst", Zstd(text));
  const int saved = ::dup(0);
  REQUIRE(saved >= 0);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::dup2(fd, 0) == 0);
  ::close(fd);
  {
    auto file = InputFile::Open("-");
    REQUIRE(file.ok());
    CHECK((*file)->compression() == "zstd");
    Result<std::string> all = ReadAll(file->get(), 65536);
    REQUIRE(all.ok());
    CHECK(*all == text);
  }
  // InputFile leaves stdin open; restore the real one.
  REQUIRE(::dup2(saved, 0) == 0);
  ::close(saved);
}

TEST_CASE("DigestFile hashes the stored bytes") {
  TempDir dir;
  const std::string text = TextDump(9 << 20);  // more than one 4 MiB read
  const std::string gz = Gzip(text);
  const std::string plain_path = dir.Write("d.csv", text);
  const std::string gz_path = dir.Write("d.csv.gz", gz);
  const std::string empty_path = dir.Write("empty", "");

  auto plain = DigestFile(plain_path);
  auto plain_again = DigestFile(plain_path);
  auto compressed = DigestFile(gz_path);
  auto empty = DigestFile(empty_path);
  REQUIRE(plain.ok());
  REQUIRE(plain_again.ok());
  REQUIRE(compressed.ok());
  REQUIRE(empty.ok());
  CHECK(*plain == *plain_again);
  CHECK_FALSE(*plain == *compressed);

  // Same as a one-shot XXH3-128 of the bytes as stored.
  XXH128_hash_t h = XXH3_128bits(gz.data(), gz.size());
  CHECK(compressed->high == h.high64);
  CHECK(compressed->low == h.low64);
  XXH128_hash_t e = XXH3_128bits("", 0);
  CHECK(empty->high == e.high64);

  // Hex is the canonical (big-endian) XXH128 form.
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  std::string expected;
  for (unsigned char b : canon.digest) {
    static const char* kHex = "0123456789abcdef";
    expected += kHex[b >> 4];
    expected += kHex[b & 15];
  }
  CHECK(compressed->Hex() == expected);
  CHECK(compressed->Hex().size() == 32);
  CHECK(Digest{0x0123456789abcdefull, 0xfedcba9876543210ull}.Hex() == "0123456789abcdeffedcba9876543210");

  CHECK(DigestFile((dir.path() / "missing").string()).status().code() == Code::kNotFound);
  CHECK(DigestFile("-").status().code() == Code::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------------------
// LineChunker

struct Line {
  uint64_t number;
  std::string text;  // with its '\n' when it had one
  bool operator==(const Line&) const = default;
};

// What the chunker should produce, computed the slow obvious way.
void Model(std::string text, size_t max_line, std::vector<Line>* kept, std::vector<OverlongLine>* overlong) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  uint64_t number = 1;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    if (end - start > max_line) {
      overlong->push_back({number, end - start});
    } else {
      kept->push_back({number, text.substr(start, (nl == std::string::npos ? end : end + 1) - start)});
    }
    ++number;
    start = nl == std::string::npos ? text.size() : nl + 1;
  }
}

void CheckChunker(const std::string& path, const std::string& text, ChunkerOptions options) {
  std::vector<Line> want_kept;
  std::vector<OverlongLine> want_overlong;
  Model(text, options.max_line_length, &want_kept, &want_overlong);

  auto file = InputFile::Open(path);
  REQUIRE(file.ok());
  LineChunker chunker(file->get(), options);
  std::vector<Line> kept;
  std::vector<OverlongLine> overlong;
  Chunk chunk;
  uint64_t expected_first = 1;
  bool saw_unterminated = false;
  uint64_t last_progress = 0;
  while (true) {
    Result<bool> more = chunker.Next(&chunk);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE_FALSE(saw_unterminated);  // only the very last line may lack '\n'
    CHECK(chunk.first_line == expected_first);
    CHECK(chunk.raw_bytes_read >= last_progress);
    last_progress = chunk.raw_bytes_read;
    CHECK((!chunk.data.empty() || chunk.overlong.has_value()));
    // Chunks stay near the target: whole lines up to the first line end at or past it.
    if (!chunk.data.empty()) {
      size_t last_line_start = 0;
      if (chunk.data.size() >= 2) {
        const size_t nl = chunk.data.rfind('\n', chunk.data.size() - 2);
        if (nl != std::string::npos) last_line_start = nl + 1;
      }
      CHECK(last_line_start < std::max<size_t>(options.chunk_size, 1));
    }
    uint64_t number = chunk.first_line;
    size_t start = 0;
    while (start < chunk.data.size()) {
      size_t nl = chunk.data.find('\n', start);
      if (nl == std::string::npos) {
        saw_unterminated = true;
        nl = chunk.data.size() - 1;
      }
      kept.push_back({number++, chunk.data.substr(start, nl + 1 - start)});
      start = nl + 1;
    }
    CHECK(number - chunk.first_line == chunk.line_count);
    if (chunk.overlong) {
      CHECK(chunk.overlong->line_number == number);
      overlong.push_back(*chunk.overlong);
      ++number;
    }
    expected_first = number;
  }
  CHECK(kept == want_kept);
  REQUIRE(overlong.size() == want_overlong.size());
  for (size_t i = 0; i < overlong.size(); ++i) {
    CHECK(overlong[i].line_number == want_overlong[i].line_number);
    CHECK(overlong[i].length == want_overlong[i].length);
  }
  // Exhausted for good.
  Result<bool> more = chunker.Next(&chunk);
  REQUIRE(more.ok());
  CHECK_FALSE(*more);
}

TEST_CASE("LineChunker yields whole, correctly numbered lines") {
  TempDir dir;
  struct Content {
    const char* name;
    std::string text;
  };
  const std::vector<Content> contents = {
      {"empty", ""},
      {"one-line", "abc\n"},
      {"no-final-newline", "a\nbb\nccc"},
      {"crlf", "a;b\r\nc;d\r\ne;f\r\n"},
      {"bom", "\xEF\xBB\xBFnir;email\n185057800608491;x@example.test\n"},
      {"bom-only", "\xEF\xBB\xBF"},
      {"bom-short-file", "\xEF\xBB"},
      {"blank-lines", "\n\n\na\n\n"},
      {"newlines-only", "\n"},
      {"mixed-lengths", "x\n" + std::string(30, 'y') + "\nzz\n" + std::string(100, 'w') + "\nq"},
      {"text", TextDump(50000)},
  };
  for (const char* codec : {"plain", "gzip", "zstd"}) {
    for (const Content& content : contents) {
      std::string stored = content.text;
      if (std::string(codec) == "gzip") stored = Gzip(stored);
      if (std::string(codec) == "zstd") stored = ZstdTwoFrames(stored);
      const std::string path = dir.Write(std::string(codec) + "-" + content.name, stored);
      for (size_t chunk_size : {1, 7, 13, 64, 4096, 4 << 20}) {
        CAPTURE(codec);
        CAPTURE(content.name);
        CAPTURE(chunk_size);
        CheckChunker(path, content.text, {chunk_size, 1 << 20});
      }
    }
  }
}

TEST_CASE("LineChunker drops overlong lines and keeps numbering exact") {
  TempDir dir;
  const std::string ten(10, 'k');
  struct Content {
    const char* name;
    std::string text;
  };
  const std::vector<Content> contents = {
      {"limit-exactly", ten + "\n" + ten + "\r"},  // "\r" counts: 11 bytes
      {"middle", "a\n" + std::string(11, 'L') + "\nb\n"},
      {"first", std::string(25, 'L') + "\nb\nc\n"},
      {"consecutive", "a\n" + std::string(40, 'L') + "\n" + std::string(12, 'M') + "\nb\n"},
      {"last-unterminated", "a\nb\n" + std::string(33, 'L')},
      {"last-terminated", "a\n" + std::string(200, 'L') + "\n"},
      {"after-bom", "\xEF\xBB\xBF" + std::string(11, 'L') + "\n" + ten + "\n"},
      {"huge", "a\n" + std::string(300000, 'L') + "\nb\n" + std::string(70000, 'M') + "\n" + ten},
  };
  for (const Content& content : contents) {
    for (const char* codec : {"plain", "gzip"}) {
      const std::string stored = std::string(codec) == "gzip" ? Gzip(content.text) : content.text;
      const std::string path = dir.Write(std::string(codec) + "-" + content.name, stored);
      for (size_t chunk_size : {1, 7, 10, 11, 64, 4096}) {
        CAPTURE(content.name);
        CAPTURE(codec);
        CAPTURE(chunk_size);
        CheckChunker(path, content.text, {chunk_size, 10});
      }
    }
  }
}

TEST_CASE("LineChunker passes decompression errors on") {
  TempDir dir;
  const std::string gz = Gzip(TextDump(100000));
  const std::string path = dir.Write("trunc.gz", gz.substr(0, gz.size() - 20));
  auto file = InputFile::Open(path);
  REQUIRE(file.ok());
  LineChunker chunker(file->get(), {4096, 1 << 20});
  Chunk chunk;
  Status error;
  for (int i = 0; i < 100000; ++i) {
    Result<bool> more = chunker.Next(&chunk);
    if (!more.ok()) {
      error = more.status();
      break;
    }
    REQUIRE(*more);  // never a silent clean end
  }
  CHECK(error.code() == Code::kCorruption);
}

}  // namespace
}  // namespace vigie
