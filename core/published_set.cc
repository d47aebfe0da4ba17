#include "core/published_set.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>
#include <unordered_map>

namespace vigie {

namespace {

// The first 64 bits of a truncated tag (prefix nibbles, then the stored suffix), left-aligned.
uint64_t TagWord(const TagLayout& layout, uint32_t prefix, const uint8_t* suffix) {
  const int prefix_bits = 4 * layout.prefix_hex;
  uint64_t tail = 0;
  const size_t bytes = layout.suffix_bytes();
  for (size_t i = 0; i < 8; ++i) tail = tail << 8 | (i < bytes ? suffix[i] : 0);
  return uint64_t{prefix} << (64 - prefix_bits) | tail >> prefix_bits;
}

// Collects one shard's entries in order and codes them.
class ShardCoder {
 public:
  ShardCoder(Kind kind, int shard_bits, int tag_bits, uint64_t generation) {
    shard_.kind = kind;
    shard_.shard_bits = shard_bits;
    shard_.tag_bits = tag_bits;
    shard_.generation = generation;
  }
  uint32_t number() const { return shard_.shard; }

  void Start(uint32_t number) {
    shard_.shard = number;
    shard_.values.clear();
    entry_combos_.clear();
    combo_ids_.clear();
    combos_.clear();
  }

  // `positions`: ascending breach positions. Equal values (two tags alike in their first tag_bits bits)
  // are one entry with the union of their breaches.
  void Add(uint64_t value, const std::vector<uint32_t>& positions) {
    if (!shard_.values.empty() && shard_.values.back() == value) {
      std::vector<uint32_t> merged = combos_[entry_combos_.back()];
      merged.insert(merged.end(), positions.begin(), positions.end());
      std::sort(merged.begin(), merged.end());
      merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
      entry_combos_.back() = ComboId(merged);
      return;
    }
    shard_.values.push_back(value);
    entry_combos_.push_back(ComboId(positions));
  }

  // Appends the shard's body (unpadded) to *out; returns its entry count.
  uint32_t Finish(std::string* out) {
    // Most frequent combination first: it gets the shortest code (one bit), ties by content for determinism.
    std::vector<uint32_t> uses(combos_.size(), 0);
    for (uint32_t c : entry_combos_) ++uses[c];
    std::vector<uint32_t> order(combos_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return uses[a] != uses[b] ? uses[a] > uses[b] : combos_[a] < combos_[b]; });
    std::vector<uint32_t> rank(combos_.size());
    shard_.combos.clear();
    for (uint32_t i = 0; i < order.size(); ++i) {
      rank[order[i]] = i;
      shard_.combos.push_back(combos_[order[i]]);
    }
    shard_.combo_of.clear();
    if (shard_.combos.size() > 1) {
      shard_.combo_of.reserve(entry_combos_.size());
      for (uint32_t c : entry_combos_) shard_.combo_of.push_back(rank[c]);
    }
    EncodeSetShard(shard_, 0, out);
    return static_cast<uint32_t>(shard_.values.size());
  }

 private:
  uint32_t ComboId(const std::vector<uint32_t>& positions) {
    std::string key(reinterpret_cast<const char*>(positions.data()), positions.size() * sizeof(uint32_t));
    auto [it, added] = combo_ids_.emplace(std::move(key), static_cast<uint32_t>(combos_.size()));
    if (added) combos_.push_back(positions);
    return it->second;
  }

  SetShard shard_;
  std::vector<uint32_t> entry_combos_;  // per value: an index into combos_
  std::unordered_map<std::string, uint32_t> combo_ids_;
  std::vector<std::vector<uint32_t>> combos_;
};

// The shards [first, end) of a set, coded from the buckets whose prefixes they cover: unpadded bodies one
// after another, their offsets and entry counts. Threads code disjoint ranges.
struct CodedRange {
  std::string bodies;
  std::vector<size_t> offsets{0};
  std::vector<uint32_t> counts;
  Status status;
};

void CodeShards(const Index& index, Kind kind, const RangeBreachTable& breaches, int shard_bits, int tag_bits,
                uint64_t generation, uint32_t first, uint32_t end, CodedRange* out) {
  const TagLayout& layout = index.layout();
  // A shard is the first shard_bits bits of the tag, so it covers whole prefixes (shard_bits <= 12 < 16).
  const int spare = 4 * layout.prefix_hex - shard_bits;
  ShardCoder coder(kind, shard_bits, tag_bits, generation);
  coder.Start(first);
  auto finish_until = [&](uint32_t next) {  // codes the current shard and the empty ones before `next`
    while (coder.number() < next) {
      out->counts.push_back(coder.Finish(&out->bodies));
      out->offsets.push_back(out->bodies.size());
      const uint32_t following = coder.number() + 1;
      coder.Start(following);
    }
  };
  Bucket bucket;
  std::vector<uint32_t> positions;
  out->status = index.ForEachBucket(kind, first << spare, end << spare, [&](uint32_t prefix, std::string_view encoded) {
    VIGIE_RETURN_IF_ERROR(DecodeBucket(encoded, layout.suffix_bytes(), &bucket));
    for (size_t i = 0; i < bucket.size(); ++i) {
      const uint64_t bits = TagWord(layout, prefix, bucket.suffix(i)) >> (64 - tag_bits);
      finish_until(SetShardOf(bits, tag_bits, shard_bits));
      positions.clear();
      for (const Membership& member : bucket.members_of(i)) {
        const int position = breaches.PositionOf(member.breach_id);
        if (position < 0) return Status::Corruption("a bucket names a breach the catalogue does not have");
        positions.push_back(static_cast<uint32_t>(position));
      }
      coder.Add(SetValueOf(bits, tag_bits, shard_bits), positions);
    }
    return Status::Ok();
  });
  if (out->status.ok()) finish_until(end);
}

}  // namespace

Result<std::unique_ptr<PublishedSet>> PublishedSet::Build(const Index& index, Kind kind,
                                                          const RangeBreachTable& breaches, const Options& options) {
  const TagLayout& layout = index.layout();
  const int shard_bits = options.shard_bits;
  if (shard_bits < 0 || shard_bits > std::min(kMaxShardBits, 4 * layout.prefix_hex)) {
    return Status::InvalidArgument("index.shard-bits", "shard bits out of range for this index");
  }
  const uint32_t shards = uint32_t{1} << shard_bits;
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, shards);
  // Shard ranges per thread, and the buckets they cover, for both passes.
  std::vector<uint32_t> bounds;
  for (size_t t = 0; t <= threads; ++t) bounds.push_back(static_cast<uint32_t>(uint64_t{shards} * t / threads));
  const int spare = 4 * layout.prefix_hex - shard_bits;
  auto in_parallel = [&](const std::function<void(size_t)>& fn) {
    std::vector<std::thread> workers;
    for (size_t t = 1; t < threads; ++t) workers.emplace_back(fn, t);
    fn(0);
    for (std::thread& w : workers) w.join();
  };

  std::vector<uint64_t> entries_of(threads, 0);
  std::vector<Status> counted(threads);
  in_parallel([&](size_t t) {
    counted[t] = index.ForEachBucket(kind, bounds[t] << spare, bounds[t + 1] << spare,
                                     [&](uint32_t, std::string_view encoded) -> Status {
                                       auto n = BucketEntryCount(encoded);
                                       if (!n.ok()) return n.status();
                                       entries_of[t] += *n;
                                       return Status::Ok();
                                     });
  });
  uint64_t entries = 0;
  for (size_t t = 0; t < threads; ++t) {
    VIGIE_RETURN_IF_ERROR(counted[t]);
    entries += entries_of[t];
  }
  const int tag_bits = SetTagBitsFor(entries, shard_bits, 4 * (layout.prefix_hex + layout.suffix_hex));

  std::unique_ptr<PublishedSet> set(new PublishedSet());
  set->kind_ = kind;
  SetManifest& m = set->manifest_;
  m.kind = kind;
  m.scheme = options.scheme;
  m.generation = index.meta().generation;
  m.shard_bits = shard_bits;
  m.tag_bits = tag_bits;
  m.breaches = breaches.names;
  m.padded = options.pad;

  std::vector<CodedRange> ranges(threads);
  in_parallel([&](size_t t) {
    CodeShards(index, kind, breaches, shard_bits, tag_bits, m.generation, bounds[t], bounds[t + 1], &ranges[t]);
  });
  size_t largest = 0, total = 0;
  for (const CodedRange& r : ranges) {
    VIGIE_RETURN_IF_ERROR(r.status);
    total += r.bodies.size();
    for (size_t i = 0; i + 1 < r.offsets.size(); ++i) largest = std::max(largest, r.offsets[i + 1] - r.offsets[i]);
  }
  // Unpadded bodies, one after another; padded (if asked) to the largest.
  set->all_.reserve(options.pad ? largest * shards : total);
  for (const CodedRange& r : ranges) {
    for (size_t i = 0; i < r.counts.size(); ++i) {
      const std::string_view body = std::string_view(r.bodies).substr(r.offsets[i], r.offsets[i + 1] - r.offsets[i]);
      const size_t start = set->all_.size();
      if (options.pad) {
        PadSetShard(body, largest, &set->all_);
      } else {
        set->all_.append(body);
      }
      set->offsets_.push_back(set->all_.size());
      const std::string_view stored = std::string_view(set->all_).substr(start);
      m.count += r.counts[i];
      m.shards.push_back({r.counts[i], stored.size(), BodyEtag(stored)});
    }
  }
  set->manifest_json_ = EncodeSetManifestJson(m);
  set->manifest_etag_ = BodyEtag(set->manifest_json_);
  set->all_etag_ = BodyEtag(set->all_);
  return set;
}

Result<uint32_t> ParseShardNumber(std::string_view text, int shard_bits) {
  // The same words as the export's nginx configuration (docs/nginx-vigie.conf), which cannot compute the bound.
  auto bad = [] {
    return Status::InvalidArgument("set.shard",
                                   "the shard is its number in lower-case hexadecimal without leading zeros, below "
                                   "2^shard_bits (see the manifest), or 'all'");
  };
  if (text.empty() || text.size() > 4 || (text.size() > 1 && text[0] == '0')) return bad();
  uint32_t v = 0;
  for (char c : text) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return bad();
    v = v << 4 | static_cast<uint32_t>(d);
  }
  if (v >= (uint32_t{1} << shard_bits)) return bad();
  return v;
}

std::string ShardNumberHex(uint32_t shard) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", shard);
  return buf;
}

}  // namespace vigie
