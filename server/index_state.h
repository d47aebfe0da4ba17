// IndexState: the index state being served, as a shared, immutable Snapshot that is swapped atomically
// when the index on disk moves to a new generation.
//
// A request takes current() once and answers wholly from that snapshot, so every response is wholly old
// or wholly new; the old snapshot (and its read-only RocksDB instance) lives until its last request ends.
// Refresh() is cheap when nothing changed (a stat of the database's CURRENT and MANIFEST); otherwise it
// re-opens the index read-only beside any writer, and swaps only when the generation differs. A failed
// re-open (a writer mid-commit, a missing file) keeps the old snapshot; the next Refresh retries. An
// optional validator (set before Load) vets every state before it is served: a refused one is an error,
// like a failed re-open (vigie-serve refuses an oprf-p256 state recorded with another key).
//
// Thread-safety: current() and live_snapshots() from any thread; Load() and Refresh() from one thread at a
// time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/published_index.h"

namespace vigie::serve {

struct Snapshot {
  std::unique_ptr<PublishedIndex> published;
  uint64_t sequence = 0;      // process-local, +1 per swap: cache keys use it
  std::string last_modified;  // HTTP date of the commit
  std::string breaches_etag;  // BodyEtag of published->breach_list_json()
  std::string info_etag;      // BodyEtag of published->info_json()
  uint64_t generation() const { return published->meta().generation; }
};

class IndexState {
 public:
  IndexState(std::string dir, PublishOptions options) : dir_(std::move(dir)), options_(options) {}

  using Validator = std::function<Status(const PublishedIndex&)>;
  void set_validator(Validator validator) { validator_ = std::move(validator); }

  // First load; an error means there is nothing to serve.
  Status Load();
  std::shared_ptr<const Snapshot> current() const { return current_.load(std::memory_order_acquire); }
  // Looks for a new state (force: re-open even when the files look unchanged). *swapped tells whether
  // the served snapshot changed. An error leaves the current snapshot in place.
  Status Refresh(bool force, bool* swapped);
  // Snapshots still alive: the current one plus old ones that requests (or cached bodies) still hold. It
  // should fall back to 1 soon after a swap; a count that keeps growing means something keeps old states.
  // A snapshot stops counting only once it is destroyed (its RocksDB instance closed, its memory freed).
  size_t live_snapshots() const;

 private:
  std::string Fingerprint() const;
  Status Swap(std::unique_ptr<PublishedIndex> published);

  std::string dir_;
  PublishOptions options_;
  Validator validator_;
  std::string fingerprint_;
  uint64_t sequence_ = 0;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  // Snapshots made and not yet destroyed; shared with each snapshot's deleter, which may outlive this.
  std::shared_ptr<std::atomic<size_t>> alive_ = std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace vigie::serve
