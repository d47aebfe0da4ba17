#include "server/responses.h"

#include "server/http_util.h"

namespace vigie::serve {

void AddCors(HttpResponse& res) {
  res.headers.push_back({"Access-Control-Allow-Origin", "*"});
  res.headers.push_back({"Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After"});
}

void SendBody(HttpResponse& res, std::string body, std::string_view content_type) {
  res.Set("Content-Type", std::string(content_type));
  res.SetBody(std::move(body));
}

void SendBytes(HttpResponse& res, std::shared_ptr<const void> owner, std::string_view body,
               std::string_view content_type) {
  res.Set("Content-Type", std::string(content_type));
  res.SetBody(std::move(owner), body);
}

void SendError(HttpResponse& res, int status, std::string_view reason, std::string_view message) {
  res.status = status;
  AddCors(res);
  res.Set("Cache-Control", "no-store");
  SendBody(res, JsonError(message, reason), kJson);
}

void SendError(HttpResponse& res, const Status& error) {
  SendError(res, HttpStatusFor(error), error.reason(), error.message());
}

void SendCacheable(const HttpRequest& req, HttpResponse& res, Cacheable c, int max_age_s) {
  AddCors(res);
  res.Set("Cache-Control", "public, max-age=" + std::to_string(max_age_s));
  if (!c.last_modified.empty()) res.Set("Last-Modified", std::string(c.last_modified));
  std::string vary = c.gzip ? "Accept-Encoding" : "";
  if (c.vary_padding) vary += vary.empty() ? "Add-Padding" : ", Add-Padding";
  if (!vary.empty()) res.Set("Vary", vary);
  // A gzip body is another representation: it gets the weak form of the tag (as nginx does), and either
  // form validates a conditional request.
  const bool gzip = c.gzip && c.body.size() >= 256 && AcceptsGzip(req.HeaderList("Accept-Encoding"));
  const std::string* compressed = gzip ? &c.gzip->gzip() : nullptr;  // owned by the cached response
  const bool send_gzip = compressed != nullptr && !compressed->empty();
  res.Set("ETag", send_gzip ? "W/" + std::string(c.etag) : std::string(c.etag));
  const std::string if_none_match = req.HeaderList("If-None-Match");
  bool not_modified = !if_none_match.empty() && EtagMatches(if_none_match, c.etag);
  if (if_none_match.empty() && !c.last_modified.empty()) {
    std::time_t since = 0, modified = 0;
    not_modified = ParseHttpDate(req.Header("If-Modified-Since"), &since) &&
                   ParseHttpDate(c.last_modified, &modified) && modified <= since;
  }
  if (not_modified) {
    res.status = 304;
    return;
  }
  res.status = 200;
  if (send_gzip) {
    res.Set("Content-Encoding", "gzip");
    // The cached response owns the gzip bytes; c.owner keeps it alive.
    SendBytes(res, std::move(c.owner), *compressed, c.content_type);
    return;
  }
  SendBytes(res, std::move(c.owner), c.body, c.content_type);
}

}  // namespace vigie::serve
