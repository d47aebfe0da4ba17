// GET /v1/range/{kind}/{prefix} and GET /range/{prefix} (Pwned Passwords): the bucket of a tag prefix, as
// JSON (docs/API.md) or as HIBP's text. Bodies are rendered by the snapshot's PublishedIndex (the export
// writes the same bytes) and kept in the response cache for the state they belong to.
#pragma once

#include "server/http_message.h"
#include "server/route_context.h"

namespace vigie::serve {

void ServeRange(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, RequestContext& ctx,
                HttpResponse& res);
void ServeHibpRange(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, RequestContext& ctx,
                    HttpResponse& res);

}  // namespace vigie::serve
