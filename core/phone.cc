#include "core/phone.h"

#include <array>

#include "core/blank.h"

namespace vigie {
namespace {

constexpr size_t kMaxDigits = 15;  // E.164

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsPhoneSeparator(char c) {
  return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')';
}

Status WrongDigits(const char* what) { return Status::InvalidArgument("phone.digits", what); }

// Country codes of the French numbering plan: their numbers have 9 digits after the code.
bool IsFrenchPlan(std::string_view cc) {
  return cc == "33" || cc == "262" || cc == "590" || cc == "594" || cc == "596";
}

// The overseas country code owning a 9-digit French number, or "33".
std::string_view OwnerOf(std::string_view nsn) {
  struct Block {
    std::string_view prefix, cc;
  };
  // clang-format off
  static constexpr std::array<Block, 14> kOverseas = {{
      {"262", "262"}, {"263", "262"}, {"269", "262"}, {"639", "262"}, {"692", "262"}, {"693", "262"},
      {"590", "590"}, {"690", "590"}, {"691", "590"},
      {"594", "594"}, {"694", "594"},
      {"596", "596"}, {"696", "596"}, {"697", "596"},
  }};
  // clang-format on
  for (const Block& b : kOverseas) {
    if (nsn.substr(0, 3) == b.prefix) return b.cc;
  }
  return "33";
}

// `rest` follows a French-plan country code `cc`.
Status FrenchPlan(std::string_view cc, std::string_view rest, std::string* canonical) {
  if (rest.size() == 10 && rest[0] == '0') rest.remove_prefix(1);  // "+33 06 …": the trunk 0 kept by mistake
  if (rest.size() != 9 || rest[0] == '0') {
    return WrongDigits("a French number has 9 digits after the country code (10 with the leading 0)");
  }
  if (cc == "33") cc = OwnerOf(rest);
  canonical->assign("+");
  canonical->append(cc);
  canonical->append(rest);
  return Status();
}

Status International(std::string_view digits, std::string* canonical) {
  if (digits.empty()) return WrongDigits("no digits after the international prefix");
  if (digits[0] == '0') return Status::InvalidArgument("phone.country", "a country code never starts with 0");
  for (size_t n = 2; n <= 3 && n < digits.size(); ++n) {
    const std::string_view cc = digits.substr(0, n);
    if (IsFrenchPlan(cc)) return FrenchPlan(cc, digits.substr(n), canonical);
  }
  if (digits.size() < 7 || digits.size() > kMaxDigits) {
    return WrongDigits("an international number has 7 to 15 digits, country code included");
  }
  canonical->assign("+");
  canonical->append(digits);
  return Status();
}

}  // namespace

Status NormalizePhone(std::string_view input, std::string* canonical) {
  const std::string_view s = blank::Trim(input);
  // Room for a few digits past E.164 so that "too long" needs no counting beyond.
  char buf[kMaxDigits + 4];
  size_t len = 0;
  bool plus = false;
  size_t trunk_at = std::string_view::npos;  // where a "(0)" trunk prefix was skipped
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (IsDigit(c)) {
      if (len == sizeof buf) return WrongDigits("a phone number has at most 15 digits");
      buf[len++] = c;
      ++i;
    } else if (c == '(' && len > 0 && trunk_at == std::string_view::npos && s.substr(i, 3) == "(0)") {
      trunk_at = len;
      i += 3;
    } else if (IsPhoneSeparator(c)) {
      ++i;
    } else if (size_t n = blank::NbspAt(s, i); n > 0) {
      i += n;
    } else if (c == '+' && !plus && len == 0) {
      plus = true;
      ++i;
    } else {
      return Status::InvalidArgument(
          "phone.characters",
          "a phone number holds only digits, one leading '+' and the separators space . - / ( ) and no-break "
          "spaces");
    }
  }
  std::string_view digits(buf, len);
  if (len == 0 && !plus) return Status::InvalidArgument("empty", "no phone number given");
  if (plus) return International(digits, canonical);
  if (digits.substr(0, 2) == "00") return International(digits.substr(2), canonical);
  if (digits.substr(0, 2) == "33") return International(digits, canonical);
  if (trunk_at != std::string_view::npos) {
    return Status::InvalidArgument("phone.prefix", "\"(0)\" belongs after a country code given with + or 00");
  }
  if (digits[0] == '0') {
    if (len != 10) return WrongDigits("a French number has 10 digits, starting with 0");
    return FrenchPlan("33", digits.substr(1), canonical);
  }
  return Status::InvalidArgument("phone.prefix", "a number without + or 00 must be French, starting with 0 (or 33)");
}

}  // namespace vigie
