// What vigie-serve adds for the citizen page (web/): the embedded page files as ready-to-send responses,
// the security headers they are sent with, and GET /v1/index, the small description of the served index a
// client needs before its first range request (prefix length, suffix length, scheme, kinds).
//
// Only the fixed set embedded at build time (web/web_assets.h) is ever served: a request names a file, it
// is looked up in that table, and nothing touches the file system, so no path can escape it.
//
// Thread-safety: PageFile() builds its table once (thread-safe static) and returns immutable shared data;
// IndexInfoJson is a pure function.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/published_index.h"
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

// GET /v1/index, compact JSON, members in this order:
//   {"v":1,"scheme":"sha256","prefix_hex":5,"suffix_hex":16,"kinds":["nir","email","phone"],"padded":false}
// `kinds` are the kinds /v1/range serves on this index, in Kind order.
// On oprf-p256 indexes a last member says how to get a tag:
//   ,"oprf":{"suite":"P256-SHA256","public_key":"<66 hex>","fingerprint":"<16 hex>"}
std::string IndexInfoJson(const PublishedIndex& index);

}  // namespace vigie::serve
