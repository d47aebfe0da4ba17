#include "server/page_route.h"

#include "server/responses.h"
#include "server/web_page.h"

namespace vigie::serve {

void ServePage(const RouteEnv& env, const HttpRequest& req, const RouteMatch& match, HttpResponse& res) {
  const PageFile* file = FindPageFile(match.route == Route::kPage ? "index.html" : match.arg);
  if (file == nullptr) {
    SendError(res, 404, "route.unknown", "no such file; the page is at /");
    return;
  }
  SendCacheable(req, res,
                {.owner = file->response,
                 .body = file->response->body,
                 .etag = file->response->etag,
                 .gzip = env.options.gzip ? file->response.get() : nullptr,
                 .content_type = file->content_type},
                env.options.max_age_s);
  // The page's own Cache-Control (no-cache) replaces SendCacheable's public max-age.
  for (const auto& [name, value] : kPageHeaders) res.Set(name, std::string(value));
}

}  // namespace vigie::serve
