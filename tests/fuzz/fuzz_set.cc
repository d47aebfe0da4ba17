// Fuzz target "set": the private path's decoders (core/codec_set.h, core/set_lookup.h). Byte 0 is the breach
// count the decoder is given; the rest is a shard body, or several (`all`). Also the manifest decoder on the
// same bytes.
// Invariants: arbitrary bytes give a Status (never a crash or an over-read, which ASan reports); a shard
// that decodes has strictly ascending values below 2^(tag_bits - shard_bits), combination indices and breach
// positions in range, and its re-encoding (padded to its own length) decodes to the same shard;
// FindInSetShard finds every decoded value; a manifest that decodes re-encodes to JSON that decodes the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/codec_set.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void CheckShard(const vigie::SetShard& s, uint32_t breach_count) {
  const int value_bits = s.tag_bits - s.shard_bits;
  for (size_t i = 0; i < s.values.size(); ++i) {
    if (i > 0) FUZZ_CHECK(s.values[i] > s.values[i - 1], "values strictly ascending");
    if (value_bits < 64) FUZZ_CHECK(s.values[i] < (uint64_t{1} << value_bits), "values below 2^(T - s)");
    FUZZ_CHECK(s.ComboOf(i) < s.combos.size(), "combination index in range");
    if (i % 7 == 0) FUZZ_CHECK(vigie::FindInSetShard(s, s.values[i]) == static_cast<int64_t>(i), "values found");
  }
  for (const auto& combo : s.combos) {
    for (uint32_t p : combo) FUZZ_CHECK(p < breach_count, "breach positions in range");
  }
}

bool SameShard(const vigie::SetShard& a, const vigie::SetShard& b) {
  if (a.values != b.values || a.combos != b.combos || a.shard != b.shard || a.generation != b.generation) return false;
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (a.ComboOf(i) != b.ComboOf(i)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigie::fuzz::Cursor in(data, size);
  const uint32_t breach_count = in.Byte();
  std::string_view rest = in.Rest();
  for (int shards = 0; shards < 4 && !rest.empty(); ++shards) {
    vigie::SetShard shard;
    size_t consumed = 0;
    if (!vigie::DecodeSetShard(rest, breach_count, &shard, &consumed).ok()) break;
    FUZZ_CHECK(consumed > 0 && consumed <= rest.size(), "a decoded shard says its length");
    CheckShard(shard, breach_count);
    std::string again;
    vigie::EncodeSetShard(shard, consumed, &again);
    vigie::SetShard back;
    size_t back_consumed = 0;
    FUZZ_CHECK(vigie::DecodeSetShard(again, breach_count, &back, &back_consumed).ok(), "a re-encoding decodes");
    FUZZ_CHECK(SameShard(shard, back), "a re-encoding decodes to the same shard");
    rest.remove_prefix(consumed);
  }
  vigie::SetManifest manifest;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (vigie::DecodeSetManifestJson(text, &manifest).ok()) {
    vigie::SetManifest back;
    FUZZ_CHECK(vigie::DecodeSetManifestJson(vigie::EncodeSetManifestJson(manifest), &back).ok(),
               "a re-encoded manifest decodes");
    FUZZ_CHECK(vigie::EncodeSetManifestJson(back) == vigie::EncodeSetManifestJson(manifest), "a manifest round-trips");
  }
  return 0;
}
