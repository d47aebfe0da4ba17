#include "core/leakage.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/leakage_report.h"
#include "core/nir.h"
#include "core/oprf_scheme.h"

namespace vigie::leakage {
namespace {

// A scheme whose tags the test controls: every tag starts with the bytes `lead`, then the candidate's
// order digits (so tags differ only after the lead).
class FakeScheme final : public Scheme {
 public:
  explicit FakeScheme(uint32_t lead_bits24, bool fail = false) : lead_(lead_bits24), fail_(fail) {}
  SchemeId id() const override { return SchemeId::kSha256; }
  bool AcceptsKind(Kind kind) const override { return kind == Kind::kNir; }
  Status ComputeTag(Kind, std::string_view canonical, uint8_t* tag) const override {
    if (fail_) return Status::Internal("fake failure");
    std::memset(tag, 0, 32);
    tag[0] = uint8_t(lead_ >> 16);
    tag[1] = uint8_t(lead_ >> 8);
    tag[2] = uint8_t(lead_);
    std::memcpy(tag + 3, canonical.data() + 10, 3);
    return Status::Ok();
  }

 private:
  uint32_t lead_;
  bool fail_;
};

Birthplaces Tiny() {
  Result<Birthplaces> b = ParseBirthplaces("# insee\tpopulation\n01001\t100\n2A004\t300\n97101\t0\n",
                                           "# code\tweight\tname\n99350\t2\tMaroc\n");
  REQUIRE(b.ok());
  return *b;
}

TEST_CASE("CandidateNir: the key is computed, and NormalizeNir agrees") {
  struct Row {
    int sex, yy, mm;
    const char* place;
    int order;
    const char* expected;
  };
  const Row rows[] = {
      {1, 85, 5, "78006", 84, "185057800608491"},  // PRODUCT.md §3's example
      {2, 0, 12, "2A004", 1, nullptr},
      {1, 99, 42, "97101", 999, nullptr},
      {2, 7, 1, "99350", 10, nullptr},
  };
  for (const Row& row : rows) {
    const std::string nir = CandidateNir(row.sex, row.yy, row.mm, row.place, row.order);
    INFO(nir);
    REQUIRE(nir.size() == 15);
    if (row.expected) CHECK(nir == row.expected);
    std::string canonical;
    CHECK(NormalizeNir(nir.substr(0, 13), &canonical).ok());
    CHECK(canonical == nir);
    CHECK(CheckNirPlausibility(nir).plausible);
  }
}

TEST_CASE("ParseBirthplaces: rows, comments, and malformed lines") {
  Birthplaces b = Tiny();
  CHECK(b.commune_codes == std::vector<std::string>{"01001", "2A004", "97101"});
  CHECK(b.commune_population == std::vector<double>{100, 300, 0});
  CHECK(b.country_codes == std::vector<std::string>{"99350"});
  const char* bad[] = {"0100\t5\n", "01001\n", "01001\tmany\n", "01001\t-3\n", "# only a comment\n"};
  for (const char* text : bad) {
    Result<Birthplaces> r = ParseBirthplaces(text, "");
    INFO(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "leakage.table");
  }
}

TEST_CASE("The embedded commune table: large, and every code plausible") {
  Result<Birthplaces> b = LoadEmbeddedBirthplaces();
  REQUIRE(b.ok());
  CHECK(b->commune_codes.size() > 30000);
  CHECK(b->country_codes.size() >= 10);
  size_t implausible = 0;
  for (const std::string& code : b->commune_codes) {
    if (!CheckNirPlausibility(CandidateNir(1, 85, 5, code, 1)).plausible) ++implausible;
  }
  CHECK(implausible == 0);
  for (const std::string& code : b->country_codes)
    CHECK(CheckNirPlausibility(CandidateNir(2, 1, 1, code, 1)).plausible);
  // Paris is counted by arrondissement, not as 75056.
  std::set<std::string> codes(b->commune_codes.begin(), b->commune_codes.end());
  CHECK(codes.count("75101") == 1);
  CHECK(codes.count("75056") == 0);
}

TEST_CASE("CountRuleBirthplaceCodes follows core/nir.h's rules") {
  // 01-96 x 001-999, 2A/2B x 001-999, 971-978 and 984-989 x 01-99, 99 x 101-999.
  CHECK(CountRuleBirthplaceCodes() == 96 * 999 + 2 * 999 + 8 * 99 + 6 * 99 + 899);
}

TEST_CASE("DistinctYearCodes and PlausibleSpaces") {
  CHECK(DistinctYearCodes(1925, 2025) == 100);
  CHECK(DistinctYearCodes(1926, 2025) == 100);
  CHECK(DistinctYearCodes(2000, 2009) == 10);
  CHECK(DistinctYearCodes(2010, 2000) == 0);

  Assumptions a{2000, 2009};
  std::vector<Space> spaces = PlausibleSpaces(Tiny(), a);
  REQUIRE(spaces.size() == 3);
  CHECK(spaces[0].total() == 2ull * 10 * 12 * (3 + 899) * 999);
  CHECK(spaces[1].total() == 2ull * 10 * 92 * (3 + 899) * 999);
  CHECK(spaces[2].total() == 6ull * 10 * 92 * CountRuleBirthplaceCodes() * 999);
  CHECK(spaces[0].total() < spaces[1].total());
  CHECK(spaces[1].total() < spaces[2].total());
  CHECK(PerPrefix(double(1 << 20), 5) == doctest::Approx(1.0));
  CHECK(PerPrefix(999, 4) == doctest::Approx(999.0 / 65536));
}

TEST_CASE("ShannonBits, FieldEntropies, CommunesCovering") {
  const std::vector<double> uniform4 = {1, 1, 1, 1}, certain = {5, 0, 0}, skewed = {3, 1};
  CHECK(ShannonBits(uniform4) == doctest::Approx(2.0));
  CHECK(ShannonBits(certain) == doctest::Approx(0.0));
  CHECK(ShannonBits(skewed) == doctest::Approx(-(0.75 * std::log2(0.75) + 0.25 * std::log2(0.25))));
  CHECK(ShannonBits(std::vector<double>{}) == 0.0);

  Birthplaces b = Tiny();
  std::vector<FieldBits> fields = FieldEntropies(b, Assumptions{});
  REQUIRE(fields.size() == 5);
  CHECK(fields[3].uniform_bits == doctest::Approx(std::log2(3.0)));
  CHECK(fields[3].weighted_bits == doctest::Approx(ShannonBits(skewed)));
  for (const FieldBits& f : fields) CHECK(f.weighted_bits <= f.uniform_bits + 1e-9);
  CHECK(CommunesCovering(b, 0.5) == 1);  // 2A004 holds 75%
  CHECK(CommunesCovering(b, 0.9) == 2);
}

TEST_CASE("SampleKnownPerson counts the other candidates sharing the person's prefix") {
  Birthplaces b = Tiny();
  // All tags share their first 24 bits: every other candidate shares every prefix.
  FakeScheme same(0xabcdef);
  Result<std::vector<KnownPersonSample>> all = SampleKnownPerson(same, b, Assumptions{}, 5, 7);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3 + 13);  // p = 4, 5, 6, then shards s = 0..12
  for (const KnownPersonSample& s : *all) {
    CHECK(s.profiles == 5);
    CHECK(s.others_sharing == 5 * 998);
    CHECK(s.max_others == 998);
    CHECK(s.mean_others() == doctest::Approx(998));
  }

  // Real SHA-256 tags: sharing 6 digits implies sharing 5 and 4, and a 6-digit match is rare.
  Result<std::unique_ptr<Scheme>> sha = MakeUnkeyedScheme(SchemeId::kSha256);
  REQUIRE(sha.ok());
  Result<std::vector<KnownPersonSample>> real = SampleKnownPerson(**sha, b, Assumptions{}, 300, 1);
  REQUIRE(real.ok());
  CHECK((*real)[0].others_sharing >= (*real)[1].others_sharing);
  CHECK((*real)[1].others_sharing >= (*real)[2].others_sharing);
  // Expected 300 * 998 / 65536 = 4.6 at p=4; a uniform tag stays far below 40.
  CHECK((*real)[0].others_sharing < 40);
  CHECK((*real)[0].expected_others() == doctest::Approx(998.0 / 65536));
  // Shards: s = 0 holds everyone; each extra bit about halves the others (expected 998 / 2^s).
  CHECK((*real)[3].shard_bits == 0);
  CHECK((*real)[3].others_sharing == 300 * 998);
  for (size_t i = 4; i < real->size(); ++i) {
    CHECK((*real)[i].others_sharing <= (*real)[i - 1].others_sharing);
    CHECK((*real)[i].mean_others() == doctest::Approx((*real)[i].expected_others()).epsilon(0.25));
  }
  // Deterministic for a seed.
  Result<std::vector<KnownPersonSample>> again = SampleKnownPerson(**sha, b, Assumptions{}, 300, 1);
  REQUIRE(again.ok());
  CHECK((*again)[0].others_sharing == (*real)[0].others_sharing);

  CHECK(SampleKnownPerson(same, b, Assumptions{2010, 2000}, 1, 1).status().reason() == "leakage.years");
  FakeScheme broken(0, true);
  CHECK_FALSE(SampleKnownPerson(broken, b, Assumptions{}, 1, 1).ok());
}

TEST_CASE("MeasureTagRate and MeasureBlindEvaluateRate do the work they count") {
  FakeScheme fake(1);
  for (int threads : {1, 2}) {
    Result<Rate> r = MeasureTagRate(fake, 0.02, threads);
    REQUIRE(r.ok());
    CHECK(r->threads == threads);
    CHECK(r->operations >= 999u * unsigned(threads));
    CHECK(r->operations % 999 == 0);
    CHECK(r->per_second() > 0);
    CHECK(r->cpu_seconds > 0);
    CHECK(r->per_core_second() > 0);
  }
  FakeScheme broken(0, true);
  CHECK(MeasureTagRate(broken, 0.02, 2).status().code() == Code::kInternal);
  CHECK(MeasureTagRate(fake, 0.02, 0).status().reason() == "leakage.threads");
  CHECK(MeasureTagRate(fake, 0, 1).status().reason() == "leakage.seconds");

  Result<oprf::OprfKey> key = oprf::OprfKey::Generate();
  REQUIRE(key.ok());
  Result<Rate> blind = MeasureBlindEvaluateRate(*key, 0.02, 1);
  REQUIRE(blind.ok());
  CHECK(blind->operations % 64 == 0);
  CHECK(blind->operations >= 64);
}

TEST_CASE("Reports: prefix range, JSON shape, durations") {
  LeakageOptions bad;
  bad.prefix_hex = {3};
  CHECK(BuildLeakageReport(bad).status().reason() == "leakage.prefix");

  LeakageOptions options;
  options.prefix_hex = {5};
  options.profiles = 20;
  Result<LeakageReport> r = BuildLeakageReport(options);
  REQUIRE(r.ok());
  REQUIRE(r->samples.size() == 1);
  CHECK(r->samples[0].prefix_hex == 5);
  nlohmann::json j = nlohmann::json::parse(LeakageJson(*r));
  CHECK(j["spaces"].size() == 3);
  CHECK(j["spaces"][0]["per_prefix"]["5"].get<double>() == doctest::Approx(double(r->spaces[0].total()) / 1048576.0));
  CHECK(j["known_person"]["by_prefix"].size() == 1);
  CHECK(LeakageText(*r).find("Known person") != std::string::npos);

  BruteForceOptions brute;
  brute.seconds = 0.02;
  brute.threads = 2;
  Result<BruteForceReport> b = BuildBruteForceReport(brute);
  REQUIRE(b.ok());
  CHECK(b->oprf_all.threads == 2);
  // A keyed evaluation costs far more than a hash: the whole point of oprf-p256 for a key holder's cost.
  CHECK(b->sha256_one.per_core_second() > 10 * b->oprf_one.per_core_second());
  nlohmann::json bj = nlohmann::json::parse(BruteForceJson(*b));
  CHECK(bj["rates"].size() == 6);
  CHECK(bj["spaces"].size() == 3);
  CHECK(BruteForceText(*b).find("One known person") != std::string::npos);

  CHECK(HumanDuration(0.0042) == "4.2 ms");
  CHECK(HumanDuration(30) == "30 s");
  CHECK(HumanDuration(600) == "10 min");
  CHECK(HumanDuration(7200 * 3) == "6 h (0.25 days)");
  CHECK(HumanDuration(2 * 365.25 * 86400) == "1.75e+04 h (2 years)");
}

}  // namespace
}  // namespace vigie::leakage
