#include "server/request_framing.h"

#include <cstring>

namespace vigie::serve {

namespace {

bool IsTokenChar(unsigned char c) {  // RFC 9110 tchar
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// Control bytes other than HTAB (CR and LF are checked as line ends).
bool IsControl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Framing Refuse(int status, std::string_view reason, std::string_view message, size_t head_bytes) {
  Framing f;
  f.state = Framing::kRefused;
  f.status = status;
  f.reason = reason;
  f.message = message;
  f.head_bytes = head_bytes;
  return f;
}

Framing Malformed(std::string_view message, size_t head_bytes) {
  return Refuse(400, "request.framing", message, head_bytes);
}

constexpr size_t kMaxChunkLine = 1024;  // size, extensions and CRLF

}  // namespace

size_t LeadingEmptyLineBytes(std::string_view bytes) {
  size_t n = 0;
  while (n + 1 < bytes.size() && bytes[n] == '\r' && bytes[n + 1] == '\n') n += 2;
  return n;
}

void RequestFramer::Reset() {
  scanned_ = 0;
  head_ = Framing();
  content_length_ = 0;
  chunked_ = false;
  chunk_at_ = 0;
  decoded_ = 0;
}

Framing RequestFramer::Frame(std::string_view bytes) {
  if (head_.head_bytes == 0) {
    // Look for the blank line ending the head, refusing bad bytes as soon as they arrive (garbage, a TLS
    // hello on the plain port) rather than when the head would complete.
    const size_t limit = std::min(bytes.size(), limits_.max_head_bytes);
    size_t end = 0;
    for (size_t i = scanned_; i < limit; ++i) {
      const unsigned char c = static_cast<unsigned char>(bytes[i]);
      if (c == '\n') {
        if (i == 0 || bytes[i - 1] != '\r') return Malformed("bare LF in the request head", 0);
        if (i >= 3 && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
          end = i + 1;
          break;
        }
      } else if (c == '\r') {
        if (i + 1 < bytes.size() && bytes[i + 1] != '\n') return Malformed("bare CR in the request head", 0);
      } else if (IsControl(c)) {
        return Malformed("control byte in the request head", 0);
      }
    }
    if (end == 0) {
      if (bytes.size() >= limits_.max_head_bytes) {
        return Refuse(431, "request.headers", "the request head is too large", 0);
      }
      // Resume on the last 3 bytes next time: they may start the CRLFCRLF.
      scanned_ = limit > 3 ? limit - 3 : 0;
      return Framing();
    }
    head_ = ParseHead(bytes.substr(0, end));
    if (head_.state == Framing::kRefused) return head_;
    head_.head_bytes = end;
    chunk_at_ = end;
  }

  Framing f = head_;
  if (chunked_) return FrameChunked(bytes);
  if (content_length_ > limits_.max_body_bytes) {
    f.state = Framing::kComplete;
    f.body_buffered = false;
    f.total_bytes = f.head_bytes + static_cast<size_t>(content_length_);
    return f;
  }
  const size_t total = f.head_bytes + static_cast<size_t>(content_length_);
  if (bytes.size() < total) return f;  // kIncomplete, with expect_continue as the head said
  f.state = Framing::kComplete;
  f.total_bytes = total;
  f.expect_continue = false;
  return f;
}

Framing RequestFramer::ParseHead(std::string_view head) {
  // The head has no bare CR/LF or control bytes (checked while scanning) and ends with CRLFCRLF.
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  // Request line: method SP target SP version.
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos || sp2 == sp1 + 1) {
    return Malformed("malformed request line", head.size());
  }
  for (size_t i = 0; i < sp1; ++i) {
    if (!IsTokenChar(static_cast<unsigned char>(line[i]))) return Malformed("malformed request method", head.size());
  }
  const std::string_view version = line.substr(sp2 + 1);
  const bool http10 = version == "HTTP/1.0";
  if (!http10 && version != "HTTP/1.1") return Malformed("unsupported HTTP version", head.size());

  int length_fields = 0, encoding_fields = 0;
  bool length_valid = true, encoding_chunked = false, expect = false;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    eol = head.find("\r\n", pos);
    line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) break;  // the blank line
    if (line.front() == ' ' || line.front() == '\t') {
      return Malformed("obsolete line folding in a header field", head.size());
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Malformed("malformed header field", head.size());
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!IsTokenChar(static_cast<unsigned char>(c))) {
        return Malformed("malformed header field name (no whitespace before the colon)", head.size());
      }
    }
    const std::string_view value = TrimOws(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      ++length_fields;
      if (value.empty() || value.size() > 15) length_valid = false;
      uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') {
          length_valid = false;
          break;
        }
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      content_length_ = n;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      ++encoding_fields;
      encoding_chunked = EqualsIgnoreCase(value, "chunked");
    } else if (EqualsIgnoreCase(name, "expect")) {
      expect = EqualsIgnoreCase(value, "100-continue");
    }
  }

  if (length_fields > 0 && encoding_fields > 0) {
    return Malformed("both Content-Length and Transfer-Encoding: ambiguous framing", head.size());
  }
  if (length_fields > 1) return Malformed("several Content-Length fields", head.size());
  if (length_fields == 1 && !length_valid) return Malformed("invalid Content-Length", head.size());
  if (encoding_fields > 1) return Malformed("several Transfer-Encoding fields", head.size());
  if (encoding_fields == 1 && !encoding_chunked) {
    return Malformed("Transfer-Encoding other than chunked", head.size());
  }
  if (encoding_fields == 1 && http10) return Malformed("Transfer-Encoding on an HTTP/1.0 request", head.size());

  Framing f;
  chunked_ = encoding_fields == 1;
  if (!chunked_ && length_fields == 0) content_length_ = 0;
  f.has_body = chunked_ || content_length_ > 0;
  f.expect_continue = expect && f.has_body;
  return f;
}

Framing RequestFramer::FrameChunked(std::string_view bytes) {
  Framing f = head_;
  const size_t head_bytes = f.head_bytes;
  for (;;) {
    const size_t eol = bytes.find("\r\n", chunk_at_);
    if (eol == std::string_view::npos) {
      if (bytes.size() - chunk_at_ >= kMaxChunkLine) return Malformed("chunk-size line too long", head_bytes);
      for (size_t i = chunk_at_; i < bytes.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        const bool bad = c == '\r' ? i + 1 < bytes.size() : IsControl(c);  // a CR may end it, nothing else
        if (bad) return Malformed("malformed chunk-size line", head_bytes);
      }
      return f;  // kIncomplete
    }
    if (eol - chunk_at_ + 2 > kMaxChunkLine) return Malformed("chunk-size line too long", head_bytes);
    const std::string_view line = bytes.substr(chunk_at_, eol - chunk_at_);
    uint64_t size = 0;
    size_t digits = 0;
    while (digits < line.size() && HexDigit(line[digits]) >= 0) {
      if (digits == 15) return Malformed("chunk size too large", head_bytes);
      size = size * 16 + static_cast<uint64_t>(HexDigit(line[digits]));
      ++digits;
    }
    if (digits == 0) return Malformed("malformed chunk size", head_bytes);
    // Only chunk extensions may follow the size (cpp-httplib ignores them; nothing else may hide there).
    if (digits < line.size() && line[digits] != ';') return Malformed("malformed chunk size", head_bytes);
    for (char c : line.substr(digits)) {
      if (IsControl(static_cast<unsigned char>(c)) || c == '\r' || c == '\n') {
        return Malformed("malformed chunk extension", head_bytes);
      }
    }
    if (decoded_ + size > limits_.max_body_bytes) {
      return Refuse(413, "request.body", "the request body is too large", head_bytes);
    }
    const size_t data = eol + 2;
    if (size == 0) {
      // The last chunk: cpp-httplib reads no trailer fields, so the blank line must follow at once.
      if (bytes.size() < data + 2) {
        if (bytes.size() == data + 1 && bytes[data] != '\r')
          return Malformed("chunked trailers are not accepted", head_bytes);
        return f;
      }
      if (bytes[data] != '\r' || bytes[data + 1] != '\n') {
        return Malformed("chunked trailers are not accepted", head_bytes);
      }
      f.state = Framing::kComplete;
      f.total_bytes = data + 2;
      f.expect_continue = false;
      return f;
    }
    const size_t end = data + static_cast<size_t>(size);
    if (bytes.size() < end + 2) {
      if (bytes.size() > end && bytes[end] != '\r') return Malformed("chunk data longer than its size", head_bytes);
      return f;
    }
    if (bytes[end] != '\r' || bytes[end + 1] != '\n') return Malformed("chunk data longer than its size", head_bytes);
    decoded_ += size;
    chunk_at_ = end + 2;
    f.expect_continue = false;  // the client sends its body: no 100-continue any more
    head_.expect_continue = false;
  }
}

}  // namespace vigie::serve
