#include "tools/private_set_source.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/codec.h"
#include "core/published_set.h"

namespace vigie::cli {

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string();
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written beside and renamed over, so that a killed run leaves the old copy or the new one.
void WriteFile(const fs::path& path, std::string_view bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return;  // a cache that cannot be written is only a cache
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
}

std::string SetPath(Kind kind, const std::string& name) {
  return "/v1/set/" + std::string(KindName(kind)) + (name.empty() ? "" : "/" + name);
}

}  // namespace

std::string PrivateSetSource::CacheFolder(Kind kind) const {
  if (options_.cache_dir.empty()) return std::string();
  // One folder per server URL (hashed: URLs have characters folders should not) and kind.
  unsigned char digest[32];
  unsigned int n = 0;
  const std::string& server = http_->server();
  EVP_Digest(server.data(), server.size(), digest, &n, EVP_sha256(), nullptr);
  return options_.cache_dir + "/" + HexEncode(digest, 8) + "-" + std::string(KindName(kind));
}

Result<RemoteIndexInfo> PrivateSetSource::Describe(Kind kind) {
  auto info = http_->Describe(kind);
  if (!info.ok()) return info;
  VIGIE_RETURN_IF_ERROR(LoadManifest(kind));
  return info;
}

Status PrivateSetSource::Fetch(Kind, std::span<const uint32_t>, const OnBucket&) {
  return Status::Internal("the private path fetches sets, not buckets");
}

Status PrivateSetSource::LoadManifest(Kind kind) {
  const std::string folder = CacheFolder(kind);
  std::string cached, cached_etag;
  if (!folder.empty()) {
    cached = ReadFile(fs::path(folder) / "manifest.json");
    cached_etag = ReadFile(fs::path(folder) / "manifest.etag");
  }
  auto got = http_->GetBody(SetPath(kind, ""), cached.empty() ? "" : cached_etag);
  if (!got.ok()) return got.status();
  const std::string body = got->status == 304 ? cached : got->body;
  SetManifest manifest;
  VIGIE_RETURN_IF_ERROR(DecodeSetManifestJson(body, &manifest).WithContext(http_->server() + SetPath(kind, "")));
  if (manifest.kind != kind) {
    return Status(Code::kCorruption, "set.manifest", "the server answered with the set of another kind");
  }
  if (!folder.empty() && got->status == 200) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    WriteFile(fs::path(folder) / "manifest.json", body);
    WriteFile(fs::path(folder) / "manifest.etag", got->etag);
  }
  sets_[kind] = std::make_unique<SetLookup>(std::move(manifest));
  return Status::Ok();
}

Result<std::string> PrivateSetSource::Body(Kind kind, const std::string& name, const std::string& etag) {
  const std::string folder = CacheFolder(kind);
  if (!folder.empty() && !etag.empty() && ReadFile(fs::path(folder) / (name + ".etag")) == etag) {
    std::string cached = ReadFile(fs::path(folder) / name);
    if (!cached.empty()) {
      ++cache_hits_;
      return cached;
    }
  }
  ++shard_requests_;
  auto got = http_->GetBody(SetPath(kind, name));
  if (!got.ok()) return got.status();
  if (!folder.empty()) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    WriteFile(fs::path(folder) / name, got->body);
    WriteFile(fs::path(folder) / (name + ".etag"), got->etag);
  }
  if (options_.note)
    options_.note("fetched " + SetPath(kind, name) + " (" + std::to_string(got->body.size()) + " bytes)");
  return std::move(got->body);
}

Status PrivateSetSource::LoadShards(Kind kind, const std::vector<uint32_t>& shards) {
  SetLookup& set = *sets_.at(kind);
  if (options_.whole_set) {
    bool missing = false;
    for (uint32_t i = 0; i < set.manifest().shards.size() && !missing; ++i) missing = !set.HasShard(i);
    if (!missing) return Status::Ok();
    // `all` is its shards' bodies one after another: its ETag is not in the manifest, so the cache is
    // checked through the shards it holds (AddAll compares each with the manifest).
    const std::string folder = CacheFolder(kind);
    if (!folder.empty()) {
      const std::string cached = ReadFile(fs::path(folder) / "all");
      if (!cached.empty() && set.AddAll(cached).ok()) {
        ++cache_hits_;
        return Status::Ok();
      }
    }
    auto all = Body(kind, "all", "");
    if (!all.ok()) return all.status();
    return set.AddAll(*all);
  }
  for (uint32_t shard : shards) {
    if (set.HasShard(shard)) continue;
    auto body = Body(kind, ShardNumberHex(shard), set.manifest().shards.at(shard).etag);
    if (!body.ok()) return body.status();
    VIGIE_RETURN_IF_ERROR(set.AddShard(shard, *body));
  }
  return Status::Ok();
}

Status PrivateSetSource::Match(Kind kind, const TagLayout& layout, const MatchRows& rows, const OnFound& on_found,
                               uint64_t* requests) {
  if (!sets_.count(kind)) VIGIE_RETURN_IF_ERROR(LoadManifest(kind));
  std::vector<SetLookup::Position> positions(rows.prefixes.size());
  std::vector<uint32_t> needed;
  for (int attempt = 0;; ++attempt) {
    std::set<uint32_t> shards;
    for (size_t row = 0; row < rows.prefixes.size(); ++row) {
      if (!rows.pending[row]) continue;
      auto at = sets_.at(kind)->Locate(layout, rows.prefixes[row], rows.suffixes.substr(row * rows.width, rows.width));
      if (!at.ok()) return at.status();
      positions[row] = *at;
      shards.insert(at->shard);
    }
    needed.assign(shards.begin(), shards.end());
    const uint64_t before = shard_requests_;
    Status s = LoadShards(kind, needed);
    *requests += shard_requests_ - before;
    if (s.ok()) break;
    // The index moved on between the manifest and a shard: start again from a fresh manifest, once.
    if (s.reason() != "set.stale" || attempt > 0) return s;
    VIGIE_RETURN_IF_ERROR(LoadManifest(kind));
  }
  std::vector<std::string> breaches;
  for (size_t row = 0; row < rows.prefixes.size(); ++row) {
    if (rows.pending[row] && sets_.at(kind)->Find(positions[row], &breaches)) {
      on_found(static_cast<uint32_t>(row), breaches, 0);
    }
  }
  if (rows.progress) rows.progress(rows.prefixes.size(), rows.prefixes.size());
  return Status::Ok();
}

}  // namespace vigie::cli
