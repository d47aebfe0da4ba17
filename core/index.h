// Index: one Vigie index on disk — a directory holding a RocksDB database (DIR/db) with the buckets and the
// catalogue (index metadata, breaches, loaded dumps), and a staging area (DIR/staging) for SST files being
// built by an update before they are ingested.
//
// Every change is committed in one atomic RocksDB step (a WriteBatch, or one IngestExternalFile call for
// bulk changes), so a crash or kill -9 at any point leaves the previous state. Leftover staging files are
// removed by the next writable Open.
//
// Ownership: an Index owns its rocksdb::DB. Thread-safety: const methods may be called concurrently; the
// mutating ones (PutCatalogue, Ingest, ...) are for one writer thread. Only one process may open an index
// for writing at a time (RocksDB's lock); others get Code::kBusy. Read-only opens can run beside a writer
// and see the state as of their open.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/codec.h"
#include "core/status.h"

namespace rocksdb {
class DB;
class Env;
class Iterator;
struct Options;
}  // namespace rocksdb

namespace vigie {

class IngestGuard;

struct CreateOptions {
  SchemeId scheme = SchemeId::kSha256;
  int prefix_hex = 5;  // 4..6
  int suffix_hex = 0;  // 0: the scheme's default (see DefaultSuffixHex)
  bool allow_unkeyed_nir = false;
  bool pad_responses = false;
  int shard_bits = 6;         // the private path's shards: 2^shard_bits per kind (0..12)
  std::string oprf_key_path;  // oprf-p256: the key file (required); its public key is recorded
};

// Stored suffix length when none is given: the whole rest of the hash for sha1/ntlm (Pwned Passwords
// compatibility needs it), 16 hex digits (64 bits) for 32-byte tags — see docs/FORMAT.md for the
// false-match arithmetic.
int DefaultSuffixHex(SchemeId scheme, int prefix_hex);

// IndexCursor: a forward cursor over an index's keys in order (buckets first, then the catalogue; core/codec.h
// lists the keys), with RocksDB out of sight. Reads do not fill the block cache (scans would evict what
// look-ups need). Owned by its caller; must not outlive the Index. Not thread-safe.
class IndexCursor {
 public:
  explicit IndexCursor(std::unique_ptr<rocksdb::Iterator> it);
  ~IndexCursor();
  IndexCursor(const IndexCursor&) = delete;
  IndexCursor& operator=(const IndexCursor&) = delete;

  void Seek(std::string_view key);
  // At or after bucket (kind, prefix); true when exactly there.
  bool SeekBucket(Kind kind, uint32_t prefix);
  // The same, stepping forward from where the cursor is when the target is a few keys ahead (a merge walks
  // the buckets in order: cheaper than a Seek each time).
  bool SeekForward(std::string_view key);
  bool Valid() const;
  void Next();
  std::string_view key() const;
  std::string_view value() const;
  // The bucket the cursor is on; false when it is not on a well-formed bucket key.
  bool AtBucket(Kind* kind, uint32_t* prefix) const;
  // IOError when the scan failed (Valid() is then false).
  Status status() const;

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class Index {
 public:
  enum class Mode {
    kReadWrite,
    kReadOnly,
    // Read-only, with every data block read into a block cache sized to hold them all before Open
    // returns: every bucket read costs the same (vigie-serve; memory: about the table files' size).
    kServing,
  };

  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Creates a new, empty index in `dir` (which must not hold one already).
  static Result<std::unique_ptr<Index>> Create(const std::string& dir, const CreateOptions& options);
  // Opens an existing index; checks its format version and metadata.
  static Result<std::unique_ptr<Index>> Open(const std::string& dir, Mode mode);

  const std::string& dir() const { return dir_; }
  const IndexMeta& meta() const { return meta_; }
  const TagLayout& layout() const { return meta_.layout; }
  bool read_only() const { return mode_ != Mode::kReadWrite; }
  std::string staging_dir() const;

  // ---- catalogue (loaded at open, refreshed by every commit through this object) ----
  const std::map<std::string, BreachRecord>& breaches() const { return breaches_; }
  Result<BreachRecord> GetBreach(const std::string& name) const;
  // Breach name for an id, or nullptr for an id no breach has.
  const std::string* BreachNameForId(uint32_t id) const;
  Result<std::vector<DumpRecord>> ListDumps() const;

  // Defines a new breach or updates an existing one's metadata (title, date, classes, description); the
  // id, counts and added date of an existing breach are kept.
  Status DefineBreach(BreachRecord breach, bool* created);

  // ---- buckets ----
  // NotFound when no identifier of `kind` has this prefix.
  Status GetBucket(Kind kind, uint32_t prefix, std::string* encoded) const;
  // A cursor over the whole database in key order (the caller owns it).
  std::unique_ptr<IndexCursor> NewCursor() const;
  // Calls `fn` for every non-empty bucket of `kind` with a prefix in [first, end), in prefix order, until
  // it returns an error (which is returned). Reads without filling the block cache.
  using BucketFn = std::function<Status(uint32_t prefix, std::string_view encoded)>;
  Status ForEachBucket(Kind kind, uint32_t first, uint32_t end, const BucketFn& fn) const;
  Status ForEachBucket(Kind kind, const BucketFn& fn) const { return ForEachBucket(kind, 0, UINT32_MAX, fn); }

  // Atomically ingests SST files built in staging_dir() (moved, not copied), then reloads the catalogue.
  // The files must include the catalogue's metadata record with the next generation. On an error the
  // index holds the previous state — unless the error came after the commit reached the MANIFEST (a
  // failed sync): then it holds the new state, whole, and the error (reason "commit.unconfirmed") says
  // so (core/ingest_guard.h). DefineBreach reports a failed write to the log the same way.
  Status Ingest(const std::vector<std::string>& sst_paths);

  // On-disk size of the index's data: table files, write-ahead log, manifest (not RocksDB's text logs).
  uint64_t DiskBytes() const;
  // RocksDB's checksum verification of every block.
  Status VerifyChecksums() const;

  // Memory this open index holds in RocksDB (for /metrics and the soak): table readers (index and filter
  // blocks of every open table file), the block cache, memtables; and how many table files are live.
  struct MemoryUsage {
    uint64_t table_readers_bytes = 0;
    uint64_t block_cache_bytes = 0;
    uint64_t memtable_bytes = 0;
    uint64_t table_files = 0;
  };
  MemoryUsage Memory() const;

 private:
  Index(std::string dir, Mode mode);
  Status LoadCatalogue();
  Status WarmBlockCache() const;
  // Writers: routes the database's file operations through an IngestGuard.
  void GuardIngestions(rocksdb::Options* options);
  // After a failed ingestion: the generation the disk holds, read by a second, read-only instance.
  Result<uint64_t> GenerationOnDisk() const;
  // The error to report for a commit that failed with `error`: as is when the disk holds the previous
  // state (then `kept`, the files a failed ingestion left, are deleted), else saying that the update
  // landed ("commit.unconfirmed").
  Status FailedCommit(const Status& error, const std::vector<std::string>& kept) const;

  std::string dir_;
  Mode mode_;
  // Writers only: the file system that keeps a failed ingestion's files, and the Env the database uses
  // to reach it. Declared before db_, so that they outlive it.
  std::shared_ptr<IngestGuard> ingest_guard_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  IndexMeta meta_;
  std::map<std::string, BreachRecord> breaches_;
  std::map<uint32_t, std::string> breach_names_by_id_;
};

// Valid breach names: 1..64 characters of [a-z0-9-], not starting with '-'.
Status ValidateBreachName(std::string_view name);
// Today's date (UTC) as YYYY-MM-DD, and now as an ISO 8601 UTC timestamp.
std::string TodayUtc();
std::string NowUtc();

}  // namespace vigie
