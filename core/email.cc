#include "core/email.h"

#include "core/blank.h"

namespace vigie {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// RFC 5322 "atext" (after lower-casing).
bool IsAtext(char c) {
  if (IsLowerAlnum(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

Status BadLocal(const char* what) { return Status::InvalidArgument("email.local", what); }
Status BadDomain(const char* what) { return Status::InvalidArgument("email.domain", what); }

Status CheckLocal(std::string_view local) {
  if (local.empty()) return BadLocal("nothing before the '@'");
  if (local.front() == '.' || local.back() == '.') {
    return BadLocal("the part before the '@' starts or ends with a dot");
  }
  for (size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.') {
      if (local[i + 1] == '.') return BadLocal("two dots in a row before the '@'");
    } else if (!IsAtext(local[i])) {
      return BadLocal("a character not allowed before the '@'");
    }
  }
  return Status();
}

Status CheckDomain(std::string_view domain) {
  if (domain.empty()) return BadDomain("nothing after the '@'");
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return BadDomain("the domain has an empty label (a leading, trailing or doubled dot)");
    if (label.size() > 63) return BadDomain("a domain label is longer than 63 characters");
    if (label.front() == '-' || label.back() == '-') {
      return BadDomain("a domain label starts or ends with '-'");
    }
    bool all_digits = true;
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-') {
        return BadDomain("the domain holds a character other than letters, digits, '-' and dots");
      }
      all_digits = all_digits && c >= '0' && c <= '9';
    }
    ++labels;
    if (dot == std::string_view::npos) {
      if (labels < 2) return BadDomain("the domain has no dot");
      if (all_digits) return BadDomain("the top-level domain is all digits (IP addresses are not accepted)");
      return Status();
    }
    start = dot + 1;
  }
}

}  // namespace

Status NormalizeEmail(std::string_view input, std::string* canonical) {
  std::string_view s = blank::Trim(input);
  if (s.empty()) return Status::InvalidArgument("empty", "no e-mail address given");
  size_t at = std::string_view::npos;
  size_t ats = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      return Status::InvalidArgument(
          "email.non-ascii", "the address holds non-ASCII characters (write internationalised domains in punycode)");
    }
    if (c == '@') {
      at = i;
      ++ats;
    } else if (c != '.' && !IsAtext(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c)) {
      return Status::InvalidArgument("email.characters",
                                     "the address holds a space, control character, quote or bracket");
    }
  }
  if (ats != 1) return Status::InvalidArgument("email.at", "an address has exactly one '@'");
  if (s.size() > kMaxEmailLength) {
    return Status::InvalidArgument("email.length", "the address is longer than 254 characters");
  }
  if (at > kMaxEmailLocalLength) {
    return Status::InvalidArgument("email.length", "the part before the '@' is longer than 64 characters");
  }
  canonical->assign(s);
  for (char& c : *canonical) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string_view lower(*canonical);
  VIGIE_RETURN_IF_ERROR(CheckLocal(lower.substr(0, at)));
  return CheckDomain(lower.substr(at + 1));
}

}  // namespace vigie
