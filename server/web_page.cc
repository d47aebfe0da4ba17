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

}  // namespace vigie::serve
