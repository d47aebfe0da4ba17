#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/codec.h"

namespace vigie {
namespace {

std::map<std::string, BreachRecord> Breaches() {
  std::map<std::string, BreachRecord> m;
  m["zeta"] = {.id = 1,
               .name = "zeta",
               .title = "Zeta",
               .breach_date = "2023-05-01",
               .added_date = "2024-01-02",
               .description = "A \"quoted\" leak",
               .data_classes = {"NIRs", "names"},
               .count = 3};
  m["alpha"] = {.id = 4,
                .name = "alpha",
                .title = "Alpha",
                .breach_date = "2022-01-01",
                .added_date = "2024-01-03",
                .data_classes = {"e-mails"},
                .count = 1};
  return m;
}

// A bucket of `n` entries with suffix bytes i*37 (ascending), breach ids {1} / {1,4} alternately.
Bucket MakeBucket(const TagLayout& layout, size_t n, bool counts) {
  Bucket b;
  b.Reset(layout.suffix_bytes(), counts);
  std::vector<uint8_t> s(layout.suffix_bytes());
  for (size_t i = 0; i < n; ++i) {
    std::fill(s.begin(), s.end(), 0);
    s[0] = static_cast<uint8_t>(i * 37 >> 8);
    s[1] = static_cast<uint8_t>(i * 37);
    b.AddEntry(s.data());
    b.AddMember({1, counts ? i + 1 : 0});
    if (i % 2) b.AddMember({4, counts ? uint64_t{10} : uint64_t{0}});
  }
  return b;
}

TEST_CASE("range JSON: exact bytes of a small body") {
  auto breaches = Breaches();
  RangeBreachTable table = MakeRangeBreachTable(breaches);
  CHECK(table.names == std::vector<std::string>{"zeta", "alpha"});  // id order, not name order
  CHECK(table.PositionOf(4) == 1);
  CHECK(table.PositionOf(2) == -1);
  TagLayout layout{5, 9};
  RangeJsonContext context{&table, layout, false, nullptr};
  std::string body;
  EncodeRangeJson(context, Kind::kNir, 0xabcde, MakeBucket(layout, 2, false), &body);
  CHECK(body ==
        "{\"v\":1,\"kind\":\"nir\",\"prefix\":\"abcde\",\"suffix_hex\":9,\"breaches\":[\"zeta\",\"alpha\"],"
        "\"entries\":[[\"000000000\",[0]],[\"002500000\",[0,1]]]}");
}

TEST_CASE("range JSON: round trip, with and without counts, empty bucket") {
  auto breaches = Breaches();
  RangeBreachTable table = MakeRangeBreachTable(breaches);
  for (bool counts : {false, true}) {
    for (size_t n : {0, 1, 7, 300}) {
      CAPTURE(counts);
      CAPTURE(n);
      TagLayout layout{5, counts ? 35 : 16};
      RangeJsonContext context{&table, layout, counts, nullptr};
      Bucket bucket = MakeBucket(layout, n, counts);
      std::string body;
      EncodeRangeJson(context, counts ? Kind::kPassword : Kind::kEmail, 0x0f00d, bucket, &body);
      RangeResponse r;
      REQUIRE(DecodeRangeJson(body, &r).ok());
      CHECK(r.version == 1);
      CHECK(r.kind == (counts ? Kind::kPassword : Kind::kEmail));
      CHECK(r.prefix == "0f00d");
      CHECK(r.suffix_hex == layout.suffix_hex);
      CHECK(r.breaches == table.names);
      REQUIRE(r.entries.size() == n);
      CHECK(r.pad_bytes == 0);
      for (size_t i = 0; i < n; ++i) {
        std::string hex = HexEncode(bucket.suffix(i), layout.suffix_bytes()).substr(0, layout.suffix_hex);
        CHECK(r.entries[i].suffix == hex);
        CHECK(r.entries[i].breaches == (i % 2 ? std::vector<uint32_t>{0, 1} : std::vector<uint32_t>{0}));
        if (counts) CHECK(r.entries[i].count == i + 1 + (i % 2 ? 10 : 0));
        CHECK(r.Find(hex) == &r.entries[i]);
      }
      CHECK(r.Find(std::string(static_cast<size_t>(layout.suffix_hex), 'f')) == nullptr);
    }
  }
}

TEST_CASE("range JSON decoder rejects malformed bodies") {
  const char* bad[] = {
      "",
      "[]",
      "{\"v\":2,\"kind\":\"nir\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[],\"entries\":[]}",
      "{\"v\":1,\"kind\":\"car\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[],\"entries\":[]}",
      "{\"v\":1,\"kind\":\"nir\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[\"a\"],\"entries\":[[\"abc\",[0]]]"
      "}",
      "{\"v\":1,\"kind\":\"nir\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[\"a\"],\"entries\":[[\"ABCD\",[0]]"
      "]}",
      "{\"v\":1,\"kind\":\"nir\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[\"a\"],\"entries\":[[\"abcd\",[1]]"
      "]}",
      "{\"v\":1,\"kind\":\"nir\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[\"a\"],"
      "\"entries\":[[\"abcd\",[0]],[\"abcd\",[0]]]}",
      "{\"v\":1,\"kind\":\"nir\",\"prefix\":\"00000\",\"suffix_hex\":4,\"breaches\":[\"a\"],"
      "\"entries\":[[\"abcd\",[0]],[\"abce\",[0],3]]}",
  };
  for (const char* body : bad) {
    CAPTURE(body);
    RangeResponse r;
    Status s = DecodeRangeJson(body, &r);
    CHECK(s.code() == Code::kCorruption);
    CHECK(s.reason() == "range.body");
  }
}

TEST_CASE("range padding: one length for every bucket, rows look real, deterministic per key") {
  auto breaches = Breaches();
  RangeBreachTable table = MakeRangeBreachTable(breaches);
  for (bool counts : {false, true}) {
    CAPTURE(counts);
    TagLayout layout{4, counts ? 35 : 16};
    RangeJsonContext context{&table, layout, counts, nullptr};
    std::array<uint8_t, 32> key{};
    key[0] = 7;
    const std::vector<size_t> sizes = {3, 40, 12, 1};
    RangePaddingPlanner planner(context, key);
    for (size_t p = 0; p < sizes.size(); ++p) planner.Observe(Kind::kNir, p, MakeBucket(layout, sizes[p], counts));
    const Kind kinds[] = {Kind::kNir, Kind::kEmail, Kind::kPhone};
    RangePadding padding = planner.Finish(kinds);
    CHECK(padding.target_rows == 40);
    CHECK(!padding.tails.empty());
    context.padding = &padding;

    std::set<size_t> lengths;
    for (size_t p = 0; p < sizes.size() + 2; ++p) {
      for (Kind kind : kinds) {
        Bucket bucket = p < sizes.size() && kind == Kind::kNir ? MakeBucket(layout, sizes[p], counts)
                                                               : MakeBucket(layout, 0, counts);
        std::string body;
        EncodeRangeJson(context, kind, p, bucket, &body);
        lengths.insert(body.size());
        RangeResponse r;
        REQUIRE(DecodeRangeJson(body, &r).ok());
        CHECK(r.entries.size() == 40);
        CHECK(r.has_counts == counts);
        // Every real row is there, unchanged.
        for (size_t i = 0; i < bucket.size(); ++i) {
          CHECK(r.Find(HexEncode(bucket.suffix(i), layout.suffix_bytes()).substr(0, layout.suffix_hex)) != nullptr);
        }
        // Pad rows reuse real breach lists.
        for (const RangeEntry& e : r.entries) {
          CHECK(!e.breaches.empty());
          CHECK(e.breaches[0] == 0);
        }
        // Same key, same bucket: same bytes; another key: other pad rows.
        std::string again;
        EncodeRangeJson(context, kind, p, bucket, &again);
        CHECK(again == body);
        if (p == 0 && kind == Kind::kNir) {
          RangePadding other = padding;
          other.key[0] = 8;
          RangeJsonContext other_context = context;
          other_context.padding = &other;
          std::string different;
          EncodeRangeJson(other_context, kind, p, bucket, &different);
          CHECK(different != body);
        }
      }
    }
    CHECK(lengths.size() == 1);
    CHECK(*lengths.begin() == padding.target_bytes);
  }
}

TEST_CASE("HIBP range: exact bytes, upper case, CRLF, no trailing newline, count sum") {
  TagLayout layout{5, 35};
  Bucket b = MakeBucket(layout, 2, true);
  std::string body;
  EncodeHibpRange(b, layout, nullptr, &body);
  CHECK(body == "00000000000000000000000000000000000:1\r\n00250000000000000000000000000000000:12");
  body.clear();
  EncodeHibpRange(MakeBucket(layout, 0, true), layout, nullptr, &body);
  CHECK(body.empty());
}

TEST_CASE("HIBP range padding: 800..1000 sorted rows, real rows kept, pads count 0") {
  TagLayout layout{5, 27};  // NTLM
  Bucket b = MakeBucket(layout, 50, true);
  for (uint64_t seed : {1, 2, 3}) {
    HibpPadding padding{seed};
    std::string body;
    EncodeHibpRange(b, layout, &padding, &body);
    CHECK(body.find("\n\r") == std::string::npos);
    CHECK(body.back() != '\n');
    std::vector<std::string> lines;
    for (size_t pos = 0;;) {
      size_t end = body.find("\r\n", pos);
      lines.push_back(body.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
      if (end == std::string::npos) break;
      pos = end + 2;
    }
    CHECK(lines.size() >= 800);
    CHECK(lines.size() <= 1000);
    CHECK(std::is_sorted(lines.begin(), lines.end()));
    size_t nonzero = 0;
    for (const std::string& line : lines) {
      REQUIRE(line.size() > 28);
      CHECK(line[27] == ':');
      CHECK(line.substr(0, 27).find_first_not_of("0123456789ABCDEF") == std::string::npos);
      nonzero += line.substr(28) != "0";
    }
    CHECK(nonzero == 50);
  }
}

TEST_CASE("breach JSON has the HIBP shape; ETag is a quoted 64-bit hash") {
  auto breaches = Breaches();
  CHECK(EncodeBreachJson(breaches["zeta"]) ==
        "{\"Name\":\"zeta\",\"Title\":\"Zeta\",\"BreachDate\":\"2023-05-01\",\"AddedDate\":\"2024-01-02T00:00:00Z\","
        "\"PwnCount\":3,\"DataClasses\":[\"NIRs\",\"names\"],\"Description\":\"A \\\"quoted\\\" leak\"}");
  std::string list = EncodeBreachListJson(breaches);
  CHECK(list.rfind("[{\"Name\":\"alpha\"", 0) == 0);
  CHECK(BodyEtag("").size() == 18);
  CHECK(BodyEtag("a") != BodyEtag("b"));
  CHECK(BodyEtag("abc") == BodyEtag("abc"));
  CHECK(BodyEtag("abc").front() == '"');
}

TEST_CASE("index info JSON: exact bytes for a plain, a password and an oprf-p256 index") {
  IndexMeta meta;
  meta.scheme = SchemeId::kSha256;
  meta.layout = TagLayout{5, 16};
  CHECK(EncodeIndexInfoJson(meta, {Kind::kNir, Kind::kEmail, Kind::kPhone}) ==
        R"({"v":1,"scheme":"sha256","prefix_hex":5,"suffix_hex":16,"kinds":["nir","email","phone"],"padded":false})");
  meta.scheme = SchemeId::kSha1;
  meta.pad_responses = true;
  CHECK(EncodeIndexInfoJson(meta, {Kind::kPassword}) ==
        R"({"v":1,"scheme":"sha1","prefix_hex":5,"suffix_hex":16,"kinds":["password"],"padded":true})");
  meta.scheme = SchemeId::kOprfP256;
  meta.layout = TagLayout{4, 14};
  meta.oprf_public_key = "02ab";
  meta.oprf_key_fingerprint = "00ff";
  CHECK(nlohmann::json::parse(EncodeIndexInfoJson(meta, {Kind::kNir}))["oprf"] ==
        nlohmann::json::parse(R"({"suite":"P256-SHA256","public_key":"02ab","fingerprint":"00ff"})"));
  CHECK(EncodeIndexInfoJson(meta, {}).find(R"("kinds":[],)") != std::string::npos);
}

}  // namespace
}  // namespace vigie
