#include <doctest/doctest.h>

#include <set>

#include <string>

#include "server/router.h"

namespace vigie::serve {
namespace {

TEST_CASE("routing: table of paths") {
  struct Case {
    const char* path;
    Route route;
    const char* kind;
    const char* arg;
  } cases[] = {
      {"/v1/range/nir/0abcd", Route::kRange, "nir", "0abcd"},
      {"/v1/range/email/ABCDE", Route::kRange, "email", "ABCDE"},
      {"/v1/range/nir/", Route::kNotFound, "", ""},
      {"/v1/range/nir", Route::kNotFound, "", ""},
      {"/v1/range//0abcd", Route::kNotFound, "", ""},
      {"/v1/range/nir/0abcd/", Route::kNotFound, "", ""},
      {"/v1/range/nir/0a/bcd", Route::kNotFound, "", ""},
      {"/range/21BD1", Route::kHibpRange, "", "21BD1"},
      {"/range/", Route::kNotFound, "", ""},
      {"/range/21BD1/x", Route::kNotFound, "", ""},
      {"/v1/breaches", Route::kBreaches, "", ""},
      {"/v1/breaches/", Route::kNotFound, "", ""},
      {"/v1/breaches/acme-2024", Route::kBreach, "", "acme-2024"},
      {"/v1/openapi.json", Route::kOpenApi, "", ""},
      {"/healthz", Route::kHealthz, "", ""},
      {"/readyz", Route::kReadyz, "", ""},
      {"/metrics", Route::kMetrics, "", ""},
      {"/v1/index", Route::kIndexInfo, "", ""},
      {"/", Route::kPage, "", ""},
      {"/static/app.js", Route::kStatic, "", "app.js"},
      {"/static/..", Route::kStatic, "", ".."},  // a name, looked up in the embedded table: never a path
      {"/static/../etc/passwd", Route::kNotFound, "", ""},
      {"/static/", Route::kNotFound, "", ""},
      {"/static", Route::kNotFound, "", ""},
      {"/index.html", Route::kNotFound, "", ""},
      {"/metrics/", Route::kNotFound, "", ""},
      {"/V1/breaches", Route::kNotFound, "", ""},
      {"/v1/oprf/nir/evaluate", Route::kOprfEvaluate, "nir", ""},
      {"/v1/set/nir", Route::kSet, "nir", ""},
      {"/v1/set/nir/3f", Route::kSet, "nir", "3f"},
      {"/v1/set/email/all", Route::kSet, "email", "all"},
      {"/v1/set/", Route::kNotFound, "", ""},
      {"/v1/set/nir/", Route::kNotFound, "", ""},
      {"/v1/set/nir/1/2", Route::kNotFound, "", ""},
      {"/v1/oprf//evaluate", Route::kNotFound, "", ""},
      {"/v1/oprf/a/b/evaluate", Route::kNotFound, "", ""},
      {"/v1/oprf/nir/evaluate/", Route::kNotFound, "", ""},
      {"/v1/oprf/evaluate", Route::kNotFound, "", ""},
      {"/v1/oprf/key", Route::kOprfKey, "", ""},
      {"/v1/oprf/key/", Route::kNotFound, "", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    RouteMatch m = MatchRoute(c.path);
    CHECK(m.route == c.route);
    CHECK(m.kind == c.kind);
    CHECK(m.arg == c.arg);
  }
}

TEST_CASE("every route template routes to its route") {
  std::set<Route> covered;
  for (const RouteTemplate& t : RouteTemplates()) {
    std::string path(t.path);
    for (const char* param : {"{kind}", "{prefix}", "{name}", "{file}", "{shard}"}) {
      if (size_t p = path.find(param); p != std::string::npos) path.replace(p, std::string(param).size(), "x1");
    }
    CAPTURE(path);
    CHECK(MatchRoute(path).route == t.route);
    CHECK(RouteName(t.route) != "not_found");
    covered.insert(t.route);
  }
  // Every route but the two non-routes has a template.
  CHECK(covered.size() == static_cast<size_t>(Route::kInvalid) - 1);
}

}  // namespace
}  // namespace vigie::serve
