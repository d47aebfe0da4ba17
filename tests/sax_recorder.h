// SaxRecorder: a nlohmann-json SAX handler that writes down every call it gets, one per line, so that two
// readers of the same JSON (core/json_ndjson.h's fast NDJSON reader and nlohmann's own parser) can be
// compared call for call. Used by core/json_dump_test.cc and the json fuzz target.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace vigie::testing {

class SaxRecorder final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string calls;
  bool null() override { return Add("null"); }
  bool boolean(bool value) override { return Add(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return Add("i" + std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Add("u" + std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return Add("f" + text); }
  bool string(string_t& value) override { return Add("s" + value); }
  bool binary(binary_t&) override { return Add("b"); }
  bool start_object(std::size_t size) override { return Add("{" + std::to_string(size)); }
  bool end_object() override { return Add("}"); }
  bool start_array(std::size_t size) override { return Add("[" + std::to_string(size)); }
  bool end_array() override { return Add("]"); }
  bool key(string_t& key) override { return Add("k" + key); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool Add(const std::string& call) {
    calls += call;
    calls += '\n';
    return true;
  }
};

}  // namespace vigie::testing
