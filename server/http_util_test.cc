#include <doctest/doctest.h>

#include <zlib.h>

#include "server/http_util.h"
#include "server/response_cache.h"

namespace vigie::serve {
namespace {

TEST_CASE("If-None-Match matching") {
  CHECK(EtagMatches("\"abc\"", "\"abc\""));
  CHECK(EtagMatches("W/\"abc\"", "\"abc\""));
  CHECK(EtagMatches("\"abc\"", "W/\"abc\""));
  CHECK(EtagMatches("\"x\", \"abc\"", "\"abc\""));
  CHECK(EtagMatches("*", "\"abc\""));
  CHECK_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  CHECK_FALSE(EtagMatches("abc", "\"abc\""));
  CHECK_FALSE(EtagMatches("", "\"abc\""));
}

TEST_CASE("HTTP dates round trip") {
  CHECK(HttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  std::time_t t = 0;
  CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", &t));
  CHECK(t == 784111777);
  CHECK_FALSE(ParseHttpDate("yesterday", &t));
  CHECK_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing", &t));
}

TEST_CASE("Accept-Encoding") {
  CHECK(AcceptsGzip("gzip"));
  CHECK(AcceptsGzip("gzip, deflate, br"));
  CHECK(AcceptsGzip("br;q=1.0, gzip;q=0.8"));
  CHECK(AcceptsGzip("*"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0"));
  CHECK_FALSE(AcceptsGzip("br"));
  CHECK_FALSE(AcceptsGzip("xgzip"));
  CHECK_FALSE(AcceptsGzip(""));
}

TEST_CASE("gzip is deterministic and decodes") {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "[\"0123456789abcdef\",[0]],";
  std::string a = Gzip(data), b = Gzip(data);
  CHECK(a == b);
  CHECK(a.size() < data.size() / 4);
  std::string out(data.size(), '\0');
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(a.data());
  z.avail_in = static_cast<uInt>(a.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
  inflateEnd(&z);
  CHECK(out == data);
}

TEST_CASE("listen addresses") {
  auto a = ParseListen("127.0.0.1:8080");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8080);
  a = ParseListen("[::1]:0");
  REQUIRE(a.ok());
  CHECK(a->host == "::1");
  CHECK(a->port == 0);
  a = ParseListen(":9000");
  REQUIRE(a.ok());
  CHECK(a->host == "0.0.0.0");
  for (const char* bad : {"8080", "host:", "host:70000", "host:8o", "[::1]8080"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseListen(bad).ok());
  }
}

TEST_CASE("JSON errors") {
  CHECK(JsonError("bad \"prefix\"", "prefix.length") ==
        "{\"error\":\"bad \\\"prefix\\\"\",\"reason\":\"prefix.length\"}");
}

TEST_CASE("response cache: LRU within its byte budget, keyed by state") {
  ResponseCache cache(16 * 4096);  // 4 KiB per shard
  auto make = [](size_t n) {
    auto r = std::make_shared<CachedResponse>();
    r->body.assign(n, 'x');
    return r;
  };
  CacheKey k1{1, 1, 1, 42};
  cache.Put(k1, make(100));
  CHECK(cache.Get(k1));
  CHECK_FALSE(cache.Get(CacheKey{2, 1, 1, 42}));  // other index state
  CHECK_FALSE(cache.Get(CacheKey{1, 2, 1, 42}));  // other route
  for (uint32_t p = 0; p < 2000; ++p) cache.Put(CacheKey{1, 1, 2, p}, make(500));
  CHECK(cache.bytes() <= 16 * 4096);
  CHECK(cache.entries() < 2000);
  CHECK(cache.Get(CacheKey{1, 1, 2, 1999}));  // most recent kept
  CHECK_FALSE(cache.Get(CacheKey{1, 1, 2, 0}));
  cache.Put(CacheKey{1, 1, 3, 0}, make(1 << 20));  // larger than a shard: not cached
  CHECK_FALSE(cache.Get(CacheKey{1, 1, 3, 0}));
  cache.StartState(2);
  CHECK(cache.bytes() == 0);
  CHECK(cache.entries() == 0);
  CHECK_FALSE(cache.Get(CacheKey{1, 1, 2, 1999}));
  cache.Put(k1, make(100));  // late answer from the old state: refused
  CHECK_FALSE(cache.Get(k1));
  CHECK(cache.entries() == 0);
  const CacheKey k2{2, 1, 1, 42};
  cache.Put(k2, make(100));
  CHECK(cache.Get(k2));
  ResponseCache off(0);
  off.Put(k1, make(10));
  CHECK_FALSE(off.Get(k1));
}

}  // namespace
}  // namespace vigie::serve
