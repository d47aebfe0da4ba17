// The index's catalogue: GET /v1/breaches, GET /v1/breaches/{name} (HIBP-shaped breach records) and
// GET /v1/index (what a client needs before its first range request: scheme, prefix and suffix lengths,
// kinds). Bodies come from the snapshot's PublishedIndex, so the export writes the same bytes.
#pragma once

#include "server/http_message.h"
#include "server/route_context.h"

namespace vigie::serve {

void ServeBreaches(const RouteEnv& env, const HttpRequest& req, HttpResponse& res);
void ServeBreach(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res);
void ServeIndexInfo(const RouteEnv& env, const HttpRequest& req, HttpResponse& res);

}  // namespace vigie::serve
