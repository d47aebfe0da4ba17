// RequestFramer: complete and incomplete requests, pipelining, bodies, and every framing it must refuse.
#include "server/request_framing.h"

#include <doctest/doctest.h>

#include <string>

namespace vigie::serve {
namespace {

Framing FrameAll(std::string_view bytes, FramingLimits limits = {}) {
  RequestFramer framer(limits);
  return framer.Frame(bytes);
}

// Feeds `bytes` one byte at a time, as a trickling client would; returns the first decisive answer.
Framing FrameByteByByte(std::string_view bytes, FramingLimits limits = {}) {
  RequestFramer framer(limits);
  Framing f;
  for (size_t i = 1; i <= bytes.size(); ++i) {
    f = framer.Frame(bytes.substr(0, i));
    if (f.state != Framing::kIncomplete) return f;
  }
  return f;
}

TEST_CASE("framing: a GET head is complete at its blank line, pipelined bytes are not part of it") {
  const std::string get = "GET /v1/range/nir/00000 HTTP/1.1\r\nHost: x\r\n\r\n";
  Framing f = FrameAll(get + "GET /healthz HTTP/1.1\r\n\r\n");
  CHECK(f.state == Framing::kComplete);
  CHECK(f.head_bytes == get.size());
  CHECK(f.total_bytes == get.size());
  CHECK_FALSE(f.has_body);
  for (size_t n : {size_t{0}, size_t{1}, get.size() - 1}) {
    CAPTURE(n);
    CHECK(FrameAll(get.substr(0, n)).state == Framing::kIncomplete);
  }
  f = FrameByteByByte(get);
  CHECK(f.state == Framing::kComplete);
  CHECK(f.total_bytes == get.size());
  CHECK(FrameAll("GET / HTTP/1.0\r\n\r\n").state == Framing::kComplete);
}

TEST_CASE("framing: Content-Length and chunked bodies") {
  const std::string head = "POST /v1/oprf/email/evaluate HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  Framing f = FrameAll(head + "abc");
  CHECK(f.state == Framing::kIncomplete);
  f = FrameAll(head + "abcdeGET");
  CHECK(f.state == Framing::kComplete);
  CHECK(f.total_bytes == head.size() + 5);
  CHECK(f.has_body);
  CHECK(FrameAll("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").has_body == false);

  const std::string chunked_head = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string body = "5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\n\r\n";
  f = FrameAll(chunked_head + body + "GET / HTTP/1.1\r\n\r\n");
  CHECK(f.state == Framing::kComplete);
  CHECK(f.total_bytes == chunked_head.size() + body.size());
  f = FrameByteByByte(chunked_head + body);
  CHECK(f.state == Framing::kComplete);
  CHECK(f.total_bytes == chunked_head.size() + body.size());
  CHECK(FrameAll(chunked_head + "5\r\nhel").state == Framing::kIncomplete);
  CHECK(FrameAll("POST /x HTTP/1.1\r\ntransfer-encoding:  CHUNKED \r\n\r\n0\r\n\r\n").state == Framing::kComplete);

  // A body too large to wait for is complete at once, unbuffered: the router refuses it unread.
  f = FrameAll("POST /x HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", FramingLimits{1024, 4096});
  CHECK(f.state == Framing::kComplete);
  CHECK_FALSE(f.body_buffered);
  // A chunked body decoding beyond the limit is refused (cpp-httplib would read it whole).
  f = FrameAll(chunked_head + "1001\r\n", FramingLimits{1024, 4096});
  CHECK(f.state == Framing::kRefused);
  CHECK(f.status == 413);
  f = FrameAll(chunked_head + "800\r\n" + std::string(0x800, 'a') + "\r\n801\r\n", FramingLimits{1024, 4096});
  CHECK(f.state == Framing::kRefused);
  CHECK(f.status == 413);
}

TEST_CASE("framing: Expect: 100-continue is reported until the body starts") {
  const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n";
  CHECK(FrameAll(head).expect_continue);
  Framing f = FrameAll(head + "abc");
  CHECK(f.state == Framing::kComplete);
  CHECK_FALSE(f.expect_continue);
  CHECK_FALSE(FrameAll("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n").expect_continue);  // no body
}

TEST_CASE("framing: request smuggling attempts are refused with 400 once the head is complete") {
  struct Case {
    const char* name;
    std::string request;
  } cases[] = {
      {"CL and TE", "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"TE and CL", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"},
      {"two CL", "POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"},
      {"two different CL", "POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd"},
      {"CL list", "POST / HTTP/1.1\r\nContent-Length: 4, 4\r\n\r\nabcd"},
      {"CL sign", "POST / HTTP/1.1\r\nContent-Length: +4\r\n\r\nabcd"},
      {"CL negative", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"},
      {"CL hex", "POST / HTTP/1.1\r\nContent-Length: 0x4\r\n\r\nabcd"},
      {"CL percent", "POST / HTTP/1.1\r\nContent-Length: %34\r\n\r\nabcd"},
      {"CL empty", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"},
      {"CL huge", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"},
      {"TE gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"},
      {"TE list", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
      {"TE chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
      {"two TE", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"TE xchunked", "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"},
      {"TE percent", "POST / HTTP/1.1\r\nTransfer-Encoding: ch%75nked\r\n\r\n0\r\n\r\n"},
      {"TE on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"space before colon", "POST / HTTP/1.1\r\nContent-Length : 4\r\n\r\nabcd"},
      {"tab before colon", "POST / HTTP/1.1\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n"},
      {"obs-fold", "GET / HTTP/1.1\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n"},
      {"no colon", "GET / HTTP/1.1\r\nTransfer-Encoding chunked\r\n\r\n"},
      {"empty name", "GET / HTTP/1.1\r\n: x\r\n\r\n"},
      {"version", "GET / HTTP/1.2\r\n\r\n"},
      {"two spaces", "GET  / HTTP/1.1\r\n\r\n"},
      {"no version", "GET /\r\n\r\n"},
      {"control in value", "GET / HTTP/1.1\r\nX-A: a\x01z\r\n\r\n"},
      {"chunk size junk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n"},
      {"chunk size 0x", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"},
      {"chunk size space", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n"},
      {"chunk data too long", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"},
      {"trailers", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    for (bool trickle : {false, true}) {
      CAPTURE(trickle);
      const Framing f = trickle ? FrameByteByByte(c.request) : FrameAll(c.request);
      CHECK(f.state == Framing::kRefused);
      CHECK(f.status == 400);
      CHECK(f.reason == "request.framing");
      CHECK_FALSE(f.message.empty());
    }
  }
}

TEST_CASE("framing: bad bytes are refused as soon as they arrive, heads beyond the limit get 431") {
  for (std::string_view bad : {std::string_view("GET /\nHost: x\n\n"), std::string_view("GET / HTTP/1.1\rX"),
                               std::string_view("\x16\x03\x01\x02\x00", 5), std::string_view("GET /\0", 6)}) {
    CAPTURE(bad);
    const Framing f = FrameAll(bad);
    CHECK(f.state == Framing::kRefused);
    CHECK(f.status == 400);
    CHECK(f.head_bytes == 0);  // no head: the loop answers itself
  }
  const FramingLimits small{256, 1024};
  std::string big = "GET / HTTP/1.1\r\nX-A: " + std::string(300, 'a');
  Framing f = FrameAll(big, small);
  CHECK(f.state == Framing::kRefused);
  CHECK(f.status == 431);
  CHECK(FrameByteByByte(big, small).status == 431);
  CHECK(FrameAll("GET / HTTP/1.1\r\nX-A: " + std::string(200, 'a') + "\r\n\r\n", small).state == Framing::kComplete);
}

TEST_CASE("framing: a trickled head costs linear work (resumes where it stopped)") {
  // 16 kB one byte at a time: quadratic rescanning would be 128 M byte visits; this is instant.
  const std::string head = "GET / HTTP/1.1\r\nX-A: " + std::string(16000, 'a') + "\r\n\r\n";
  const Framing f = FrameByteByByte(head, FramingLimits{32 << 10, 1024});
  CHECK(f.state == Framing::kComplete);
  CHECK(f.total_bytes == head.size());
}

TEST_CASE("framing: leading empty lines") {
  CHECK(LeadingEmptyLineBytes("\r\n\r\nGET") == 4);
  CHECK(LeadingEmptyLineBytes("\r\nGET") == 2);
  CHECK(LeadingEmptyLineBytes("\r") == 0);
  CHECK(LeadingEmptyLineBytes("GET") == 0);
}

}  // namespace
}  // namespace vigie::serve
