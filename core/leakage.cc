#include "core/leakage.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "core/dump_tables.h"
#include "core/kind.h"
#include "core/nir.h"

namespace vigie::leakage {
namespace {

// Calls `line_fn(fields)` for every non-comment, non-empty line of a tab-separated text.
Status ForEachRow(std::string_view text, std::string_view table,
                  const std::function<Status(std::vector<std::string_view>&)>& line_fn) {
  std::vector<std::string_view> fields;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    fields.clear();
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    Status s = line_fn(fields);
    if (!s.ok()) return s.WithContext(std::string(table) + " line " + std::to_string(line_no));
  }
  return Status::Ok();
}

std::optional<double> ParseWeight(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !(v >= 0)) return std::nullopt;
  return v;
}

Status ParseRow(std::vector<std::string_view>& f, size_t min_fields, std::vector<std::string>* codes,
                std::vector<double>* weights) {
  if (f.size() < min_fields || f[0].size() != 5) {
    return Status::InvalidArgument("leakage.table", "expected a 5-character code and a number");
  }
  std::optional<double> w = ParseWeight(f[1]);
  if (!w) return Status::InvalidArgument("leakage.table", "the second field is not a non-negative number");
  codes->emplace_back(f[0]);
  weights->push_back(*w);
  return Status::Ok();
}

// A profile (everything but the order) chosen uniformly over the "people, months 01-12" space of the
// commune table: enough spread for a rate measurement, and cheap to derive from a counter.
struct Profile {
  int sex, yy, mm;
  std::string_view place;
};
Profile ProfileAt(const Birthplaces& places, uint64_t i) {
  const std::string& place = places.commune_codes[i % places.commune_codes.size()];
  i /= places.commune_codes.size();
  return {static_cast<int>(1 + i % 2), static_cast<int>((i / 2) % 100), static_cast<int>(1 + (i / 200) % 12), place};
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

template <typename Work>
Result<Rate> RunTimed(std::string what, double seconds, int threads, Work work) {
  if (threads < 1) return Status::InvalidArgument("leakage.threads", "at least one thread is needed");
  if (!(seconds > 0)) return Status::InvalidArgument("leakage.seconds", "the duration must be positive");
  std::vector<uint64_t> done(static_cast<size_t>(threads), 0);
  std::vector<double> cpu(static_cast<size_t>(threads), 0);
  std::vector<Status> failures(static_cast<size_t>(threads));
  std::atomic<bool> stop{false};
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const size_t me = static_cast<size_t>(t);
      const double cpu_start = ThreadCpuSeconds();
      for (uint64_t round = 0; !stop.load(std::memory_order_relaxed); ++round) {
        Result<uint64_t> n = work(t, round);
        if (!n.ok()) {
          failures[me] = n.status();
          stop = true;
          return;
        }
        done[me] += *n;
        if (std::chrono::steady_clock::now() >= deadline) break;
      }
      cpu[me] = ThreadCpuSeconds() - cpu_start;
    });
  }
  for (std::thread& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const Status& s : failures) {
    if (!s.ok()) return s;
  }
  Rate rate;
  rate.what = std::move(what);
  rate.threads = threads;
  for (uint64_t n : done) rate.operations += n;
  rate.seconds = elapsed;
  for (double c : cpu) rate.cpu_seconds += c;
  return rate;
}

}  // namespace

Result<Birthplaces> ParseBirthplaces(std::string_view communes_tsv, std::string_view pays_tsv) {
  Birthplaces out;
  VIGIE_RETURN_IF_ERROR(ForEachRow(communes_tsv, "communes.tsv", [&](std::vector<std::string_view>& f) {
    return ParseRow(f, 2, &out.commune_codes, &out.commune_population);
  }));
  VIGIE_RETURN_IF_ERROR(ForEachRow(pays_tsv, "pays.tsv", [&](std::vector<std::string_view>& f) {
    return ParseRow(f, 2, &out.country_codes, &out.country_weight);
  }));
  if (out.commune_codes.empty()) {
    return Status::InvalidArgument("leakage.table", "the commune table has no rows");
  }
  return out;
}

Result<Birthplaces> LoadEmbeddedBirthplaces() {
  std::optional<std::string> communes = EmbeddedDumpTable("communes.tsv");
  std::optional<std::string> pays = EmbeddedDumpTable("pays.tsv");
  if (!communes || !pays) return Status::Internal("the commune and country tables are not embedded");
  return ParseBirthplaces(*communes, *pays);
}

uint64_t CountRuleBirthplaceCodes() {
  uint64_t count = 0;
  char nir[15];
  auto check = [&](std::string_view place) {
    FormatCandidate(nir, 1, 85, 5, place, 1);
    if (CheckNirPlausibility(std::string_view(nir, 15)).plausible) ++count;
  };
  char place[6] = {};
  for (int dep = 0; dep < 102; ++dep) {
    if (dep < 100) {
      place[0] = static_cast<char>('0' + dep / 10);
      place[1] = static_cast<char>('0' + dep % 10);
    } else {
      place[0] = '2';
      place[1] = dep == 100 ? 'A' : 'B';
    }
    for (int c = 0; c < 1000; ++c) {
      place[2] = static_cast<char>('0' + c / 100);
      place[3] = static_cast<char>('0' + c / 10 % 10);
      place[4] = static_cast<char>('0' + c % 10);
      check(std::string_view(place, 5));
    }
  }
  return count;
}

int DistinctYearCodes(int first_year, int last_year) {
  if (last_year < first_year) return 0;
  return std::min(100, last_year - first_year + 1);
}

void FormatCandidate(char* out, int sex, int yy, int mm, std::string_view place, int order) {
  out[0] = static_cast<char>('0' + sex);
  out[1] = static_cast<char>('0' + yy / 10);
  out[2] = static_cast<char>('0' + yy % 10);
  out[3] = static_cast<char>('0' + mm / 10);
  out[4] = static_cast<char>('0' + mm % 10);
  for (size_t i = 0; i < 5; ++i) out[5 + i] = i < place.size() ? place[i] : '0';
  out[10] = static_cast<char>('0' + order / 100);
  out[11] = static_cast<char>('0' + order / 10 % 10);
  out[12] = static_cast<char>('0' + order % 10);
  const int key = ComputeNirKey(std::string_view(out, 13));
  out[13] = static_cast<char>('0' + key / 10);
  out[14] = static_cast<char>('0' + key % 10);
}

std::string CandidateNir(int sex, int yy, int mm, std::string_view place, int order) {
  std::string out(kNirLength, '0');
  FormatCandidate(out.data(), sex, yy, mm, place, order);
  return out;
}

std::vector<Space> PlausibleSpaces(const Birthplaces& places, const Assumptions& a) {
  const uint64_t years = static_cast<uint64_t>(DistinctYearCodes(a.first_year, a.last_year));
  const uint64_t table_places = places.commune_codes.size() + kForeignCountryCodes;
  // Months: 01-12, plus 20-99 (80 codes) which CheckNirPlausibility accepts for an unknown month.
  return {
      {"people", "sex 1-2, months 01-12, commune table + every foreign code", 2, years, 12, table_places, kOrders},
      {"people+unknown-months", "the same with the unknown-month codes 20-99", 2, years, 12 + 80, table_places,
       kOrders},
      {"rule", "all CheckNirPlausibility accepts: sex 1,2,3,4,7,8, months 01-12 and 20-99, every code", 6, years,
       12 + 80, CountRuleBirthplaceCodes(), kOrders},
  };
}

double PerPrefix(double total, int prefix_hex) { return total / std::pow(16.0, prefix_hex); }

double ShannonBits(std::span<const double> weights) {
  double sum = 0;
  for (double w : weights) sum += w > 0 ? w : 0;
  if (sum <= 0) return 0;
  double bits = 0;
  for (double w : weights) {
    if (w <= 0) continue;
    const double p = w / sum;
    bits -= p * std::log2(p);
  }
  return bits;
}

std::vector<FieldBits> FieldEntropies(const Birthplaces& places, const Assumptions& a) {
  const double communes = static_cast<double>(places.commune_codes.size());
  return {
      {"sex", 1.0, 1.0, "1 or 2"},
      {"year", std::log2(DistinctYearCodes(a.first_year, a.last_year)),
       std::log2(DistinctYearCodes(a.first_year, a.last_year)), "uniform: data/ has no age pyramid"},
      {"month", std::log2(12.0), std::log2(12.0), "uniform"},
      {"birthplace (communes)", std::log2(communes), ShannonBits(places.commune_population),
       "weighted by today's legal population (a proxy for births)"},
      {"order", std::log2(double(kOrders)), std::log2(double(kOrders)),
       "upper bound: orders are sequential per commune and month"},
  };
}

size_t CommunesCovering(const Birthplaces& places, double share) {
  std::vector<double> pop = places.commune_population;
  std::sort(pop.begin(), pop.end(), std::greater<>());
  double total = 0;
  for (double p : pop) total += p;
  double acc = 0;
  for (size_t i = 0; i < pop.size(); ++i) {
    acc += pop[i];
    if (acc >= share * total) return i + 1;
  }
  return pop.size();
}

Result<std::vector<KnownPersonSample>> SampleKnownPerson(const Scheme& scheme, const Birthplaces& places,
                                                         const Assumptions& a, uint64_t profiles, uint64_t seed) {
  if (!scheme.AcceptsKind(Kind::kNir)) {
    return Status::InvalidArgument("leakage.scheme", "the scheme does not tag NIRs");
  }
  if (DistinctYearCodes(a.first_year, a.last_year) == 0) {
    return Status::InvalidArgument("leakage.years", "the last birth year is before the first");
  }
  std::mt19937_64 rng(seed);
  std::discrete_distribution<size_t> commune(places.commune_population.begin(), places.commune_population.end());
  std::uniform_int_distribution<int> sex(1, 2), year(a.first_year, a.last_year), month(1, 12), order(1, kOrders);
  std::vector<KnownPersonSample> out;
  for (int p : {4, 5, 6}) out.push_back({.prefix_hex = p, .profiles = profiles});
  for (int s = 0; s <= 12; ++s) out.push_back({.shard_bits = s, .profiles = profiles});
  std::string arena(kOrders * kNirLength, '0');
  std::vector<std::string_view> views(kOrders);
  std::vector<uint8_t> tags(kOrders * scheme.tag_bytes());
  for (uint64_t n = 0; n < profiles; ++n) {
    const int s = sex(rng), yy = year(rng) % 100, mm = month(rng);
    const std::string& place = places.commune_codes[commune(rng)];
    const int person = order(rng) - 1;
    for (int o = 0; o < kOrders; ++o) {
      FormatCandidate(&arena[size_t(o) * kNirLength], s, yy, mm, place, o + 1);
      views[size_t(o)] = std::string_view(&arena[size_t(o) * kNirLength], kNirLength);
    }
    VIGIE_RETURN_IF_ERROR(scheme.ComputeTags(Kind::kNir, views, tags.data()));
    // Leading 24 bits of each tag; p hex digits agree when the top 4p bits do.
    auto top24 = [&](int o) {
      const uint8_t* t = &tags[size_t(o) * scheme.tag_bytes()];
      return (uint32_t(t[0]) << 16) | (uint32_t(t[1]) << 8) | t[2];
    };
    const uint32_t mine = top24(person);
    for (KnownPersonSample& sample : out) {
      const int shift = 24 - sample.bits();
      uint64_t others = 0;
      for (int o = 0; o < kOrders; ++o) {
        if (o != person && (top24(o) >> shift) == (mine >> shift)) ++others;
      }
      sample.others_sharing += others;
      sample.max_others = std::max(sample.max_others, others);
    }
  }
  return out;
}

Result<Rate> MeasureTagRate(const Scheme& scheme, double seconds, int threads) {
  if (!scheme.AcceptsKind(Kind::kNir)) {
    return Status::InvalidArgument("leakage.scheme", "the scheme does not tag NIRs");
  }
  Result<Birthplaces> places = LoadEmbeddedBirthplaces();
  if (!places.ok()) return places.status();
  struct Scratch {
    std::string arena = std::string(kOrders * kNirLength, '0');
    std::vector<std::string_view> views = std::vector<std::string_view>(kOrders);
    std::vector<uint8_t> tags;
    uint8_t fold = 0;  // keeps the tags observable
  };
  std::vector<Scratch> scratch(static_cast<size_t>(threads > 0 ? threads : 0));
  for (Scratch& s : scratch) s.tags.resize(kOrders * scheme.tag_bytes());
  return RunTimed(std::string(SchemeName(scheme.id())) + " tags", seconds, threads,
                  [&](int t, uint64_t round) -> Result<uint64_t> {
                    Scratch& s = scratch[size_t(t)];
                    const Profile pr = ProfileAt(*places, round * uint64_t(threads) + uint64_t(t));
                    for (int o = 0; o < kOrders; ++o) {
                      char* c = &s.arena[size_t(o) * kNirLength];
                      FormatCandidate(c, pr.sex, pr.yy, pr.mm, pr.place, o + 1);
                      s.views[size_t(o)] = std::string_view(c, kNirLength);
                    }
                    VIGIE_RETURN_IF_ERROR(scheme.ComputeTags(Kind::kNir, s.views, s.tags.data()));
                    for (int o = 0; o < kOrders; ++o) s.fold ^= s.tags[size_t(o) * scheme.tag_bytes()];
                    return uint64_t(kOrders);
                  });
}

Result<Rate> MeasureBlindEvaluateRate(const oprf::OprfKey& key, double seconds, int threads) {
  constexpr size_t kBatch = 64;
  std::vector<oprf::Element> blinded;
  for (size_t i = 0; i < kBatch; ++i) {
    Result<oprf::Blinded> b =
        oprf::Blind(oprf::Mode::kOprf, "vigie:nir:" + CandidateNir(1, 85, 5, "78006", int(i) + 1));
    if (!b.ok()) return b.status();
    blinded.push_back(b->element);
  }
  std::vector<std::vector<oprf::Element>> out(static_cast<size_t>(threads > 0 ? threads : 0),
                                              std::vector<oprf::Element>(kBatch));
  return RunTimed("blind evaluations", seconds, threads, [&](int t, uint64_t) -> Result<uint64_t> {
    VIGIE_RETURN_IF_ERROR(oprf::BlindEvaluateBatch(key, blinded, out[size_t(t)]));
    return uint64_t(kBatch);
  });
}

}  // namespace vigie::leakage
