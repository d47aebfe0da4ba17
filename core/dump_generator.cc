#include "core/dump_generator.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "core/dump_tables.h"
#include "core/nir.h"

namespace vigie {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Reserved for documentation and tests (RFC 2606 / RFC 6761): no real mailbox can be hit.
constexpr std::array<std::string_view, 5> kEmailDomains = {"example.org", "example.net", "example.com", "mail.example",
                                                           "fai.test"};
constexpr int kFirstBirthYear = 1930, kBirthYears = 94;  // 1930..2023

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256**.
uint64_t Next(std::array<uint64_t, 4>& s) {
  const uint64_t result = Rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

__extension__ typedef unsigned __int128 Uint128;  // GCC/Clang; __extension__ quiets -Wpedantic

// Uniform in [0, n) by multiply-shift (Lemire); the bias is < n / 2^64, irrelevant here.
uint64_t Uniform(std::array<uint64_t, 4>& s, uint64_t n) {
  return static_cast<uint64_t>((static_cast<Uint128>(Next(s)) * n) >> 64);
}

// Index in [0, n) skewed towards the start (density falls linearly): the lists put common names first.
uint64_t Skewed(std::array<uint64_t, 4>& s, uint64_t n) { return std::min(Uniform(s, n), Uniform(s, n)); }

// A probability as a 64-bit threshold, computed once so that no floating point runs per row.
uint64_t Threshold(double rate) {
  if (rate <= 0) return 0;
  if (rate >= 1) return UINT64_MAX;
  return static_cast<uint64_t>(rate * 18446744073709551616.0);
}

void AppendDigits(std::string* out, uint64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<size_t>(width));
}

void AppendNumber(std::string* out, uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, end);
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

// Lower-case ASCII e-mail local part of a name: accents folded, spaces and apostrophes dropped.
std::string EmailPart(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == 0xC3 && i + 1 < name.size()) {
      // U+00C0..U+00FF: fold the Latin-1 letters our lists use.
      unsigned char d = static_cast<unsigned char>(name[++i]) | 0x20;  // upper -> lower
      static constexpr std::string_view kFold = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
      out.push_back(d >= 0xA0 ? kFold[d - 0xA0] : '_');
    } else if (c == ' ' || c == '\'') {
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
  }
  return out;
}

// The name re-encoded in Latin-1 (U+0080..U+00FF only; our lists have nothing beyond).
std::string ToLatin1(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F)));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

bool HasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// MD4 (RFC 1320), only for NTLM hashes, which OpenSSL 3 keeps behind its legacy provider.
void Md4(const uint8_t* data, size_t len, uint8_t digest[16]) {
  uint32_t h[4] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476};
  std::vector<uint8_t> msg(data, data + len);
  msg.push_back(0x80);
  while (msg.size() % 64 != 56) msg.push_back(0);
  const uint64_t bits = static_cast<uint64_t>(len) * 8;
  for (int i = 0; i < 8; ++i) msg.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  auto rotl = [](uint32_t x, int k) { return (x << k) | (x >> (32 - k)); };
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t x[16];
    for (int i = 0; i < 16; ++i) {
      const uint8_t* p = &msg[off + 4 * i];
      x[i] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    static constexpr int kS1[4] = {3, 7, 11, 19}, kS2[4] = {3, 5, 9, 13}, kS3[4] = {3, 9, 11, 15};
    static constexpr int kO3[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    for (int i = 0; i < 16; ++i) {
      uint32_t f = (b & c) | (~b & d);
      uint32_t t = rotl(a + f + x[i], kS1[i % 4]);
      a = d, d = c, c = b, b = t;
    }
    for (int i = 0; i < 16; ++i) {
      uint32_t g = (b & c) | (b & d) | (c & d);
      uint32_t t = rotl(a + g + x[(i % 4) * 4 + i / 4] + 0x5A827999, kS2[i % 4]);
      a = d, d = c, c = b, b = t;
    }
    for (int i = 0; i < 16; ++i) {
      uint32_t t = rotl(a + (b ^ c ^ d) + x[kO3[i]] + 0x6ED9EBA1, kS3[i % 4]);
      a = d, d = c, c = b, b = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  }
  for (int i = 0; i < 16; ++i) digest[i] = static_cast<uint8_t>(h[i / 4] >> (8 * (i % 4)));
}

void AppendHexUpper(std::string* out, const uint8_t* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kHex[bytes[i] >> 4]);
    out->push_back(kHex[bytes[i] & 15]);
  }
}

}  // namespace

std::string_view ErrorClassName(ErrorClass error) {
  static constexpr std::array<std::string_view, kErrorClassCount> kNames = {
      "wrong-key", "missing-key", "separators", "truncated", "blank-line", "stray-quote", "crlf", "latin1"};
  return kNames[static_cast<size_t>(error)];
}

uint64_t ErrorCounts::total_errors() const {
  uint64_t total = 0;
  for (uint64_t n : errors) total += n;
  return total;
}

std::string ErrorCounts::ToString() const {
  std::string out = "rows=" + std::to_string(rows) + "\nduplicates=" + std::to_string(duplicates) + "\n";
  for (size_t i = 0; i < kErrorClassCount; ++i) {
    out.append(ErrorClassName(static_cast<ErrorClass>(i))).append("=").append(std::to_string(errors[i]));
    out.push_back('\n');
  }
  return out;
}

struct DumpGenerator::Tables {
  std::vector<std::string> texts;                                // owns the bytes the views below point into
  std::vector<std::string_view> place_codes;                     // 5 characters: commune codes, then "99" + country
  std::vector<uint64_t> commune_cumulative, country_cumulative;  // running totals of weights
  size_t commune_count = 0;
  std::array<std::vector<std::string_view>, 2> prenoms;  // [0] male (sex 1), [1] female (sex 2)
  std::array<std::vector<std::string>, 2> prenom_emails;
  std::array<std::vector<uint16_t>, 2> accented;  // indexes of prenoms with a non-ASCII letter
  std::vector<std::string_view> noms;
  std::vector<std::string> nom_emails;
  std::vector<std::string_view> organismes;
};

struct DumpGenerator::Person {
  uint16_t nom = 0, prenom = 0, year = 0;
  uint8_t sex = 0, day = 0, month = 0;
  char nir[15] = {};
  uint16_t email_tag = 0;
  uint8_t email_domain = 0, phone_style = 0;
  uint32_t phone = 0;  // 9 digits after the leading 0: 6xxxxxxxx or 7xxxxxxxx
};

DumpGenerator::DumpGenerator(const GeneratorOptions& options) : options_(options) {}
DumpGenerator::~DumpGenerator() = default;

Status DumpGenerator::Init() {
  for (double rate : {options_.duplicate_rate, options_.error_rate, options_.abroad_rate}) {
    if (!(rate >= 0 && rate <= 1)) {
      return Status::InvalidArgument("gen.rate", "rates must be between 0 and 1");
    }
  }
  if (options_.duplicate_rate > 0 && options_.duplicate_window == 0) {
    return Status::InvalidArgument("gen.window", "the duplicate window must hold at least one row");
  }
  uint64_t seed_state = options_.seed;
  for (uint64_t& word : rng_) word = SplitMix64(&seed_state);
  duplicate_threshold_ = Threshold(options_.duplicate_rate);
  error_threshold_ = Threshold(options_.error_rate);
  abroad_threshold_ = Threshold(options_.abroad_rate);

  auto t = std::make_unique<Tables>();
  static constexpr std::array<std::string_view, 6> kFiles = {
      "communes.tsv", "pays.tsv", "prenoms_masculins.txt", "prenoms_feminins.txt", "noms.txt", "organismes.txt"};
  t->texts.reserve(kFiles.size());
  for (std::string_view file : kFiles) {
    std::optional<std::string> text = EmbeddedDumpTable(file);
    if (!text) return Status::Internal("embedded table missing: " + std::string(file));
    t->texts.push_back(std::move(*text));
  }
  auto add_places = [&](std::string_view text, int weight_column, std::vector<uint64_t>* cumulative,
                        std::string_view prefix) -> Status {
    uint64_t total = cumulative->empty() ? 0 : cumulative->back();
    for (std::string_view line : Lines(text)) {
      std::string_view code = line.substr(0, line.find('\t'));
      std::string_view rest = line.substr(std::min(line.size(), code.size() + 1));
      if (weight_column == 1) rest = rest.substr(0, rest.find('\t'));
      uint64_t weight = 0;
      auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), weight);
      if (ec != std::errc() || code.size() != 5 || !code.starts_with(prefix) || weight == 0) {
        return Status::Internal("bad embedded table line: " + std::string(line));
      }
      t->place_codes.push_back(code);
      cumulative->push_back(total += weight);
    }
    return Status::Ok();
  };
  VIGIE_RETURN_IF_ERROR(add_places(t->texts[0], 0, &t->commune_cumulative, ""));
  t->commune_count = t->place_codes.size();
  VIGIE_RETURN_IF_ERROR(add_places(t->texts[1], 1, &t->country_cumulative, "99"));
  for (int sex = 0; sex < 2; ++sex) {
    t->prenoms[sex] = Lines(t->texts[2 + sex]);
    for (size_t i = 0; i < t->prenoms[sex].size(); ++i) {
      t->prenom_emails[sex].push_back(EmailPart(t->prenoms[sex][i]));
      if (HasNonAscii(t->prenoms[sex][i])) t->accented[sex].push_back(static_cast<uint16_t>(i));
    }
  }
  t->noms = Lines(t->texts[4]);
  for (std::string_view nom : t->noms) t->nom_emails.push_back(EmailPart(nom));
  t->organismes = Lines(t->texts[5]);
  if (t->commune_count == 0 || t->country_cumulative.empty() || t->accented[0].empty() || t->accented[1].empty() ||
      t->noms.empty() || t->organismes.empty() || t->noms.size() > 65535 || t->prenoms[0].size() > 65535 ||
      t->prenoms[1].size() > 65535) {
    return Status::Internal("embedded tables are incomplete");
  }
  tables_ = std::move(t);
  if (options_.duplicate_rate > 0) ring_ = std::make_unique<Person[]>(options_.duplicate_window);
  return Status::Ok();
}

std::string DumpGenerator::Header() const {
  if (options_.kind != DumpKind::kCsv) return "";
  std::string header;
  if (options_.bom || options_.error_rate > 0) header.append(kBom);
  header.append("nom;prenom;date_naissance;nir;organisme");
  if (options_.email) header.append(";email");
  if (options_.phone) header.append(";telephone");
  header.push_back('\n');
  return header;
}

void DumpGenerator::NextRow(std::string* out) {
  ++counts_.rows;
  if (options_.kind == DumpKind::kCsv) {
    NextCsvRow(out);
  } else {
    NextPasswordRow(out);
  }
}

void DumpGenerator::NewPerson(Person* p) {
  const Tables& t = *tables_;
  p->sex = static_cast<uint8_t>(1 + Uniform(rng_, 2));
  p->prenom = static_cast<uint16_t>(Skewed(rng_, t.prenoms[p->sex - 1].size()));
  p->nom = static_cast<uint16_t>(Skewed(rng_, t.noms.size()));
  p->year = static_cast<uint16_t>(kFirstBirthYear + Uniform(rng_, kBirthYears));
  p->month = static_cast<uint8_t>(1 + Uniform(rng_, 12));
  static constexpr uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (p->year % 4 == 0 && p->year % 100 != 0) || p->year % 400 == 0;
  p->day = static_cast<uint8_t>(1 + Uniform(rng_, kDays[p->month - 1] + (p->month == 2 && leap ? 1 : 0)));

  std::string_view place;
  if (Next(rng_) < abroad_threshold_) {
    uint64_t r = Uniform(rng_, t.country_cumulative.back());
    size_t i =
        std::upper_bound(t.country_cumulative.begin(), t.country_cumulative.end(), r) - t.country_cumulative.begin();
    place = t.place_codes[t.commune_count + i];
  } else {
    uint64_t r = Uniform(rng_, t.commune_cumulative.back());
    place = t.place_codes[std::upper_bound(t.commune_cumulative.begin(), t.commune_cumulative.end(), r) -
                          t.commune_cumulative.begin()];
  }
  char* n = p->nir;
  n[0] = static_cast<char>('0' + p->sex);
  n[1] = static_cast<char>('0' + (p->year / 10) % 10);
  n[2] = static_cast<char>('0' + p->year % 10);
  n[3] = static_cast<char>('0' + p->month / 10);
  n[4] = static_cast<char>('0' + p->month % 10);
  std::memcpy(n + 5, place.data(), 5);
  const uint64_t order = 1 + Uniform(rng_, 999);
  n[10] = static_cast<char>('0' + order / 100);
  n[11] = static_cast<char>('0' + (order / 10) % 10);
  n[12] = static_cast<char>('0' + order % 10);
  const int key = ComputeNirKey(std::string_view(n, 13));
  n[13] = static_cast<char>('0' + key / 10);
  n[14] = static_cast<char>('0' + key % 10);

  p->email_tag = static_cast<uint16_t>(1 + Uniform(rng_, 9999));
  p->email_domain = static_cast<uint8_t>(Uniform(rng_, kEmailDomains.size()));
  p->phone = static_cast<uint32_t>((6 + Uniform(rng_, 2)) * 100000000 + Uniform(rng_, 100000000));
  p->phone_style = static_cast<uint8_t>(Uniform(rng_, 7));
}

// A new person (kept in the ring for later duplicates), or now and then one of the ring's recent ones.
const DumpGenerator::Person* DumpGenerator::PickPerson(Person* fresh) {
  if (ring_filled_ > 0 && Next(rng_) < duplicate_threshold_) {
    ++counts_.duplicates;
    return &ring_[(ring_next_ + options_.duplicate_window - 1 - Uniform(rng_, ring_filled_)) %
                  options_.duplicate_window];
  }
  NewPerson(fresh);
  if (ring_) {
    ring_[ring_next_] = *fresh;
    ring_next_ = (ring_next_ + 1) % options_.duplicate_window;
    ring_filled_ = std::min(ring_filled_ + 1, options_.duplicate_window);
  }
  return fresh;
}

// The NIR column as the dump writes it, with `error` applied. False when the row was truncated (and ended).
bool DumpGenerator::AppendNir(std::string_view nir, std::optional<ErrorClass> error, std::string* out) {
  if (error == ErrorClass::kTruncated) {
    out->append(nir.substr(0, 1 + Uniform(rng_, 12)));
    out->push_back('\n');
    return false;
  } else if (error == ErrorClass::kWrongKey) {
    const int key = (nir[13] - '0') * 10 + (nir[14] - '0');
    const int wrong = static_cast<int>((key - 1 + 1 + Uniform(rng_, 96)) % 97 + 1);  // 1..97, != key
    out->append(nir.substr(0, 13));
    AppendDigits(out, static_cast<uint64_t>(wrong), 2);
  } else if (error == ErrorClass::kMissingKey) {
    out->append(nir.substr(0, 13));
  } else if (error == ErrorClass::kSeparators) {
    // Groups as printed on the carte Vitale: 1 85 05 78 006 084 91.
    static constexpr int kGroups[7] = {1, 2, 2, 2, 3, 3, 2};
    const uint64_t style = Uniform(rng_, 3);  // spaces, dots, or both
    size_t at = 0;
    for (int g = 0; g < 7; ++g) {
      if (g > 0) out->push_back(style == 0 ? ' ' : style == 1 ? '.' : (g % 2 ? ' ' : '.'));
      out->append(nir.substr(at, kGroups[g]));
      at += kGroups[g];
    }
  } else {
    out->append(nir);
  }
  return true;
}

// A French mobile number in one of the writings people use.
void DumpGenerator::AppendPhone(const Person& person, std::string* out) {
  char d[9];
  for (int i = 8, v = static_cast<int>(person.phone); i >= 0; --i, v /= 10) d[i] = static_cast<char>('0' + v % 10);
  // 0612345678, 06 12 34 56 78, +33 6 12 34 56 78, +33612345678, 06.12.34.56.78, 0033 6 12 34 56 78,
  // 06-12-34-56-78.
  struct Style {
    std::string_view prefix;
    char separator;
  };
  static constexpr Style kStyles[7] = {{"0", 0},   {"0", ' '},     {"+33 ", ' '}, {"+33", 0},
                                       {"0", '.'}, {"0033 ", ' '}, {"0", '-'}};
  const Style& style = kStyles[person.phone_style];
  out->append(style.prefix).push_back(d[0]);
  for (int i = 1; i < 9; i += 2) {
    if (style.separator) out->push_back(style.separator);
    out->append(d + i, 2);
  }
}

void DumpGenerator::NextCsvRow(std::string* out) {
  const Tables& t = *tables_;
  Person fresh;
  const Person* p = PickPerson(&fresh);
  std::optional<ErrorClass> error;
  if (Next(rng_) < error_threshold_) {
    error = static_cast<ErrorClass>(Uniform(rng_, kErrorClassCount));
    ++counts_.errors[static_cast<size_t>(*error)];
  }
  const int sex = p->sex - 1;
  uint16_t prenom = p->prenom;
  if (error == ErrorClass::kLatin1 && !HasNonAscii(t.prenoms[sex][prenom])) {
    // The error must show: give this row an accented first name of the same sex.
    prenom = t.accented[sex][Uniform(rng_, t.accented[sex].size())];
  }

  if (error == ErrorClass::kBlankLine) out->push_back('\n');
  std::string_view nom = t.noms[p->nom];
  if (error == ErrorClass::kStrayQuote) {
    const size_t at = 1 + Uniform(rng_, nom.size() - 1);  // names have >= 2 bytes; never at field start
    out->append(nom.substr(0, at)).push_back('"');
    out->append(nom.substr(at));
  } else {
    out->append(nom);
  }
  out->push_back(';');
  if (error == ErrorClass::kLatin1) {
    out->append(ToLatin1(t.prenoms[sex][prenom]));
  } else {
    out->append(t.prenoms[sex][prenom]);
  }
  out->push_back(';');
  AppendDigits(out, p->day, 2);
  out->push_back('/');
  AppendDigits(out, p->month, 2);
  out->push_back('/');
  AppendDigits(out, p->year, 4);
  out->push_back(';');

  if (!AppendNir(std::string_view(p->nir, 15), error, out)) return;  // truncated: the row ends there
  out->push_back(';');
  out->append(t.organismes[Uniform(rng_, t.organismes.size())]);

  if (options_.email) {
    out->push_back(';');
    out->append(t.prenom_emails[sex][prenom]).push_back('.');
    out->append(t.nom_emails[p->nom]).push_back('+');
    AppendNumber(out, p->email_tag);
    out->push_back('@');
    out->append(kEmailDomains[p->email_domain]);
  }
  if (options_.phone) {
    out->push_back(';');
    AppendPhone(*p, out);
  }
  if (error == ErrorClass::kCrlf) out->push_back('\r');
  out->push_back('\n');
}

void DumpGenerator::NextPasswordRow(std::string* out) {
  // Plaintexts are predictable on purpose (tests can hash one and look it up); they are never written out.
  std::string plain = "vigie-synthetic-" + std::to_string(options_.seed) + "-" + std::to_string(counts_.rows - 1);
  uint8_t digest[20];
  if (options_.kind == DumpKind::kPasswordSha1) {
    unsigned int len = 0;
    EVP_Digest(plain.data(), plain.size(), digest, &len, EVP_sha1(), nullptr);
    AppendHexUpper(out, digest, 20);
  } else {
    std::string utf16;  // the plaintext is ASCII: UTF-16LE is each byte followed by 0
    for (char c : plain) utf16.append({c, '\0'});
    Md4(reinterpret_cast<const uint8_t*>(utf16.data()), utf16.size(), digest);
    AppendHexUpper(out, digest, 16);
  }
  out->push_back(':');
  // Heavy-tailed counts like HIBP's: 1..2^20, log-uniform-ish.
  const uint64_t bits = Uniform(rng_, 21);
  AppendNumber(out, bits == 0 ? 1 : 1 + (Next(rng_) >> (64 - bits)));
  out->push_back('\n');
}

}  // namespace vigie
