// The private path (PRODUCT.md §3b, docs/API.md "Sets"): GET /v1/set/{kind} (the manifest),
// GET /v1/set/{kind}/{shard} (one shard, lower-case hex) and GET /v1/set/{kind}/all, from the snapshot's
// PublishedSet, so a set always belongs to the same index state as the range answers; cacheable like them.
#pragma once

#include "server/http_message.h"
#include "server/route_context.h"

namespace vigie::serve {

void ServeSet(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res);

}  // namespace vigie::serve
