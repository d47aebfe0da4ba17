#include "server/server.h"

#include <malloc.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <charconv>
#include <cstdio>

#include "core/codec.h"
#include "core/export.h"
#include "core/index_scheme.h"
#include "core/oprf_key.h"
#include "core/oprf_scheme.h"
#include "core/padding_key.h"
#include "server/catalogue_route.h"
#include "server/http_util.h"
#include "server/page_route.h"
#include "server/range_route.h"
#include "server/responses.h"
#include "server/set_route.h"
#include "server/transport.h"

namespace vigie::serve {

namespace {

using Clock = std::chrono::steady_clock;

std::string SanitizedMethod(std::string_view method) {
  if (method.empty() || method.size() > 10) return "?";
  for (char c : method) {
    if (c < 'A' || c > 'Z') return "?";
  }
  return std::string(method);
}

// The declared Content-Length (the framer checked it is digits only); SIZE_MAX when it overflows.
size_t ContentLength(const HttpRequest& req) {
  const std::string_view text = req.Header("Content-Length");
  size_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() ? n : SIZE_MAX;
}

// Routes each listener answers: the admin listener the operator's, the public one everything else.
bool ServedOn(Route route, Listener listener) {
  const bool operator_route = route == Route::kMetrics;
  const bool probe = route == Route::kHealthz || route == Route::kReadyz;
  return listener == Listener::kAdmin ? operator_route || probe : !operator_route;
}

}  // namespace

Server::Server(ServeOptions options) : options_(std::move(options)), cache_(options_.cache_bytes) {}

Server::~Server() {
  Stop();
  if (housekeeping_.joinable()) housekeeping_.join();
  loop_.reset();
  if (tls_ctx_ != nullptr) SSL_CTX_free(tls_ctx_);
}

Status Server::Start() {
  // Before any worker thread exists, so every thread shares these arenas.
  if (options_.malloc_arenas > 0) mallopt(M_ARENA_MAX, options_.malloc_arenas);
  auto address = ParseListen(options_.listen);
  if (!address.ok()) return address.status();
  std::optional<ListenAddress> admin;
  if (!options_.admin_listen.empty()) {
    auto parsed = ParseListen(options_.admin_listen);
    if (!parsed.ok()) {
      return Status::InvalidArgument(parsed.status().reason(), "--admin-listen: " + parsed.status().message());
    }
    admin = *parsed;
  }
  auto proxies = TrustedProxies::Parse(options_.trusted_proxies);
  if (!proxies.ok()) return proxies.status();
  proxies_ = std::move(*proxies);
  if (!options_.api_keys_file.empty()) {
    api_keys_ = std::make_unique<ApiKeyFile>(options_.api_keys_file);
    VIGIE_RETURN_IF_ERROR(api_keys_->Load());
  }
  PublishOptions publish;
  publish.warm = options_.warm_index;
  // The index's padding key (core/padding_key.h); a missing one matters only if the index pads.
  auto pad_key = ResolvePaddingKey(options_.index_dir, options_.padding_key_file);
  if (!pad_key.ok() && pad_key.status().reason() != "padding.key-missing") return pad_key.status();
  publish.pad_key = pad_key.ok() ? *pad_key : EphemeralPaddingKey();
  state_ = std::make_unique<IndexState>(options_.index_dir, publish);
  state_->set_validator([this](const PublishedIndex& index) { return CheckIndexKey(index.meta()); });
  VIGIE_RETURN_IF_ERROR(state_->Load());
  auto snap = state_->current();
  if (snap->published->meta().pad_responses && !pad_key.ok()) {
    if (!options_.ephemeral_padding_key) return pad_key.status();
    std::fprintf(stderr,
                 "vigie-serve: --ephemeral-padding-key: pad rows use a random key of this process only (a restart "
                 "or another replica answers different bytes)\n");
  }
  metrics_.SetGeneration(snap->generation());
  env_ = std::make_unique<RouteEnv>(RouteEnv{options_, *state_, cache_, metrics_});
  admitter_ = std::make_unique<Admitter>(options_, proxies_, api_keys_.get());
  oprf_route_ = std::make_unique<OprfRoute>(options_, oprf_key_);
  auto openapi = std::make_shared<CachedResponse>();
  openapi->body = std::string(OpenApiJson());
  openapi->etag = BodyEtag(openapi->body);
  openapi_ = std::move(openapi);
  if (!options_.tls_cert.empty() || !options_.tls_key.empty()) {
    auto ctx = NewServerTlsContext(options_.tls_cert, options_.tls_key);
    if (!ctx.ok()) return ctx.status();
    tls_ctx_ = *ctx;
  }

  loop_ = std::make_unique<ConnectionLoop>(MakeLoopOptions(), static_cast<RequestHandler*>(this), tls_ctx_);
  VIGIE_RETURN_IF_ERROR(loop_->Start());

  auto bound = listeners_.Bind(address->host, address->port, options_.listen_backlog, Listener::kPublic);
  if (!bound.ok()) return bound.status();
  host_ = bound->host;
  port_ = bound->port;
  if (admin) {
    auto admin_bound = listeners_.Bind(admin->host, admin->port, 64, Listener::kAdmin);
    if (!admin_bound.ok()) {
      return Status::IOError("--admin-listen: " + admin_bound.status().message() +
                             " (give another port, or --admin-listen '' for none)");
    }
    admin_port_ = admin_bound->port;
  }
  housekeeping_ = std::thread([this] { Housekeeping(); });
  return Status::Ok();
}

LoopOptions Server::MakeLoopOptions() {
  LoopOptions loop;
  loop.threads = static_cast<size_t>(std::max(1, options_.threads));
  loop.read_timeout = std::chrono::seconds(options_.read_timeout_s);
  loop.write_timeout = std::chrono::seconds(options_.write_timeout_s);
  loop.keep_alive_timeout = std::chrono::seconds(options_.keep_alive_timeout_s);
  loop.keep_alive_max = std::max<size_t>(1, options_.keep_alive_max_requests);
  // Heads up to the head phase's own limits (414, 431 with their JSON) get through; the loop refuses beyond.
  loop.framing.max_head_bytes = options_.max_url_bytes + options_.max_header_bytes + 1024;
  loop.framing.max_body_bytes = std::max(options_.max_body_bytes, oprf_key_ ? oprf_route_->max_body() : size_t{0});
  // Leave descriptors for the index's files, the listening sockets and the connections being served.
  const size_t files = RaiseOpenFileLimit();
  loop.parking.max_parked = std::min(options_.max_idle_connections, files > 1024 ? files - 512 : files / 2);
  loop.parking.max_per_client = options_.max_idle_per_client;
  if (!proxies_.empty()) loop.uncapped = [this](std::string_view peer) { return proxies_.Contains(peer); };
  return loop;
}

// First load: takes the key for an oprf-p256 index. Later states: must be recorded with that same key
// (key rotation means a new index and a restart with the new key: docs/OPERATOR-GUIDE.md).
Status Server::CheckIndexKey(const IndexMeta& meta) {
  const bool oprf = meta.scheme == SchemeId::kOprfP256;
  if (!index_checked_) {
    index_checked_ = true;
    if (!oprf) {
      if (!options_.oprf_key_file.empty()) {
        return Status::InvalidArgument(
            "index.key", "--key applies to oprf-p256 indexes; this index is " + std::string(SchemeName(meta.scheme)));
      }
      return Status::Ok();
    }
    auto scheme = OpenIndexScheme(meta, options_.oprf_key_file);
    if (!scheme.ok()) return scheme.status();
    oprf_scheme_ = std::move(*scheme);
    oprf_key_ = &static_cast<const OprfScheme&>(*oprf_scheme_).key();
    oprf_fingerprint_ = oprf::PublicKeyFingerprint(oprf_key_->public_key());
    return Status::Ok();
  }
  if (oprf_key_ == nullptr) {
    if (!oprf) return Status::Ok();
    return Status::FailedPrecondition("the new index state is an oprf-p256 index: restart vigie-serve to load its key",
                                      "index.key-mismatch");
  }
  if (!oprf || meta.oprf_key_fingerprint != oprf_fingerprint_) {
    return Status::FailedPrecondition(
        "the new index state is " +
            (oprf ? "recorded with another OPRF key (fingerprint " + meta.oprf_key_fingerprint + ")"
                  : "not an oprf-p256 index") +
            ", but this server evaluates with key " + oprf_fingerprint_ + ": restart vigie-serve with the index's key",
        "index.key-mismatch");
  }
  return Status::Ok();
}

Status Server::Run() {
  if (!loop_) return Status::FailedPrecondition("Start() first");
  Status s = listeners_.Run([this](int fd, Listener listener) { loop_->Adopt(fd, listener); });
  loop_->Stop();  // parked connections close; requests in progress finish first
  return stopping_ ? Status::Ok() : s;
}

void Server::Stop() {
  stopping_ = true;
  listeners_.Stop();
  {
    std::lock_guard<std::mutex> lock(house_mu_);
    house_stop_ = true;
  }
  house_cv_.notify_all();
}

void Server::RequestReload() {
  {
    std::lock_guard<std::mutex> lock(house_mu_);
    reload_requested_ = true;
  }
  house_cv_.notify_all();
}

void Server::Refresh(bool force) {
  bool swapped = false;
  Status s = state_->Refresh(force, &swapped);
  if (!s.ok()) {
    metrics_.ReloadFailed();
    if (s.message() != last_reload_error_) {
      std::fprintf(stderr, "vigie-serve: cannot open the new index state yet (still serving the old one): %s\n",
                   s.message().c_str());
      last_reload_error_ = s.message();
    }
    return;
  }
  last_reload_error_.clear();
  if (swapped) {
    auto snap = state_->current();
    metrics_.ReloadSucceeded();
    metrics_.SetGeneration(snap->generation());
    cache_.StartState(snap->sequence);
    trim_pending_ = options_.trim_after_swap;
    std::fprintf(stderr, "vigie-serve: now serving generation %llu\n",
                 static_cast<unsigned long long>(snap->generation()));
  }
}

ProcessMemory Server::ProcessMemoryAtMostEverySecond() {
  std::lock_guard<std::mutex> lock(memory_mu_);
  const auto now = Clock::now();
  if (memory_read_at_ == Clock::time_point{} || now - memory_read_at_ >= std::chrono::seconds(1)) {
    memory_ = ReadProcessMemory();
    memory_read_at_ = now;
  }
  return memory_;
}

void Server::Housekeeping() {
  const auto interval = std::chrono::duration<double>(std::max(0.05, options_.reload_check_s));
  std::unique_lock<std::mutex> lock(house_mu_);
  while (!house_stop_) {
    house_cv_.wait_for(lock, interval, [this] { return house_stop_ || reload_requested_; });
    if (house_stop_) break;
    const bool force = reload_requested_;
    reload_requested_ = false;
    lock.unlock();
    Refresh(force);
    // Requests last milliseconds, so the old state is normally gone by the next check.
    if (trim_pending_ && state_->live_snapshots() == 1) {
      malloc_trim(0);
      trim_pending_ = false;
    }
    if (api_keys_) {
      bool reloaded = false;
      Status s = api_keys_->ReloadIfChanged(&reloaded);
      if (!s.ok() && s.message() != last_keys_error_) {
        std::fprintf(stderr, "vigie-serve: %s%s\n",
                     s.reason() == "api-keys.deleted" ? "" : "API keys file not reloaded (previous keys stay): ",
                     s.message().c_str());
      }
      last_keys_error_ = s.ok() ? std::string() : s.message();
      if (reloaded) std::fprintf(stderr, "vigie-serve: API keys reloaded (%zu keys)\n", api_keys_->table()->size());
    }
    lock.lock();
  }
}

// ---- requests --------------------------------------------------------------------------------------

std::optional<HttpResponse> Server::OnHead(HttpRequest& head) {
  RequestContext ctx;
  HttpResponse res;
  if (CheckHead(head, ctx, res)) return std::nullopt;
  Log(head, res, ctx);
  return res;
}

void Server::Handle(HttpRequest& req, HttpResponse& res) {
  RequestContext ctx;
  if (req.admission.done || CheckHead(req, ctx, res)) {
    const RouteMatch match = MatchRoute(req.path);
    ctx.route = match.route;
    Dispatch(req, match, ctx, res);
  }
  // A body no route reads closes the connection: nothing after it is trusted to be a request.
  if (req.has_body && ctx.route != Route::kOprfEvaluate) res.close = true;
  Log(req, res, ctx);
}

void Server::Refused(int status, Listener) { metrics_.RecordRequest(Route::kInvalid, status, -1); }

bool Server::CheckHead(HttpRequest& req, RequestContext& ctx, HttpResponse& res) {
  if (req.target.size() > options_.max_url_bytes) {
    SendError(res, 414, "request.url",
              "the request URL is longer than " + std::to_string(options_.max_url_bytes) + " bytes");
    return false;
  }
  size_t header_bytes = 0;
  for (const HttpHeader& h : req.headers) header_bytes += h.name.size() + h.value.size() + 4;
  if (header_bytes > options_.max_header_bytes) {
    SendError(res, 431, "request.headers",
              "the request headers are larger than " + std::to_string(options_.max_header_bytes) + " bytes");
    return false;
  }
  RouteMatch match = MatchRoute(req.path);
  if (!ServedOn(match.route, req.listener)) match.route = Route::kNotFound;
  ctx.route = match.route;
  if (match.route == Route::kNotFound) {
    SendError(res, 404, "route.unknown",
              req.listener == Listener::kAdmin ? "the admin listener serves /metrics, /healthz and /readyz"
                                               : "no such route; see /v1/openapi.json");
    return false;
  }
  const bool evaluate = match.route == Route::kOprfEvaluate;
  if (req.method == "OPTIONS") {  // CORS preflight
    res.status = 204;
    AddCors(res);
    res.Set("Access-Control-Allow-Methods", evaluate ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
    res.Set("Access-Control-Allow-Headers",
            evaluate ? "Authorization, Content-Type" : "Authorization, If-None-Match, If-Modified-Since, Add-Padding");
    res.Set("Access-Control-Max-Age", "86400");
    return false;
  }
  if (evaluate) {
    if (req.method != "POST") {
      res.Set("Allow", "POST, OPTIONS");
      SendError(res, 405, "request.method", "evaluations are POSTed");
      return false;
    }
    if (!req.HasHeader("Content-Length") && !req.HasHeader("Transfer-Encoding")) {
      SendError(res, 411, "request.length", "send the body with a Content-Length (or chunked)");
      return false;
    }
    if (ContentLength(req) > oprf_route_->max_body()) {
      res.close = true;  // the body is not read
      SendError(res, 413, "request.body",
                "the body is larger than " + std::to_string(oprf_route_->max_body()) +
                    " bytes: send fewer elements per request");
      return false;
    }
  } else {
    if (req.method != "GET" && req.method != "HEAD") {
      res.Set("Allow", "GET, HEAD, OPTIONS");
      SendError(res, 405, "request.method", "only GET, HEAD and OPTIONS are served");
      return false;
    }
    if (req.HasHeader("Content-Length") && ContentLength(req) > options_.max_body_bytes) {
      res.close = true;
      SendError(res, 413, "request.body", "request bodies are not taken here");
      return false;
    }
  }
  if (!admitter_->Admit(req, match.route, &req.admission, res, ctx.start)) {
    if (res.status == 429) metrics_.RateLimited();
    if (evaluate && res.status == 429) metrics_.OprfRefused(Metrics::OprfRefusal::kRateLimited);
    return false;
  }
  req.admission.done = true;
  return true;
}

void Server::Dispatch(const HttpRequest& req, const RouteMatch& match, RequestContext& ctx, HttpResponse& res) {
  const RouteEnv& env = *env_;
  switch (match.route) {
    case Route::kRange:
      return ServeRange(env, req, match, ctx, res);
    case Route::kHibpRange:
      return ServeHibpRange(env, req, match, ctx, res);
    case Route::kBreaches:
      return ServeBreaches(env, req, res);
    case Route::kBreach:
      return ServeBreach(env, req, match, res);
    case Route::kIndexInfo:
      return ServeIndexInfo(env, req, res);
    case Route::kPage:
    case Route::kStatic:
      return ServePage(env, req, match, res);
    case Route::kOprfKey:
      return oprf_route_->ServeKey(env, req, res);
    case Route::kSet:
      return ServeSet(env, req, match, res);
    case Route::kOprfEvaluate:
      return oprf_route_->ServeEvaluate(env, req, match, res);
    case Route::kOpenApi:
      return SendCacheable(req, res,
                           {.owner = openapi_,
                            .body = openapi_->body,
                            .etag = openapi_->etag,
                            .gzip = options_.gzip ? openapi_.get() : nullptr,
                            .content_type = kJson},
                           options_.max_age_s);
    case Route::kHealthz:
      res.Set("Cache-Control", "no-store");
      return SendBody(res, "{\"status\":\"ok\"}", kJson);
    case Route::kReadyz:
      if (stopping_) return SendError(res, 503, "server.stopping", "shutting down");
      res.Set("Cache-Control", "no-store");
      return SendBody(
          res, "{\"status\":\"ready\",\"generation\":" + std::to_string(state_->current()->generation()) + "}", kJson);
    case Route::kMetrics:
      res.Set("Cache-Control", "no-store");
      return SendBody(res, MetricsText(), "text/plain; version=0.0.4");
    default:
      return SendError(res, 404, "route.unknown", "no such route; see /v1/openapi.json");
  }
}

std::string Server::MetricsText() {
  const auto snap = state_->current();
  return metrics_.Render(cache_.bytes(), cache_.entries()) + loop_->MetricsText() +
         RenderMemoryMetrics(ProcessMemoryAtMostEverySecond(), snap->published->index().Memory(),
                             state_->live_snapshots());
}

void Server::Log(const HttpRequest& req, const HttpResponse& res, const RequestContext& ctx) {
  const double seconds = std::chrono::duration<double>(Clock::now() - ctx.start).count();
  metrics_.RecordRequest(ctx.route, res.status, seconds);
  if (!options_.access_log) return;
  char time_buf[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(time_buf, sizeof time_buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = "{\"ts\":\"";
  line += time_buf;
  line += "\",\"method\":\"" + SanitizedMethod(req.method) + "\",\"route\":\"";
  line += RouteName(ctx.route);
  line += "\",\"status\":" + std::to_string(res.status);
  line += ",\"bytes\":" + std::to_string(req.method == "HEAD" ? 0 : res.body_size());
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", seconds * 1e3);
  line += ",\"ms\":";
  line += ms;
  if (ctx.cache) line += std::string(",\"cache\":\"") + ctx.cache + "\"";
  if (req.admission.keyed) line += ",\"api_key\":true";
  if (options_.log_client_address) {
    const std::string client = !req.admission.client.empty()
                                   ? req.admission.client
                                   : ClientAddress(proxies_, req.peer, req.HeaderList("X-Forwarded-For"));
    line += ",\"client\":\"" + client + "\"";  // an address: nothing to escape
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace vigie::serve
