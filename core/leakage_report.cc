#include "core/leakage_report.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/oprf_scheme.h"

namespace vigie::leakage {
namespace {

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Large counts as "8.59e+10", small ones with three significant digits.
std::string Num(double v) {
  if (v >= 1e6) return Format("%.3g", v);
  if (v >= 100) return Grouped(static_cast<uint64_t>(std::llround(v)));
  return Format("%.3g", v);
}

nlohmann::json SpaceJson(const Space& s) {
  return {{"name", s.name},     {"description", s.description}, {"sexes", s.sexes},
          {"years", s.years},   {"months", s.months},           {"birthplaces", s.birthplaces},
          {"orders", s.orders}, {"total", s.total()},           {"bits", std::log2(double(s.total()))}};
}

nlohmann::json RateJson(const Rate& r) {
  return {{"what", r.what},
          {"threads", r.threads},
          {"operations", r.operations},
          {"seconds", r.seconds},
          {"cpu_seconds", r.cpu_seconds},
          {"per_second", r.per_second()},
          {"per_core_second", r.per_core_second()}};
}

const char* kSpacesNote =
    "  people                 sex 1-2, months 01-12, birthplaces = commune table + every foreign code\n"
    "  people+unknown-months  the same, months 01-12 and 20-99 (codes used when the month is unknown)\n"
    "  rule                   all CheckNirPlausibility accepts: sex 1,2,3,4,7,8, months 01-12 and 20-99,\n"
    "                         every birthplace code it accepts\n";

}  // namespace

std::string HumanDuration(double s) {
  if (s < 1) return Format("%.3g ms", s * 1e3);
  if (s < 120) return Format("%.3g s", s);
  if (s < 7200) return Format("%.3g min", s / 60);
  if (s < 365 * 86400.0) return Format("%.3g h (%.3g days)", s / 3600, s / 86400);
  return Format("%.3g h (%.3g years)", s / 3600, s / (365.25 * 86400));
}

Result<LeakageReport> BuildLeakageReport(const LeakageOptions& options) {
  for (int p : options.prefix_hex) {
    if (p < 4 || p > 6) return Status::InvalidArgument("leakage.prefix", "prefix lengths run from 4 to 6");
  }
  Result<Birthplaces> places = LoadEmbeddedBirthplaces();
  if (!places.ok()) return places.status();
  LeakageReport r;
  r.options = options;
  r.communes = places->commune_codes.size();
  r.countries_listed = places->country_codes.size();
  r.spaces = PlausibleSpaces(*places, options.assumptions);
  r.rule_places = r.spaces.back().birthplaces;
  r.fields = FieldEntropies(*places, options.assumptions);
  r.communes_half = CommunesCovering(*places, 0.5);
  r.communes_90 = CommunesCovering(*places, 0.9);
  Result<std::unique_ptr<Scheme>> sha256 = MakeUnkeyedScheme(SchemeId::kSha256);
  if (!sha256.ok()) return sha256.status();
  Result<std::vector<KnownPersonSample>> samples =
      SampleKnownPerson(**sha256, *places, options.assumptions, options.profiles, options.seed);
  if (!samples.ok()) return samples.status();
  for (const KnownPersonSample& s : *samples) {
    if (s.shard_bits >= 0) {
      r.shard_samples.push_back(s);
      continue;
    }
    for (int p : options.prefix_hex) {
      if (s.prefix_hex == p) r.samples.push_back(s);
    }
  }
  return r;
}

std::string LeakageText(const LeakageReport& r) {
  const Assumptions& a = r.options.assumptions;
  std::string out;
  out += "Plausible NIR space (the key is a function of the first 13 characters: it adds nothing)\n";
  out += Format("  birth years %d-%d: %d two-digit year codes; orders 001-999\n", a.first_year, a.last_year,
                DistinctYearCodes(a.first_year, a.last_year));
  out += Format(
      "  commune table: %s communes (data/communes.tsv, embedded; Paris/Lyon/Marseille by "
      "arrondissement)\n",
      Grouped(r.communes).c_str());
  out += Format("  foreign birthplaces: %d codes 99101-99999 (all the rule accepts; data/pays.tsv lists %s)\n",
                kForeignCountryCodes, Grouped(r.countries_listed).c_str());
  out += Format("  birthplace codes CheckNirPlausibility accepts: %s\n\n", Grouped(r.rule_places).c_str());
  out += Format("  %-22s %4s %5s %6s %11s %6s %12s %6s\n", "space", "sex", "years", "months", "birthplaces", "orders",
                "total", "bits");
  for (const Space& s : r.spaces) {
    out += Format("  %-22s %4llu %5llu %6llu %11s %6llu %12s %6.1f\n", s.name.c_str(), (unsigned long long)s.sexes,
                  (unsigned long long)s.years, (unsigned long long)s.months, Grouped(s.birthplaces).c_str(),
                  (unsigned long long)s.orders, Num(double(s.total())).c_str(), std::log2(double(s.total())));
  }
  out += kSpacesNote;

  out += "\nPlausible NIRs sharing one prefix (total / 16^p; a tag, keyed or not, is a uniform value)\n";
  out += Format("  %2s %12s", "p", "buckets");
  for (const Space& s : r.spaces) out += Format(" %22s", s.name.c_str());
  out += "\n";
  for (int p : r.options.prefix_hex) {
    out += Format("  %2d %12s", p, Grouped(uint64_t(std::llround(std::pow(16.0, p)))).c_str());
    for (const Space& s : r.spaces) out += Format(" %22s", Num(PerPrefix(double(s.total()), p)).c_str());
    out += "\n";
  }

  out += "\nBits per field (uniform = log2 of the number of values; weighted = Shannon entropy)\n";
  for (const FieldBits& f : r.fields) {
    out += Format("  %-22s %6.2f %6.2f  %s\n", f.field.c_str(), f.uniform_bits, f.weighted_bits, f.note.c_str());
  }
  out += Format("  %s most populous communes hold 50%% of the population, %s hold 90%%\n",
                Grouped(r.communes_half).c_str(), Grouped(r.communes_90).c_str());
  out += "  a prefix carries 4p bits: 16 (p=4), 20 (p=5), 24 (p=6)\n";

  out += Format("\nKnown person (sex, year, month, commune known): %d candidates, orders 001-999\n", kOrders);
  out += Format("  measured with sha256 tags over %s random profiles (commune drawn by population, seed %llu)\n",
                Grouped(r.options.profiles).c_str(), (unsigned long long)r.options.seed);
  out += Format("  %2s %26s %20s %12s\n", "p", "others in their bucket", "measured mean", "worst");
  for (const KnownPersonSample& s : r.samples) {
    out += Format("  %2d %26s %20s %12llu\n", s.prefix_hex,
                  Format("%.3g (998/16^%d)", s.expected_others(), s.prefix_hex).c_str(),
                  Format("%.3g (%llu in all)", s.mean_others(), (unsigned long long)s.others_sharing).c_str(),
                  (unsigned long long)s.max_others);
  }
  out +=
      "  => whoever can compute tags (sha256: anyone; oprf-p256: the key holder) and knows these four\n"
      "     fields pins the person from the prefix alone; a bucket's content then says whether they are in\n"
      "     the index (and in which breaches)\n";
  out += "\nPrivate path (one shard fetched: the first s bits of the tag), the same profiles\n";
  out += Format("  %2s %26s %20s %12s\n", "s", "others in their shard", "measured mean", "worst");
  for (const KnownPersonSample& s : r.shard_samples) {
    out += Format("  %2d %26s %20s %12llu\n", s.shard_bits,
                  Format("%.4g (998/2^%d)", s.expected_others(), s.shard_bits).c_str(),
                  Format("%.4g", s.mean_others()).c_str(), (unsigned long long)s.max_others);
  }
  out +=
      "  => with s = 6 (the default) the operator who knows the four fields is left with the person and about\n"
      "     15.6 others; a client that fetches the whole set (s bits: none) leaves it nothing\n";
  return out;
}

std::string LeakageJson(const LeakageReport& r) {
  nlohmann::json j;
  j["assumptions"] = {
      {"first_year", r.options.assumptions.first_year},
      {"last_year", r.options.assumptions.last_year},
      {"year_codes", DistinctYearCodes(r.options.assumptions.first_year, r.options.assumptions.last_year)},
      {"communes", r.communes},
      {"foreign_codes", kForeignCountryCodes},
      {"countries_listed", r.countries_listed},
      {"rule_birthplaces", r.rule_places}};
  j["spaces"] = nlohmann::json::array();
  for (const Space& s : r.spaces) {
    nlohmann::json sj = SpaceJson(s);
    for (int p : r.options.prefix_hex) sj["per_prefix"][std::to_string(p)] = PerPrefix(double(s.total()), p);
    j["spaces"].push_back(sj);
  }
  j["fields"] = nlohmann::json::array();
  for (const FieldBits& f : r.fields) {
    j["fields"].push_back(
        {{"field", f.field}, {"uniform_bits", f.uniform_bits}, {"weighted_bits", f.weighted_bits}, {"note", f.note}});
  }
  j["communes_holding_50pct"] = r.communes_half;
  j["communes_holding_90pct"] = r.communes_90;
  j["known_person"] = {{"candidates", kOrders}, {"profiles", r.options.profiles}, {"seed", r.options.seed}};
  for (const KnownPersonSample& s : r.samples) {
    j["known_person"]["by_prefix"].push_back({{"prefix_hex", s.prefix_hex},
                                              {"expected_others", s.expected_others()},
                                              {"measured_mean_others", s.mean_others()},
                                              {"others_in_all", s.others_sharing},
                                              {"worst_profile", s.max_others}});
  }
  for (const KnownPersonSample& s : r.shard_samples) {
    j["known_person"]["by_shard"].push_back({{"shard_bits", s.shard_bits},
                                             {"expected_others", s.expected_others()},
                                             {"measured_mean_others", s.mean_others()},
                                             {"worst_profile", s.max_others}});
  }
  return j.dump(2) + "\n";
}

Result<BruteForceReport> BuildBruteForceReport(const BruteForceOptions& options) {
  Result<Birthplaces> places = LoadEmbeddedBirthplaces();
  if (!places.ok()) return places.status();
  BruteForceReport r;
  r.options = options;
  r.spaces = PlausibleSpaces(*places, options.assumptions);
  Result<std::unique_ptr<Scheme>> sha256 = MakeUnkeyedScheme(SchemeId::kSha256);
  if (!sha256.ok()) return sha256.status();
  // A throw-away key: the cost of Evaluate does not depend on which key it is.
  Result<oprf::OprfKey> key = oprf::OprfKey::Generate();
  if (!key.ok()) return key.status();
  auto shared = std::make_shared<const oprf::OprfKey>(std::move(*key));
  OprfScheme oprf_scheme(shared);
  struct Job {
    Rate* out;
    std::function<Result<Rate>(int)> run;
  };
  const double secs = options.seconds;
  const std::vector<Job> jobs = {
      {&r.sha256_one, [&](int) { return MeasureTagRate(**sha256, secs, 1); }},
      {&r.sha256_all, [&](int n) { return MeasureTagRate(**sha256, secs, n); }},
      {&r.oprf_one, [&](int) { return MeasureTagRate(oprf_scheme, secs, 1); }},
      {&r.oprf_all, [&](int n) { return MeasureTagRate(oprf_scheme, secs, n); }},
      {&r.blind_one, [&](int) { return MeasureBlindEvaluateRate(*shared, secs, 1); }},
      {&r.blind_all, [&](int n) { return MeasureBlindEvaluateRate(*shared, secs, n); }},
  };
  for (const Job& job : jobs) {
    Result<Rate> rate = job.run(options.threads);
    if (!rate.ok()) return rate.status();
    *job.out = *rate;
  }
  return r;
}

std::string BruteForceText(const BruteForceReport& r) {
  const int n = r.options.threads;
  std::string out =
      "Measured on this machine (our code: OpenSSL SHA-256 through Scheme::ComputeTags; oprf-p256 "
      "through\nOprfScheme::ComputeTags = EvaluateBatch, the indexer's path). Per core = operations / "
      "CPU time of\nthe measuring threads, which other load on the machine does not distort; wall = "
      "operations / elapsed time.\n";
  out += Format("  %-38s %14s %14s %14s\n", "", "per core, 1 th", Format("per core, %d th", n).c_str(),
                Format("wall, %d th", n).c_str());
  auto rate_line = [&](const Rate& one, const Rate& all, const char* what) {
    out += Format("  %-38s %12s/s %12s/s %12s/s\n", what, Num(one.per_core_second()).c_str(),
                  Num(all.per_core_second()).c_str(), Num(all.per_second()).c_str());
  };
  rate_line(r.sha256_one, r.sha256_all, "sha256: candidate NIR -> tag");
  rate_line(r.oprf_one, r.oprf_all, "oprf-p256, key holder: candidate -> tag");
  rate_line(r.blind_one, r.blind_all, "server BlindEvaluate (endpoint cost)");
  out += Format("  (about %.3g s per figure; a candidate = format 13 characters, compute the key, tag it)\n",
                r.options.seconds);

  // The enumeration splits into independent profiles, so n cores go n times as fast.
  auto t = [](double count, const Rate& rate, int cores) {
    return HumanDuration(count / (rate.per_core_second() * cores));
  };
  out +=
      "\nTime to tag the whole plausible space (matching against a copied or scraped index is then a "
      "lookup)\n";
  out += Format("  %-22s %9s %20s %20s %26s %26s\n", "space", "NIRs", "sha256, 1 core",
                Format("sha256, %d cores", n).c_str(), "oprf key, 1 core", Format("oprf key, %d cores", n).c_str());
  for (const Space& s : r.spaces) {
    const double count = double(s.total());
    out += Format("  %-22s %9s %20s %20s %26s %26s\n", s.name.c_str(), Num(count).c_str(),
                  t(count, r.sha256_one, 1).c_str(), t(count, r.sha256_all, n).c_str(), t(count, r.oprf_one, 1).c_str(),
                  t(count, r.oprf_all, n).c_str());
  }
  out += Format("\nOne known person (%d candidates), 1 core: sha256 %s; oprf-p256 with the key %s\n", kOrders,
                t(kOrders, r.sha256_one, 1).c_str(), t(kOrders, r.oprf_one, 1).c_str());
  out += Format(
      "Without the key, through the evaluation endpoint: %d evaluations per person, costing the server\n"
      "%s of one core (the endpoint's rate limit, not the CPU, is what bounds this)\n",
      kOrders, t(kOrders, r.blind_one, 1).c_str());
  return out;
}

std::string BruteForceJson(const BruteForceReport& r) {
  nlohmann::json j;
  j["seconds_per_measure"] = r.options.seconds;
  j["threads"] = r.options.threads;
  j["rates"] = {RateJson(r.sha256_one), RateJson(r.sha256_all), RateJson(r.oprf_one),
                RateJson(r.oprf_all),   RateJson(r.blind_one),  RateJson(r.blind_all)};
  j["spaces"] = nlohmann::json::array();
  for (const Space& s : r.spaces) {
    nlohmann::json sj = SpaceJson(s);
    const double n = double(s.total());
    const double cores = r.options.threads;
    sj["seconds_sha256_one_core"] = n / r.sha256_one.per_core_second();
    sj["seconds_sha256_all_cores"] = n / (r.sha256_all.per_core_second() * cores);
    sj["seconds_oprf_one_core"] = n / r.oprf_one.per_core_second();
    sj["seconds_oprf_all_cores"] = n / (r.oprf_all.per_core_second() * cores);
    j["spaces"].push_back(sj);
  }
  j["known_person"] = {{"candidates", kOrders},
                       {"seconds_sha256", kOrders / r.sha256_one.per_core_second()},
                       {"seconds_oprf_key", kOrders / r.oprf_one.per_core_second()},
                       {"server_seconds_blind_evaluate", kOrders / r.blind_one.per_core_second()}};
  return j.dump(2) + "\n";
}

}  // namespace vigie::leakage
