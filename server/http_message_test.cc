// HttpRequest/HttpResponse helpers and the Beast-backed codec (server/http_codec.h): header lists across
// lines, raw header values, query parameters, percent-decoding of the path only, responses that never
// apply a range and never send a body on HEAD, 204 or 304.
#include <doctest/doctest.h>

#include "server/client_address.h"
#include "server/http_codec.h"
#include "server/http_message.h"

namespace vigie::serve {
namespace {

TEST_CASE("http request: parsed as sent; list headers joined across lines; the path alone is decoded") {
  HttpRequest req;
  const std::string raw =
      "GET /v1/range/nir/ab%63d?mode=ntlm&x=a+b%21&flag HTTP/1.1\r\nHost: t\r\n"
      "X-Forwarded-For: 10.0.0.1\r\nAuthorization: Bearer %64ey\r\nx-forwarded-for: 10.0.0.2, 10.0.0.3\r\n\r\n";
  REQUIRE(ParseRequest(raw, {}, &req).ok());
  CHECK(req.method == "GET");
  CHECK(req.path == "/v1/range/nir/abcd");
  CHECK(req.target == "/v1/range/nir/ab%63d?mode=ntlm&x=a+b%21&flag");
  CHECK(req.version == 11);
  CHECK(req.keep_alive);
  CHECK_FALSE(req.has_body);
  CHECK(req.HeaderList("X-Forwarded-For") == "10.0.0.1, 10.0.0.2, 10.0.0.3");
  CHECK(req.Header("x-FORWARDED-for") == "10.0.0.1");
  CHECK(req.Header("Authorization") == "Bearer %64ey");  // never decoded
  CHECK(req.QueryParam("mode") == "ntlm");
  CHECK(req.QueryParam("x") == "a b!");
  CHECK(req.QueryParam("flag") == "");
  CHECK_FALSE(req.QueryParam("nope").has_value());
}

TEST_CASE("http request: bodies, chunked decoding, keep-alive semantics, malformed input") {
  HttpRequest req;
  REQUIRE(
      ParseRequest("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", {}, &req)
          .ok());
  CHECK(req.body == "abcde");
  CHECK(req.has_body);
  REQUIRE(ParseRequest("GET / HTTP/1.0\r\n\r\n", {}, &req).ok());
  CHECK_FALSE(req.keep_alive);
  REQUIRE(ParseRequest("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {}, &req).ok());
  CHECK(req.keep_alive);
  REQUIRE(ParseRequest("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", {}, &req).ok());
  CHECK_FALSE(req.keep_alive);
  CHECK(ParseRequest("GET / HTTP/1.1\r\n\r\nextra", {}, &req).reason() == "request.invalid");
  CHECK(ParseRequest("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", {}, &req).reason() == "request.invalid");
  CHECK(ParseRequest("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'), {.max_body_bytes = 50},
                     &req)
            .reason() == "request.invalid");
  // The head alone: the body limit is the head phase's to judge.
  REQUIRE(ParseRequestHead("POST /x HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n", {.max_body_bytes = 50}, &req).ok());
  CHECK(req.has_body);
  CHECK(req.body.empty());
}

TEST_CASE("http response: whole bodies only, HEAD and 304 without body, Connection as asked") {
  HttpResponse res;
  res.headers = {{"Content-Type", "application/json"}, {"ETag", "\"t\""}};
  res.SetBody("{\"a\":1}");
  std::string out;
  AppendResponse(res, {}, &out);
  CHECK(out.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(out.find("Content-Length: 7\r\n") != std::string::npos);
  CHECK(out.find("Connection") == std::string::npos);
  CHECK(out.ends_with("\r\n\r\n{\"a\":1}"));
  out.clear();
  AppendResponse(res, {.head_only = true, .close = true}, &out);
  CHECK(out.find("Content-Length: 7\r\n") != std::string::npos);
  CHECK(out.find("Connection: close\r\n") != std::string::npos);
  CHECK(out.ends_with("\r\n\r\n"));
  out.clear();
  AppendResponse(res, {.http10_keep_alive = true, .omit_body = true}, &out);
  CHECK(out.find("Connection: keep-alive\r\n") != std::string::npos);
  CHECK(out.ends_with("\r\n\r\n"));
  res.status = 304;
  out.clear();
  AppendResponse(res, {}, &out);
  CHECK(out.starts_with("HTTP/1.1 304 Not Modified\r\n"));
  CHECK(out.find("Content-Length") == std::string::npos);
  CHECK(out.ends_with("\r\n\r\n"));
  CHECK(StatusReason(411) == "Length Required");
}

TEST_CASE("response headers: Set replaces every line of a name, case-insensitively") {
  HttpResponse res;
  res.headers = {{"cache-control", "a"}, {"Vary", "x"}, {"Cache-Control", "b"}};
  res.Set("Cache-Control", "no-store");
  CHECK(res.headers.size() == 2);
  CHECK(res.Get("CACHE-CONTROL") == "no-store");
  res.Remove("vary");
  CHECK(res.headers.size() == 1);
}

TEST_CASE("percent-decoding keeps what is not an escape") {
  CHECK(PercentDecode("%41%2f%zz%4", false) == "A/%zz%4");
  CHECK(PercentDecode("a+b", false) == "a+b");
  CHECK(PercentDecode("a+b", true) == "a b");
}

TEST_CASE("rate buckets: IPv4 as is, IPv6 by /64, IPv4-mapped as IPv4") {
  CHECK(RateBucketOf("192.0.2.7") == "192.0.2.7");
  CHECK(RateBucketOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  CHECK(RateBucketOf("2001:db8:1:2::1") == RateBucketOf("2001:db8:1:2:ffff::9"));
  CHECK(RateBucketOf("2001:db8:1:3::1") != RateBucketOf("2001:db8:1:2::1"));
  CHECK(RateBucketOf("::ffff:192.0.2.7") == "192.0.2.7");
  CHECK(RateBucketOf("not an address") == "not an address");
}

TEST_CASE("client address: every X-Forwarded-For line counts, read from the right") {
  auto proxies = TrustedProxies::Parse({"127.0.0.1"});
  REQUIRE(proxies.ok());
  HttpRequest req;
  REQUIRE(ParseRequest("GET / HTTP/1.1\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n", {}, &req)
              .ok());
  CHECK(ClientAddress(*proxies, "127.0.0.1", req.HeaderList("X-Forwarded-For")) == "203.0.113.7");
  CHECK(ClientAddress(*proxies, "198.51.100.1", req.HeaderList("X-Forwarded-For")) == "198.51.100.1");
}

}  // namespace
}  // namespace vigie::serve
