#include "core/json_ndjson.h"

#include "core/utf8.h"

namespace vigie::json_internal {
namespace {

using Kind = LineEvent::Kind;

// Deeper lines are left to nlohmann, whose handler refuses them past its own limit.
constexpr size_t kMaxScanDepth = 64;
// 18 digits always fit an int64_t, negated or not; longer integers go to nlohmann.
constexpr int kMaxDigits = 18;

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool InRange(unsigned char c, unsigned char low, unsigned char high) { return c >= low && c <= high; }

class Scanner {
 public:
  Scanner(std::string_view line, std::vector<LineEvent>* events)
      : p_(reinterpret_cast<const unsigned char*>(line.data())), end_(p_ + line.size()), events_(events) {}

  bool Line() {
    events_->clear();
    SkipSpaces();
    for (;;) {
      if (!Value()) return false;
      // After a value: close what it ends, then a ',' brings the next value.
      for (;;) {
        SkipSpaces();
        if (depth_ == 0) return p_ == end_;
        const bool in_object = is_object_[depth_ - 1];
        if (p_ == end_) return false;
        if (*p_ == (in_object ? '}' : ']')) {
          ++p_;
          --depth_;
          Push(in_object ? Kind::kEndObject : Kind::kEndArray);
          continue;
        }
        if (*p_ != ',') return false;
        ++p_;
        SkipSpaces();
        if (in_object && !Member()) return false;
        break;
      }
    }
  }

 private:
  void SkipSpaces() {
    while (p_ != end_ && IsSpace(*p_)) ++p_;
  }
  void Push(Kind kind, uint64_t magnitude = 0, std::string_view text = {}) {
    events_->push_back({kind, magnitude, text});
  }

  // One value; a container is only opened (its first member or element is read by the caller's loop, or
  // here when it is empty).
  bool Value() {
    for (;;) {
      if (p_ == end_) return false;
      switch (*p_) {
        case '{':
        case '[': {
          const bool object = *p_ == '{';
          if (depth_ == kMaxScanDepth) return false;
          is_object_[depth_++] = object;
          ++p_;
          Push(object ? Kind::kStartObject : Kind::kStartArray);
          SkipSpaces();
          if (p_ != end_ && *p_ == (object ? '}' : ']')) return true;  // the caller's loop closes it
          if (object && !Member()) return false;
          continue;  // the first element or member value
        }
        case '"':
          return String(Kind::kString);
        case 't':
          return Literal("true", Kind::kTrue);
        case 'f':
          return Literal("false", Kind::kFalse);
        case 'n':
          return Literal("null", Kind::kNull);
        default:
          return Number();
      }
    }
  }

  // A key and its ':', up to the member's value.
  bool Member() {
    if (p_ == end_ || *p_ != '"' || !String(Kind::kKey)) return false;
    SkipSpaces();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    SkipSpaces();
    return true;
  }

  // Without escapes nor control characters, a string's text is its bytes.
  bool String(Kind kind) {
    const unsigned char* start = ++p_;
    for (;;) {
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') break;
      if (c < 0x20 || c == '\\' || c == 0x7F) return false;
      if (c < 0x80) {
        ++p_;
        continue;
      }
      const int length =
          Utf8SequenceLength(std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(end_ - p_)), 0);
      if (length <= 0) return false;
      p_ += length;
    }
    Push(kind, 0, std::string_view(reinterpret_cast<const char*>(start), p_ - start));
    ++p_;
    return true;
  }

  bool Literal(std::string_view word, Kind kind) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) {
      return false;
    }
    p_ += word.size();
    Push(kind);
    return true;
  }

  // Integers only: a fraction or an exponent, a leading zero, more than kMaxDigits digits go to nlohmann.
  bool Number() {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    const unsigned char* digits = p_;
    uint64_t magnitude = 0;
    while (p_ != end_ && InRange(*p_, '0', '9')) magnitude = magnitude * 10 + (*p_++ - '0');
    const long count = p_ - digits;
    if (count == 0 || count > kMaxDigits || (digits[0] == '0' && count > 1)) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    Push(negative ? Kind::kNegative : Kind::kUnsigned, magnitude);
    return true;
  }

  const unsigned char* p_;
  const unsigned char* const end_;
  std::vector<LineEvent>* events_;
  size_t depth_ = 0;
  bool is_object_[kMaxScanDepth];
};

}  // namespace

bool ScanSimpleLine(std::string_view line, std::vector<LineEvent>* events) { return Scanner(line, events).Line(); }

}  // namespace vigie::json_internal
