#include "core/csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace vigie {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  if (s.substr(0, kBom.size()) == kBom) s.remove_prefix(kBom.size());
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Case-folded column name: ASCII and the Latin-1 capitals (UTF-8 C3 80..9E, e.g. "É") lowered.
std::string NameKey(std::string_view name) {
  name = Trim(name);
  std::string key(name);
  for (size_t i = 0; i < key.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c >= 'A' && c <= 'Z') {
      key[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < key.size()) {
      unsigned char d = static_cast<unsigned char>(key[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) key[i + 1] = static_cast<char>(d + 0x20);  // 0x97 is '×'
      ++i;
    }
  }
  return key;
}

// NameKey without accents (Latin-1 letters in UTF-8) and without separators: "Numéro_Sécu" -> "numerosecu".
std::string LooseKey(std::string_view name) {
  // Base letters for UTF-8 C3 A0..BF (lower-case Latin-1); '?' = keep the letter as it is.
  static constexpr std::string_view kFold = "aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";
  static_assert(kFold.size() == 0x20);
  const std::string key = NameKey(name);
  std::string loose;
  loose.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
    const unsigned char d = i + 1 < key.size() ? static_cast<unsigned char>(key[i + 1]) : 0;
    // d past 0xBF is not a UTF-8 continuation byte (a Latin-1 or broken header): no letter to fold.
    if (static_cast<unsigned char>(c) == 0xC3 && d >= 0xA0 && d <= 0xBF && kFold[d - 0xA0] != '?') {
      loose += kFold[d - 0xA0];
      ++i;
      continue;
    }
    loose += c;
  }
  return loose;
}

// Loose keys of the names a column of each kind usually has, best-known first.
const std::vector<std::string_view>& Candidates(Kind kind) {
  static const std::vector<std::string_view> kNir = {
      "nir", "numerosecu", "numsecu", "ssn", "numerosecuritesociale", "numerodesecuritesociale", "nss"};
  static const std::vector<std::string_view> kEmail = {"email",        "mail",         "courriel",
                                                       "emailaddress", "adresseemail", "adressemail"};
  static const std::vector<std::string_view> kPhone = {"phone",  "telephone", "tel",
                                                       "mobile", "portable",  "phonenumber"};
  static const std::vector<std::string_view> kPassword = {"hash", "sha1", "ntlm", "password"};
  switch (kind) {
    case Kind::kNir:
      return kNir;
    case Kind::kEmail:
      return kEmail;
    case Kind::kPhone:
      return kPhone;
    case Kind::kPassword:
      return kPassword;
  }
  return kNir;
}

// A header name for an error message: bounded, cut on a UTF-8 boundary (a first line that is really data
// should not be echoed whole).
std::string ShortName(std::string_view name) {
  constexpr size_t kMax = 40;
  if (name.size() <= kMax) return std::string(name);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)) + "…";
}

std::string ListColumns(const std::vector<std::string_view>& header) {
  constexpr size_t kMaxListed = 50;
  std::string out;
  for (size_t i = 0; i < header.size() && i < kMaxListed; ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(i + 1) + " '" + ShortName(Trim(header[i])) + "'";
  }
  if (header.size() > kMaxListed) out += ", … (" + std::to_string(header.size()) + " columns)";
  return out;
}

Status Unbalanced(std::string what, size_t byte) {
  return Status::InvalidArgument("line.unbalanced-quote", what + " at byte " + std::to_string(byte + 1));
}

}  // namespace

Dialect DetectDialect(std::string_view first_line) {
  if (first_line.substr(0, kBom.size()) == kBom) first_line.remove_prefix(kBom.size());
  while (!first_line.empty() && (first_line.back() == '\n' || first_line.back() == '\r')) {
    first_line.remove_suffix(1);
  }
  static constexpr std::array<char, 4> kDelimiters = {';', '\t', ',', '|'};
  std::array<size_t, 4> counts{};
  bool quoted = false;
  for (char c : first_line) {
    if (c == '"') {
      quoted = !quoted;  // a doubled quote toggles twice
    } else if (!quoted) {
      for (size_t i = 0; i < kDelimiters.size(); ++i) counts[i] += c == kDelimiters[i];
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  Dialect dialect;
  if (counts[best] == 0) {
    dialect.format = Format::kLines;
    dialect.delimiter = '\0';
    dialect.header = false;
    for (Kind kind : kAllKinds) {
      if (GuessColumn(kind, {first_line})) dialect.header = true;
    }
    return dialect;
  }
  dialect.format = Format::kCsv;
  dialect.delimiter = kDelimiters[best];
  dialect.header = true;
  return dialect;
}

Status LineParser::ParseLine(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (IsBlank(line)) return Status::InvalidArgument("line.blank", "blank line");
  if (dialect_.format == Format::kLines) {
    fields->push_back(line);
    return Status::Ok();
  }
  if (!dialect_.quoting || std::memchr(line.data(), '"', line.size()) == nullptr) {
    // The common case: no quoting at all.
    const char* p = line.data();
    const char* const end = p + line.size();
    while (const void* d = std::memchr(p, dialect_.delimiter, end - p)) {
      fields->emplace_back(p, static_cast<const char*>(d) - p);
      p = static_cast<const char*>(d) + 1;
    }
    fields->emplace_back(p, end - p);
  } else {
    VIGIE_RETURN_IF_ERROR(ParseQuoted(line, fields));
  }
  if (fields->size() < expected_fields_) {
    return Status::InvalidArgument("line.too-few-fields", "the line has " + std::to_string(fields->size()) +
                                                              " fields, the header has " +
                                                              std::to_string(expected_fields_));
  }
  return Status::Ok();
}

Status LineParser::ParseQuoted(std::string_view line, std::vector<std::string_view>* fields) {
  const char delim = dialect_.delimiter;
  const char* const data = line.data();
  const size_t n = line.size();
  auto skip_spaces = [&](size_t i) {
    while (i < n && (data[i] == ' ' || data[i] == '\t') && data[i] != delim) ++i;
    return i;
  };
  // Unescaped text is never longer than the line, so reserving it up front keeps earlier views valid.
  scratch_.clear();
  scratch_.reserve(n);
  size_t i = 0;  // start of the current field
  while (true) {
    const size_t open = skip_spaces(i);
    if (open < n && data[open] == '"') {
      size_t k = open + 1;  // where to look for the next quote
      size_t segment = k;   // start of text not yet copied to scratch_
      size_t scratch_begin = std::string::npos;
      size_t close;
      while (true) {
        const void* q = std::memchr(data + k, '"', n - k);
        if (q == nullptr) return Unbalanced("unterminated quoted field starting", open);
        const size_t at = static_cast<const char*>(q) - data;
        if (at + 1 < n && data[at + 1] == '"') {  // "" stands for one quote
          if (scratch_begin == std::string::npos) scratch_begin = scratch_.size();
          scratch_.append(data + segment, at + 1 - segment);
          k = segment = at + 2;
          continue;
        }
        close = at;
        break;
      }
      if (scratch_begin == std::string::npos) {
        fields->push_back(line.substr(open + 1, close - open - 1));
      } else {
        scratch_.append(data + segment, close - segment);
        fields->emplace_back(scratch_.data() + scratch_begin, scratch_.size() - scratch_begin);
      }
      const size_t after = skip_spaces(close + 1);
      if (after == n) return Status::Ok();
      if (data[after] != delim) return Unbalanced("text after a closing quote", after);
      i = after + 1;
    } else {
      const void* d = std::memchr(data + i, delim, n - i);
      const size_t end = d ? static_cast<const char*>(d) - data : n;
      // A quote inside an unquoted field (O"Brien) is kept as a literal character, as lenient CSV readers
      // do: real dumps carry such strays, and rejecting the row would lose an intact identifier.
      fields->push_back(line.substr(i, end - i));
      if (d == nullptr) return Status::Ok();
      i = end + 1;
    }
  }
}

Result<int> ResolveColumn(const ColumnSpec& spec, const std::vector<std::string_view>& header_fields) {
  if (spec.number < 0) {
    return Status::InvalidArgument("column.out-of-range",
                                   "column numbers start at 1, not " + std::to_string(spec.number));
  }
  if (spec.number > 0) {
    if (!header_fields.empty() && static_cast<size_t>(spec.number) > header_fields.size()) {
      return Status::InvalidArgument(
          "column.out-of-range", "there is no column " + std::to_string(spec.number) + ": the header has " +
                                     std::to_string(header_fields.size()) + " (" + ListColumns(header_fields) + ")");
    }
    return spec.number - 1;
  }
  const std::string key = NameKey(spec.name);
  if (key.empty()) {
    return Status::InvalidArgument("column.none", "no column given: pass a column name or number");
  }
  int found = -1;
  for (size_t i = 0; i < header_fields.size(); ++i) {
    if (NameKey(header_fields[i]) != key) continue;
    if (found >= 0) {
      return Status::InvalidArgument("column.ambiguous", "columns " + std::to_string(found + 1) + " and " +
                                                             std::to_string(i + 1) + " are both named '" +
                                                             ShortName(spec.name) + "': pass a number");
    }
    found = static_cast<int>(i);
  }
  if (found < 0) {
    return Status::InvalidArgument("column.unknown", "no column named '" + ShortName(spec.name) +
                                                         "'; the header's columns are: " + ListColumns(header_fields));
  }
  return found;
}

std::optional<int> GuessColumn(Kind kind, const std::vector<std::string_view>& header_fields) {
  std::vector<std::string> keys;
  keys.reserve(header_fields.size());
  for (std::string_view field : header_fields) keys.push_back(LooseKey(field));
  for (std::string_view candidate : Candidates(kind)) {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == candidate) return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

Result<int> ChooseColumn(Kind kind, std::string_view column, const Dialect& dialect,
                         const std::vector<std::string_view>& header_fields) {
  if (dialect.format == Format::kLines) {
    if (!column.empty() && column != "1") {
      return Status::InvalidArgument("column.lines",
                                     "this input is a plain list (one identifier per line); "
                                     "--column " +
                                         std::string(column) + " does not apply");
    }
    return -1;
  }
  if (column.empty()) {
    auto guessed = dialect.header ? GuessColumn(kind, header_fields) : std::nullopt;
    if (!guessed) {
      return Status::InvalidArgument("column.missing", "no column for kind " + std::string(KindName(kind)) +
                                                           " could be guessed from the header: give --column");
    }
    return *guessed;
  }
  ColumnSpec spec;
  const bool digits = std::all_of(column.begin(), column.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    const auto [ptr, ec] = std::from_chars(column.data(), column.data() + column.size(), spec.number);
    if (ec != std::errc() || spec.number <= 0) {
      return Status::InvalidArgument(
          "column.number", "--column " + std::string(column) + ": a column number runs from 1 to the file's width");
    }
  } else {
    spec.name = std::string(column);
  }
  return ResolveColumn(spec, header_fields);
}

}  // namespace vigie
