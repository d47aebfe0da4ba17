#include "server/http_codec.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/version.hpp>
#include <limits>

// Beast's parser and serializer as documented for Boost 1.81 (Debian 12); CMake checks the version too.
static_assert(BOOST_VERSION >= 108100, "Boost.Beast 1.81 or newer");

namespace vigie::serve {

namespace http = boost::beast::http;

namespace {

using Parser = http::request_parser<http::string_body>;

Status Invalid(const boost::beast::error_code& ec) {
  return Status::InvalidArgument("request.invalid", "malformed request: " + ec.message());
}

void Fill(const Parser& parser, HttpRequest* out) {
  const auto& m = parser.get();
  out->method = std::string(m.method_string());
  out->target = std::string(m.target());
  const size_t q = out->target.find('?');
  out->path = PercentDecode(std::string_view(out->target).substr(0, q), false);
  out->query = q == std::string::npos ? std::string() : out->target.substr(q + 1);
  out->version = static_cast<int>(m.version());
  out->keep_alive = parser.keep_alive();
  out->has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
  out->headers.clear();
  for (const auto& field : m) {
    out->headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
}

Status Parse(std::string_view bytes, const ParseLimits& limits, bool head_only, HttpRequest* out) {
  Parser parser;
  parser.header_limit(static_cast<uint32_t>(std::min<size_t>(limits.max_head_bytes, UINT32_MAX)));
  // A head alone is judged by the head phase, which answers an over-long Content-Length with its own 413.
  parser.body_limit(head_only ? std::numeric_limits<std::uint64_t>::max() : limits.max_body_bytes);
  parser.eager(!head_only);
  boost::beast::error_code ec;
  size_t used = 0;
  // put() may stop early (a header before a body); feed it until it is done or wants more.
  while (used < bytes.size()) {
    const size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (ec || (head_only && parser.is_header_done()) || parser.is_done() || n == 0) break;
  }
  if (ec == http::error::need_more && head_only && parser.is_header_done()) ec = {};
  if (ec) return Invalid(ec);
  if (head_only ? !parser.is_header_done() : !parser.is_done() || used != bytes.size()) {
    return Status::InvalidArgument("request.invalid", "malformed request: not one whole request");
  }
  Fill(parser, out);
  out->body = head_only ? std::string() : std::move(parser.get().body());
  return Status::Ok();
}

bool StatusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

}  // namespace

bool BodyIsSent(const HttpResponse& res, const WriteOptions& options) {
  return StatusHasBody(res.status) && !options.head_only && res.body_size() > 0;
}

Status ParseRequest(std::string_view bytes, const ParseLimits& limits, HttpRequest* out) {
  return Parse(bytes, limits, false, out);
}

Status ParseRequestHead(std::string_view head, const ParseLimits& limits, HttpRequest* out) {
  return Parse(head, limits, true, out);
}

std::string_view StatusReason(int status) {
  const std::string_view reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  return reason.empty() ? std::string_view("Unknown") : reason;
}

void AppendResponse(const HttpResponse& res, const WriteOptions& options, std::string* out) {
  http::response<http::empty_body> head;
  head.version(11);
  head.result(static_cast<unsigned>(res.status));
  for (const HttpHeader& h : res.headers) head.insert(h.name, h.value);
  const bool body_allowed = StatusHasBody(res.status);
  // 204 and 304 carry no Content-Length (a 304's would describe the body it stands for).
  if (body_allowed) head.content_length(res.body_size());
  if (options.close) {
    head.set(http::field::connection, "close");
  } else if (options.http10_keep_alive) {
    head.set(http::field::connection, "keep-alive");
  }
  http::response_serializer<http::empty_body> serializer{head};
  serializer.split(true);
  boost::beast::error_code ec;
  while (!ec && !serializer.is_header_done()) {
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      size_t n = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        const boost::asio::const_buffer b = *it;
        out->append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      serializer.consume(n);
    });
  }
  if (BodyIsSent(res, options) && !options.omit_body) out->append(res.body);
}

}  // namespace vigie::serve
