#include "server/router.h"

namespace vigie::serve {

namespace {

constexpr std::array<std::string_view, kRouteCount> kNames = {
    "not_found", "range",      "hibp_range", "breaches", "breach",        "openapi",  "healthz", "readyz",
    "metrics",   "index_info", "page",       "static",   "oprf_evaluate", "oprf_key", "set",     "invalid"};

constexpr std::array<RouteTemplate, 15> kTemplates = {{
    {Route::kRange, "/v1/range/{kind}/{prefix}"},
    {Route::kHibpRange, "/range/{prefix}"},
    {Route::kBreaches, "/v1/breaches"},
    {Route::kBreach, "/v1/breaches/{name}"},
    {Route::kOpenApi, "/v1/openapi.json"},
    {Route::kHealthz, "/healthz"},
    {Route::kReadyz, "/readyz"},
    {Route::kMetrics, "/metrics"},
    {Route::kIndexInfo, "/v1/index"},
    {Route::kPage, "/"},
    {Route::kStatic, "/static/{file}"},
    {Route::kOprfEvaluate, "/v1/oprf/{kind}/evaluate"},
    {Route::kOprfKey, "/v1/oprf/key"},
    {Route::kSet, "/v1/set/{kind}"},
    {Route::kSet, "/v1/set/{kind}/{shard}"},
}};

// One non-empty path segment without '/'.
bool IsSegment(std::string_view s) { return !s.empty() && s.find('/') == std::string_view::npos; }

}  // namespace

std::string_view RouteName(Route route) { return kNames[static_cast<size_t>(route) % kRouteCount]; }

std::span<const RouteTemplate> RouteTemplates() { return kTemplates; }

RouteMatch MatchRoute(std::string_view path) {
  RouteMatch m;
  constexpr std::string_view kRangePrefix = "/v1/range/";
  constexpr std::string_view kHibpPrefix = "/range/";
  constexpr std::string_view kBreachPrefix = "/v1/breaches/";
  constexpr std::string_view kSetPrefix = "/v1/set/";
  if (path.starts_with(kRangePrefix)) {
    std::string_view rest = path.substr(kRangePrefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return m;
    std::string_view kind = rest.substr(0, slash), prefix = rest.substr(slash + 1);
    if (!IsSegment(kind) || !IsSegment(prefix)) return m;
    m.route = Route::kRange;
    m.kind = kind;
    m.arg = prefix;
  } else if (path.starts_with(kHibpPrefix)) {
    std::string_view prefix = path.substr(kHibpPrefix.size());
    if (!IsSegment(prefix)) return m;
    m.route = Route::kHibpRange;
    m.arg = prefix;
  } else if (path.starts_with(kSetPrefix)) {
    std::string_view rest = path.substr(kSetPrefix.size());
    const size_t slash = rest.find('/');
    std::string_view kind = rest.substr(0, slash);
    std::string_view shard = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (!IsSegment(kind) || (slash != std::string_view::npos && !IsSegment(shard))) return m;
    m.route = Route::kSet;
    m.kind = kind;
    m.arg = shard;
  } else if (path == "/v1/breaches") {
    m.route = Route::kBreaches;
  } else if (path.starts_with(kBreachPrefix)) {
    std::string_view name = path.substr(kBreachPrefix.size());
    if (!IsSegment(name)) return m;
    m.route = Route::kBreach;
    m.arg = name;
  } else if (path == "/v1/openapi.json") {
    m.route = Route::kOpenApi;
  } else if (path == "/healthz") {
    m.route = Route::kHealthz;
  } else if (path == "/readyz") {
    m.route = Route::kReadyz;
  } else if (path == "/metrics") {
    m.route = Route::kMetrics;
  } else if (path.starts_with("/v1/oprf/")) {
    std::string_view rest = path.substr(9);
    if (rest == "key") {
      m.route = Route::kOprfKey;
      return m;
    }
    constexpr std::string_view kEvaluate = "/evaluate";
    if (!rest.ends_with(kEvaluate)) return m;
    std::string_view kind = rest.substr(0, rest.size() - kEvaluate.size());
    if (!IsSegment(kind)) return m;
    m.route = Route::kOprfEvaluate;
    m.kind = kind;
  } else if (path == "/v1/index") {
    m.route = Route::kIndexInfo;
  } else if (path == "/") {
    m.route = Route::kPage;
  } else if (path.starts_with("/static/")) {
    std::string_view file = path.substr(8);
    if (!IsSegment(file)) return m;
    m.route = Route::kStatic;
    m.arg = file;
  }
  return m;
}

}  // namespace vigie::serve
