#include "core/index.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>

#include <ctime>

#include <filesystem>
#include "core/db_log.h"
#include "core/ingest_guard.h"
#include "core/oprf_key.h"
#include "core/padding_key.h"

namespace vigie {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDbSubdir = "db";
constexpr const char* kStagingSubdir = "staging";

// `block_cache`: null for RocksDB's default (a small LRU per database).
rocksdb::Options DbOptions(std::shared_ptr<rocksdb::Cache> block_cache = nullptr) {
  rocksdb::Options options;
  // Bucket values are random suffixes: compression costs time and saves nothing.
  options.compression = rocksdb::kNoCompression;
  options.max_open_files = 512;
  options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_size = 16 * 1024;
  if (block_cache) table.block_cache = std::move(block_cache);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// Bytes of the database's table files (*.sst).
uint64_t TableFileBytes(const std::string& db_dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(db_dir, ec)) {
    if (entry.path().extension() == ".sst" && entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(context + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(context + ": " + s.ToString());
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::Busy(context + ": the index is open for writing by another process (" + s.ToString() + ")");
  }
  if (s.IsNoSpace()) return Status::IOError(context + ": no space left on device");
  return Status::IOError(context + ": " + s.ToString());
}

std::string FormatUtc(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string TodayUtc() { return FormatUtc("%Y-%m-%d"); }
std::string NowUtc() { return FormatUtc("%Y-%m-%dT%H:%M:%SZ"); }

Status ValidateBreachName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '-') {
    return Status::InvalidArgument("breach.name", "a breach name is 1 to 64 characters and does not start with '-'");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument("breach.name", "a breach name uses only lower-case letters a-z, digits and '-'");
    }
  }
  return Status::Ok();
}

int DefaultSuffixHex(SchemeId scheme, int prefix_hex) {
  if (scheme == SchemeId::kSha1 || scheme == SchemeId::kNtlm) {
    return static_cast<int>(SchemeTagBytes(scheme)) * 2 - prefix_hex;
  }
  return 16;
}

Index::Index(std::string dir, Mode mode) : dir_(std::move(dir)), mode_(mode) {}
Index::~Index() = default;

std::string Index::staging_dir() const { return (fs::path(dir_) / kStagingSubdir).string(); }

Result<std::unique_ptr<Index>> Index::Create(const std::string& dir, const CreateOptions& options) {
  if (options.prefix_hex < 4 || options.prefix_hex > 6) {
    return Status::InvalidArgument("index.prefix", "--prefix-hex must be 4, 5 or 6");
  }
  const int tag_hex = static_cast<int>(SchemeTagBytes(options.scheme)) * 2;
  const int suffix_hex = options.suffix_hex ? options.suffix_hex : DefaultSuffixHex(options.scheme, options.prefix_hex);
  if (suffix_hex < 8 || options.prefix_hex + suffix_hex > tag_hex) {
    return Status::InvalidArgument("index.suffix",
                                   "the suffix length must be at least 8 hex digits and fit in the tag (" +
                                       std::to_string(tag_hex - options.prefix_hex) + " at most)");
  }
  if (options.shard_bits < 0 || options.shard_bits > 12) {
    return Status::InvalidArgument("index.shard-bits", "--shard-bits must be 0 to 12");
  }
  if (options.scheme == SchemeId::kOprfP256 && options.oprf_key_path.empty()) {
    return Status::InvalidArgument("index.key",
                                   "an oprf-p256 index needs --key FILE (make one with `vigie-index keygen`)");
  }
  // The key is checked before anything is created, so a bad key file leaves no half-made index.
  std::string oprf_public_key, oprf_fingerprint, oprf_key_path;
  if (options.scheme == SchemeId::kOprfP256) {
    auto key = oprf::LoadKeyFile(options.oprf_key_path);
    if (!key.ok()) return key.status();
    oprf_public_key = oprf::PublicKeyHex(key->public_key());
    oprf_fingerprint = oprf::PublicKeyFingerprint(key->public_key());
    std::error_code abs_ec;
    oprf_key_path = fs::absolute(options.oprf_key_path, abs_ec).string();
  }
  std::error_code ec;
  if (fs::exists(fs::path(dir) / kDbSubdir, ec)) {
    return Status::AlreadyExists("an index already exists in " + dir);
  }
  fs::create_directories(fs::path(dir) / kStagingSubdir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());

  fs::create_directories(fs::path(dir) / kDbSubdir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  rocksdb::Options db_options = DbOptions();
  db_options.create_if_missing = true;
  db_options.error_if_exists = true;
  // RocksDB's own text log aborts the process on a full disk (core/db_log.h); a writer uses ours.
  db_options.info_log = OpenDbLog((fs::path(dir) / kDbSubdir).string(), 2);
  std::unique_ptr<Index> index(new Index(dir, Mode::kReadWrite));
  index->GuardIngestions(&db_options);
  rocksdb::DB* raw = nullptr;
  VIGIE_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, (fs::path(dir) / kDbSubdir).string(), &raw),
                                  "creating the index database"));
  index->db_.reset(raw);
  IndexMeta& meta = index->meta_;
  meta.scheme = options.scheme;
  meta.layout.prefix_hex = options.prefix_hex;
  meta.layout.suffix_hex = suffix_hex;
  meta.allow_unkeyed_nir = options.allow_unkeyed_nir;
  meta.pad_responses = options.pad_responses;
  meta.shard_bits = options.shard_bits;
  meta.oprf_public_key = oprf_public_key;
  meta.oprf_key_fingerprint = oprf_fingerprint;
  meta.oprf_key_path = oprf_key_path;
  meta.created_at = NowUtc();
  meta.committed_at = std::time(nullptr);
  rocksdb::WriteOptions write;
  write.sync = true;
  VIGIE_RETURN_IF_ERROR(FromRocks(raw->Put(write, std::string(kMetaKey), EncodeMeta(meta)), "writing metadata"));
  if (options.pad_responses) {
    // The padding key lives with the index, so that every server and export of it pads alike with no
    // flag; a key already there (the replicas' key, copied in first) is kept.
    Status s = CreatePaddingKeyFile(DefaultPaddingKeyPath(dir));
    if (!s.ok() && s.code() != Code::kAlreadyExists) return s;
  }
  return index;
}

Result<std::unique_ptr<Index>> Index::Open(const std::string& dir, Mode mode) {
  const std::string db_dir = (fs::path(dir) / kDbSubdir).string();
  std::error_code ec;
  if (!fs::exists(fs::path(db_dir) / "CURRENT", ec)) {
    return Status::NotFound("no Vigie index in " + dir + " (create one with `vigie-index create`)", "index.missing");
  }
  const bool read_only = mode != Mode::kReadWrite;
  // Serving: a block cache that holds every data block (twice the table files' size, so that no shard of
  // the LRU evicts), filled below before anyone reads: every bucket then costs the same to read, and no
  // response time tells which buckets were asked for recently.
  rocksdb::Options db_options =
      DbOptions(mode == Mode::kServing ? rocksdb::NewLRUCache(2 * TableFileBytes(db_dir) + (64 << 20)) : nullptr);
  // A read-only instance opens every table file up front: a writer in another process may delete files
  // (after a compaction) that a lazily-opening reader would still need.
  if (read_only) db_options.max_open_files = -1;
  // A read-only open writes no text log; a writer gets ours, which survives a full disk (core/db_log.h).
  if (mode == Mode::kReadWrite) db_options.info_log = OpenDbLog(db_dir, 2);
  std::unique_ptr<Index> index(new Index(dir, mode));
  if (mode == Mode::kReadWrite) index->GuardIngestions(&db_options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      read_only ? rocksdb::DB::OpenForReadOnly(db_options, db_dir, &raw) : rocksdb::DB::Open(db_options, db_dir, &raw);
  VIGIE_RETURN_IF_ERROR(FromRocks(s, "opening the index in " + dir));
  index->db_.reset(raw);

  std::string meta_json;
  s = raw->Get(rocksdb::ReadOptions(), std::string(kMetaKey), &meta_json);
  if (s.IsNotFound()) return Status::Corruption(dir + " has a database but no Vigie metadata");
  VIGIE_RETURN_IF_ERROR(FromRocks(s, "reading metadata"));
  // Check the version before anything else so that a newer index gets a clear message, not a parse error.
  if (int version = PeekMetaFormatVersion(meta_json); version != kIndexFormatVersion) {
    return Status::FailedPrecondition("the index in " + dir + " has format version " + std::to_string(version) +
                                          ", this build reads version " + std::to_string(kIndexFormatVersion) +
                                          ": re-index it from its dumps or use a matching build",
                                      "index.version");
  }
  VIGIE_RETURN_IF_ERROR(DecodeMeta(meta_json, &index->meta_));
  const TagLayout& layout = index->meta_.layout;
  if (layout.prefix_hex < 4 || layout.prefix_hex > 6 || layout.suffix_hex < 8 ||
      layout.prefix_hex + layout.suffix_hex > static_cast<int>(SchemeTagBytes(index->meta_.scheme)) * 2) {
    return Status::Corruption("index metadata has an impossible prefix/suffix layout");
  }
  VIGIE_RETURN_IF_ERROR(index->LoadCatalogue());
  if (mode == Mode::kServing) VIGIE_RETURN_IF_ERROR(index->WarmBlockCache());

  if (mode == Mode::kReadWrite) {
    // Files from an update that died before its commit: never ingested, safe to drop.
    fs::remove_all(index->staging_dir(), ec);
    fs::create_directories(index->staging_dir(), ec);
    if (ec) return Status::IOError("cannot create " + index->staging_dir() + ": " + ec.message());
  }
  return index;
}

Status Index::LoadCatalogue() {
  breaches_.clear();
  breach_names_by_id_.clear();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(kBreachKeyPrefix)); it->Valid() && it->key().starts_with(std::string(kBreachKeyPrefix));
       it->Next()) {
    BreachRecord record;
    VIGIE_RETURN_IF_ERROR(DecodeBreach(it->value().ToStringView(), &record));
    breach_names_by_id_[record.id] = record.name;
    breaches_[record.name] = std::move(record);
  }
  VIGIE_RETURN_IF_ERROR(FromRocks(it->status(), "reading the breach catalogue"));
  std::string meta_json;
  VIGIE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), std::string(kMetaKey), &meta_json), "reading metadata"));
  return DecodeMeta(meta_json, &meta_);
}

Result<BreachRecord> Index::GetBreach(const std::string& name) const {
  auto it = breaches_.find(name);
  if (it == breaches_.end()) {
    return Status::NotFound("no breach named '" + name + "' in this index (`vigie-index stats` lists them)",
                            "breach.unknown");
  }
  return it->second;
}

const std::string* Index::BreachNameForId(uint32_t id) const {
  auto it = breach_names_by_id_.find(id);
  return it == breach_names_by_id_.end() ? nullptr : &it->second;
}

Result<std::vector<DumpRecord>> Index::ListDumps() const {
  std::vector<DumpRecord> dumps;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(kDumpKeyPrefix)); it->Valid() && it->key().starts_with(std::string(kDumpKeyPrefix));
       it->Next()) {
    DumpRecord record;
    VIGIE_RETURN_IF_ERROR(DecodeDump(it->value().ToStringView(), &record));
    dumps.push_back(std::move(record));
  }
  VIGIE_RETURN_IF_ERROR(FromRocks(it->status(), "reading the dump catalogue"));
  return dumps;
}

Status Index::DefineBreach(BreachRecord breach, bool* created) {
  if (read_only()) return Status::FailedPrecondition("the index is open read-only");
  VIGIE_RETURN_IF_ERROR(ValidateBreachName(breach.name));
  IndexMeta meta = meta_;
  auto existing = breaches_.find(breach.name);
  *created = existing == breaches_.end();
  if (*created) {
    breach.id = meta.next_breach_id++;
    breach.added_date = TodayUtc();
    breach.count = 0;
    breach.count_by_kind.clear();
  } else {
    breach.id = existing->second.id;
    breach.added_date = existing->second.added_date;
    breach.count = existing->second.count;
    breach.count_by_kind = existing->second.count_by_kind;
  }
  meta.generation++;
  meta.committed_at = std::time(nullptr);
  rocksdb::WriteBatch batch;
  batch.Put(BreachKey(breach.name), EncodeBreach(breach));
  batch.Put(std::string(kMetaKey), EncodeMeta(meta));
  rocksdb::WriteOptions write;
  write.sync = true;
  const rocksdb::Status s = db_->Write(write, &batch);
  if (!s.ok()) return FailedCommit(FromRocks(s, "writing the breach record"), {});
  return LoadCatalogue();
}

Status Index::GetBucket(Kind kind, uint32_t prefix, std::string* encoded) const {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), BucketKey(kind, prefix), encoded);
  if (s.IsNotFound()) return Status::NotFound("empty bucket", "bucket.empty");
  return FromRocks(s, "reading a bucket");
}

Status Index::WarmBlockCache() const {
  rocksdb::ReadOptions read;
  read.fill_cache = true;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  return FromRocks(it->status(), "reading the index into memory");
}

Status Index::ForEachBucket(Kind kind, uint32_t first, uint32_t end, const BucketFn& fn) const {
  std::unique_ptr<IndexCursor> it = NewCursor();
  Kind k;
  uint32_t prefix = 0;
  for (it->SeekBucket(kind, first); it->AtBucket(&k, &prefix) && k == kind && prefix < end; it->Next()) {
    VIGIE_RETURN_IF_ERROR(fn(prefix, it->value()));
  }
  return it->status();
}

std::unique_ptr<IndexCursor> Index::NewCursor() const {
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // full scans would evict the buckets that lookups need
  return std::make_unique<IndexCursor>(std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(read)));
}

IndexCursor::IndexCursor(std::unique_ptr<rocksdb::Iterator> it) : it_(std::move(it)) {}
IndexCursor::~IndexCursor() = default;

void IndexCursor::Seek(std::string_view key) { it_->Seek(rocksdb::Slice(key.data(), key.size())); }

bool IndexCursor::SeekBucket(Kind kind, uint32_t prefix) {
  const std::string key = BucketKey(kind, prefix);
  Seek(key);
  return Valid() && this->key() == key;
}

bool IndexCursor::SeekForward(std::string_view key) {
  const rocksdb::Slice target(key.data(), key.size());
  for (int steps = 0; it_->Valid() && steps < 4; ++steps) {
    const int c = it_->key().compare(target);
    if (c >= 0) return c == 0;
    it_->Next();
  }
  if (!it_->Valid() || it_->key().compare(target) < 0) it_->Seek(target);
  return it_->Valid() && it_->key().compare(target) == 0;
}

bool IndexCursor::Valid() const { return it_->Valid(); }
void IndexCursor::Next() { it_->Next(); }
std::string_view IndexCursor::key() const { return it_->key().ToStringView(); }
std::string_view IndexCursor::value() const { return it_->value().ToStringView(); }
bool IndexCursor::AtBucket(Kind* kind, uint32_t* prefix) const {
  return it_->Valid() && ParseBucketKey(key(), kind, prefix);
}
Status IndexCursor::status() const { return FromRocks(it_->status(), "scanning the index"); }

Status Index::Ingest(const std::vector<std::string>& sst_paths) {
  if (read_only()) return Status::FailedPrecondition("the index is open read-only");
  if (sst_paths.empty()) return Status::Ok();
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  ingest.snapshot_consistency = true;
  ingest.allow_blocking_flush = true;
  // One call with every file: RocksDB commits them in a single MANIFEST edit, all or nothing. (Every
  // write to the log is synced when made, so nothing is left to sync after it.)
  ingest_guard_->BeginIngest();
  const rocksdb::Status s = db_->IngestExternalFile(sst_paths, ingest);
  const std::vector<std::string> kept = ingest_guard_->EndIngest();
  if (s.ok()) return LoadCatalogue();
  // RocksDB linked the files in, then failed: its MANIFEST may or may not hold the edit.
  return FailedCommit(FromRocks(s, "committing the update"), kept);
}

// A write or sync that fails may still have reached the file (the write went through, its sync did not):
// the state on disk is read back rather than assumed.
Status Index::FailedCommit(const Status& error, const std::vector<std::string>& kept) const {
  Result<uint64_t> on_disk = GenerationOnDisk();
  if (!on_disk.ok()) {
    return Status(error.code(), "commit.unconfirmed",
                  error.message() + "; the index could not be read back (" + on_disk.status().message() +
                      "): run `vigie-index verify` once there is room");
  }
  if (*on_disk == meta_.generation) {
    // The previous state: the files a failed ingestion left are referenced by nothing, so they can go.
    std::error_code ec;
    for (const std::string& path : kept) fs::remove(path, ec);
    return error;
  }
  if (*on_disk != meta_.generation + 1) {  // every commit writes the next generation: something else wrote
    return Status(error.code(), "commit.unconfirmed",
                  error.message() + "; the index now holds generation " + std::to_string(*on_disk) + ", not " +
                      std::to_string(meta_.generation) + " or " + std::to_string(meta_.generation + 1) +
                      ": run `vigie-index verify` once there is room");
  }
  return Status(error.code(), "commit.unconfirmed",
                error.message() + "; the update reached the index before the error (it now holds generation " +
                    std::to_string(*on_disk) + "), but it could not be confirmed on disk: free space, then run " +
                    "`vigie-index verify`");
}

void Index::GuardIngestions(rocksdb::Options* options) {
  ingest_guard_ = std::make_shared<IngestGuard>(rocksdb::FileSystem::Default());
  env_ = rocksdb::NewCompositeEnv(ingest_guard_);
  options->env = env_.get();
}

Result<uint64_t> Index::GenerationOnDisk() const {
  rocksdb::Options options = DbOptions();
  // Every table file opened up front, as vigie-serve opens them: a state whose files are missing fails
  // here, rather than being reported as landed.
  options.max_open_files = -1;
  rocksdb::DB* raw = nullptr;
  VIGIE_RETURN_IF_ERROR(FromRocks(rocksdb::DB::OpenForReadOnly(options, (fs::path(dir_) / kDbSubdir).string(), &raw),
                                  "opening the index read-only"));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string meta_json;
  VIGIE_RETURN_IF_ERROR(
      FromRocks(db->Get(rocksdb::ReadOptions(), std::string(kMetaKey), &meta_json), "reading metadata"));
  IndexMeta meta;
  VIGIE_RETURN_IF_ERROR(DecodeMeta(meta_json, &meta));
  return meta.generation;
}

uint64_t Index::DiskBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir_) / kDbSubdir, ec)) {
    // Table files, write-ahead logs and the manifest; RocksDB's own text logs (LOG*) are not index data.
    const std::string name = entry.path().filename().string();
    if (name.starts_with("LOG") || !entry.is_regular_file(ec)) continue;
    total += entry.file_size(ec);
  }
  return total;
}

Index::MemoryUsage Index::Memory() const {
  MemoryUsage usage;
  auto property = [&](const char* name) {
    uint64_t value = 0;
    return db_->GetIntProperty(name, &value) ? value : 0;
  };
  usage.table_readers_bytes = property("rocksdb.estimate-table-readers-mem");
  usage.block_cache_bytes = property("rocksdb.block-cache-usage");
  usage.memtable_bytes = property("rocksdb.cur-size-all-mem-tables");
  std::vector<rocksdb::LiveFileMetaData> files;
  db_->GetLiveFilesMetaData(&files);
  usage.table_files = files.size();
  return usage;
}

Status Index::VerifyChecksums() const { return FromRocks(db_->VerifyChecksum(), "verifying block checksums"); }

}  // namespace vigie
