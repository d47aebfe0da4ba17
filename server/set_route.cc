#include "server/set_route.h"

#include "core/published_set.h"
#include "server/responses.h"

namespace vigie::serve {

void ServeSet(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res) {
  auto snap = env.state.current();
  const PublishedIndex& index = *snap->published;
  auto kind = ParseKind(match.kind);
  const PublishedSet* set = kind ? index.Set(*kind) : nullptr;
  if (set == nullptr) {
    SendError(res, 400, "set.kind",
              index.ServesKind(Kind::kPassword) ? "this index serves kind 'password' only"
                                                : "unknown kind for this index: use nir, email or phone");
    return;
  }
  Cacheable body{.owner = snap, .content_type = "application/octet-stream", .last_modified = snap->last_modified};
  if (match.arg.empty()) {
    body.body = set->manifest_json();
    body.etag = set->manifest_etag();
    body.content_type = kJson;
    body.gzip = nullptr;
  } else if (match.arg == "all") {
    body.body = set->all();
    body.etag = set->all_etag();
  } else {
    auto shard = ParseShardNumber(match.arg, set->manifest().shard_bits);
    if (!shard.ok()) {
      SendError(res, shard.status());
      return;
    }
    body.body = set->shard(*shard);
    body.etag = set->shard_etag(*shard);
  }
  SendCacheable(req, res, std::move(body), env.options.max_age_s);
}

}  // namespace vigie::serve
