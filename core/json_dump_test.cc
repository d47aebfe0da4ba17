#include "core/json_dump.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/byte_stream.h"
#include "core/json_ndjson.h"
#include "core/record_writer.h"
#include "tests/sax_recorder.h"

namespace vigie {
namespace {

// Expected outputs are written with '|' for the unit separator.
std::string Us(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '|') c = kUnitSeparator;
  }
  return out;
}

struct Output {
  Status status;
  std::string text;
  JsonStats stats;
};

Output RunOnce(std::string_view input, const JsonOptions& options, size_t max_read) {
  StringSource source(input, max_read);
  StringSink sink;
  RecordWriter writer(&sink);
  Output out;
  out.status = TranscodeJson(&source, options, &writer, &out.stats);
  out.text = sink.out;
  return out;
}

// Whole reads, then 1- and 3-byte reads so that every token meets a buffer boundary: all must agree.
Output Run(std::string_view input, const JsonOptions& options = {}) {
  Output out = RunOnce(input, options, SIZE_MAX);
  for (size_t max_read : {size_t{1}, size_t{3}}) {
    CAPTURE(max_read);
    const Output small = RunOnce(input, options, max_read);
    CHECK(small.status.reason() == out.status.reason());
    CHECK(small.status.message() == out.status.message());
    if (out.status.ok()) CHECK(small.text == out.text);
    CHECK(small.stats.records == out.stats.records);
  }
  return out;
}

TEST_CASE("TranscodeJson writes records") {
  struct Case {
    const char* name;
    std::string input;
    std::string want;  // '|' = unit separator
  };
  const std::vector<Case> cases = {
      {"ndjson with varying keys", "{\"email\":\"a@x.fr\",\"name\":\"A\"}\n{\"name\":\"B\",\"tel\":\"0601\"}\n",
       "email|name|tel\na@x.fr|A|\n|B|0601\n"},
      {"nested objects", "{\"user\":{\"contact\":{\"email\":\"e@x.fr\"}},\"id\":1}\n{\"id\":2,\"user\":{}}\n",
       "user.contact.email|id\ne@x.fr|1\n|2\n"},
      {"arrays of scalars", "{\"tel\":[\"01\",\"02\"],\"f\":[true,false,null]}\n{\"tel\":[]}\n",
       "tel.0|tel.1|f.0|f.1|f.2\n01|02|true|false|\n||||\n"},
      {"arrays of objects and arrays", "{\"a\":[{\"b\":1},[2,[3]]]}\n{}\n", "a.0.b|a.1.0|a.1.1.0\n1|2|3\n||\n"},
      {"big integers keep their digits",
       "{\"nir\":1850578006048,\"n\":-42,\"u\":18446744073709551615,\"big\":123456789012345678901234567890}\n"
       "{\"nir\":0}\n",
       "nir|n|u|big\n1850578006048|-42|18446744073709551615|123456789012345678901234567890\n0|||\n"},
      {"floats as written", "[{\"x\":1.5e3,\"y\":0.10,\"z\":-0.0,\"w\":1E-7}]", "x|y|z|w\n1.5e3|0.10|-0.0|1E-7\n"},
      {"unicode escapes", "[{\"n\":\"Ren\\u00e9e\",\"s\":\"\\ud83d\\ude00\",\"raw\":\"Zoë\",\"q\":\"a\\\"\\\\b\\/\"}]",
       "n|s|raw|q\nRenée|\xF0\x9F\x98\x80|Zoë|a\"\\b/\n"},
      {"separators in values become spaces", "[{\"a\":\"x\\ny\\u001fz\\r\"}]", "a\nx y z \n"},
      {"null is an empty field", "[{\"a\":null,\"b\":\"\"}]", "a|b\n|\n"},
      {"a repeated key keeps its last value", "[{\"a\":1,\"a\":2}]", "a\n2\n"},
      {"dotted keys share the nested column", "[{\"a.b\":1},{\"a\":{\"b\":2}}]", "a.b\n1\n2\n"},
      {"top-level array, pretty-printed", "[\n  {\"a\": 1},\n  {\"b\": \"x\"}\n]\n", "a|b\n1|\n|x\n"},
      {"empty array", "[]", "\n"},
      {"empty input", "", "\n"},
      {"blank input", " \n\r\n", "\n"},
      {"single object on one line", "{\"a\":1,\"b\":[1,2]}", "a|b.0|b.1\n1|1|2\n"},
      {"single object, pretty-printed", "{\n \"a\": 1,\n \"b\": {\"c\": true}\n}\n", "a|b.c\n1|true\n"},
      {"wrapper object", "{\"count\":2,\"users\":[{\"e\":\"a\"},{\"e\":\"b\"}],\"next\":null}", "e\na\nb\n"},
      {"wrapper with two arrays", "{\"meta\":{\"v\":1},\"tags\":[\"x\"],\"a\":[{\"e\":1}],\"b\":[{\"f\":2},3]}",
       "e|f|value\n1||\n|2|\n||3\n"},
      {"an array of scalars does not make a wrapper", "{\"a\":[1,2],\"b\":\"x\"}\n", "a.0|a.1|b\n1|2|x\n"},
      {"non-object records read as value", "[\"a@x.fr\",7,[1,2],{\"value\":\"v\"}]",
       "value|value.0|value.1\na@x.fr||\n7||\n|1|2\nv||\n"},
      {"ndjson of arrays", "[1,2]\n[3]\n", "value.0|value.1\n1|2\n3|\n"},
      {"crlf ndjson", "{\"a\":1}\r\n{\"a\":2}\r\n", "a\n1\n2\n"},
      {"bom", "\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}", "a\n1\n2\n"},
      {"bom and array", "\xEF\xBB\xBF  [{\"a\":1}]", "a\n1\n"},
      {"blank lines are skipped", "\n{\"a\":1}\n\n  \n{\"a\":2}\n\n", "a\n1\n2\n"},
      {"a malformed line is a blank record", "{\"a\":1}\n{\"a\":2,\n{\"a\":3} x\n\"open\n{\"a\":4}\n",
       "a\n1\n\n\n\n4\n"},
      {"empty containers give no column", "{\"a\":1}\n{\"a\":[1,{\"b\":{}}]}\n", "a|a.0\n1|\n|1\n"},
  };
  for (const Case& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const Output out = Run(c.input);
    REQUIRE_MESSAGE(out.status.ok(), out.status.ToString());
    CHECK(out.text == Us(c.want));
  }
}

TEST_CASE("TranscodeJson caps arrays at 16 elements") {
  std::string input = "{\"t\":[";
  for (int i = 0; i < 20; ++i) input += (i > 0 ? "," : "") + std::to_string(i);
  input += "],\"u\":1}\n{\"u\":2}\n";
  const Output out = Run(input);
  REQUIRE(out.status.ok());
  std::string want = "";
  for (int i = 0; i < 16; ++i) want += "t." + std::to_string(i) + "|";
  want += "u\n";
  for (int i = 0; i < 16; ++i) want += std::to_string(i) + "|";
  want += "1\n" + std::string(16, '|') + "2\n";
  CHECK(out.text == Us(want));
  CHECK(out.stats.dropped_fields == 4);
}

TEST_CASE("TranscodeJson columns: sample and options") {
  const std::string input = "{\"a\":1}\n{\"a\":2,\"b\":3}\n{\"c\":4,\"a\":5}\n";
  SUBCASE("paths first seen after the sample are dropped") {
    JsonOptions options;
    options.sample_records = 2;
    const Output out = Run(input, options);
    REQUIRE(out.status.ok());
    CHECK(out.text == Us("a|b\n1|\n2|3\n5|\n"));
    CHECK(out.stats.dropped_fields == 1);
    CHECK(out.stats.records == 3);
  }
  SUBCASE("after the sample, keys in any order find their columns") {
    JsonOptions options;
    options.sample_records = 1;
    const Output out = Run("{\"a\":1,\"b\":2}\n{\"b\":3,\"a\":4}\n{\"a\":5}\n{\"x\":0,\"b\":6,\"a\":7}\n", options);
    REQUIRE(out.status.ok());
    CHECK(out.text == Us("a|b\n1|2\n4|3\n5|\n7|6\n"));
    CHECK(out.stats.dropped_fields == 1);
  }
  SUBCASE("asked columns are added after the sampled ones, once") {
    JsonOptions options;
    options.columns = {"user.email", "b", "user.email"};
    options.sample_records = 2;
    const Output out = Run(input, options);
    REQUIRE(out.status.ok());
    CHECK(out.text == Us("a|b|user.email\n1||\n2|3|\n5||\n"));
  }
  SUBCASE("an asked column takes values after the sample") {
    JsonOptions options;
    options.columns = {"c"};
    options.sample_records = 1;
    const Output out = Run(input, options);
    REQUIRE(out.status.ok());
    CHECK(out.text == Us("a|c\n1|\n2|\n5|4\n"));
    CHECK(out.stats.dropped_fields == 1);
  }
  SUBCASE("no sample: only the asked columns") {
    JsonOptions options;
    options.columns = {"c"};
    options.sample_records = 0;
    const Output out = Run(input, options);
    REQUIRE(out.status.ok());
    CHECK(out.text == Us("c\n\n\n4\n"));
  }
  SUBCASE("malformed lines keep their place in and after the sample") {
    JsonOptions options;
    options.sample_records = 2;
    const Output out = Run("{\"a\":1}\n{oops}\n{\"a\":2}\n[\n", options);
    REQUIRE(out.status.ok());
    CHECK(out.text == Us("a\n1\n\n2\n\n"));
    CHECK(out.stats.malformed_lines == 2);
    CHECK(out.stats.records == 4);
  }
}

TEST_CASE("TranscodeJson streams many records") {
  std::string input = "[";
  for (int i = 0; i < 5000; ++i) input += (i > 0 ? ",{\"i\":" : "{\"i\":") + std::to_string(i) + "}";
  input += "]";
  JsonOptions options;
  options.sample_records = 10;
  const Output out = RunOnce(input, options, 7);
  REQUIRE(out.status.ok());
  CHECK(out.stats.records == 5000);
  CHECK(out.text.substr(0, 6) == "i\n0\n1\n");
  CHECK(out.text.substr(out.text.size() - 5) == "4999\n");
}

// Lines of every kind the fast NDJSON reader meets: its subset, what it leaves to nlohmann, malformed ones.
const std::vector<std::string>& LineSeeds() {
  static const std::vector<std::string> seeds = {
      "{\"id\":100001,\"email\":\"jean@x.fr\",\"address\":{\"city\":\"Paris\",\"zip\":\"75001\"}}",
      "{\"a\":[1,[2,[]],{},{\"b\":null}],\"t\":true,\"f\":false}",
      " \t{ \"a\" : [ 1 , -2 ] , \"b\" : { } }\r",
      "{\"n\":-0,\"m\":0,\"big\":999999999999999999,\"bigger\":1000000000000000000,\"neg\":-999999999999999999}",
      "{\"u\":18446744073709551615,\"i\":-9223372036854775808,\"huge\":123456789012345678901234567890}",
      "{\"x\":1.5e3,\"y\":0.10,\"z\":-0.0,\"w\":1E-7,\"v\":2e+1,\"o\":1e999}",
      "{\"s\":\"Ren\\u00e9e\",\"q\":\"a\\\"b\\\\c\\/\",\"nl\":\"x\\ny\"}",
      "{\"raw\":\"Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x98\x80\",\"k\xC3\xA9\":1}",
      "{\"bad\":\"\xC3\x28\",\"over\":\"\xE0\x80\xAF\",\"sur\":\"\xED\xA0\x80\",\"hi\":\"\xF4\x90\x80\x80\"}",
      "{\"del\":\"a\x7F\",\"ctl\":\"a\x01\"}",
      "\"just a string\"",
      "42",
      "-7",
      "[1,2,3]",
      "[]",
      "{}",
      "null",
      "true",
      "\xEF\xBB\xBF{\"bom\":1}",
      "{\"a.b\":1,\"a\":{\"b\":2},\"a\":3}",
      "{\"t\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}",
      "{\"a\":1,}",
      "{\"a\":1} x",
      "{\"a\":1}{\"b\":2}",
      "[1,2",
      "{\"a\"1}",
      "{'a':1}",
      "{\"a\":01}",
      "{\"a\":-}",
      "{\"a\":tru}",
      "{\"a\":nul1}",
      std::string(64, '[') + std::string(64, ']'),
      std::string(65, '[') + std::string(65, ']'),
  };
  return seeds;
}

// Seeds, every prefix of each, and each with one byte replaced by a byte that matters to the grammar.
std::vector<std::string> MutatedLines() {
  std::vector<std::string> lines;
  for (const std::string& seed : LineSeeds()) {
    lines.push_back(seed);
    for (size_t i = 0; i < seed.size(); ++i) {
      lines.push_back(seed.substr(0, i));
      for (char c : std::string_view("\"\\,:{}[]\x80\xC3 0-.e\x1F", 17)) {
        std::string mutated = seed;
        mutated[i] = c;
        lines.push_back(mutated);
      }
    }
  }
  return lines;
}

TEST_CASE("the fast NDJSON reader calls the handler as nlohmann does, or leaves the line to it") {
  std::vector<json_internal::LineEvent> events;
  std::string scratch;
  size_t fast = 0;
  for (const std::string& line : MutatedLines()) {
    CAPTURE(line);
    if (!json_internal::ScanSimpleLine(line, &events)) continue;
    ++fast;
    testing::SaxRecorder slow;
    REQUIRE(nlohmann::json::sax_parse(line.begin(), line.end(), &slow));
    testing::SaxRecorder replayed;
    REQUIRE(json_internal::ReplayLine(events, &replayed, &scratch));
    CHECK(replayed.calls == slow.calls);
  }
  CHECK(fast > 1000);
  // The common shapes do take the fast path.
  for (size_t i : {0, 1, 2, 7, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 31}) {
    CAPTURE(i);
    CHECK(json_internal::ScanSimpleLine(LineSeeds()[i], &events));
  }
}

TEST_CASE("NDJSON: the fast reader and nlohmann give the same records") {
  // A UTF-8 BOM at a line's start sends it to nlohmann (which skips it) and keeps it out of the fast
  // reader: the same dump with one before every non-blank line is the reference.
  std::string fast_input = "{\"id\":0,\"e\":\"first\"}\n";
  std::string slow_input = "\xEF\xBB\xBF\xEF\xBB\xBF{\"id\":0,\"e\":\"first\"}\n";
  const std::vector<std::string> lines = MutatedLines();
  for (size_t i = 0; i < lines.size(); i += 7) {  // a few thousand lines, malformed ones all along
    const std::string& line = lines[i];
    if (line.find('[') != std::string::npos && line.size() > 60) continue;  // too deep: fatal
    if (line.starts_with('\xEF')) continue;  // its own BOM: two in the reference, which nlohmann refuses
    const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
    fast_input += line + (i % 5 == 0 ? "\r\n" : "\n");
    slow_input += (blank ? "" : "\xEF\xBB\xBF") + line + (i % 5 == 0 ? "\r\n" : "\n");
    if (i % 11 == 0) {
      fast_input += "\n  \n";
      slow_input += "\n  \n";
    }
  }
  for (size_t sample : {size_t{1000}, size_t{3}}) {
    CAPTURE(sample);
    JsonOptions options;
    options.sample_records = sample;
    const Output fast = Run(fast_input, options);
    const Output slow = Run(slow_input, options);
    REQUIRE_MESSAGE(fast.status.ok(), fast.status.ToString());
    REQUIRE_MESSAGE(slow.status.ok(), slow.status.ToString());
    CHECK(fast.text == slow.text);
    CHECK(fast.stats.records == slow.stats.records);
    CHECK(fast.stats.malformed_lines == slow.stats.malformed_lines);
    CHECK(fast.stats.dropped_fields == slow.stats.dropped_fields);
    CHECK(fast.stats.malformed_lines > 100);
    CHECK(fast.stats.records > fast.stats.malformed_lines + 100);
  }
}

struct ErrorCase {
  const char* name;
  std::string input;
  std::string_view reason;
  std::string message;  // substring
};

void CheckErrors(const std::vector<ErrorCase>& cases, bool small_reads) {
  for (const ErrorCase& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const Output out = small_reads ? Run(c.input) : RunOnce(c.input, {}, SIZE_MAX);
    CHECK(out.status.code() == Code::kInvalidArgument);
    CHECK(out.status.reason() == c.reason);
    CHECK_MESSAGE(out.status.message().find(c.message) != std::string::npos, out.status.message());
    // No byte of the dump is quoted: every input here holds "SECRET".
    CHECK(out.status.message().find("SECRET") == std::string::npos);
  }
}

std::string Nested(size_t depth) { return std::string(depth, '[') + "\"SECRET\"" + std::string(depth, ']'); }

TEST_CASE("TranscodeJson refuses bad documents") {
  CheckErrors(
      {
          {"truncated array", "[{\"a\":\"SECRET\"},{\"a\":", "json.syntax", "truncated (it ends near byte 21"},
          {"truncated string", "[{\"a\":\"SECRET", "json.syntax", "truncated"},
          {"missing comma", "[{\"a\":\"SECRET\"} {\"a\":1}]", "json.syntax", "malformed JSON near byte 16"},
          {"bad literal", "[{\"a\":SECRET}]", "json.syntax", "malformed JSON near byte 6"},
          {"concatenated pretty objects", "{\n \"a\": \"SECRET\"\n}\n{\n \"a\": 2\n}\n", "json.syntax",
           "malformed JSON near byte 19"},
          {"unbalanced", "[{\"a\":\"SECRET\"}}", "json.syntax", "near byte 15"},
          {"first line not json", "SECRET\n{\"a\":1}\n", "json.syntax", "near byte 0"},
          {"invalid utf-8", "[\"SECRET\xFF\"]", "json.syntax", "near byte 8"},
          {"number out of range", "[\"SECRET\",1e999]", "json.syntax", "malformed"},
          {"too deep document", Nested(65), "json.too-deep", "more than 64 deep (near byte 65)"},
          {"too deep line", "{\"a\":1}\n{\"b\":" + Nested(64) + "}\n", "json.too-deep", "(line 2)"},
          {"too deep record in a wrapper", "{\"u\":[{\"v\":" + Nested(62) + "}]}", "json.too-deep", "near byte"},
      },
      true);
  CHECK(Run(Nested(64)).status.ok());
  CHECK(Run("{\"a\":1}\n{\"b\":" + Nested(63) + "}\n").status.ok());
}

TEST_CASE("TranscodeJson refuses oversized records and too many columns") {
  const std::string big(kJsonMaxRecordBytes, 'x');
  const std::string spaces(kJsonMaxRecordBytes, ' ');
  std::string many_keys = "{";
  for (size_t i = 0; i <= kJsonMaxColumns; ++i) many_keys += (i > 0 ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  many_keys += "}";
  std::string many_fields = "[{";
  for (size_t i = 0; i <= kJsonMaxColumns; ++i) many_fields += i > 0 ? ",\"k\":0" : "\"k\":0";
  many_fields += "}]";
  std::string union_of_records;  // 101 records of 100 new keys each
  for (int r = 0; r <= 100; ++r) {
    union_of_records += "{";
    for (int k = 0; k < 100; ++k) union_of_records += (k > 0 ? ",\"" : "\"") + std::to_string(r * 100 + k) + "\":0";
    union_of_records += "}\n";
  }
  CheckErrors(
      {
          {"long ndjson line", "{\"a\":1}\n{\"a\":\"SECRET" + big + "\"}\n", "json.record-too-large", "(line 2)"},
          {"long array element", "[{\"a\":1},{\"a\":\"SECRET" + big + "\"}]", "json.record-too-large",
           "16 MiB (starting near byte 10)"},
          {"long wrapper member", "{\"skip\":\"SECRET" + big + "\",\"u\":[]}", "json.record-too-large",
           "(starting near byte 1)"},
          {"long whitespace", "[" + spaces + spaces + "{\"a\":\"SECRET\"}]", "json.record-too-large", "over 16 MiB"},
          {"many keys in a record", many_keys, "json.too-many-columns", "more than 10000"},
          {"a key repeated too often", many_fields, "json.too-many-columns", "more than 10000 fields"},
          {"the sample's union", union_of_records, "json.too-many-columns", "columns (line 101)"},
      },
      false);
  // Just under the limits.
  CHECK(RunOnce("[{\"a\":\"" + std::string(kJsonMaxRecordBytes - 100, 'x') + "\"},{}]", {}, SIZE_MAX).status.ok());
}

// A source that fails after some bytes.
class FailingSource : public ByteSource {
 public:
  explicit FailingSource(std::string_view bytes) : inner_(bytes, 4) {}
  Result<size_t> Read(char* buf, size_t cap) override {
    Result<size_t> n = inner_.Read(buf, cap);
    if (n.ok() && *n == 0) return Status::IOError("disk on fire");
    return n;
  }

 private:
  StringSource inner_;
};

TEST_CASE("TranscodeJson passes on the source's errors") {
  for (const char* input : {"[{\"a\":1},{\"a\":2}", "{\"a\":1}\n{\"a\":2}\n"}) {
    const std::string text = input;
    CAPTURE(text);
    FailingSource source(input);
    StringSink sink;
    RecordWriter writer(&sink);
    const Status s = TranscodeJson(&source, {}, &writer);
    CHECK(s.code() == Code::kIOError);
    CHECK(s.message() == "disk on fire");
  }
}

TEST_CASE("LooksLikeJson") {
  struct Case {
    const char* sample;
    bool want;
  };
  const std::vector<Case> cases = {
      {"{\"a\":1}", true},  {"[1]", true}, {" \r\n\t[", true},   {"\xEF\xBB\xBF{", true}, {"\xEF\xBB\xBF \n[", true},
      {"", false},          {"  ", false}, {"email;nir", false}, {"\"a\"", false},        {"\xEF\xBB\xBF", false},
      {"\xEF\xBB{", false},
  };
  for (const Case& c : cases) {
    const std::string sample = c.sample;
    CAPTURE(sample);
    CHECK(LooksLikeJson(c.sample) == c.want);
  }
}

}  // namespace
}  // namespace vigie
