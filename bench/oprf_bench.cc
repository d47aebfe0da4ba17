// Throughput of the oprf-p256 primitives on one core: hash-to-curve (BIGNUM reference vs fast),
// Evaluate (the indexer's per-identifier cost), EvaluateBatch, BlindEvaluate (the server's), the client
// side and VOPRF proofs. Prints operations per second; single-threaded by design (scale by cores).
//
//   oprf_bench [seconds-per-measure, default 1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/hash_to_curve.h"
#include "core/oprf.h"

using namespace vigie;
using Clock = std::chrono::steady_clock;

namespace {

double g_seconds = 1.0;

// Runs `op(i)` (which does `per_call` operations) in 5 bursts of g_seconds / 5 and returns the best burst's
// operations per second: on a shared machine the best burst is the closest to the uncontended speed.
double Rate(const std::function<void(size_t)>& op, size_t per_call = 1) {
  double best = 0;
  size_t calls = 0;
  for (int burst = 0; burst < 5; ++burst) {
    size_t n = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    do {
      op(calls++);
      ++n;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < g_seconds / 5);
    best = std::max(best, static_cast<double>(n * per_call) / elapsed);
  }
  return best;
}

void Row(const char* name, double rate) { std::printf("%-44s %10.0f /s  %8.2f us\n", name, rate, 1e6 / rate); }

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) g_seconds = std::atof(argv[1]);
  std::vector<std::string> inputs;
  for (int i = 0; i < 4096; ++i) inputs.push_back("vigie:nir:1" + std::to_string(85057800600000ll + i * 7919));
  auto input = [&](size_t i) -> const std::string& { return inputs[i % inputs.size()]; };
  const std::string dst = "HashToGroup-" + oprf::ContextString(oprf::Mode::kOprf);
  auto key = oprf::OprfKey::Generate();
  if (!key.ok()) return 1;

  uint8_t x[32], y[32];
  const double generic = Rate([&](size_t i) { h2c::HashToCurveGeneric(input(i), dst, x, y); });
  const double fast = Rate([&](size_t i) {
    h2c::ProjectivePoint p;
    h2c::HashToCurve(input(i), dst, &p);
    h2c::ToAffineBytes(p, x, y);
  });
  const double fast_proj = Rate([&](size_t i) {
    h2c::ProjectivePoint p;
    h2c::HashToCurve(input(i), dst, &p);
  });
  Row("hash-to-curve, generic BIGNUM (affine)", generic);
  Row("hash-to-curve, fast (affine)", fast);
  Row("hash-to-curve, fast (projective, no inversion)", fast_proj);
  std::printf("%-44s %10.1fx\n", "  fast / generic (affine)", fast / generic);

  Row("Evaluate (one input)", Rate([&](size_t i) { (void)oprf::Evaluate(oprf::Mode::kOprf, *key, input(i)); }));
  for (size_t batch : {64, 256, 1024}) {
    std::vector<std::string_view> views;
    std::vector<uint8_t> out(batch * 32);
    size_t off = 0;
    const double r = Rate(
        [&](size_t) {
          views.clear();
          for (size_t j = 0; j < batch; ++j) views.push_back(input(off++));
          (void)oprf::EvaluateBatch(*key, views, out.data());
        },
        batch);
    Row(("EvaluateBatch (batches of " + std::to_string(batch) + ")").c_str(), r);
  }

  std::vector<oprf::Element> blinded;
  for (int i = 0; i < 256; ++i) blinded.push_back(oprf::Blind(oprf::Mode::kOprf, input(i))->element);
  Row("BlindEvaluate (one element)",
      Rate([&](size_t i) { (void)oprf::BlindEvaluate(*key, blinded[i % blinded.size()]); }));
  std::vector<oprf::Element> evaluated(blinded.size());
  Row("BlindEvaluateBatch (batches of 256)",
      Rate([&](size_t) { (void)oprf::BlindEvaluateBatch(*key, blinded, evaluated); }, blinded.size()));
  (void)oprf::BlindEvaluateBatch(*key, blinded, evaluated);
  Row("GenerateProof (batch of 1)", Rate([&](size_t i) {
        size_t k = i % blinded.size();
        (void)oprf::GenerateProof(*key, {&blinded[k], 1}, {&evaluated[k], 1});
      }));
  Row("GenerateProof (batch of 256, per element)",
      Rate([&](size_t) { (void)oprf::GenerateProof(*key, blinded, evaluated); }, blinded.size()));
  auto proof = oprf::GenerateProof(*key, blinded, evaluated);
  Row("VerifyProof (batch of 256, per element)",
      Rate([&](size_t) { (void)oprf::VerifyProof(key->public_key(), blinded, evaluated, *proof); }, blinded.size()));
  Row("client Blind", Rate([&](size_t i) { (void)oprf::Blind(oprf::Mode::kOprf, input(i)); }));
  auto b = oprf::Blind(oprf::Mode::kOprf, input(0));
  auto e = oprf::BlindEvaluate(*key, b->element);
  Row("client Finalize", Rate([&](size_t) { (void)oprf::Finalize(input(0), b->blind, *e); }));
  return 0;
}
