#include "core/export.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include "core/fd_writer.h"
#include "core/published_set.h"

namespace vigie {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

Status ErrnoStatus(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

// One file of the export. Range files are rendered by the worker threads; the few others up front.
struct Task {
  enum class Type : uint8_t { kRange, kHibp } type;
  Kind kind;
  int dir;  // index into the directory list
  uint32_t prefix;
};

struct Written {
  std::string etag;
  uint64_t size = 0;
};

Status WriteFile(const std::string& path, std::string_view body, const timespec& mtime) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("creating " + path);
  if (Status s = WriteAllToFd(fd, body, path); !s.ok()) {
    ::close(fd);
    return s;
  }
  const timespec times[2] = {mtime, mtime};
  if (::futimens(fd, times) != 0) {
    Status s = ErrnoStatus("setting the time of " + path);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return ErrnoStatus("closing " + path);
  return Status::Ok();
}

// Kinds with at least one bucket: the first key at or after BucketKey(kind, 0) is one of that kind's.
Result<std::vector<Kind>> PresentKinds(const PublishedIndex& index) {
  std::vector<Kind> kinds;
  std::unique_ptr<IndexCursor> it = index.index().NewCursor();
  for (Kind kind : kAllKinds) {
    if (!index.ServesKind(kind)) continue;
    it->SeekBucket(kind, 0);
    Kind found;
    uint32_t prefix;
    if (it->AtBucket(&found, &prefix) && found == kind) kinds.push_back(kind);
  }
  VIGIE_RETURN_IF_ERROR(it->status());
  return kinds;
}

void AppendManifestLine(std::string* out, std::string_view path, std::string_view url, std::string_view etag,
                        uint64_t size) {
  // Paths, URLs (hex, kind and breach names) and tags ("\"" + hex + "\"") need no escaping but the quotes.
  *out += "{\"path\":\"";
  *out += path;
  if (!url.empty()) {
    *out += "\",\"url\":\"";
    *out += url;
  }
  *out += "\",\"etag\":\"\\\"";
  *out += etag.substr(1, etag.size() - 2);
  *out += "\\\"\",\"size\":";
  *out += std::to_string(size);
  *out += "}";
}

// ETag value ("\"<16 hex>\"") as a number; 0 when malformed (BodyEtag never gives 0 for a real body
// with any meaningful probability, and a false 0 only costs a rewrite).
uint64_t EtagValue(std::string_view etag) {
  if (etag.size() != 18) return 0;
  uint64_t v = 0;
  for (char c : etag.substr(1, 16)) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return 0;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

// What a previous export holds for each range task: (ETag value, size), ETag 0 where it has nothing.
// Read from its manifest.json, which this file writes one entry per line.
struct Previous {
  std::string root;
  std::vector<uint64_t> etag;
  std::vector<uint64_t> size;
};

void LoadPrevious(const std::string& root, const std::vector<std::string>& dirs, const TagLayout& layout,
                  size_t task_count, Previous* prev) {
  std::ifstream in(root + "/manifest.json");
  if (!in) return;
  prev->root = root;
  prev->etag.assign(task_count, 0);
  prev->size.assign(task_count, 0);
  const uint32_t buckets = layout.bucket_count();
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = line;
    constexpr std::string_view kPath = "{\"path\":\"", kEtag = "\"etag\":\"\\\"", kSize = "\"size\":";
    if (!l.starts_with(kPath)) continue;
    l.remove_prefix(kPath.size());
    const size_t quote = l.find('"'), slash = l.substr(0, quote).rfind('/');
    if (quote == std::string_view::npos || slash == std::string_view::npos) continue;
    const std::string_view dir = l.substr(0, slash), hex = l.substr(slash + 1, quote - slash - 1);
    const auto d = std::find(dirs.begin(), dirs.end(), dir);
    auto prefix = layout.ParsePrefix(hex);
    const size_t e = l.find(kEtag), z = l.find(kSize);
    if (d == dirs.end() || !prefix.ok() || e == std::string_view::npos || z == std::string_view::npos) continue;
    const size_t task = static_cast<size_t>(d - dirs.begin()) * buckets + *prefix;
    if (task >= task_count) continue;
    // The tag is written as \"<16 hex>\": rebuild the plain quoted form.
    std::string etag = "\"" + std::string(l.substr(e + kEtag.size(), 16)) + "\"";
    prev->etag[task] = EtagValue(etag);
    prev->size[task] = std::strtoull(std::string(l.substr(z + kSize.size())).c_str(), nullptr, 10);
  }
}

// Moves the finished temporary directory to `out`: a plain rename when `out` is absent or an empty
// directory, an atomic exchange when it holds a previous export (then deleted); anything else is refused.
Status Publish(const std::string& tmp, const std::string& out) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(out, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) return Status::FailedPrecondition("--out " + out + " exists and is not a directory");
    if (fs::is_empty(out, ec)) {
      fs::remove(out, ec);
    } else {
      if (!fs::exists(out + "/manifest.json")) {
        return Status::FailedPrecondition("--out " + out +
                                          " is a non-empty directory without manifest.json (not an export): refusing "
                                          "to replace it");
      }
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) != 0) {
        return ErrnoStatus("swapping " + tmp + " and " + out);
      }
      fs::remove_all(tmp, ec);  // now the previous export
      if (ec)
        std::fprintf(stderr, "vigie-index: could not delete the previous export %s: %s\n", tmp.c_str(),
                     ec.message().c_str());
      return Status::Ok();
    }
  }
  if (::rename(tmp.c_str(), out.c_str()) != 0) return ErrnoStatus("renaming " + tmp + " to " + out);
  return Status::Ok();
}

Status WriteAll(const PublishedIndex& index, const ExportOptions& options, const std::string& root,
                const std::string& previous_root, ExportStats* stats) {
  const TagLayout& layout = index.layout();
  const timespec mtime{index.commit_time(), 0};
  std::vector<std::string> dirs;  // relative to root
  std::vector<Task> tasks;
  const uint32_t buckets = layout.bucket_count();
  for (Kind kind : options.v1_range ? stats->kinds : std::vector<Kind>()) {
    dirs.push_back("v1/range/" + std::string(KindName(kind)));
    tasks.reserve(tasks.size() + buckets);
    for (uint32_t p = 0; p < buckets; ++p) {
      tasks.push_back({Task::Type::kRange, kind, static_cast<int>(dirs.size() - 1), p});
    }
  }
  if (options.hibp_range && index.ServesHibp()) {
    stats->hibp_dir = index.meta().scheme == SchemeId::kNtlm ? "range-ntlm" : "range";
    dirs.push_back(stats->hibp_dir);
    for (uint32_t p = 0; p < buckets; ++p) {
      tasks.push_back({Task::Type::kHibp, Kind::kPassword, static_cast<int>(dirs.size() - 1), p});
    }
  }
  Previous prev;
  if (!previous_root.empty()) LoadPrevious(previous_root, dirs, layout, tasks.size(), &prev);
  std::error_code ec;
  for (const std::string& d : dirs) {
    fs::create_directories(root + "/" + d, ec);
    if (ec) return Status::IOError("creating " + root + "/" + d + ": " + ec.message());
  }
  fs::create_directories(root + "/v1/breaches", ec);
  if (ec) return Status::IOError("creating " + root + "/v1/breaches: " + ec.message());

  std::string manifest;
  const IndexMeta& meta = index.meta();
  manifest += "{\"format\":\"vigie-export\",\"version\":1,\"scheme\":\"" + std::string(SchemeName(meta.scheme)) +
              "\",\"prefix_hex\":" + std::to_string(layout.prefix_hex) +
              ",\"suffix_hex\":" + std::to_string(layout.suffix_hex) +
              ",\"padded\":" + (meta.pad_responses ? "true" : "false") +
              ",\"generation\":" + std::to_string(meta.generation) + ",\"last_modified\":\"" +
              HttpDateOf(index.commit_time()) + "\",\"kinds\":[";
  for (size_t i = 0; i < stats->kinds.size(); ++i) {
    manifest += (i ? ",\"" : "\"") + std::string(KindName(stats->kinds[i])) + "\"";
  }
  manifest += "],\"hibp\":";
  manifest += stats->hibp_dir.empty() ? "null" : "\"" + stats->hibp_dir + "\"";
  manifest += ",\n\"files\":[\n";

  // The breach records: few, written here. Sorted paths: v1/breaches.json sorts before v1/breaches/.
  auto write_small = [&](const std::string& path, const std::string& url, const std::string& body) -> Status {
    VIGIE_RETURN_IF_ERROR(WriteFile(root + "/" + path, body, mtime));
    AppendManifestLine(&manifest, path, url, BodyEtag(body), body.size());
    manifest += ",\n";
    stats->files += 1;
    stats->bytes += body.size();
    return Status::Ok();
  };
  const auto start = Clock::now();
  VIGIE_RETURN_IF_ERROR(write_small("v1/breaches.json", "/v1/breaches", index.breach_list_json()));
  for (const auto& [name, record] : index.index().breaches()) {
    const std::string* json = index.BreachJson(name);
    if (json != nullptr) VIGIE_RETURN_IF_ERROR(write_small("v1/breaches/" + name, "", *json));
  }
  // The kinds this export holds, not every kind the scheme takes: a client reads them to know what to ask.
  VIGIE_RETURN_IF_ERROR(write_small("v1/index", "", EncodeIndexInfoJson(index.meta(), stats->kinds)));
  // The private path's sets of the exported kinds: the manifest (v1/set/{kind}.json, since v1/set/{kind}/ is
  // the directory of its shards), every shard and `all`, the bytes vigie-serve sends.
  for (Kind kind : options.v1_range ? stats->kinds : std::vector<Kind>()) {
    const PublishedSet* set = index.Set(kind);
    if (set == nullptr) continue;
    const std::string dir = "v1/set/" + std::string(KindName(kind));
    fs::create_directories(root + "/" + dir, ec);
    if (ec) return Status::IOError("creating " + root + "/" + dir + ": " + ec.message());
    VIGIE_RETURN_IF_ERROR(write_small(dir + ".json", "/" + dir, set->manifest_json()));
    VIGIE_RETURN_IF_ERROR(write_small(dir + "/all", "", set->all()));
    for (uint32_t i = 0; i < set->shard_count(); ++i) {
      VIGIE_RETURN_IF_ERROR(write_small(dir + "/" + ShardNumberHex(i), "", std::string(set->shard(i))));
    }
  }

  // Range files: workers take chunks of tasks in turn; results land in per-task slots, so the manifest
  // comes out in task order whatever the interleaving.
  std::vector<Written> written(tasks.size());
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> linked{0};
  std::atomic<bool> failed{false};
  std::vector<Status> errors(static_cast<size_t>(std::max(1, options.threads)));
  auto worker = [&](size_t w) {
    constexpr size_t kChunk = 512;
    std::string body, path;
    while (!failed.load(std::memory_order_relaxed)) {
      const size_t begin = next.fetch_add(kChunk);
      if (begin >= tasks.size()) return;
      const size_t end = std::min(tasks.size(), begin + kChunk);
      for (size_t i = begin; i < end; ++i) {
        const Task& t = tasks[i];
        Status s = t.type == Task::Type::kRange ? index.RangeJson(t.kind, t.prefix, &body)
                                                : index.HibpRange(t.prefix, nullptr, &body);
        if (s.ok()) {
          std::string hex = layout.PrefixHex(t.prefix);
          if (t.type == Task::Type::kHibp) {
            for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          }
          const std::string rel = dirs[static_cast<size_t>(t.dir)] + "/" + hex;
          path = root + "/" + rel;
          written[i].etag = BodyEtag(body);
          // Unchanged since the previous export: a hard link to its file (which keeps its time, the
          // commit time of the state that last changed it), so a re-export writes and frees only what
          // changed. Any failure falls back to writing.
          if (!prev.root.empty() && prev.etag[i] != 0 && prev.etag[i] == EtagValue(written[i].etag) &&
              prev.size[i] == body.size() && ::link((prev.root + "/" + rel).c_str(), path.c_str()) == 0) {
            linked.fetch_add(1, std::memory_order_relaxed);
          } else {
            s = WriteFile(path, body, mtime);
          }
        }
        if (!s.ok()) {
          errors[w] = s;
          failed = true;
          return;
        }
        written[i].size = body.size();
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < errors.size(); ++w) threads.emplace_back(worker, w);
  worker(0);
  for (std::thread& t : threads) t.join();
  for (const Status& s : errors) VIGIE_RETURN_IF_ERROR(s);
  stats->linked = linked.load();

  std::string path;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    std::string hex = layout.PrefixHex(t.prefix);
    if (t.type == Task::Type::kHibp) {
      for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    path = dirs[static_cast<size_t>(t.dir)] + "/" + hex;
    std::string url;
    if (t.type == Task::Type::kHibp && stats->hibp_dir == "range-ntlm") url = "/range/" + hex + "?mode=ntlm";
    AppendManifestLine(&manifest, path, url, written[i].etag, written[i].size);
    manifest += i + 1 < tasks.size() ? ",\n" : "\n";
    stats->files += 1;
    stats->bytes += written[i].size;
  }
  if (tasks.empty() && manifest.ends_with(",\n")) manifest.replace(manifest.size() - 2, 2, "\n");
  manifest += "]}\n";
  // The manifest keeps the time of now, not of the commit: it is not a served body.
  VIGIE_RETURN_IF_ERROR(WriteFile(root + "/manifest.json", manifest, timespec{std::time(nullptr), 0}));
  stats->write_seconds = SecondsSince(start);
  return Status::Ok();
}

}  // namespace

std::string HttpDateOf(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Status ExportIndex(const PublishedIndex& index, const ExportOptions& options, ExportStats* stats) {
  *stats = ExportStats();
  if (options.out_dir.empty()) return Status::InvalidArgument("export.out", "--out is required");
  if (!options.v1_range) {
    // no /v1/range tree: stats->kinds stays empty
  } else if (options.all_kinds) {
    for (Kind kind : kAllKinds) {
      if (index.ServesKind(kind)) stats->kinds.push_back(kind);
    }
  } else {
    auto kinds = PresentKinds(index);
    if (!kinds.ok()) return kinds.status();
    stats->kinds = std::move(*kinds);
  }
  std::string out = options.out_dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  {
    // Refuse early what Publish would refuse late, before writing a million files.
    std::error_code probe;
    if (fs::exists(out, probe) &&
        (!fs::is_directory(out, probe) || (!fs::is_empty(out, probe) && !fs::exists(out + "/manifest.json", probe)))) {
      return Status::FailedPrecondition("--out " + out +
                                        " exists and is not an export (no manifest.json): refusing "
                                        "to replace it");
    }
  }
  // A sibling of the destination, so that the final rename stays on one file system.
  const std::string tmp = out + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return Status::IOError("creating " + tmp + ": " + ec.message());
  const std::string previous = fs::exists(out + "/manifest.json", ec) ? out : std::string();
  Status s = WriteAll(index, options, tmp, previous, stats);
  if (s.ok()) {
    // One syncfs instead of an fsync per file: the rename must not become durable before the files.
    const auto start = Clock::now();
    const int fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::syncfs(fd) != 0) s = ErrnoStatus("syncing " + tmp);
    if (fd >= 0) ::close(fd);
    stats->sync_seconds = SecondsSince(start);
  }
  if (s.ok()) {
    const auto start = Clock::now();
    s = Publish(tmp, out);
    stats->replace_seconds = SecondsSince(start);
  }
  if (!s.ok()) fs::remove_all(tmp, ec);
  return s;
}

}  // namespace vigie
