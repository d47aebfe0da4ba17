#include "core/text_dump.h"

#include <cstring>
#include <string>

#include "core/email.h"
#include "core/nir.h"
#include "core/phone.h"

namespace vigie {

namespace {

constexpr size_t kReadBlock = 1 << 20;
constexpr size_t kMaxLine = 1 << 20;  // longer lines are scanned in pieces of this size

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsGroupSeparator(char c) { return c == ' ' || c == '.' || c == '-'; }
bool IsEmailLocal(char c) { return IsAlnum(c) || std::strchr("._%+-'", c) != nullptr; }
bool IsEmailDomain(char c) { return IsAlnum(c) || c == '.' || c == '-'; }

// Characters of a digit group run starting at `start`: digits (and, for NIRs, A/B) with single separators
// between them. Returns the end of the run; *compact gets the characters without separators (at most max).
size_t TakeGroups(std::string_view line, size_t start, size_t max, bool letters, std::string* compact) {
  compact->clear();
  size_t i = start, end = start;
  while (i < line.size() && compact->size() < max) {
    const char c = line[i];
    const bool letter = letters && (c == 'A' || c == 'B' || c == 'a' || c == 'b') && compact->size() == 6;
    if (IsDigit(c) || letter) {
      compact->push_back(c);
      end = ++i;
    } else if (IsGroupSeparator(c) && i + 1 < line.size() && i > start &&
               (IsDigit(line[i + 1]) || (letters && compact->size() == 6))) {
      ++i;
    } else {
      break;
    }
  }
  return end;
}

// Whether the token [start, end) stands alone: no letter or digit glued to it.
bool Whole(std::string_view line, size_t start, size_t end) {
  return (start == 0 || !IsAlnum(line[start - 1])) && (end >= line.size() || !IsAlnum(line[end]));
}

void Emit(int column, std::string_view value, RecordWriter* out) {
  for (int c = 0; c < 3; ++c) out->Field(c == column ? value : std::string_view());
  (void)out->EndRecord();  // a sink error is reported by Finish
}

// An e-mail around the '@' at `at`; returns its end (or at + 1 when none).
size_t TryEmail(std::string_view line, size_t at, std::string* canonical, RecordWriter* out, TextScanReport* r) {
  size_t start = at, end = at + 1;
  while (start > 0 && IsEmailLocal(line[start - 1])) --start;
  while (end < line.size() && IsEmailDomain(line[end])) ++end;
  while (end > at + 1 && (line[end - 1] == '.' || line[end - 1] == '-')) --end;
  while (start < at && line[start] == '.') ++start;
  if (start == at || end == at + 1) return at + 1;
  const std::string_view token = line.substr(start, end - start);
  if (NormalizeEmail(token, canonical).ok()) {
    Emit(1, token, out);
    r->emails++;
  }
  return end;
}

}  // namespace

void ScanTextLine(std::string_view line, RecordWriter* out, TextScanReport* report) {
  std::string compact, canonical;
  report->lines++;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '@') {
      i = TryEmail(line, i, &canonical, out, report);
      continue;
    }
    const bool starts_token = i == 0 || !IsAlnum(line[i - 1]);
    if (!starts_token || !(IsDigit(c) || c == '+')) {
      ++i;
      continue;
    }
    // A NIR: 15 characters, sex digit first.
    if (c >= '1' && c <= '8') {
      const size_t end = TakeGroups(line, i, 15, true, &compact);
      if (compact.size() == 15 && Whole(line, i, end) && NormalizeNir(compact, &canonical).ok()) {
        Emit(0, line.substr(i, end - i), out);
        report->nirs++;
        i = end;
        continue;
      }
    }
    // A phone: 0 + 9 digits, or +33 / 0033 + 9 digits.
    size_t start = i;
    if (c == '+') ++start;
    const size_t end = TakeGroups(line, start, 13, false, &compact);
    const bool shaped = (c != '+' && compact.size() == 10 && compact[0] == '0' && compact[1] != '0') ||
                        (compact.size() == 11 && compact.rfind("33", 0) == 0 && c == '+') ||
                        (compact.size() == 13 && compact.rfind("0033", 0) == 0);
    if (shaped && Whole(line, i, end) && NormalizePhone(line.substr(i, end - i), &canonical).ok()) {
      Emit(2, line.substr(i, end - i), out);
      report->phones++;
      i = end;
      continue;
    }
    // Not an identifier: skip the whole digit run, so that its tail is not taken for one.
    i = std::max(end, i + 1);
  }
}

Status TranscodeText(ByteSource* in, RecordWriter* out, TextScanReport* report) {
  TextScanReport local;
  if (report == nullptr) report = &local;
  VIGIE_RETURN_IF_ERROR(out->Header({"nir", "email", "phone"}));
  std::string buffer;
  bool eof = false;
  while (!eof) {
    const size_t old = buffer.size();
    buffer.resize(old + kReadBlock);
    auto n = in->Read(buffer.data() + old, kReadBlock);
    if (!n.ok()) return n.status();
    buffer.resize(old + *n);
    eof = *n == 0;
    size_t pos = 0;
    for (;;) {
      const void* nl = std::memchr(buffer.data() + pos, '\n', buffer.size() - pos);
      size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - buffer.data()) : buffer.size();
      if (!nl && !eof && end - pos < kMaxLine) break;
      if (!nl && end - pos > kMaxLine) end = pos + kMaxLine;
      if (end > pos || nl) ScanTextLine(std::string_view(buffer).substr(pos, end - pos), out, report);
      pos = nl ? end + 1 : end;
      if (pos >= buffer.size()) break;
    }
    buffer.erase(0, pos);
  }
  return out->Finish();
}

}  // namespace vigie
