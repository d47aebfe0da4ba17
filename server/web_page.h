// What vigie-serve adds for the citizen page (web/): the embedded page files as ready-to-send responses
// and the security headers they are sent with. (GET /v1/index, which the page reads first, is
// PublishedIndex::info_json, so a static export has it too.)
//
// Only the fixed set embedded at build time (web/web_assets.h) is ever served: a request names a file, it
// is looked up in that table, and nothing touches the file system, so no path can escape it.
//
// Thread-safety: FindPageFile builds its table once (thread-safe static) and returns immutable shared data.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "server/response_cache.h"

namespace vigie::serve {

struct PageFile {
  std::string_view content_type;
  std::shared_ptr<const CachedResponse> response;  // body + ETag (+ gzip on demand)
};

// The page file of that name ("index.html" for "/", else the name under /static/), or nullptr.
const PageFile* FindPageFile(std::string_view name);

// Headers every page file is sent with. The policy allows scripts, styles, images and fetches from the
// page's own origin only, no inline script or style, no plugins, no framing, and forms posting nowhere
// (so a page whose script failed cannot send what was typed in a URL).
inline constexpr std::pair<std::string_view, std::string_view> kPageHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
     "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"},
    // Revalidated on every load (a 304 when unchanged): after an upgrade no browser mixes old and new files.
    {"Cache-Control", "no-cache"},
};

}  // namespace vigie::serve
