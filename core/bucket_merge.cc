#include "core/bucket_merge.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "core/sst_writer.h"

namespace vigie {

namespace {

// Copies partition `part` of every run into *scratch and sorts it; returns the number of records.
size_t GatherPartition(const std::vector<const Run*>& runs, uint32_t part, const RecordLayout& records, SortFn sort,
                       std::vector<uint8_t>* scratch) {
  size_t total = 0;
  for (const Run* run : runs) total += run->end(part) - run->begin(part);
  if (total == 0) return 0;
  scratch->resize(total * records.size);
  size_t at = 0;
  for (const Run* run : runs) {
    const size_t bytes = static_cast<size_t>(run->end(part) - run->begin(part)) * records.size;
    std::memcpy(scratch->data() + at, run->data() + static_cast<size_t>(run->begin(part)) * records.size, bytes);
    at += bytes;
  }
  sort(scratch->data(), total, records.key_bytes);
  return total;
}

void CopyEntry(const Bucket& from, size_t i, Bucket* to) {
  to->AddEntry(from.suffix(i));
  for (const Membership& m : from.members_of(i)) to->AddMember(m);
}

// The memberships of an identifier already in the bucket, with `breach_id` added (or its count raised).
// Returns whether anything changed.
bool AddMembership(const Bucket& old_bucket, size_t o, uint32_t breach_id, uint64_t count, Bucket* out,
                   KindStats* stats) {
  bool changed = false, inserted = false;
  for (const Membership& m : old_bucket.members_of(o)) {
    if (!inserted && m.breach_id >= breach_id) {
      inserted = true;
      if (m.breach_id == breach_id) {
        // Same breach seen again through another dump: counts are snapshots, keep the larger.
        const Membership merged{breach_id, std::max<uint64_t>(m.count, count)};
        changed |= merged.count != m.count;
        out->AddMember(merged);
        continue;
      }
      out->AddMember({breach_id, count});
      stats->new_to_breach++;
      changed = true;
    }
    out->AddMember(m);
  }
  if (!inserted) {
    out->AddMember({breach_id, count});
    stats->new_to_breach++;
    changed = true;
  }
  return changed;
}

// Merges the sorted records [*i, end of their bucket) of `scratch` into `old_bucket`, producing *out.
// Returns whether the bucket changed; advances *i past the bucket's records.
// `suffix` is scratch space of suffix_bytes.
bool MergeBucket(const std::vector<uint8_t>& scratch, size_t total, size_t* i, const RecordLayout& records,
                 const TagLayout& layout, uint32_t prefix, uint32_t breach_id, const Bucket& old_bucket, Bucket* out,
                 KindStats* stats, uint8_t* suffix) {
  const size_t suffix_bytes = layout.suffix_bytes();
  bool changed = false;
  size_t o = 0;  // next entry of old_bucket
  while (*i < total && layout.Prefix(scratch.data() + *i * records.size + 1) == prefix) {
    const uint8_t* first_rec = scratch.data() + *i * records.size;
    uint64_t count = 0;
    size_t j = *i;
    while (j < total && std::memcmp(scratch.data() + j * records.size, first_rec, records.key_bytes) == 0) {
      if (records.counts) count += records.CountOf(scratch.data() + j * records.size);
      ++j;
    }
    *i = j;
    layout.Suffix(first_rec + 1, suffix);
    while (o < old_bucket.size() && std::memcmp(old_bucket.suffix(o), suffix, suffix_bytes) < 0) {
      CopyEntry(old_bucket, o++, out);
    }
    if (o < old_bucket.size() && std::memcmp(old_bucket.suffix(o), suffix, suffix_bytes) == 0) {
      stats->already_present++;
      out->AddEntry(suffix);
      changed |= AddMembership(old_bucket, o++, breach_id, count, out, stats);
    } else {
      stats->new_to_index++;
      stats->new_to_breach++;
      out->AddEntry(suffix);
      out->AddMember({breach_id, count});
      changed = true;
    }
  }
  for (; o < old_bucket.size(); ++o) CopyEntry(old_bucket, o, out);
  return changed;
}

}  // namespace

void MergeRange(const Index& index, const RecordLayout& records, const std::vector<const Run*>& runs, uint32_t first,
                uint32_t last, uint32_t breach_id, const std::string& sst_path, std::atomic<uint64_t>* partitions_done,
                MergeResult* result) {
  const TagLayout& layout = index.layout();
  const size_t suffix_bytes = layout.suffix_bytes();
  const SortFn sort = PickSort(records.size);
  SstWriter writer(sst_path);
  std::unique_ptr<IndexCursor> it = index.NewCursor();
  it->Seek(std::string(1, kBucketKeyTag));
  std::vector<uint8_t> scratch, suffix(suffix_bytes);
  Bucket old_bucket, new_bucket;
  std::string encoded, key;
  uint32_t released = first;
  for (uint32_t part = first; part < last; ++part, partitions_done->fetch_add(1, std::memory_order_relaxed)) {
    if (part - released >= 4096) {
      for (const Run* run : runs) run->Release(released, part, records.size);
      released = part;
    }
    const size_t total = GatherPartition(runs, part, records, sort, &scratch);
    const Kind kind = total ? static_cast<Kind>(scratch[0]) : Kind::kNir;
    for (size_t i = 0; i < total;) {
      const uint32_t prefix = layout.Prefix(scratch.data() + i * records.size + 1);
      key = BucketKey(kind, prefix);
      if (it->SeekForward(key)) {
        if (Status s = DecodeBucket(it->value(), suffix_bytes, &old_bucket); !s.ok()) {
          result->status = s.WithContext("bucket " + layout.PrefixHex(prefix));
          return;
        }
      } else {
        old_bucket.Reset(suffix_bytes, records.counts);
      }
      new_bucket.Reset(suffix_bytes, records.counts);
      if (!MergeBucket(scratch, total, &i, records, layout, prefix, breach_id, old_bucket, &new_bucket,
                       &result->stats[kind], suffix.data())) {
        continue;
      }
      EncodeBucket(new_bucket, &encoded);
      if (Status s = writer.Put(key, encoded); !s.ok()) {
        result->status = s;
        return;
      }
      result->buckets_written++;
    }
  }
  if (Status s = it->status(); !s.ok()) {
    result->status = s;
    return;
  }
  auto path = writer.Finish();
  if (!path.ok()) {
    result->status = path.status();
    return;
  }
  result->sst_path = *path;
}

void ForPartitionRanges(int threads, const std::function<void(int, uint32_t, uint32_t)>& body) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    const uint32_t first = static_cast<uint32_t>(uint64_t{kPartitions} * t / threads);
    const uint32_t last = static_cast<uint32_t>(uint64_t{kPartitions} * (t + 1) / threads);
    pool.emplace_back([=, &body] { body(t, first, last); });
  }
  for (auto& th : pool) th.join();
}

std::string PartitionStartKey(uint32_t partition, const TagLayout& layout) {
  if (partition >= kPartitions) return std::string(1, kBucketKeyTag + 1);  // past every bucket key
  const int shift = 4 * layout.prefix_hex - 16;
  return BucketKey(static_cast<Kind>((partition >> 16) + 1), (partition & 0xffff) << shift);
}

}  // namespace vigie
