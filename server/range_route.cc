#include "server/range_route.h"

#include <cstdio>
#include <random>

#include "core/codec.h"
#include "server/responses.h"

namespace vigie::serve {

namespace {

// The body of (route, kind, prefix) in this snapshot, rendered by `render` — or, when the (opt-in) body
// cache is on, from the cache when it holds it.
template <typename Render>
std::shared_ptr<const CachedResponse> CachedBody(const RouteEnv& env, const Snapshot& snap, Route route, uint8_t kind,
                                                 uint32_t prefix, RequestContext& ctx, Render render) {
  const CacheKey key{snap.sequence, static_cast<uint8_t>(route), kind, prefix};
  if (env.cache.enabled()) {
    std::shared_ptr<const CachedResponse> cached = env.cache.Get(key);
    ctx.cache = cached ? "hit" : "miss";
    if (cached) {
      env.metrics.CacheHit();
      return cached;
    }
    env.metrics.CacheMiss();
  }
  auto fresh = std::make_shared<CachedResponse>();
  if (Status s = render(&fresh->body); !s.ok()) {
    std::fprintf(stderr, "vigie-serve: reading a bucket failed: %s\n", s.message().c_str());
    return nullptr;
  }
  fresh->etag = BodyEtag(fresh->body);
  env.cache.Put(key, fresh);
  return fresh;
}

}  // namespace

void ServeRange(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, RequestContext& ctx,
                HttpResponse& res) {
  auto snap = env.state.current();
  const PublishedIndex& index = *snap->published;
  auto kind = ParseKind(match.kind);
  if (!kind || !index.ServesKind(*kind)) {
    SendError(res, 400, "range.kind",
              index.ServesKind(Kind::kPassword) ? "this index serves kind 'password' only"
                                                : "unknown kind for this index: use nir, email or phone");
    return;
  }
  auto prefix = index.layout().ParsePrefix(match.arg);
  if (!prefix.ok()) {
    SendError(res, prefix.status());
    return;
  }
  auto cached = CachedBody(env, *snap, Route::kRange, static_cast<uint8_t>(*kind), *prefix, ctx,
                           [&](std::string* body) { return index.RangeJson(*kind, *prefix, body); });
  if (!cached) {
    SendError(res, 500, "index.read", "the index could not be read");
    return;
  }
  // Padded bodies are never compressed: compression would make their lengths differ again.
  const bool gzippable = env.options.gzip && index.padding() == nullptr;
  SendCacheable(req, res,
                {.owner = cached,
                 .body = cached->body,
                 .etag = cached->etag,
                 .gzip = gzippable ? cached.get() : nullptr,
                 .content_type = kJson,
                 .last_modified = snap->last_modified},
                env.options.max_age_s);
}

void ServeHibpRange(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, RequestContext& ctx,
                    HttpResponse& res) {
  auto snap = env.state.current();
  const PublishedIndex& index = *snap->published;
  if (!index.ServesHibp()) {
    SendError(res, 404, "range.hibp",
              "this index is not a Pwned Passwords mirror (it needs a sha1 or ntlm index with 5-digit prefixes)");
    return;
  }
  const std::string mode = req.QueryParam("mode").value_or("");
  const SchemeId wanted = mode == "ntlm" ? SchemeId::kNtlm : SchemeId::kSha1;
  if ((!mode.empty() && mode != "ntlm" && mode != "sha1") || wanted != index.meta().scheme) {
    SendError(res, 400, "range.mode",
              index.meta().scheme == SchemeId::kNtlm ? "this mirror holds NTLM hashes: add ?mode=ntlm"
                                                     : "this mirror holds SHA-1 hashes: drop ?mode=ntlm");
    return;
  }
  auto prefix = index.layout().ParsePrefix(match.arg);
  if (!prefix.ok()) {
    SendError(res, 400, prefix.status().reason(), "the hash prefix must be exactly 5 hexadecimal digits");
    return;
  }
  const std::string_view padding = req.Header("Add-Padding");
  const bool padded = padding == "true" || padding == "True" || padding == "TRUE";
  std::shared_ptr<const CachedResponse> cached;
  if (padded) {
    // Random per request, as Pwned Passwords does: never cached.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    HibpPadding pad{rng()};
    auto fresh = std::make_shared<CachedResponse>();
    if (index.HibpRange(*prefix, &pad, &fresh->body).ok()) {
      fresh->etag = BodyEtag(fresh->body);
      cached = std::move(fresh);
    }
  } else {
    cached = CachedBody(env, *snap, Route::kHibpRange, 0, *prefix, ctx,
                        [&](std::string* body) { return index.HibpRange(*prefix, nullptr, body); });
  }
  if (!cached) {
    SendError(res, 500, "index.read", "the index could not be read");
    return;
  }
  SendCacheable(req, res,
                {.owner = cached,
                 .body = cached->body,
                 .etag = cached->etag,
                 .gzip = env.options.gzip ? cached.get() : nullptr,
                 .content_type = kText,
                 .last_modified = snap->last_modified,
                 .vary_padding = true},
                env.options.max_age_s);
}

}  // namespace vigie::serve
