#include "core/set_report.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/codec.h"
#include "core/index.h"
#include "core/published_set.h"

namespace vigie {

double SetFigures::bound() const { return entries ? tag_bits - std::log2(static_cast<double>(entries)) + 2 : 0; }

Result<std::vector<SetFigures>> MeasureSets(const std::string& index_dir, int shard_bits) {
  auto index = Index::Open(index_dir, Index::Mode::kReadOnly);
  if (!index.ok()) return index.status();
  const IndexMeta& meta = (*index)->meta();
  const RangeBreachTable breaches = MakeRangeBreachTable((*index)->breaches());
  std::vector<SetFigures> out;
  for (Kind kind : kAllKinds) {
    const bool passwords = meta.scheme == SchemeId::kSha1 || meta.scheme == SchemeId::kNtlm;
    if (passwords != (kind == Kind::kPassword)) continue;
    const PublishedSet::Options options{shard_bits >= 0 ? shard_bits : meta.shard_bits, false,
                                        std::string(SchemeName(meta.scheme))};
    const auto start = std::chrono::steady_clock::now();
    auto set = PublishedSet::Build(**index, kind, breaches, options);
    if (!set.ok()) return set.status();
    SetFigures f;
    f.kind = kind;
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const SetManifest& m = (*set)->manifest();
    f.entries = m.count;
    f.shard_bits = m.shard_bits;
    f.tag_bits = m.tag_bits;
    f.bytes = (*set)->all().size();
    for (size_t i = 0; i < (*set)->shard_count(); ++i) {
      const std::string_view shard = (*set)->shard(i);
      f.largest_shard = std::max<uint64_t>(f.largest_shard, shard.size());
      // The bit stream follows the header and the combinations, which a decode tells apart.
      SetShard decoded;
      size_t consumed = 0;
      VIGIE_RETURN_IF_ERROR(DecodeSetShard(shard, static_cast<uint32_t>(m.breaches.size()), &decoded, &consumed));
      std::string header_only;
      SetShard empty = decoded;
      empty.values.clear();
      empty.combo_of.clear();
      EncodeSetShard(empty, 0, &header_only);
      const uint32_t payload = uint32_t(uint8_t(shard[24])) << 24 | uint32_t(uint8_t(shard[25])) << 16 |
                               uint32_t(uint8_t(shard[26])) << 8 | uint8_t(shard[27]);
      f.payload_bits += (payload - (header_only.size() - 4)) * 8;
    }
    if (f.entries > 0) out.push_back(f);
  }
  return out;
}

std::string SetFiguresText(const std::vector<SetFigures>& figures) {
  std::string out =
      "kind      entries  s   T   build s   set bytes  bits/entry  (stream only)  bound T-log2N+2  largest shard\n";
  char line[256];
  for (const SetFigures& f : figures) {
    std::snprintf(line, sizeof line, "%-6s %10llu %2d %3d %9.2f %11llu %11.2f %14.2f %16.2f %14llu\n",
                  std::string(KindName(f.kind)).c_str(), static_cast<unsigned long long>(f.entries), f.shard_bits,
                  f.tag_bits, f.seconds, static_cast<unsigned long long>(f.bytes), f.bits_per_entry(),
                  f.stream_bits_per_entry(), f.bound(), static_cast<unsigned long long>(f.largest_shard));
    out += line;
  }
  if (figures.empty()) out += "(no kind has any entry)\n";
  return out;
}

std::string SetFiguresJson(const std::vector<SetFigures>& figures) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const SetFigures& f : figures) {
    j.push_back({{"kind", std::string(KindName(f.kind))},
                 {"entries", f.entries},
                 {"shard_bits", f.shard_bits},
                 {"tag_bits", f.tag_bits},
                 {"build_seconds", f.seconds},
                 {"bytes", f.bytes},
                 {"bits_per_entry", f.bits_per_entry()},
                 {"stream_bits_per_entry", f.stream_bits_per_entry()},
                 {"bound_bits_per_entry", f.bound()},
                 {"largest_shard_bytes", f.largest_shard}});
  }
  return j.dump(2) + "\n";
}

}  // namespace vigie
