// Reader for the shared case tables in tests/cases/*.tsv, which the C++ tests and other implementations
// (a future JavaScript port) both read, so the format stays trivially parseable:
//  - UTF-8 text, one case per line, fields separated by a tab; lines starting with '#' are comments;
//    the first other line is the column header (its first column is named "input").
//  - Only the first column (the input) is escaped: \t \n \r \\ , \xHH (one raw byte, possibly not UTF-8)
//    and \uHHHH (a code point written as UTF-8). Any other backslash sequence is an error.
// Header-only and test-only. Not thread-safe beyond what plain values are.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::testing {

struct CaseRow {
  int line = 0;                     // 1-based line in the file, for failure messages
  std::string input;                // decoded
  std::vector<std::string> fields;  // the other columns, verbatim
};

struct CaseTable {
  std::string error;  // empty when the file was read and every escape decoded
  std::vector<std::string> header;
  std::vector<CaseRow> rows;
};

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the escapes described above; nullopt on a malformed escape.
inline std::optional<std::string> DecodeCaseEscapes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (++i == s.size()) return std::nullopt;
    switch (s[i]) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'x':
      case 'u': {
        const size_t digits = s[i] == 'x' ? 2 : 4;
        if (i + digits >= s.size()) return std::nullopt;
        uint32_t value = 0;
        for (size_t k = 1; k <= digits; ++k) {
          int h = HexValue(s[i + k]);
          if (h < 0) return std::nullopt;
          value = value * 16 + static_cast<uint32_t>(h);
        }
        if (digits == 2) {
          out.push_back(static_cast<char>(value));
        } else {
          AppendUtf8(value, &out);
        }
        i += digits;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

inline CaseTable ReadCaseTable(const std::string& path) {
  CaseTable table;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    table.error = "cannot open " + path;
    return table;
  }
  auto split = [](std::string_view line) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1) {
      fields.emplace_back(line.substr(start, tab - start));
    }
    fields.emplace_back(line.substr(start));
    return fields;
  };
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = split(line);
    if (table.header.empty()) {
      table.header = std::move(fields);
      continue;
    }
    std::optional<std::string> input = DecodeCaseEscapes(fields[0]);
    if (!input) {
      table.error = path + ":" + std::to_string(number) + ": bad escape";
      return table;
    }
    CaseRow row;
    row.line = number;
    row.input = std::move(*input);
    row.fields.assign(fields.begin() + 1, fields.end());
    table.rows.push_back(std::move(row));
  }
  if (table.header.empty() || table.header[0] != "input") table.error = path + ": missing header";
  return table;
}

}  // namespace vigie::testing
