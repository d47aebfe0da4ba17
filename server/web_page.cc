#include "server/web_page.h"

#include <map>

#include "core/codec.h"
#include "core/kind.h"
#include "core/scheme.h"
#include "web/web_assets.h"

namespace vigie::serve {

const PageFile* FindPageFile(std::string_view name) {
  static const auto* const kFiles = [] {
    auto* files = new std::map<std::string, PageFile, std::less<>>();
    for (const web::Asset& asset : web::Assets()) {
      auto response = std::make_shared<CachedResponse>();
      response->body = std::string(asset.body);
      response->etag = BodyEtag(response->body);
      files->emplace(std::string(asset.name), PageFile{asset.content_type, std::move(response)});
    }
    return files;
  }();
  auto it = kFiles->find(name);
  return it == kFiles->end() ? nullptr : &it->second;
}

std::string IndexInfoJson(const PublishedIndex& index) {
  std::string out = "{\"v\":1,\"scheme\":\"";
  out += SchemeName(index.meta().scheme);
  out += "\",\"prefix_hex\":" + std::to_string(index.layout().prefix_hex);
  out += ",\"suffix_hex\":" + std::to_string(index.layout().suffix_hex);
  out += ",\"kinds\":[";
  bool first = true;
  for (Kind kind : {Kind::kNir, Kind::kEmail, Kind::kPhone, Kind::kPassword}) {
    if (!index.ServesKind(kind)) continue;
    if (!first) out += ',';
    first = false;
    out += '"';
    out += KindName(kind);
    out += '"';
  }
  out += "],\"padded\":";
  out += index.meta().pad_responses ? "true" : "false";
  if (index.meta().scheme == SchemeId::kOprfP256) {
    // The client must run the OPRF flow (POST /v1/oprf/{kind}/evaluate) to get its tag.
    out += R"(,"oprf":{"suite":"P256-SHA256","public_key":")" + index.meta().oprf_public_key +
           R"(","fingerprint":")" + index.meta().oprf_key_fingerprint + "\"}";
  }
  out += '}';
  return out;
}

}  // namespace vigie::serve
