#include "server/catalogue_route.h"

#include "core/codec.h"
#include "server/responses.h"

namespace vigie::serve {

void ServeBreaches(const RouteEnv& env, const HttpRequest& req, HttpResponse& res) {
  auto snap = env.state.current();
  SendCacheable(req, res,
                {.owner = snap,
                 .body = snap->published->breach_list_json(),
                 .etag = snap->breaches_etag,
                 .content_type = kJson,
                 .last_modified = snap->last_modified},
                env.options.max_age_s);
}

void ServeBreach(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res) {
  auto snap = env.state.current();
  const std::string* json = snap->published->BreachJson(match.arg);
  if (json == nullptr) {
    SendError(res, 404, "breach.unknown", "no breach of that name in this index; see /v1/breaches");
    return;
  }
  const std::string etag = BodyEtag(*json);
  SendCacheable(
      req, res,
      {.owner = snap, .body = *json, .etag = etag, .content_type = kJson, .last_modified = snap->last_modified},
      env.options.max_age_s);
}

void ServeIndexInfo(const RouteEnv& env, const HttpRequest& req, HttpResponse& res) {
  auto snap = env.state.current();
  SendCacheable(req, res,
                {.owner = snap,
                 .body = snap->published->info_json(),
                 .etag = snap->info_etag,
                 .content_type = kJson,
                 .last_modified = snap->last_modified},
                env.options.max_age_s);
}

}  // namespace vigie::serve
