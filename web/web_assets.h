// The citizen page's files (web/src/*.html, *.js, *.css, *.svg), embedded into the program at build time by
// web/embed.cmake: vigie-serve serves exactly this fixed set, so no request path ever reaches the file
// system.
//
// Contract: Assets() lists every file once, sorted by name; `name` is the bare file name ("app.js"), `body`
// its bytes as they are in web/src (no build step rewrites them). Static storage, immutable: safe from any
// thread, valid for the life of the program.
#pragma once

#include <span>
#include <string_view>

namespace vigie::web {

struct Asset {
  std::string_view name;
  std::string_view content_type;  // with "; charset=utf-8" for text
  std::string_view body;
};

std::span<const Asset> Assets();

// The asset of that exact name, or nullptr.
const Asset* FindAsset(std::string_view name);

}  // namespace vigie::web
