#include "server/http_message.h"

#include <algorithm>

namespace vigie::serve {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi << 4 | lo);
        i += 2;
        continue;
      }
    }
    out += plus_as_space && c == '+' ? ' ' : c;
  }
  return out;
}

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

bool HttpRequest::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HttpHeader& h) { return EqualsIgnoreCase(h.name, name); });
}

std::string HttpRequest::HeaderList(std::string_view name) const {
  std::string joined;
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, name)) continue;
    if (!joined.empty()) joined += ", ";
    joined += h.value;
  }
  return joined;
}

std::optional<std::string> HttpRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq), true) != name) continue;
    return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

void HttpResponse::SetBody(std::string bytes) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  body = *owned;
  body_owner = std::move(owned);
}

void HttpResponse::Set(std::string_view name, std::string value) {
  Remove(name);
  headers.push_back({std::string(name), std::move(value)});
}

void HttpResponse::Remove(std::string_view name) {
  std::erase_if(headers, [&](const HttpHeader& h) { return EqualsIgnoreCase(h.name, name); });
}

std::string_view HttpResponse::Get(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

}  // namespace vigie::serve
