#include "core/normalize.h"

#include "core/blank.h"
#include "core/email.h"
#include "core/nir.h"
#include "core/password_hash.h"
#include "core/phone.h"

namespace vigie {
namespace {

Status NormalizePassword(std::string_view input, std::string* canonical) {
  const std::string_view line = blank::TrimAscii(input);
  if (line.empty()) return Status::InvalidArgument("empty", "no password hash given");
  const size_t hash_length = line.substr(0, line.find(':')).size();
  PasswordHash type;
  if (hash_length == PasswordHashHexLength(PasswordHash::kSha1)) {
    type = PasswordHash::kSha1;
  } else if (hash_length == PasswordHashHexLength(PasswordHash::kNtlm)) {
    type = PasswordHash::kNtlm;
  } else {
    return Status::InvalidArgument("password.length", "a password hash has 40 (SHA-1) or 32 (NTLM) hex digits");
  }
  return ParsePasswordHashLine(line, type, canonical, nullptr);
}

}  // namespace

Status Normalize(Kind kind, std::string_view input, std::string* canonical) {
  switch (kind) {
    case Kind::kNir:
      return NormalizeNir(input, canonical);
    case Kind::kEmail:
      return NormalizeEmail(input, canonical);
    case Kind::kPhone:
      return NormalizePhone(input, canonical);
    case Kind::kPassword:
      return NormalizePassword(input, canonical);
  }
  return Status::InvalidArgument("kind", "unknown identifier kind");
}

}  // namespace vigie
