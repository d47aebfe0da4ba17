#include "core/nir.h"

#include <cstdint>

#include "core/blank.h"

namespace vigie {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
int TwoDigits(std::string_view s, size_t i) { return (s[i] - '0') * 10 + (s[i + 1] - '0'); }
int ThreeDigits(std::string_view s, size_t i) { return (s[i] - '0') * 100 + TwoDigits(s, i + 1); }

bool IsNirSeparator(char c) { return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/'; }

Status KeyMismatch() {
  return Status::InvalidArgument("nir.key", "the key (last two digits) does not match the first 13 digits");
}

}  // namespace

int ComputeNirKey(std::string_view first13) {
  if (first13.size() != 13) return -1;
  uint64_t n = 0;
  for (size_t i = 0; i < 13; ++i) {
    char c = first13[i];
    if (IsDigit(c)) {
      n = n * 10 + static_cast<uint64_t>(c - '0');
    } else if (i == 6 && first13[5] == '2' && (c == 'A' || c == 'B')) {
      // The département digit '2' is already in n; 2A counts as 19 and 2B as 18.
      n = (n - 2) * 10 + (c == 'A' ? 19 : 18);
    } else {
      return -1;
    }
  }
  return static_cast<int>(97 - n % 97);
}

Status NormalizeNir(std::string_view input, std::string* canonical) {
  // One byte more than a NIR so that "too long" is known without counting further.
  char buf[kNirLength + 1];
  size_t len = 0;
  for (size_t i = 0; i < input.size();) {
    char c = input[i];
    if (IsNirSeparator(c)) {
      ++i;
      continue;
    }
    if (size_t n = blank::NbspAt(input, i); n > 0) {
      i += n;
      continue;
    }
    if (IsDigit(c)) {
      if (len < sizeof buf) buf[len] = c;
      ++len;
    } else if (IsAsciiLetter(c)) {
      char u = Upper(c);
      if (len == 6 && buf[5] == '2' && (u == 'A' || u == 'B')) {
        buf[len++] = u;
      } else if (len == 5 || len == 6) {
        return Status::InvalidArgument("nir.corsica",
                                       "positions 6-7 (the département) may hold a letter only as 2A or 2B (Corsica)");
      } else {
        return Status::InvalidArgument("nir.characters",
                                       "a NIR has letters only in the Corsica département 2A/2B (positions 6-7)");
      }
    } else {
      return Status::InvalidArgument(
          "nir.characters",
          "a NIR holds only digits (2A/2B for Corsica) and the separators space, tab, '.', '-', '/' and "
          "no-break spaces");
    }
    ++i;
  }
  if (len == 0) return Status::InvalidArgument("empty", "no NIR given");
  if (len != 13 && len != kNirLength) {
    return Status::InvalidArgument("nir.length", "a NIR has 15 characters (or 13 without its key)");
  }
  const int key = ComputeNirKey(std::string_view(buf, 13));
  if (len == 13) {
    buf[13] = static_cast<char>('0' + key / 10);
    buf[14] = static_cast<char>('0' + key % 10);
  } else {
    const int given = TwoDigits(std::string_view(buf, kNirLength), 13);
    if (given == 0 || given > 97) {
      return Status::InvalidArgument("nir.key-range", "the key (last two digits) must be between 01 and 97");
    }
    if (given != key) return KeyMismatch();
  }
  canonical->assign(buf, kNirLength);
  return Status();
}

NirPlausibility CheckNirPlausibility(std::string_view s) {
  NirPlausibility out;
  auto report = [&out](std::string_view problem) {
    out.plausible = false;
    out.problems.push_back(problem);
  };
  bool canonical = s.size() == kNirLength && ComputeNirKey(s.substr(0, 13)) >= 0 && IsDigit(s[13]) && IsDigit(s[14]);
  if (!canonical) {
    report("nir.not-canonical");
    return out;
  }
  if (TwoDigits(s, 13) != ComputeNirKey(s.substr(0, 13))) report("nir.key");

  // 1, 2: people; 3, 4: provisional numbers; 7, 8: temporary numbers (NIA).
  if (std::string_view("123478").find(s[0]) == std::string_view::npos) report("nir.sex");
  const int month = TwoDigits(s, 3);
  if (month == 0 || (month > 12 && month < 20)) report("nir.month");

  // Commune (or country) width depends on the département: 3 digits at positions 8-10 usually, 2 digits at
  // positions 9-10 after a 3-digit overseas département.
  int commune = -1;
  if (s[6] == 'A' || s[6] == 'B') {
    commune = ThreeDigits(s, 7);
  } else {
    const int dep = TwoDigits(s, 5);
    if (dep >= 1 && dep <= 96) {
      commune = ThreeDigits(s, 7);
    } else if ((dep == 97 && s[7] >= '1' && s[7] <= '8') || (dep == 98 && s[7] >= '4')) {
      commune = TwoDigits(s, 8);
    } else if (dep == 99) {
      if (ThreeDigits(s, 7) < 101) report("nir.country");
    } else {
      report("nir.department");
    }
  }
  if (commune == 0) report("nir.commune");
  if (ThreeDigits(s, 10) == 0) report("nir.order");
  return out;
}

}  // namespace vigie
