#include "core/password_hash.h"

#include <doctest/doctest.h>

#include <string>

namespace vigie {
namespace {

// SHA-1("vigie-test"); the NTLM-sized value is any 32 hex digits (only the format matters here).
constexpr const char* kSha1 = "E9B68FC708C718C7C5C767C661CD5B89837B031E";
constexpr const char* kNtlm = "441304E63EC4039B752909B64D76C470";

TEST_CASE("ParsePasswordHashLine: accepted lines") {
  struct Case {
    const char* line;
    PasswordHash type;
    const char* hex;
    uint64_t count;
  };
  const Case cases[] = {
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:42", PasswordHash::kSha1, kSha1, 42},
      {"e9b68fc708c718c7c5c767c661cd5b89837b031e:42", PasswordHash::kSha1, kSha1, 42},  // lower case
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E", PasswordHash::kSha1, kSha1, 1},      // bare hash
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:3\r", PasswordHash::kSha1, kSha1, 3},  // CRLF file
      {"  e9B68fc708c718c7c5c767c661cd5b89837b031E:007 ", PasswordHash::kSha1, kSha1, 7},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:18446744073709551615", PasswordHash::kSha1, kSha1, UINT64_MAX},
      {"441304E63EC4039B752909B64D76C470:1", PasswordHash::kNtlm, kNtlm, 1},
      {"441304e63ec4039b752909b64d76c470", PasswordHash::kNtlm, kNtlm, 1},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    std::string hex = "stale";
    uint64_t count = 0;
    Status st = ParsePasswordHashLine(c.line, c.type, &hex, &count);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    CHECK(hex == c.hex);
    CHECK(count == c.count);
  }
  std::string hex;
  CHECK(ParsePasswordHashLine(kSha1, PasswordHash::kSha1, &hex, nullptr).ok());
}

TEST_CASE("ParsePasswordHashLine: rejected lines") {
  struct Case {
    const char* line;
    PasswordHash type;
    const char* reason;
  };
  const Case cases[] = {
      {"", PasswordHash::kSha1, "empty"},
      {" \r\n", PasswordHash::kSha1, "empty"},
      {"441304E63EC4039B752909B64D76C470:1", PasswordHash::kSha1, "password.length"},  // NTLM given as SHA-1
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:1", PasswordHash::kNtlm, "password.length"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031:1", PasswordHash::kSha1, "password.length"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E0:1", PasswordHash::kSha1, "password.length"},
      {"0018A45C4D1DEF81644B54AB7F969B88D65:1", PasswordHash::kSha1, "password.length"},  // a range suffix
      {":5", PasswordHash::kSha1, "password.length"},
      {"G9B68FC708C718C7C5C767C661CD5B89837B031E:1", PasswordHash::kSha1, "password.hex"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031 :1", PasswordHash::kSha1, "password.hex"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B03-E", PasswordHash::kSha1, "password.hex"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:0", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:000", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:-1", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:+1", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:1.5", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E: 1", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:1:2", PasswordHash::kSha1, "password.count"},
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:18446744073709551616", PasswordHash::kSha1,
       "password.count"},  // UINT64_MAX + 1
      {"E9B68FC708C718C7C5C767C661CD5B89837B031E:99999999999999999999", PasswordHash::kSha1, "password.count"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    std::string hex;
    uint64_t count = 0;
    Status st = ParsePasswordHashLine(c.line, c.type, &hex, &count);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.reason() == c.reason);
    CHECK(st.message().find("E9B6") == std::string::npos);
  }
}

}  // namespace
}  // namespace vigie
