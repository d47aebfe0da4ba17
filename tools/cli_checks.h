// Command-line number checks shared by the programs' main()s (CLI11 validators). CLI11 turns "-1" into
// 2^64 - 1 for an unsigned option and saturates long numbers; these refuse both, and an empty value, with a
// message — `vigie-gen --rows -5` once wrote until the disk was full.
//
// Header-only; the validators are stateless values.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace vigie::cli {

// A whole number in [min, max], written in decimal digits only.
inline CLI::Validator WholeNumber(uint64_t min = 0, uint64_t max = std::numeric_limits<uint64_t>::max()) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
          return "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                 text + "'";
        }
        return std::string();
      },
      "UINT in [" + std::to_string(min) + " - " + std::to_string(max) + "]");
}

}  // namespace vigie::cli
