#include "core/dump_tagger.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "core/normalize.h"
#include "core/password_hash.h"

namespace vigie {

namespace {

using Clock = std::chrono::steady_clock;

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
      : layout_(index.layout()),
        scheme_(scheme),
        records_(records),
        columns_(columns),
        parser_(dialect),
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
      p.items.push_back(
          {static_cast<uint32_t>(p.arena.size()), static_cast<uint32_t>(canonical_.size()), count, line_number});
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

// One chunk of lines through the tagger. The header occupies line 1 of the first chunk.
void TagChunk(const Chunk& chunk, bool header, bool joined_lines, bool keep_lines, Tagger* tagger, WorkerState* state) {
  std::string_view data(chunk.data);
  uint64_t line_number = chunk.first_line;
  size_t pos = 0;
  if (chunk.first_line == 1 && header) {
    const size_t nl = data.find('\n');
    pos = nl == std::string_view::npos ? data.size() : nl + 1;
    line_number = 2;
  }
  while (pos < data.size()) {
    const char* nl = static_cast<const char*>(std::memchr(data.data() + pos, '\n', data.size() - pos));
    const size_t end = nl ? static_cast<size_t>(nl - data.data()) : data.size();
    const std::string_view line = data.substr(pos, end - pos);
    tagger->Line(line, line_number++, state, keep_lines);
    if (joined_lines) line_number += static_cast<uint64_t>(std::count(line.begin(), line.end(), kJoinedLineBreak));
    pos = end + 1;
  }
  tagger->FlushAll(state, keep_lines);
  if (chunk.overlong) {
    state->rows++;
    state->rejects["line.too-long"]++;
    if (keep_lines) state->reject_lines.emplace_back(chunk.overlong->line_number, "line.too-long");
  }
}

}  // namespace

Result<TaggedDump> ReadAndTag(const Index& index, const Scheme& scheme, const RecordLayout& records,
                              const DumpShape& shape, LineChunker* chunker, Chunk first, bool have_first,
                              const TagStageOptions& options) {
  const int threads = std::max(1, options.threads);
  const size_t buffer_cap = std::max<size_t>(options.memory_bytes / (2 * static_cast<size_t>(threads)), 1 << 20);
  const bool keep_lines = options.keep_reject_lines;
  std::vector<WorkerState> states(static_cast<size_t>(threads));
  ChunkQueue queue(static_cast<size_t>(threads) * 2);
  std::atomic<uint64_t> rows_seen{0};
  std::atomic<uint64_t> spill_counter{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      WorkerState& state = states[static_cast<size_t>(t)];
      state.buffer.reserve(buffer_cap + (4 << 20));  // address space only; pages come as records do
      Tagger tagger(index, scheme, records, shape.columns, shape.dialect, shape.expected_fields);
      Chunk chunk;
      while (queue.Pop(&chunk)) {
        const uint64_t before = state.rows;
        TagChunk(chunk, shape.dialect.header, shape.joined_lines, keep_lines, &tagger, &state);
        rows_seen.fetch_add(state.rows - before, std::memory_order_relaxed);
        queue.Recycle(std::move(chunk.data));
        if (state.buffer.size() < buffer_cap) continue;
        Run run = Run::FromBuffer(&state.buffer, records.size);
        Status s = run.SpillTo(options.spill_dir + "/" + options.spill_name + "-" +
                               std::to_string(spill_counter.fetch_add(1)) + ".bin");
        if (!s.ok()) {
          state.error = s;
          queue.Abort();
          return;
        }
        state.spilled.push_back(std::move(run));
      }
    });
  }

  Status read_status;
  auto last_progress = Clock::now();
  for (bool have = have_first; have;) {
    if (options.progress && Clock::now() - last_progress > std::chrono::milliseconds(100)) {
      last_progress = Clock::now();
      options.progress(first.raw_bytes_read, options.raw_size, rows_seen.load());
    }
    if (!queue.Push(std::move(first))) break;
    first = Chunk();
    first.data = queue.TakeSpare();
    auto next = chunker->Next(&first);
    if (!next.ok()) {
      read_status = next.status();
      queue.Abort();
      break;
    }
    have = *next;
  }
  queue.Close();
  for (auto& w : workers) w.join();
  VIGIE_RETURN_IF_ERROR(read_status);
  for (const WorkerState& s : states) VIGIE_RETURN_IF_ERROR(s.error);

  TaggedDump out;
  for (WorkerState& s : states) {
    out.rows += s.rows;
    out.identifiers += s.identifiers;
    for (const auto& [reason, n] : s.rejects) {
      out.rejects_by_reason[std::string(reason)] += n;
      out.rejected += n;
    }
    out.reject_lines.insert(out.reject_lines.end(), s.reject_lines.begin(), s.reject_lines.end());
    out.spilled_runs += s.spilled.size();
    for (Run& r : s.spilled) out.runs.push_back(std::move(r));
    if (!s.buffer.empty()) out.runs.push_back(Run::FromBuffer(&s.buffer, records.size));
    std::vector<uint8_t>().swap(s.buffer);
  }
  return out;
}

}  // namespace vigie
