#include "core/normalize.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/email.h"
#include "core/nir.h"
#include "core/phone.h"

namespace vigie {
namespace {

TEST_CASE("Normalize dispatches each kind to its normaliser") {
  struct Case {
    Kind kind;
    const char* input;
    const char* canonical;  // null when rejected
    const char* reason;
  };
  const Case cases[] = {
      {Kind::kNir, "2 73 05 2a 012 345", "273052A01234535", ""},
      {Kind::kNir, "185057800608492", nullptr, "nir.key"},
      {Kind::kEmail, " John.Doe@Example.COM ", "john.doe@example.com", ""},
      {Kind::kEmail, "john@localhost", nullptr, "email.domain"},
      {Kind::kPhone, "+33 (0)6 12 34 56 78", "+33612345678", ""},
      {Kind::kPhone, "612345678", nullptr, "phone.prefix"},
      {Kind::kPassword, "e9b68fc708c718c7c5c767c661cd5b89837b031e:12", "E9B68FC708C718C7C5C767C661CD5B89837B031E", ""},
      {Kind::kPassword, "e9b68fc708c718c7c5c767c661cd5b89837b031e", "E9B68FC708C718C7C5C767C661CD5B89837B031E", ""},
      {Kind::kPassword, "441304e63ec4039b752909b64d76c470:3\r\n", "441304E63EC4039B752909B64D76C470", ""},
      {Kind::kPassword, "441304e63ec4039b752909b64d76c470:0", nullptr, "password.count"},
      {Kind::kPassword, "441304e63ec4039b752909b64d76c47", nullptr, "password.length"},
      {Kind::kPassword, "X41304e63ec4039b752909b64d76c470", nullptr, "password.hex"},
      {Kind::kPassword, "  ", nullptr, "empty"},
      // An input valid for one kind is not silently accepted by another.
      {Kind::kNir, "+33612345678", nullptr, "nir.characters"},
      {Kind::kPhone, "185057800608491", nullptr, "phone.prefix"},
      {Kind::kEmail, "185057800608491", nullptr, "email.at"},
  };
  for (const Case& c : cases) {
    INFO(static_cast<int>(c.kind) << " " << c.input);
    std::string out;
    Status st = Normalize(c.kind, c.input, &out);
    if (c.canonical != nullptr) {
      REQUIRE_MESSAGE(st.ok(), st.ToString());
      CHECK(out == c.canonical);
    } else {
      REQUIRE_FALSE(st.ok());
      CHECK(st.reason() == c.reason);
    }
  }
}

TEST_CASE("Normalize agrees with the per-kind functions") {
  std::string a, b;
  CHECK(Normalize(Kind::kNir, "1850578006084", &a).ok());
  CHECK(NormalizeNir("1850578006084", &b).ok());
  CHECK(a == b);
  CHECK(Normalize(Kind::kEmail, "A@B.CO", &a).ok());
  CHECK(NormalizeEmail("A@B.CO", &b).ok());
  CHECK(a == b);
  CHECK(Normalize(Kind::kPhone, "0033 6 12 34 56 78", &a).ok());
  CHECK(NormalizePhone("0033 6 12 34 56 78", &b).ok());
  CHECK(a == b);
}

TEST_CASE("Normalize: canonical forms are fixed points, for arbitrary inputs") {
  // Deterministic pseudo-random inputs over an alphabet rich in the bytes the normalisers care about.
  // clang-format off
  static constexpr std::string_view kAlphabet[] = {
      "0", "1", "2", "3", "6", "7", "9", "a", "A", "b", "B", "c", "e", "f", "x", "@", ".", "-", "/", "(", ")",
      "(0)", "+", " ", "\t", ":", "\xa0", "\xc2\xa0", "\xe2\x80\xaf", "\xc2", "\xff", "\"", "33", "00", "2A",
      "2b", "example.com", "185057800608", "06123", "45678", "john", "@b.co"};
  // clang-format on
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int accepted = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string input;
    for (uint64_t pieces = next() % 12; pieces > 0; --pieces) {
      input += kAlphabet[next() % std::size(kAlphabet)];
    }
    for (Kind kind : kAllKinds) {
      std::string out;
      if (!Normalize(kind, input, &out).ok()) continue;
      ++accepted;
      std::string again;
      Status st = Normalize(kind, out, &again);
      INFO(static_cast<int>(kind));
      CHECK(st.ok());
      CHECK(again == out);
      if (kind == Kind::kNir) CHECK(ComputeNirKey(std::string_view(out).substr(0, 13)) >= 0);
    }
  }
  CHECK(accepted > 100);  // the alphabet does produce valid identifiers, so the property is exercised
}

}  // namespace
}  // namespace vigie
