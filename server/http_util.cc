#include "server/http_util.h"

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/compress.h"

namespace vigie::serve {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view Opaque(std::string_view tag) {
  tag = Trim(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  const std::string_view mine = Opaque(etag);
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    std::string_view item = Trim(if_none_match.substr(0, comma));
    if (item == "*" || (!item.empty() && Opaque(item) == mine)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

bool ParseHttpDate(std::string_view text, std::time_t* t) {
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return false;
  *t = timegm(&tm);
  return true;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view item = Trim(accept_encoding.substr(0, comma));
    const size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    if (coding == "gzip" || coding == "*") {
      if (semi == std::string_view::npos) return true;
      std::string_view params = Trim(item.substr(semi + 1));
      if (params.starts_with("q=")) {
        double q = 1;
        std::string value(params.substr(2));
        q = std::strtod(value.c_str(), nullptr);
        return q > 0;
      }
      return true;
    }
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  return false;
}

std::string Gzip(std::string_view data) {
  std::string out;
  return CompressFrame(OutputCompression::kGzip, data, 6, &out).ok() ? out : std::string();
}

std::string JsonError(std::string_view message, std::string_view reason) {
  nlohmann::ordered_json j = {{"error", message}, {"reason", reason}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ListenAddress> ParseListen(std::string_view text) {
  ListenAddress a;
  size_t colon;
  if (text.starts_with("[")) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("listen.address", "--listen: expected [IPv6]:PORT");
    }
    a.host = std::string(text.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument("listen.address", "--listen: expected HOST:PORT");
    }
    a.host = std::string(text.substr(0, colon));
  }
  if (a.host.empty()) a.host = "0.0.0.0";
  std::string_view port = text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (ec != std::errc() || ptr != port.data() + port.size() || port.empty() || a.port < 0 || a.port > 65535) {
    return Status::InvalidArgument("listen.port", "--listen: the port must be a number from 0 to 65535");
  }
  return a;
}

}  // namespace vigie::serve
