// GET / and GET /static/{file}: the citizen page (web/), from the files embedded at build time
// (server/web_page.h), with its security headers and revalidated on every load.
#pragma once

#include "server/http_message.h"
#include "server/route_context.h"

namespace vigie::serve {

void ServePage(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res);

}  // namespace vigie::serve
