// Routing of request paths to the server's routes, without regular expressions (the hot path is one
// string comparison and a split). Pure functions; safe from any thread.
//
// Every route the server answers is listed in RouteTemplates(); the OpenAPI document must list exactly
// these (server tests check it).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace vigie::serve {

enum class Route : uint8_t {
  kNotFound = 0,  // no route: 404
  kRange,         // /v1/range/{kind}/{prefix}
  kHibpRange,     // /range/{prefix}
  kBreaches,      // /v1/breaches
  kBreach,        // /v1/breaches/{name}
  kOpenApi,       // /v1/openapi.json
  kHealthz,
  kReadyz,
  kMetrics,
  kIndexInfo,     // /v1/index
  kPage,          // /: the citizen page (web/)
  kStatic,        // /static/{file}: the page's other files
  kOprfEvaluate,  // POST /v1/oprf/{kind}/evaluate (oprf-p256 indexes)
  kOprfKey,       // /v1/oprf/key
  kSet,           // /v1/set/{kind} (manifest), /v1/set/{kind}/{shard}, /v1/set/{kind}/all
  kInvalid,       // refused by the HTTP library before routing (unparsable request, URI too long, ...)
  kCount,
};
inline constexpr size_t kRouteCount = static_cast<size_t>(Route::kCount);

// Label for metrics and logs: "range", "hibp_range", "breaches", ...
std::string_view RouteName(Route route);

struct RouteMatch {
  Route route = Route::kNotFound;
  std::string_view kind;  // kRange, kOprfEvaluate
  std::string_view arg;   // kRange, kHibpRange: the prefix as sent; kBreach: the name; kStatic: the file;
                          // kSet: the shard as sent, "all", or empty for the manifest
};

// `path` is the decoded path, without the query string.
RouteMatch MatchRoute(std::string_view path);

// OpenAPI path templates of every route (a route may have several), in Route order.
struct RouteTemplate {
  Route route;
  std::string_view path;
};
std::span<const RouteTemplate> RouteTemplates();

}  // namespace vigie::serve
