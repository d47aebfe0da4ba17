#include "core/password_hash.h"

#include "core/blank.h"

namespace vigie {
namespace {

Status BadCount() {
  return Status::InvalidArgument("password.count", "the count after ':' must be a positive decimal integer");
}

}  // namespace

size_t PasswordHashHexLength(PasswordHash type) { return type == PasswordHash::kSha1 ? 40 : 32; }

Status ParsePasswordHashLine(std::string_view line, PasswordHash type, std::string* canonical_hex, uint64_t* count) {
  line = blank::TrimAscii(line);
  if (line.empty()) return Status::InvalidArgument("empty", "blank password hash line");
  const size_t colon = line.find(':');
  const std::string_view hash = line.substr(0, colon);
  if (hash.size() != PasswordHashHexLength(type)) {
    return Status::InvalidArgument("password.length", type == PasswordHash::kSha1 ? "a SHA-1 hash has 40 hex digits"
                                                                                  : "an NTLM hash has 32 hex digits");
  }
  canonical_hex->resize(hash.size());
  for (size_t i = 0; i < hash.size(); ++i) {
    char c = hash[i];
    if (c >= 'a' && c <= 'f') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
      return Status::InvalidArgument("password.hex", "the hash holds a character that is not a hex digit");
    }
    (*canonical_hex)[i] = c;
  }
  uint64_t n = 1;
  if (colon != std::string_view::npos) {
    const std::string_view digits = line.substr(colon + 1);
    if (digits.empty()) return BadCount();
    n = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return BadCount();
      const uint64_t d = static_cast<uint64_t>(c - '0');
      if (n > (UINT64_MAX - d) / 10) return BadCount();
      n = n * 10 + d;
    }
    if (n == 0) return BadCount();
  }
  if (count != nullptr) *count = n;
  return Status();
}

}  // namespace vigie
