// What every route handler of vigie-serve gets: the shared serving components (RouteEnv, owned by the
// Server and alive as long as it is) and the per-request bookkeeping (RequestContext) that the access log
// and the metrics read once the response is made.
//
// Route handlers (server/*_route.cc) are functions of (RouteEnv, request, match, context, response): they
// answer from env.state's current snapshot, taken once per request, so a response is wholly from one
// index state.
//
// Thread-safety: RouteEnv's members are thread-safe (see each header); a RequestContext belongs to one
// request on one thread.
#pragma once

#include <chrono>

#include "server/index_state.h"
#include "server/metrics.h"
#include "server/response_cache.h"
#include "server/router.h"
#include "server/serve_options.h"

namespace vigie::serve {

struct RequestContext {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  Route route = Route::kInvalid;
  const char* cache = nullptr;  // range routes: "hit" or "miss", for the access log
};

struct RouteEnv {
  const ServeOptions& options;
  IndexState& state;
  ResponseCache& cache;
  Metrics& metrics;
};

}  // namespace vigie::serve
