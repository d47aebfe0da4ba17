// Fuzz target "normalize": every identifier normaliser (core/normalize.h and the per-kind headers).
// Input: byte 0 picks the kind (and, for passwords, whether ParsePasswordHashLine is driven directly with
// each hash type), the rest is the identifier as a user or a dump would give it.
// Invariants: a canonical form has its documented shape (NIR: 15 characters with a matching key; e-mail:
// lower-case ASCII dot-atom within the length limits; phone: E.164; password: upper-case hex of 32/40
// digits); normalising it again gives it back unchanged; a refusal carries a reason slug and its message
// quotes none of the input's digit runs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/email.h"
#include "core/kind.h"
#include "core/nir.h"
#include "core/normalize.h"
#include "core/password_hash.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using vigie::Kind;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F'); }

// Messages must never quote personal data: no run of 6+ digits of the input may appear in one.
void CheckMessageQuotesNothing(std::string_view input, const vigie::Status& status) {
  const std::string& message = status.message();
  size_t i = 0;
  while (i < input.size()) {
    if (!IsDigit(input[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < input.size() && IsDigit(input[j])) ++j;
    if (j - i >= 6) {
      FUZZ_CHECK(message.find(input.substr(i, j - i)) == std::string::npos, "a message quotes the input");
    }
    i = j;
  }
}

void CheckShape(Kind kind, const std::string& canonical) {
  switch (kind) {
    case Kind::kNir: {
      FUZZ_CHECK(canonical.size() == vigie::kNirLength, "NIR canonical length");
      for (size_t i = 0; i < canonical.size(); ++i) {
        const char c = canonical[i];
        const bool corsica = i == 6 && canonical[5] == '2' && (c == 'A' || c == 'B');
        FUZZ_CHECK(IsDigit(c) || corsica, "NIR canonical characters");
      }
      const int key = vigie::ComputeNirKey(std::string_view(canonical).substr(0, 13));
      FUZZ_CHECK(key >= 1 && key <= 97, "NIR key range");
      FUZZ_CHECK((canonical[13] - '0') * 10 + (canonical[14] - '0') == key, "NIR key matches");
      const vigie::NirPlausibility p = vigie::CheckNirPlausibility(canonical);
      for (std::string_view problem : p.problems) {
        FUZZ_CHECK(problem != "nir.not-canonical" && problem != "nir.key", "plausibility of a canonical NIR");
      }
      FUZZ_CHECK(p.plausible == p.problems.empty(), "plausible iff no problem");
      break;
    }
    case Kind::kEmail: {
      FUZZ_CHECK(!canonical.empty() && canonical.size() <= vigie::kMaxEmailLength, "e-mail length");
      const size_t at = canonical.find('@');
      FUZZ_CHECK(at != std::string::npos && canonical.find('@', at + 1) == std::string::npos, "one '@'");
      FUZZ_CHECK(at >= 1 && at <= vigie::kMaxEmailLocalLength, "local part length");
      FUZZ_CHECK(canonical.find('.', at) != std::string::npos, "domain has two labels");
      for (char c : canonical) {
        const auto u = static_cast<unsigned char>(c);
        FUZZ_CHECK(u > 0x20 && u < 0x7f && !(c >= 'A' && c <= 'Z'), "e-mail is lower-case printable ASCII");
      }
      FUZZ_CHECK(canonical.back() != '.' && canonical[at + 1] != '.', "domain dots");
      break;
    }
    case Kind::kPhone: {
      FUZZ_CHECK(canonical.size() >= 8 && canonical.size() <= 16 && canonical[0] == '+', "E.164 shape");
      FUZZ_CHECK(canonical[1] != '0', "country code does not start with 0");
      for (size_t i = 1; i < canonical.size(); ++i) FUZZ_CHECK(IsDigit(canonical[i]), "E.164 digits");
      break;
    }
    case Kind::kPassword: {
      FUZZ_CHECK(canonical.size() == 40 || canonical.size() == 32, "hash length");
      for (char c : canonical) FUZZ_CHECK(IsUpperHex(c), "upper-case hex");
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  const uint8_t selector = in.Byte();
  const Kind kind = vigie::kAllKinds[selector % vigie::kAllKinds.size()];
  const std::string_view input = in.Rest();

  std::string canonical;
  const vigie::Status s = vigie::Normalize(kind, input, &canonical);
  if (s.ok()) {
    CheckShape(kind, canonical);
    std::string again = "garbage";  // the output is overwritten, whatever it held
    const vigie::Status s2 = vigie::Normalize(kind, canonical, &again);
    FUZZ_CHECK(s2.ok(), "a canonical form normalises");
    FUZZ_CHECK(again == canonical, "normalisation is idempotent");
  } else {
    FUZZ_CHECK(!s.reason().empty() && !s.message().empty(), "a refusal has a reason and a message");
    CheckMessageQuotesNothing(input, s);
  }

  if (kind == Kind::kNir) {
    // The plausibility check and the key take any bytes.
    const vigie::NirPlausibility p = vigie::CheckNirPlausibility(input);
    if (input.size() != vigie::kNirLength) FUZZ_CHECK(!p.plausible, "a non-canonical NIR is not plausible");
    const int key = vigie::ComputeNirKey(input.substr(0, 13));
    FUZZ_CHECK(key == -1 || (key >= 1 && key <= 97), "ComputeNirKey range");
  }
  if (kind == Kind::kPassword && (selector & 0x80)) {
    // The dump path: a typed line with a count.
    for (vigie::PasswordHash type : {vigie::PasswordHash::kSha1, vigie::PasswordHash::kNtlm}) {
      std::string hex;
      uint64_t count = 0;
      const vigie::Status ps = vigie::ParsePasswordHashLine(input, type, &hex, &count);
      if (!ps.ok()) {
        CheckMessageQuotesNothing(input, ps);
        continue;
      }
      FUZZ_CHECK(hex.size() == vigie::PasswordHashHexLength(type), "typed hash length");
      for (char c : hex) FUZZ_CHECK(IsUpperHex(c), "typed hash is upper-case hex");
      FUZZ_CHECK(count >= 1, "count is positive");
      std::string hex2;
      uint64_t count2 = 0;
      FUZZ_CHECK(vigie::ParsePasswordHashLine(hex + ":" + std::to_string(count), type, &hex2, &count2).ok(),
                 "canonical line parses");
      FUZZ_CHECK(hex2 == hex && count2 == count, "password line round trip");
    }
  }
  return 0;
}
