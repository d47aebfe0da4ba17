#include "core/indexer.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/fd_writer.h"
#include "core/csv.h"
#include "core/input_file.h"
#include "core/normalize.h"
#include "core/password_hash.h"

namespace vigie {

namespace fs = std::filesystem;

Status CheckKindAllowed(const IndexMeta& meta, const Scheme& scheme, Kind kind) {
  if (!scheme.AcceptsKind(kind)) {
    return Status::InvalidArgument("index.kind", "an index of scheme " + std::string(SchemeName(meta.scheme)) +
                                                     " cannot hold identifiers of kind " +
                                                     std::string(KindName(kind)));
  }
  if (kind == Kind::kNir && meta.scheme == SchemeId::kSha256 && !meta.allow_unkeyed_nir) {
    return Status::FailedPrecondition(
        "this sha256 index refuses NIRs: an unkeyed hash of an NIR is brute-forced in hours (about 10^11 "
        "plausible values), so the index would re-publish them. Use the keyed oprf-p256 scheme, or create the "
        "index with --allow-unkeyed-nir if you accept that risk",
        "index.unkeyed-nir");
  }
  return Status::Ok();
}

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int ThreadCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// ---- records ---------------------------------------------------------------------------------------
// A record is [kind:1][truncated tag:T][count:u32 LE, password indexes only][zero padding], R bytes in
// all, R a multiple of 4. Records sort by their first 1+T bytes, so equal identifiers end up adjacent and
// a bucket (kind, prefix) is one contiguous stretch.

constexpr uint32_t kPartitions = 4u << 16;  // kind (4 values) x first 16 tag bits
constexpr size_t kMaxRecordSize = 40;

struct RecordLayout {
  size_t tag_bytes = 0;  // T
  size_t key_bytes = 0;  // 1 + T
  size_t size = 0;       // R
  bool counts = false;

  RecordLayout(const TagLayout& layout, bool with_counts) {
    tag_bytes = layout.truncated_tag_bytes();
    key_bytes = 1 + tag_bytes;
    counts = with_counts;
    size = (key_bytes + (counts ? 4 : 0) + 3) / 4 * 4;
  }
  static uint32_t PartitionOf(const uint8_t* rec) {
    return static_cast<uint32_t>(rec[0] - 1) << 16 | static_cast<uint32_t>(rec[1]) << 8 | rec[2];
  }
  uint32_t CountOf(const uint8_t* rec) const {
    uint32_t c;
    std::memcpy(&c, rec + key_bytes, 4);
    return c;
  }
};

using SortFn = void (*)(uint8_t* data, size_t n, size_t key_bytes);

// Orders whole records as big-endian words. Bytes past the key (count, zero padding) only order records
// whose keys are equal, which keeps equal identifiers adjacent — all the merge needs.
template <size_t R>
bool RecordLess(const uint8_t* a, const uint8_t* b) {
  static_assert(R % 4 == 0);
  for (size_t i = 0; i + 8 <= R; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  if constexpr (R % 8 == 4) {
    uint32_t x, y;
    std::memcpy(&x, a + R - 4, 4);
    std::memcpy(&y, b + R - 4, 4);
    return __builtin_bswap32(x) < __builtin_bswap32(y);
  }
  return false;
}

template <size_t R>
void SortRecords(uint8_t* data, size_t n, size_t /*key_bytes*/) {
  struct Rec {
    uint8_t b[R];
  };
  Rec* recs = reinterpret_cast<Rec*>(data);
  std::sort(recs, recs + n, [](const Rec& a, const Rec& b) { return RecordLess<R>(a.b, b.b); });
}

SortFn PickSort(size_t record_size) {
  switch (record_size) {
    case 8: return SortRecords<8>;
    case 12: return SortRecords<12>;
    case 16: return SortRecords<16>;
    case 20: return SortRecords<20>;
    case 24: return SortRecords<24>;
    case 28: return SortRecords<28>;
    case 32: return SortRecords<32>;
    case 36: return SortRecords<36>;
    case 40: return SortRecords<40>;
  }
  return nullptr;
}

// A run: records partitioned (not sorted within a partition) with an offset table; in memory, or in a
// spilled file mapped read-only.
class Run {
 public:
  Run() = default;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  Run(Run&& o) noexcept { *this = std::move(o); }
  Run& operator=(Run&& o) noexcept {
    std::swap(offsets_, o.offsets_);
    std::swap(owned_, o.owned_);
    std::swap(map_, o.map_);
    std::swap(map_len_, o.map_len_);
    std::swap(data_, o.data_);
    return *this;
  }
  ~Run() {
    if (map_) munmap(map_, map_len_);
  }

  // Partitions `records` (n records of `size` bytes) by counting sort; `records` is emptied.
  static Run FromBuffer(std::vector<uint8_t>* records, size_t size) {
    Run run;
    const size_t n = records->size() / size;
    run.offsets_.assign(kPartitions + 1, 0);
    for (size_t i = 0; i < n; ++i) run.offsets_[RecordLayout::PartitionOf(records->data() + i * size) + 1]++;
    for (uint32_t p = 0; p < kPartitions; ++p) run.offsets_[p + 1] += run.offsets_[p];
    std::vector<uint32_t> cursor(run.offsets_.begin(), run.offsets_.end() - 1);
    run.owned_.resize(records->size());
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* rec = records->data() + i * size;
      std::memcpy(run.owned_.data() + static_cast<size_t>(cursor[RecordLayout::PartitionOf(rec)]++) * size, rec, size);
    }
    records->clear();  // keep the capacity: the worker refills the same buffer after a spill
    run.data_ = run.owned_.data();
    return run;
  }

  // Writes the partitioned records to `path` and maps them back read-only, releasing the memory.
  Status SpillTo(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IOError("cannot create spill file " + path + ": " + std::strerror(errno));
    if (Status s = WriteAllToFd(fd, std::string_view(reinterpret_cast<const char*>(owned_.data()), owned_.size()),
                                "spill file " + path);
        !s.ok()) {
      ::close(fd);
      return s;
    }
    map_len_ = owned_.size();
    if (map_len_ > 0) {
      map_ = mmap(nullptr, map_len_, PROT_READ, MAP_SHARED, fd, 0);
      if (map_ == MAP_FAILED) {
        map_ = nullptr;
        ::close(fd);
        return Status::IOError("cannot map spill file " + path + ": " + std::strerror(errno));
      }
      madvise(map_, map_len_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    std::vector<uint8_t>().swap(owned_);
    data_ = static_cast<const uint8_t*>(map_);
    return Status::Ok();
  }

  // Drops the mapped pages of partitions [first, last) from memory once merged: they are file-backed and
  // reclaimable anyway, but this keeps the resident size flat however large the dump.
  void Release(uint32_t first, uint32_t last, size_t record_size) const {
    if (!map_) return;
    const size_t page = 4096;
    size_t from = (static_cast<size_t>(offsets_[first]) * record_size + page - 1) / page * page;
    size_t to = static_cast<size_t>(offsets_[last]) * record_size / page * page;
    if (to > from) madvise(static_cast<uint8_t*>(map_) + from, to - from, MADV_DONTNEED);
  }

  uint32_t begin(uint32_t partition) const { return offsets_[partition]; }
  uint32_t end(uint32_t partition) const { return offsets_[partition + 1]; }
  const uint8_t* data() const { return data_; }

 private:
  std::vector<uint32_t> offsets_;
  std::vector<uint8_t> owned_;
  void* map_ = nullptr;
  size_t map_len_ = 0;
  const uint8_t* data_ = nullptr;
};

// ---- reading and tagging ---------------------------------------------------------------------------

struct ResolvedColumn {
  Kind kind;
  int field = -1;  // 0-based field index; -1: the whole line
};

struct WorkerState {
  std::vector<uint8_t> buffer;
  std::vector<Run> spilled;
  std::map<std::string_view, uint64_t> rejects;
  std::vector<std::pair<uint64_t, std::string_view>> reject_lines;
  uint64_t rows = 0;
  uint64_t identifiers = 0;
  Status error;
};

class ChunkQueue {
 public:
  explicit ChunkQueue(size_t capacity) : capacity_(capacity) {}
  bool Push(Chunk chunk) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || aborted_; });
    if (aborted_) return false;
    queue_.push_back(std::move(chunk));
    not_empty_.notify_one();
    return true;
  }
  bool Pop(Chunk* chunk) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_ || aborted_; });
    if (aborted_ || queue_.empty()) return false;
    *chunk = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // Chunk buffers go round between the reader and the workers: a fresh 4 MiB string per chunk would cost
  // page faults on every chunk.
  void Recycle(std::string buffer) {
    std::lock_guard lock(mu_);
    if (spare_.size() < capacity_ + 2) spare_.push_back(std::move(buffer));
  }
  std::string TakeSpare() {
    std::lock_guard lock(mu_);
    if (spare_.empty()) return {};
    std::string s = std::move(spare_.back());
    spare_.pop_back();
    return s;
  }
  void Abort() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Chunk> queue_;
  std::vector<std::string> spare_;
  size_t capacity_;
  bool closed_ = false;
  bool aborted_ = false;
};

// Parses lines, normalises the selected fields and tags them. Tags are computed in batches per kind:
// a keyed scheme (oprf-p256) amortises its field inversions over a batch; for hashes the batch is a loop.
class Tagger {
 public:
  Tagger(const Index& index, const Scheme& scheme, const RecordLayout& records,
         const std::vector<ResolvedColumn>& columns, Dialect dialect, size_t expected_fields)
      : layout_(index.layout()), scheme_(scheme), records_(records), columns_(columns), parser_(dialect),
        hash_type_(index.meta().scheme == SchemeId::kNtlm ? PasswordHash::kNtlm : PasswordHash::kSha1) {
    parser_.set_expected_fields(expected_fields);
  }

  // Processes one line: counts rejects, queues valid identifiers (records appear after Flush).
  void Line(std::string_view line, uint64_t line_number, WorkerState* state, bool keep_lines) {
    state->rows++;
    Status s = parser_.ParseLine(line, &fields_);
    if (!s.ok()) {
      Reject(s.reason(), line_number, state, keep_lines);
      return;
    }
    for (const ResolvedColumn& col : columns_) {
      if (col.field >= 0 && static_cast<size_t>(col.field) >= fields_.size()) {
        Reject("line.too-few-fields", line_number, state, keep_lines);
        continue;
      }
      std::string_view field = col.field < 0 ? StripCr(line) : fields_[static_cast<size_t>(col.field)];
      uint64_t count = 0;
      if (col.kind == Kind::kPassword) {
        s = ParsePasswordHashLine(field, hash_type_, &canonical_, &count);
      } else {
        s = Normalize(col.kind, field, &canonical_);
      }
      if (!s.ok()) {
        Reject(s.reason(), line_number, state, keep_lines);
        continue;
      }
      Pending& p = pending_[static_cast<size_t>(col.kind)];
      p.items.push_back({static_cast<uint32_t>(p.arena.size()), static_cast<uint32_t>(canonical_.size()), count,
                         line_number});
      p.arena += canonical_;
      if (p.items.size() >= kBatch) Flush(col.kind, state, keep_lines);
    }
  }

  // Tags every queued identifier and appends its record. Call at the end of each chunk.
  void FlushAll(WorkerState* state, bool keep_lines) {
    for (Kind kind : kAllKinds) Flush(kind, state, keep_lines);
  }

 private:
  static constexpr size_t kBatch = 256;
  struct Item {
    uint32_t offset, size;
    uint64_t count;
    uint64_t line;
  };
  struct Pending {
    std::string arena;  // canonical forms, back to back
    std::vector<Item> items;
  };

  void Flush(Kind kind, WorkerState* state, bool keep_lines) {
    Pending& p = pending_[static_cast<size_t>(kind)];
    if (p.items.empty()) return;
    const size_t tag_bytes = scheme_.tag_bytes();
    views_.clear();
    for (const Item& item : p.items) views_.emplace_back(p.arena.data() + item.offset, item.size);
    tags_.resize(p.items.size() * tag_bytes);
    ok_.assign(p.items.size(), true);
    if (!scheme_.ComputeTags(kind, views_, tags_.data()).ok()) {
      // Find out which inputs failed, one by one, so that only they are rejected.
      for (size_t i = 0; i < p.items.size(); ++i) {
        Status s = scheme_.ComputeTag(kind, views_[i], tags_.data() + i * tag_bytes);
        if (!s.ok()) {
          ok_[i] = false;
          Reject(s.reason(), p.items[i].line, state, keep_lines);
        }
      }
    }
    for (size_t i = 0; i < p.items.size(); ++i) {
      if (!ok_[i]) continue;
      state->identifiers++;
      uint8_t rec[kMaxRecordSize] = {};
      rec[0] = static_cast<uint8_t>(kind);
      std::memcpy(rec + 1, tags_.data() + i * tag_bytes, records_.tag_bytes);
      if ((layout_.prefix_hex + layout_.suffix_hex) % 2 != 0) rec[records_.tag_bytes] &= 0xf0;
      if (records_.counts) {
        const uint64_t count = p.items[i].count;
        uint32_t c = count > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(count);
        std::memcpy(rec + records_.key_bytes, &c, 4);
      }
      state->buffer.insert(state->buffer.end(), rec, rec + records_.size);
    }
    p.items.clear();
    p.arena.clear();
  }

  static std::string_view StripCr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }
  static void Reject(std::string_view reason, uint64_t line_number, WorkerState* state, bool keep_lines) {
    state->rejects[reason]++;
    if (keep_lines) state->reject_lines.emplace_back(line_number, reason);
  }

  const TagLayout& layout_;
  const Scheme& scheme_;
  const RecordLayout& records_;
  const std::vector<ResolvedColumn>& columns_;
  LineParser parser_;
  PasswordHash hash_type_;
  std::vector<std::string_view> fields_;
  std::string canonical_;
  std::array<Pending, 5> pending_;  // by kind byte
  std::vector<std::string_view> views_;
  std::vector<uint8_t> tags_;
  std::vector<bool> ok_;
};

// ---- merging ---------------------------------------------------------------------------------------

struct KindStats {
  uint64_t new_to_index = 0;
  uint64_t already_present = 0;
  uint64_t new_to_breach = 0;
};

struct MergeResult {
  std::string sst_path;  // empty when nothing was written
  std::map<Kind, KindStats> stats;
  uint64_t buckets_written = 0;
  Status status;
};

// Positions `it` at `key` or the first key after it, stepping forward when close (cheaper than a Seek).
bool SeekForward(rocksdb::Iterator* it, const std::string& key) {
  for (int steps = 0; it->Valid() && steps < 4; ++steps) {
    int c = it->key().compare(key);
    if (c >= 0) return c == 0;
    it->Next();
  }
  if (!it->Valid() || it->key().compare(key) < 0) it->Seek(key);
  return it->Valid() && it->key().compare(key) == 0;
}

rocksdb::Options SstOptions() {
  rocksdb::Options options;
  options.compression = rocksdb::kNoCompression;
  return options;
}

// Merges partitions [first, last) of all runs into the existing buckets of `breach_id`.
void MergeRange(const Index& index, const RecordLayout& records, const std::vector<const Run*>& runs,
                uint32_t first, uint32_t last, uint32_t breach_id, const std::string& sst_path,
                std::atomic<uint64_t>* partitions_done, MergeResult* result) {
  const TagLayout& layout = index.layout();
  const size_t suffix_bytes = layout.suffix_bytes();
  SortFn sort = PickSort(records.size);
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), SstOptions());
  bool writer_open = false;
  std::unique_ptr<rocksdb::Iterator> it = index.NewIterator();
  it->Seek(std::string(1, kBucketKeyTag));

  std::vector<uint8_t> scratch;
  std::vector<uint8_t> suffix(suffix_bytes);
  Bucket old_bucket, new_bucket;
  std::string encoded, key, value;

  uint32_t released = first;
  for (uint32_t part = first; part < last; ++part, partitions_done->fetch_add(1, std::memory_order_relaxed)) {
    if (part - released >= 4096) {
      for (const Run* run : runs) run->Release(released, part, records.size);
      released = part;
    }
    size_t total = 0;
    for (const Run* run : runs) total += run->end(part) - run->begin(part);
    if (total == 0) continue;
    scratch.resize(total * records.size);
    size_t at = 0;
    for (const Run* run : runs) {
      size_t bytes = static_cast<size_t>(run->end(part) - run->begin(part)) * records.size;
      std::memcpy(scratch.data() + at, run->data() + static_cast<size_t>(run->begin(part)) * records.size, bytes);
      at += bytes;
    }
    sort(scratch.data(), total, records.key_bytes);

    const Kind kind = static_cast<Kind>(scratch[0]);
    KindStats& stats = result->stats[kind];
    size_t i = 0;
    while (i < total) {
      const uint8_t* rec = scratch.data() + i * records.size;
      const uint32_t prefix = layout.Prefix(rec + 1);
      key = BucketKey(kind, prefix);
      const bool had_bucket = SeekForward(it.get(), key);
      if (had_bucket) {
        Status s = DecodeBucket(it->value().ToStringView(), suffix_bytes, &old_bucket);
        if (!s.ok()) {
          result->status = s.WithContext("bucket " + layout.PrefixHex(prefix));
          return;
        }
      } else {
        old_bucket.Reset(suffix_bytes, records.counts);
      }
      new_bucket.Reset(suffix_bytes, records.counts);
      bool changed = false;
      size_t o = 0;  // next entry of old_bucket
      // Walk the new identifiers of this bucket (sorted, possibly repeated) alongside the old entries.
      while (i < total && layout.Prefix(scratch.data() + i * records.size + 1) == prefix) {
        const uint8_t* first_rec = scratch.data() + i * records.size;
        uint64_t count = 0;
        size_t j = i;
        while (j < total && std::memcmp(scratch.data() + j * records.size, first_rec, records.key_bytes) == 0) {
          if (records.counts) count += records.CountOf(scratch.data() + j * records.size);
          ++j;
        }
        i = j;
        layout.Suffix(first_rec + 1, suffix.data());
        while (o < old_bucket.size() && std::memcmp(old_bucket.suffix(o), suffix.data(), suffix_bytes) < 0) {
          new_bucket.AddEntry(old_bucket.suffix(o));
          for (const Membership& m : old_bucket.members_of(o)) new_bucket.AddMember(m);
          ++o;
        }
        if (o < old_bucket.size() && std::memcmp(old_bucket.suffix(o), suffix.data(), suffix_bytes) == 0) {
          stats.already_present++;
          new_bucket.AddEntry(suffix.data());
          bool inserted = false;
          for (const Membership& m : old_bucket.members_of(o)) {
            if (!inserted && m.breach_id >= breach_id) {
              if (m.breach_id == breach_id) {
                // Same breach seen again through another dump: counts are snapshots, keep the larger.
                Membership merged{breach_id, std::max<uint64_t>(m.count, count)};
                changed |= merged.count != m.count;
                new_bucket.AddMember(merged);
                inserted = true;
                continue;
              }
              new_bucket.AddMember({breach_id, count});
              stats.new_to_breach++;
              changed = true;
              inserted = true;
            }
            new_bucket.AddMember(m);
          }
          if (!inserted) {
            new_bucket.AddMember({breach_id, count});
            stats.new_to_breach++;
            changed = true;
          }
          ++o;
        } else {
          stats.new_to_index++;
          stats.new_to_breach++;
          new_bucket.AddEntry(suffix.data());
          new_bucket.AddMember({breach_id, count});
          changed = true;
        }
      }
      if (!changed) continue;
      for (; o < old_bucket.size(); ++o) {
        new_bucket.AddEntry(old_bucket.suffix(o));
        for (const Membership& m : old_bucket.members_of(o)) new_bucket.AddMember(m);
      }
      EncodeBucket(new_bucket, &encoded);
      if (!writer_open) {
        rocksdb::Status s = writer.Open(sst_path);
        if (!s.ok()) {
          result->status = Status::IOError("creating " + sst_path + ": " + s.ToString());
          return;
        }
        writer_open = true;
      }
      rocksdb::Status s = writer.Put(key, encoded);
      if (!s.ok()) {
        result->status = Status::IOError("writing " + sst_path + ": " + s.ToString());
        return;
      }
      result->buckets_written++;
    }
  }
  if (!it->status().ok()) {
    result->status = Status::IOError("reading buckets: " + it->status().ToString());
    return;
  }
  if (writer_open) {
    rocksdb::Status s = writer.Finish();
    if (!s.ok()) {
      result->status = Status::IOError("finishing " + sst_path + ": " + s.ToString());
      return;
    }
    result->sst_path = sst_path;
  }
}

// Runs `body(thread_index, first, last)` on `threads` threads over disjoint partition ranges.
template <typename Body>
void ForPartitionRanges(int threads, Body body) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    uint32_t first = static_cast<uint32_t>(uint64_t{kPartitions} * t / threads);
    uint32_t last = static_cast<uint32_t>(uint64_t{kPartitions} * (t + 1) / threads);
    pool.emplace_back([=] { body(t, first, last); });
  }
  for (auto& th : pool) th.join();
}

Status WriteCatalogueSst(const std::string& path,
                         const std::vector<std::pair<std::string, std::optional<std::string>>>& entries) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), SstOptions());
  rocksdb::Status s = writer.Open(path);
  for (const auto& [key, value] : entries) {
    if (!s.ok()) break;
    s = value ? writer.Put(key, *value) : writer.Delete(key);
  }
  if (s.ok()) s = writer.Finish();
  if (!s.ok()) return Status::IOError("writing catalogue update " + path + ": " + s.ToString());
  return Status::Ok();
}

Status WriteRejects(const std::string& path, std::vector<std::pair<uint64_t, std::string_view>> lines) {
  std::sort(lines.begin(), lines.end());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + path);
  out << "# line\treason. Rejected rows of the dump, by line number. Their content is deliberately not copied.\n";
  for (const auto& [line, reason] : lines) out << line << '\t' << reason << '\n';
  out.flush();
  if (!out) return Status::IOError("writing " + path + " failed");
  return Status::Ok();
}

Result<std::vector<ResolvedColumn>> ResolveColumns(const std::vector<ColumnChoice>& choices, const Dialect& dialect,
                                                   const std::vector<std::string_view>& header) {
  std::vector<ResolvedColumn> out;
  for (const ColumnChoice& choice : choices) {
    ResolvedColumn col{choice.kind, -1};
    if (dialect.format == Format::kLines) {
      if (!choice.column.empty() && choice.column != "1") {
        return Status::InvalidArgument("column.lines", "this input is a plain list (one identifier per line); "
                                                       "--column " + choice.column + " does not apply");
      }
    } else if (!choice.column.empty()) {
      ColumnSpec spec;
      if (std::all_of(choice.column.begin(), choice.column.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        spec.number = std::stoi(choice.column);
      } else {
        spec.name = choice.column;
      }
      auto resolved = ResolveColumn(spec, header);
      if (!resolved.ok()) return resolved.status();
      col.field = *resolved;
    } else {
      auto guessed = dialect.header ? GuessColumn(choice.kind, header) : std::nullopt;
      if (!guessed) {
        return Status::InvalidArgument("column.missing", "no column for kind " + std::string(KindName(choice.kind)) +
                                                             " could be guessed from the header: give --column");
      }
      col.field = *guessed;
    }
    out.push_back(col);
  }
  return out;
}

// Empties the staging area after a failed update. The next writable open would too, but a failure is
// most often a full disk: its spill runs and half-written SSTs should free their space at once.
void ClearStaging(const Index& index) {
  if (index.read_only()) return;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(index.staging_dir(), ec)) fs::remove_all(entry.path(), ec);
}

}  // namespace

// ---- AddDump ---------------------------------------------------------------------------------------

namespace {
// The work of AddDump and RemoveBreach; the public functions clear the staging area when these fail.
Result<AddReport> AddDumpStaged(Index* index, const Scheme& scheme, const AddOptions& options);
Result<RemoveReport> RemoveBreachStaged(Index* index, const std::string& name, const RemoveOptions& options);
}  // namespace

Result<AddReport> AddDump(Index* index, const Scheme& scheme, const AddOptions& options) {
  Result<AddReport> report = AddDumpStaged(index, scheme, options);
  if (!report.ok()) ClearStaging(*index);
  return report;
}

namespace {

Result<AddReport> AddDumpStaged(Index* index, const Scheme& scheme, const AddOptions& options) {
  const auto start = Clock::now();
  AddReport report;
  auto breach = index->GetBreach(options.breach);
  if (!breach.ok()) return breach.status();
  if (options.columns.empty()) return Status::InvalidArgument("add.kind", "give at least one --kind");
  bool password = false;
  for (const ColumnChoice& c : options.columns) {
    VIGIE_RETURN_IF_ERROR(CheckKindAllowed(index->meta(), scheme, c.kind));
    password |= c.kind == Kind::kPassword;
  }
  if (password && options.columns.size() > 1) {
    return Status::InvalidArgument("add.kind", "password hashes are loaded alone, one HASH:COUNT per line");
  }

  // 1. Digest of the file as stored.
  auto digest = DigestFile(options.input_path);
  if (!digest.ok()) return digest.status().WithContext(options.input_path);
  const std::string digest_hex = digest->Hex();
  // 2. Read, normalise, tag.
  auto input = InputFile::Open(options.input_path);
  if (!input.ok()) return input.status().WithContext(options.input_path);
  LineChunker chunker(input->get());
  Chunk first;
  auto got = chunker.Next(&first);
  if (!got.ok()) return got.status().WithContext(options.input_path);

  // Dialect and columns from the first line.
  std::string_view first_data(first.data);
  std::string_view first_line = first_data.substr(0, first_data.find('\n'));
  if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
  Dialect dialect = DetectDialect(first_line);
  if (password) dialect = Dialect{Format::kLines, 0, false};
  if (options.format == InputFormat::kLines) dialect = Dialect{Format::kLines, 0, dialect.format == Format::kLines && dialect.header};
  if (options.format == InputFormat::kCsv && dialect.format == Format::kLines) {
    dialect = Dialect{Format::kCsv, options.delimiter ? options.delimiter : ',', true};
  }
  if (options.delimiter) {
    dialect.format = Format::kCsv;
    dialect.delimiter = options.delimiter;
  }
  if (options.header >= 0) dialect.header = options.header == 1;

  std::vector<std::string_view> header_fields;
  std::string header_copy(first_line);
  LineParser header_parser(Dialect{dialect.format, dialect.delimiter, false});
  size_t expected_fields = 0;
  if (dialect.format == Format::kCsv && dialect.header && *got) {
    Status s = header_parser.ParseLine(header_copy, &header_fields);
    if (!s.ok()) return s.WithContext("the header line of " + options.input_path);
    expected_fields = header_fields.size();
  }
  auto columns = ResolveColumns(options.columns, dialect, header_fields);
  if (!columns.ok()) return columns.status().WithContext(options.input_path);
  // The same file read for the same columns twice changes nothing; the same file read for other columns
  // (first the NIRs, later the e-mails) is a different load.
  std::string selection;
  for (const ResolvedColumn& c : *columns) {
    if (!selection.empty()) selection += ',';
    selection += std::string(KindName(c.kind)) + "@" + (c.field < 0 ? std::string("line") : std::to_string(c.field + 1));
  }
  auto dumps = index->ListDumps();
  if (!dumps.ok()) return dumps.status();
  for (const DumpRecord& d : *dumps) {
    if (d.digest == digest_hex && d.breach == options.breach && d.selection == selection) {
      report.skipped = true;
      report.skip_reason = "this file (digest " + digest_hex + ") was already loaded into breach '" +
                           options.breach + "' for the same columns on " + d.added_at + "; nothing changed";
      report.dump = d;
      return report;
    }
  }
  if (options.test_hook) options.test_hook("after-open");

  const RecordLayout records(index->layout(), password);
  if (!PickSort(records.size)) return Status::Internal("unsupported record size");
  const int threads = ThreadCount(options.threads);
  const size_t buffer_cap = std::max<size_t>(options.memory_bytes / (2 * static_cast<size_t>(threads)), 1 << 20);
  const bool keep_lines = !options.rejects_path.empty();

  std::vector<WorkerState> states(static_cast<size_t>(threads));
  ChunkQueue queue(static_cast<size_t>(threads) * 2);
  std::atomic<uint64_t> rows_seen{0};
  std::atomic<uint64_t> spill_counter{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      WorkerState& state = states[static_cast<size_t>(t)];
      state.buffer.reserve(buffer_cap + (4 << 20));  // address space only; pages come as records do
      Tagger tagger(*index, scheme, records, *columns, dialect, expected_fields);
      Chunk chunk;
      while (queue.Pop(&chunk)) {
        std::string_view data(chunk.data);
        uint64_t line_number = chunk.first_line;
        size_t pos = 0;
        // The header occupies line 1 of the first chunk.
        if (chunk.first_line == 1 && dialect.header) {
          size_t nl = data.find('\n');
          pos = nl == std::string_view::npos ? data.size() : nl + 1;
          line_number = 2;
        }
        const uint64_t before = state.rows;
        while (pos < data.size()) {
          const char* nl = static_cast<const char*>(std::memchr(data.data() + pos, '\n', data.size() - pos));
          size_t end = nl ? static_cast<size_t>(nl - data.data()) : data.size();
          tagger.Line(data.substr(pos, end - pos), line_number++, &state, keep_lines);
          pos = end + 1;
        }
        tagger.FlushAll(&state, keep_lines);
        if (chunk.overlong) {
          state.rows++;
          state.rejects["line.too-long"]++;
          if (keep_lines) state.reject_lines.emplace_back(chunk.overlong->line_number, "line.too-long");
        }
        rows_seen.fetch_add(state.rows - before, std::memory_order_relaxed);
        queue.Recycle(std::move(chunk.data));
        if (state.buffer.size() >= buffer_cap) {
          Run run = Run::FromBuffer(&state.buffer, records.size);
          std::string path = index->staging_dir() + "/run-" + std::to_string(spill_counter.fetch_add(1)) + ".bin";
          Status s = run.SpillTo(path);
          if (!s.ok()) {
            state.error = s;
            queue.Abort();
            return;
          }
          state.spilled.push_back(std::move(run));
        }
      }
    });
  }

  Status read_status;
  auto last_progress = Clock::now();
  bool have = *got;
  while (have) {
    if (options.progress && Clock::now() - last_progress > std::chrono::milliseconds(100)) {
      last_progress = Clock::now();
      options.progress("read", first.raw_bytes_read, (*input)->raw_size(), rows_seen.load());
    }
    if (!queue.Push(std::move(first))) break;
    first = Chunk();
    first.data = queue.TakeSpare();
    auto next = chunker.Next(&first);
    if (!next.ok()) {
      read_status = next.status().WithContext(options.input_path);
      queue.Abort();
      break;
    }
    have = *next;
  }
  queue.Close();
  for (auto& w : workers) w.join();
  VIGIE_RETURN_IF_ERROR(read_status);
  for (const WorkerState& s : states) VIGIE_RETURN_IF_ERROR(s.error);
  if (options.test_hook) options.test_hook("after-read");
  report.read_seconds = SecondsSince(start);
  const auto merge_start = Clock::now();

  DumpRecord& dump = report.dump;
  std::vector<std::pair<uint64_t, std::string_view>> reject_lines;
  std::vector<Run> runs;
  for (WorkerState& s : states) {
    dump.rows += s.rows;
    dump.identifiers += s.identifiers;
    for (const auto& [reason, n] : s.rejects) {
      dump.rejects_by_reason[std::string(reason)] += n;
      dump.rejected += n;
    }
    reject_lines.insert(reject_lines.end(), s.reject_lines.begin(), s.reject_lines.end());
    for (Run& r : s.spilled) runs.push_back(std::move(r));
    report.spilled_runs += s.spilled.size();
    if (!s.buffer.empty()) runs.push_back(Run::FromBuffer(&s.buffer, records.size));
    std::vector<uint8_t>().swap(s.buffer);
  }
  if (keep_lines) VIGIE_RETURN_IF_ERROR(WriteRejects(options.rejects_path, std::move(reject_lines)));

  // 3. Merge with the existing buckets, one SST per thread over disjoint key ranges.
  std::vector<const Run*> run_ptrs;
  for (const Run& r : runs) run_ptrs.push_back(&r);
  std::vector<MergeResult> merged(static_cast<size_t>(threads));
  std::atomic<uint64_t> partitions_done{0};
  std::atomic<bool> merging{true};
  std::thread progress_thread;
  if (options.progress) {
    progress_thread = std::thread([&] {
      while (merging.load()) {
        options.progress("merge", partitions_done.load(), kPartitions, dump.rows);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  ForPartitionRanges(threads, [&](int t, uint32_t lo, uint32_t hi) {
    MergeRange(*index, records, run_ptrs, lo, hi, breach->id,
               index->staging_dir() + "/buckets-" + std::to_string(t) + ".sst", &partitions_done,
               &merged[static_cast<size_t>(t)]);
  });
  merging = false;
  if (progress_thread.joinable()) progress_thread.join();
  runs.clear();  // unmaps spill files before they are removed
  std::vector<std::string> ssts;
  BreachRecord updated = *breach;
  for (const MergeResult& m : merged) {
    VIGIE_RETURN_IF_ERROR(m.status);
    if (!m.sst_path.empty()) ssts.push_back(m.sst_path);
    report.buckets_written += m.buckets_written;
    for (const auto& [kind, st] : m.stats) {
      dump.new_to_index += st.new_to_index;
      dump.already_present += st.already_present;
      dump.new_to_breach += st.new_to_breach;
      updated.count += st.new_to_breach;
      updated.count_by_kind[std::string(KindName(kind))] += st.new_to_breach;
    }
  }

  report.merge_seconds = SecondsSince(merge_start);
  const auto commit_start = Clock::now();
  // 4. Commit: catalogue changes travel in the same atomic ingestion as the buckets.
  dump.breach = options.breach;
  dump.digest = digest_hex;
  dump.selection = selection;
  dump.file_name = fs::path(options.input_path).filename().string();
  dump.file_bytes = (*input)->raw_bytes_read();
  dump.added_at = NowUtc();
  dump.seconds = SecondsSince(start);
  IndexMeta meta = index->meta();
  meta.generation++;
  meta.committed_at = std::time(nullptr);
  const std::string catalogue_path = index->staging_dir() + "/catalogue.sst";
  VIGIE_RETURN_IF_ERROR(WriteCatalogueSst(catalogue_path, {{BreachKey(updated.name), EncodeBreach(updated)},
                                                           {DumpKey(dump.breach, dump.digest, dump.selection), EncodeDump(dump)},
                                                           {std::string(kMetaKey), EncodeMeta(meta)}}));
  ssts.push_back(catalogue_path);
  if (options.test_hook) options.test_hook("before-commit");
  VIGIE_RETURN_IF_ERROR(index->Ingest(ssts));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(index->staging_dir(), ec)) fs::remove(entry.path(), ec);
  report.commit_seconds = SecondsSince(commit_start);
  report.dump.seconds = SecondsSince(start);
  return report;
}

}  // namespace

// ---- RemoveBreach ----------------------------------------------------------------------------------

Result<RemoveReport> RemoveBreach(Index* index, const std::string& name, const RemoveOptions& options) {
  Result<RemoveReport> report = RemoveBreachStaged(index, name, options);
  if (!report.ok()) ClearStaging(*index);
  return report;
}

namespace {

Result<RemoveReport> RemoveBreachStaged(Index* index, const std::string& name, const RemoveOptions& options) {
  const auto start = Clock::now();
  auto breach = index->GetBreach(name);
  if (!breach.ok()) return breach.status();
  RemoveReport report;
  report.breach = *breach;
  const uint32_t id = breach->id;
  const size_t suffix_bytes = index->layout().suffix_bytes();
  const int threads = ThreadCount(options.threads);

  struct Part {
    std::string sst_path;
    uint64_t removed = 0, gone = 0, rewritten = 0, deleted = 0;
    Status status;
  };
  std::vector<Part> parts(static_cast<size_t>(threads));
  // Split the bucket key space by kind and prefix, like the add path.
  ForPartitionRanges(threads, [&](int t, uint32_t lo, uint32_t hi) {
    Part& part = parts[static_cast<size_t>(t)];
    // Partition (kind, first 16 tag bits) -> the first bucket key it covers.
    const int shift = 4 * index->layout().prefix_hex - 16;
    auto key_of = [shift](uint32_t partition) {
      return BucketKey(static_cast<Kind>((partition >> 16) + 1), (partition & 0xffff) << shift);
    };
    const std::string lo_key = key_of(lo);
    const std::string hi_key = hi == kPartitions ? std::string(1, kBucketKeyTag + 1) : key_of(hi);
    const std::string path = index->staging_dir() + "/remove-" + std::to_string(t) + ".sst";
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), SstOptions());
    bool open = false;
    Bucket bucket, kept;
    std::string encoded;
    std::unique_ptr<rocksdb::Iterator> it = index->NewIterator();
    for (it->Seek(lo_key); it->Valid() && it->key().compare(hi_key) < 0; it->Next()) {
      part.status = DecodeBucket(it->value().ToStringView(), suffix_bytes, &bucket);
      if (!part.status.ok()) return;
      bool touched = false;
      kept.Reset(suffix_bytes, bucket.has_counts);
      for (size_t e = 0; e < bucket.size(); ++e) {
        auto ms = bucket.members_of(e);
        bool has = std::any_of(ms.begin(), ms.end(), [&](const Membership& m) { return m.breach_id == id; });
        if (!has) {
          kept.AddEntry(bucket.suffix(e));
          for (const Membership& m : ms) kept.AddMember(m);
          continue;
        }
        touched = true;
        part.removed++;
        if (ms.size() == 1) {
          part.gone++;
          continue;
        }
        kept.AddEntry(bucket.suffix(e));
        for (const Membership& m : ms) {
          if (m.breach_id != id) kept.AddMember(m);
        }
      }
      if (!touched) continue;
      if (!open) {
        rocksdb::Status s = writer.Open(path);
        if (!s.ok()) {
          part.status = Status::IOError("creating " + path + ": " + s.ToString());
          return;
        }
        open = true;
      }
      rocksdb::Status s;
      if (kept.empty()) {
        s = writer.Delete(it->key());
        part.deleted++;
      } else {
        EncodeBucket(kept, &encoded);
        s = writer.Put(it->key(), encoded);
        part.rewritten++;
      }
      if (!s.ok()) {
        part.status = Status::IOError("writing " + path + ": " + s.ToString());
        return;
      }
    }
    if (!it->status().ok()) {
      part.status = Status::IOError("reading buckets: " + it->status().ToString());
      return;
    }
    if (open) {
      rocksdb::Status s = writer.Finish();
      if (!s.ok()) {
        part.status = Status::IOError("finishing " + path + ": " + s.ToString());
        return;
      }
      part.sst_path = path;
    }
  });
  std::vector<std::string> ssts;
  for (const Part& p : parts) {
    VIGIE_RETURN_IF_ERROR(p.status);
    if (!p.sst_path.empty()) ssts.push_back(p.sst_path);
    report.identifiers_removed += p.removed;
    report.identifiers_gone += p.gone;
    report.buckets_rewritten += p.rewritten;
    report.buckets_deleted += p.deleted;
  }
  auto dumps = index->ListDumps();
  if (!dumps.ok()) return dumps.status();
  std::vector<std::pair<std::string, std::optional<std::string>>> catalogue;
  catalogue.emplace_back(BreachKey(name), std::nullopt);
  for (const DumpRecord& d : *dumps) {
    if (d.breach == name) catalogue.emplace_back(DumpKey(d.breach, d.digest, d.selection), std::nullopt);
  }
  IndexMeta meta = index->meta();
  meta.generation++;
  meta.committed_at = std::time(nullptr);
  catalogue.emplace_back(std::string(kMetaKey), EncodeMeta(meta));
  std::sort(catalogue.begin(), catalogue.end());
  const std::string catalogue_path = index->staging_dir() + "/catalogue.sst";
  VIGIE_RETURN_IF_ERROR(WriteCatalogueSst(catalogue_path, catalogue));
  ssts.push_back(catalogue_path);
  if (options.test_hook) options.test_hook("before-commit");
  VIGIE_RETURN_IF_ERROR(index->Ingest(ssts));
  report.seconds = SecondsSince(start);
  return report;
}

}  // namespace

}  // namespace vigie
