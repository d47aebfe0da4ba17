// Internal to json_dump.cc: NDJSON lines, split from the input (NextLine) and read fast when they are of the
// plain kind most dumps are made of.
//
// nlohmann's lexer costs most of an NDJSON line's time (a parser built per line, every byte copied twice).
// ScanSimpleLine reads a line of a strict subset of JSON (no escapes, no fractions or exponents, integers of
// at most 18 digits, valid UTF-8) into events that point into the line; ReplayLine hands them to a SAX
// handler exactly as nlohmann's sax_parse would have. Anything outside the subset, malformed lines included,
// is left to nlohmann, so that what a line gives never depends on which reader read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_dump.h"
#include "core/status.h"

namespace vigie::json_internal {

// The next line of `reader` without its '\n', valid until the reader's next read; false at the end of the
// input. A line over kJsonMaxRecordBytes is refused without being buffered whole. `Reader` is json_dump.cc's
// ByteReader: buffered(), Skip(n), FillAtLeast(n), status().
template <typename Reader>
Result<bool> NextLine(Reader* reader, std::string_view* line) {
  const auto too_large = [] { return Status::InvalidArgument("json.record-too-large", "a line is over 16 MiB"); };
  size_t scanned = 0;  // bytes known to hold no '\n'
  for (;;) {
    const std::string_view bytes = reader->buffered();
    const size_t newline = bytes.find('\n', scanned);
    if (newline != std::string_view::npos) {
      if (newline > kJsonMaxRecordBytes) return too_large();
      *line = bytes.substr(0, newline);
      reader->Skip(newline + 1);
      return true;
    }
    scanned = bytes.size();
    if (scanned > kJsonMaxRecordBytes) return too_large();
    reader->FillAtLeast(scanned + 1);
    if (reader->buffered().size() == scanned) {  // the end of the input, or an error
      if (!reader->status().ok()) return reader->status();
      if (scanned == 0) return false;
      *line = reader->buffered();
      reader->Skip(scanned);
      return true;
    }
  }
}

struct LineEvent {
  enum class Kind : uint8_t {
    kStartObject,
    kEndObject,
    kStartArray,
    kEndArray,
    kKey,
    kString,
    kUnsigned,
    kNegative,
    kTrue,
    kFalse,
    kNull
  };
  Kind kind;
  uint64_t magnitude;     // kUnsigned, kNegative
  std::string_view text;  // kKey, kString: the bytes between the quotes
};

// True when `line` is one value of the subset, with only JSON whitespace around it; `events` then holds
// it. False otherwise (not necessarily malformed): nlohmann must read the line.
bool ScanSimpleLine(std::string_view line, std::vector<LineEvent>* events);

// Calls `sax` as nlohmann's sax_parse does for the line the events came from; false as soon as a call is.
// `scratch` holds keys and strings, which the SAX interface takes as mutable strings.
template <typename Sax>
bool ReplayLine(const std::vector<LineEvent>& events, Sax* sax, std::string* scratch) {
  using Kind = LineEvent::Kind;
  for (const LineEvent& event : events) {
    bool more = true;
    switch (event.kind) {
      case Kind::kStartObject:
        more = sax->start_object(static_cast<std::size_t>(-1));
        break;
      case Kind::kEndObject:
        more = sax->end_object();
        break;
      case Kind::kStartArray:
        more = sax->start_array(static_cast<std::size_t>(-1));
        break;
      case Kind::kEndArray:
        more = sax->end_array();
        break;
      case Kind::kKey:
        more = sax->key(scratch->assign(event.text));
        break;
      case Kind::kString:
        more = sax->string(scratch->assign(event.text));
        break;
      case Kind::kUnsigned:
        more = sax->number_unsigned(event.magnitude);
        break;
      // At most 18 digits: the negation fits. nlohmann reads "-0" as the signed integer 0 too.
      case Kind::kNegative:
        more = sax->number_integer(-static_cast<int64_t>(event.magnitude));
        break;
      case Kind::kTrue:
        more = sax->boolean(true);
        break;
      case Kind::kFalse:
        more = sax->boolean(false);
        break;
      case Kind::kNull:
        more = sax->null();
        break;
    }
    if (!more) return false;
  }
  return true;
}

}  // namespace vigie::json_internal
