#include "server/server.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <malloc.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "core/codec.h"
#include "core/export.h"
#include "core/index_scheme.h"
#include "core/oprf_key.h"
#include "core/oprf_scheme.h"
#include "core/oprf_wire.h"
#include "server/connection_loop.h"
#include "server/http_util.h"
#include "server/memory_metrics.h"
#include "server/oprf_endpoint.h"
#include "server/transport.h"
#include "server/web_page.h"

namespace vigie::serve {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain";

// cpp-httplib's listen backlog is a compile-time 5; Linux lets a second listen() raise it, which the
// socket (protected in httplib::Server) allows from a subclass. Accepted sockets go to our ConnectionLoop
// (server/connection_loop.h) instead of httplib's loop, which binds a worker to a connection for its whole
// keep-alive life; httplib still parses and routes each request (process_request, protected).
template <typename Base>
class TunedServer : public Base {
 public:
  using Base::Base;
  void RaiseBacklog(int backlog) { ::listen(this->svr_sock_, backlog); }
  void SetLoop(ConnectionLoop* loop) { loop_ = loop; }
  bool ProcessRequest(httplib::Stream& strm, bool close_connection, bool& connection_closed) {
    return this->process_request(strm, close_connection, connection_closed, nullptr);
  }

 private:
  // Private virtual in httplib: overridable, though the base version cannot be called.
  bool process_and_close_socket(socket_t sock) override {
    loop_->Adopt(sock);
    return true;
  }
  ConnectionLoop* loop_ = nullptr;
};

template <typename Base>
ConnectionLoop::ProcessRequest ProcessWith(TunedServer<Base>* server) {
  return [server](httplib::Stream& strm, bool close_connection, bool& connection_closed) {
    return server->ProcessRequest(strm, close_connection, connection_closed);
  };
}

// Bodies are handed to httplib as sized content providers: no copy out of the cache, and httplib never
// compresses them itself (it would, per request and with brotli at its slowest setting, for any
// compressible content type).
void SendBody(httplib::Response& res, std::shared_ptr<const std::string> body, const char* content_type) {
  if (body->empty()) {
    res.set_content(std::string(), content_type);
    return;
  }
  const size_t size = body->size();
  res.set_content_provider(size, content_type,
                           [body = std::move(body)](size_t offset, size_t length, httplib::DataSink& sink) {
                             return sink.write(body->data() + offset, length);
                           });
}

void AddCors(httplib::Response& res) {
  res.set_header("Access-Control-Allow-Origin", "*");
  res.set_header("Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After");
}

void SendError(httplib::Response& res, int status, std::string_view reason, std::string_view message) {
  res.status = status;
  AddCors(res);
  res.set_header("Cache-Control", "no-store");
  SendBody(res, std::make_shared<const std::string>(JsonError(message, reason)), kJson);
}

std::string_view StatusMessage(int status) {
  switch (status) {
    case 400: return "malformed request";
    case 404: return "no such route";
    case 405: return "method not allowed";
    case 408: return "request timeout";
    case 409: return "conflict";
    case 413: return "request body too large";
    case 415: return "unsupported content type";
    case 414: return "request URL too long";
    case 431: return "request headers too large";
    case 503: return "service unavailable";
    default: return status >= 500 ? "internal error" : "request refused";
  }
}

std::string SanitizedMethod(const std::string& method) {
  if (method.empty() || method.size() > 10) return "?";
  for (char c : method) {
    if (c < 'A' || c > 'Z') return "?";
  }
  return method;
}

// The padding key: from --padding-key, else INDEX/padding.key, derived exactly as `vigie-index export`
// derives it (LoadPaddingKey), so servers and exports pad alike; else random for this process only.
std::array<uint8_t, 32> LoadPadKey(const ServeOptions& options, std::string* note) {
  std::string path = options.padding_key_file;
  if (path.empty()) {
    std::ifstream probe(options.index_dir + "/padding.key");
    if (probe) path = options.index_dir + "/padding.key";
  }
  if (!path.empty()) {
    auto key = LoadPaddingKey(path);
    if (key.ok()) return *key;
    *note = key.status().message();
  }
  std::string secret;
  std::random_device rd;
  for (int i = 0; i < 8; ++i) {
    const uint32_t r = rd();
    secret.append(reinterpret_cast<const char*>(&r), 4);
  }
  if (note->empty()) note->assign("no padding key file: pad rows use a random per-process key");
  std::array<uint8_t, 32> key{};
  unsigned int n = 0;
  EVP_Digest(secret.data(), secret.size(), key.data(), &n, EVP_sha256(), nullptr);
  return key;
}

}  // namespace

// Per-request bookkeeping. httplib runs a request, its response and the logger call on one worker
// thread, so a thread_local carries what the logger needs (route, start) without touching the Request.
struct RequestContext {
  bool active = false;
  Clock::time_point start;
  Route route = Route::kInvalid;
  const char* cache = nullptr;  // "hit" / "miss" for range routes
  bool keyed = false;
  std::string key_id;                        // keyed: the key's bucket label
  std::optional<uint32_t> oprf_per_minute;   // keyed: its evaluation limit (nullopt: unlimited)
  std::string client;
};

namespace {
thread_local RequestContext* t_context = nullptr;
}  // namespace

Server::Server(ServeOptions options)
    : options_(std::move(options)), cache_(options_.cache_bytes) {}

Server::~Server() {
  Stop();
  if (housekeeping_.joinable()) housekeeping_.join();
}

Status Server::Start() {
  // Before any worker thread exists, so every thread shares these arenas.
  if (options_.malloc_arenas > 0) mallopt(M_ARENA_MAX, options_.malloc_arenas);
  auto address = ParseListen(options_.listen);
  if (!address.ok()) return address.status();
  auto proxies = TrustedProxies::Parse(options_.trusted_proxies);
  if (!proxies.ok()) return proxies.status();
  proxies_ = std::move(*proxies);
  if (!options_.api_keys_file.empty()) {
    api_keys_ = std::make_unique<ApiKeyFile>(options_.api_keys_file);
    VIGIE_RETURN_IF_ERROR(api_keys_->Load());
  }
  PublishOptions publish;
  std::string pad_note;
  publish.pad_key = LoadPadKey(options_, &pad_note);
  state_ = std::make_unique<IndexState>(options_.index_dir, publish);
  state_->set_validator([this](const PublishedIndex& index) { return CheckIndexKey(index.meta()); });
  VIGIE_RETURN_IF_ERROR(state_->Load());
  auto snap = state_->current();
  if (snap->published->meta().pad_responses && !pad_note.empty()) {
    std::fprintf(stderr, "vigie-serve: %s\n", pad_note.c_str());
  }
  metrics_.SetGeneration(snap->generation());
  auto openapi = std::make_shared<CachedResponse>();
  openapi->body = std::string(OpenApiJson());
  openapi->etag = BodyEtag(openapi->body);
  openapi_ = std::move(openapi);
  if (oprf_key_) {
    auto key_json = std::make_shared<CachedResponse>();
    key_json->body = OprfKeyJson(oprf_key_->public_key(), options_.oprf_max_batch, OprfAnonymousBatch());
    key_json->etag = BodyEtag(key_json->body);
    oprf_key_json_ = std::move(key_json);
  }

  LoopOptions loop;
  loop.read_timeout = std::chrono::seconds(options_.read_timeout_s);
  loop.write_timeout = std::chrono::seconds(options_.write_timeout_s);
  loop.keep_alive_timeout = std::chrono::seconds(options_.keep_alive_timeout_s);
  loop.keep_alive_max = std::max<size_t>(1, options_.keep_alive_max_requests);
  // Heads up to the router's own limits (414, 431 with their JSON) get through; the loop refuses beyond.
  loop.framing.max_head_bytes = options_.max_url_bytes + options_.max_header_bytes + 1024;
  loop.framing.max_body_bytes = std::max(options_.max_body_bytes, oprf_key_ ? OprfMaxBody() : size_t{0});
  // Leave descriptors for the index's files, the listening socket and the connections being served.
  const size_t files = RaiseOpenFileLimit();
  loop.parking.max_parked = std::min(options_.max_idle_connections, files > 1024 ? files - 512 : files / 2);
  loop.parking.max_per_client = options_.max_idle_per_client;
  if (!proxies_.empty()) loop.uncapped = [this](std::string_view peer) { return proxies_.Contains(peer); };
  ConnectionLoop::Refused refused = [this](int status) { metrics_.RecordRequest(Route::kInvalid, status, -1); };
  if (!options_.tls_cert.empty() || !options_.tls_key.empty()) {
    auto tls = std::make_unique<TunedServer<httplib::SSLServer>>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!tls->is_valid()) return Status::InvalidArgument("tls", "cannot load --tls-cert/--tls-key");
    PrepareTlsContext(tls->ssl_context());  // TLS 1.2 at least (httplib allows 1.1)
    loop_ = std::make_unique<ConnectionLoop>(loop, ProcessWith(tls.get()), refused, tls->ssl_context());
    tls->SetLoop(loop_.get());
    http_ = std::move(tls);
  } else {
    auto plain = std::make_unique<TunedServer<httplib::Server>>();
    loop_ = std::make_unique<ConnectionLoop>(loop, ProcessWith(plain.get()), refused, nullptr);
    plain->SetLoop(loop_.get());
    http_ = std::move(plain);
  }
  VIGIE_RETURN_IF_ERROR(loop_->Start());
  ConfigureHttp();
  host_ = address->host;
  if (address->port == 0) {
    port_ = http_->bind_to_any_port(host_);
    if (port_ < 0) return Status::IOError("cannot bind " + options_.listen);
  } else {
    if (!http_->bind_to_port(host_, address->port)) {
      return Status::IOError("cannot bind " + options_.listen + " (address in use, or not an address of this host)");
    }
    port_ = address->port;
  }
  if (options_.tls_cert.empty()) {
    static_cast<TunedServer<httplib::Server>*>(http_.get())->RaiseBacklog(options_.listen_backlog);
  } else {
    static_cast<TunedServer<httplib::SSLServer>*>(http_.get())->RaiseBacklog(options_.listen_backlog);
  }
  housekeeping_ = std::thread([this] { Housekeeping(); });
  return Status::Ok();
}

// First load: takes the key for an oprf-p256 index. Later states: must be recorded with that same key
// (key rotation means a new index and a restart with the new key: docs/OPERATOR-GUIDE.md).
Status Server::CheckIndexKey(const IndexMeta& meta) {
  const bool oprf = meta.scheme == SchemeId::kOprfP256;
  if (!index_checked_) {
    index_checked_ = true;
    if (!oprf) {
      if (!options_.oprf_key_file.empty()) {
        return Status::InvalidArgument("index.key", "--key applies to oprf-p256 indexes; this index is " +
                                                        std::string(SchemeName(meta.scheme)));
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
            ", but this server evaluates with key " + oprf_fingerprint_ +
            ": restart vigie-serve with the index's key",
        "index.key-mismatch");
  }
  return Status::Ok();
}

size_t Server::OprfAnonymousBatch() const {
  size_t n = std::max<size_t>(1, options_.oprf_max_batch_anonymous);
  if (options_.oprf_rate_per_min > 0) n = std::min(n, static_cast<size_t>(std::max(1.0, options_.oprf_burst)));
  return std::min(n, oprf::kMaxWireBatch);
}

// Hex JSON is the largest form: 70 bytes per element, plus the envelope.
size_t Server::OprfMaxBody() const {
  return 72 * std::min(std::max<size_t>(1, options_.oprf_max_batch), oprf::kMaxWireBatch) + 256;
}

void Server::ConfigureHttp() {
  httplib::Server& h = *http_;
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  h.new_task_queue = [this, threads] { return NewServingQueue(loop_.get(), threads); };
  h.set_tcp_nodelay(true);
  h.set_keep_alive_max_count(options_.keep_alive_max_requests);
  h.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  h.set_read_timeout(options_.read_timeout_s, 0);
  h.set_write_timeout(options_.write_timeout_s, 0);
  // Only the evaluate route reads a body; Handle checks every other request's Content-Length itself.
  h.set_payload_max_length(std::max(options_.max_body_bytes, oprf_key_ ? OprfMaxBody() : size_t{0}));
  h.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return Handle(req, res) ? httplib::Server::HandlerResponse::Handled : httplib::Server::HandlerResponse::Unhandled;
  });
  h.Post(R"(/v1/oprf/[^/]+/evaluate)",
         [this](const httplib::Request& req, httplib::Response& res) { HandleOprfEvaluate(req, res); });
  // Errors the library produces itself (unparsable request, URI over its own limit, ...) get our JSON body.
  h.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.content_length_ > 0) return httplib::Server::HandlerResponse::Unhandled;
    if (const RequestFrame* frame = CurrentRequestFrame(); frame && frame->refused_status == res.status) {
      SendError(res, res.status, frame->reason, frame->message);
      return httplib::Server::HandlerResponse::Handled;
    }
    SendError(res, res.status, "request.invalid", StatusMessage(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  // Runs after httplib added its Keep-Alive header: a response that closes the connection drops it.
  h.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.get_header_value("Connection") == "close") {
      res.headers.erase("Keep-Alive");
      res.headers.erase("Connection");
      res.set_header("Connection", "close");
    }
  });
  h.set_logger([this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
}

Status Server::Run() {
  if (!http_) return Status::FailedPrecondition("Start() first");
  if (!http_->listen_after_bind() && !stopping_) return Status::IOError("the listening socket failed");
  return Status::Ok();
}

void Server::Stop() {
  stopping_ = true;
  if (http_) http_->stop();
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
        std::fprintf(stderr, "vigie-serve: API keys file not reloaded (previous keys stay): %s\n", s.message().c_str());
      }
      last_keys_error_ = s.ok() ? std::string() : s.message();
      if (reloaded) {
        std::fprintf(stderr, "vigie-serve: API keys reloaded (%zu keys)\n", api_keys_->table()->size());
      }
    }
    lock.lock();
  }
}

// ---- requests --------------------------------------------------------------------------------------

// Requests come framed by the connection loop (server/request_framing.h). One it refused for its framing
// (smuggling attempts and the like) is answered with that refusal; the connection then closes. A body
// that the route does not read closes the connection after the response, so that it is never read as
// the next request: the response says so.
bool Server::Handle(const httplib::Request& req, httplib::Response& res) {
  const RequestFrame* frame = CurrentRequestFrame();
  const bool handled = HandleFramed(req, res, frame);
  if (handled && frame != nullptr && frame->has_body && !frame->closing && !res.has_header("Connection")) {
    res.set_header("Connection", "close");
  }
  return handled;
}

bool Server::HandleFramed(const httplib::Request& req, httplib::Response& res, const RequestFrame* frame) {
  thread_local RequestContext ctx;
  ctx = RequestContext();
  ctx.active = true;
  ctx.start = Clock::now();
  t_context = &ctx;

  if (frame != nullptr && frame->refused_status != 0) {
    SendError(res, frame->refused_status, frame->reason, frame->message);
    return true;
  }

  if (req.target.size() > options_.max_url_bytes) {
    SendError(res, 414, "request.url", "the request URL is longer than " + std::to_string(options_.max_url_bytes) +
                                           " bytes");
    return true;
  }
  size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
  if (header_bytes > options_.max_header_bytes) {
    SendError(res, 431, "request.headers", "the request headers are larger than " +
                                               std::to_string(options_.max_header_bytes) + " bytes");
    return true;
  }
  const RouteMatch match = MatchRoute(req.path);
  ctx.route = match.route;
  if (match.route == Route::kNotFound) {
    SendError(res, 404, "route.unknown", "no such route; see /v1/openapi.json");
    return true;
  }
  const bool evaluate = match.route == Route::kOprfEvaluate;
  if (req.method == "OPTIONS") {  // CORS preflight
    res.status = 204;
    AddCors(res);
    res.set_header("Access-Control-Allow-Methods", evaluate ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
    res.set_header("Access-Control-Allow-Headers",
                   evaluate ? "Authorization, Content-Type"
                            : "Authorization, If-None-Match, If-Modified-Since, Add-Padding");
    res.set_header("Access-Control-Max-Age", "86400");
    return true;
  }
  if (evaluate) {
    if (req.method != "POST") {
      res.set_header("Allow", "POST, OPTIONS");
      SendError(res, 405, "request.method", "evaluations are POSTed");
      return true;
    }
    const std::string length = req.get_header_value("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > OprfMaxBody()) {
      res.set_header("Connection", "close");  // the body is not read
      SendError(res, 413, "request.body", "the body is larger than " + std::to_string(OprfMaxBody()) +
                                              " bytes: send fewer elements per request");
      return true;
    }
    return false;  // httplib reads the body, then calls HandleOprfEvaluate
  }
  if (req.method != "GET" && req.method != "HEAD") {
    res.set_header("Allow", "GET, HEAD, OPTIONS");
    SendError(res, 405, "request.method", "only GET, HEAD and OPTIONS are served");
    return true;
  }
  if (const std::string length = req.get_header_value("Content-Length");
      (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > options_.max_body_bytes)) {
    SendError(res, 413, "request.body", "request bodies are not taken here");
    return true;
  }
  if (!Admit(req, res, match.route, ctx)) return true;
  Dispatch(req, res, match, ctx);
  return true;
}

bool Server::Admit(const httplib::Request& req, httplib::Response& res, Route route, RequestContext& ctx) {
  if (route == Route::kHealthz || route == Route::kReadyz || route == Route::kMetrics) return true;
  RateLimit limit{options_.rate_per_s, options_.rate_burst};
  std::string bucket;
  const std::string authorization = req.get_header_value("Authorization");
  if (api_keys_ && !authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    std::shared_ptr<const ApiKeyTable> keys = api_keys_->table();
    const ApiKey* key = nullptr;
    if (authorization.size() > kBearer.size() && std::string_view(authorization).substr(0, 7) == kBearer) {
      key = keys->Find(std::string_view(authorization).substr(kBearer.size()));
    }
    if (key == nullptr) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, 401, "auth.key", "unknown API key (send Authorization: Bearer KEY, or no Authorization header)");
      return false;
    }
    ctx.keyed = true;
    ctx.key_id = key->id;
    ctx.oprf_per_minute = key->oprf_per_minute;
    if (!key->per_minute) return true;
    limit.per_second = *key->per_minute / 60.0;
    limit.burst = std::max(1.0, *key->per_minute / 6.0);
    bucket = key->id;
  }
  if (limit.unlimited()) return true;
  if (bucket.empty()) {
    ctx.client = ClientAddress(proxies_, req.remote_addr, req.get_header_value("X-Forwarded-For"));
    bucket = ctx.client;
  }
  int retry_after = 1;
  if (limiter_.Allow(bucket, limit, ctx.start, &retry_after)) return true;
  metrics_.RateLimited();
  res.set_header("Retry-After", std::to_string(retry_after));
  SendError(res, 429, "rate.limited", "too many requests; retry after " + std::to_string(retry_after) +
                                          " s, or use an API key");
  return false;
}

void Server::Dispatch(const httplib::Request& req, httplib::Response& res, const RouteMatch& match, RequestContext& ctx) {
  switch (match.route) {
    case Route::kRange:
      HandleRange(req, res, match, ctx);
      return;
    case Route::kHibpRange:
      HandleHibp(req, res, match, ctx);
      return;
    case Route::kBreaches: {
      auto snap = state_->current();
      std::shared_ptr<const std::string> body(snap, &snap->published->breach_list_json());
      SendCacheable(req, res, body, snap->breaches_etag, nullptr, kJson, snap->last_modified);
      return;
    }
    case Route::kBreach: {
      auto snap = state_->current();
      const std::string* json = snap->published->BreachJson(match.arg);
      if (json == nullptr) {
        SendError(res, 404, "breach.unknown", "no breach of that name in this index; see /v1/breaches");
        return;
      }
      std::shared_ptr<const std::string> body(snap, json);
      SendCacheable(req, res, body, BodyEtag(*body), nullptr, kJson, snap->last_modified);
      return;
    }
    case Route::kOpenApi:
      SendCacheable(req, res, std::shared_ptr<const std::string>(openapi_, &openapi_->body), openapi_->etag,
                    options_.gzip ? openapi_.get() : nullptr, kJson, std::string());
      return;
    case Route::kHealthz:
      res.set_header("Cache-Control", "no-store");
      SendBody(res, std::make_shared<const std::string>("{\"status\":\"ok\"}"), kJson);
      return;
    case Route::kReadyz: {
      if (stopping_) {
        SendError(res, 503, "server.stopping", "shutting down");
        return;
      }
      auto snap = state_->current();
      res.set_header("Cache-Control", "no-store");
      SendBody(res,
               std::make_shared<const std::string>("{\"status\":\"ready\",\"generation\":" +
                                                   std::to_string(snap->generation()) + "}"),
               kJson);
      return;
    }
    case Route::kMetrics: {
      res.set_header("Cache-Control", "no-store");
      const auto snap = state_->current();
      SendBody(res,
               std::make_shared<const std::string>(
                   metrics_.Render(cache_.bytes(), cache_.entries()) + loop_->MetricsText() +
                   RenderMemoryMetrics(ProcessMemoryAtMostEverySecond(), snap->published->index().Memory(),
                                       state_->live_snapshots())),
               "text/plain; version=0.0.4");
      return;
    }
    case Route::kIndexInfo: {
      auto snap = state_->current();
      std::shared_ptr<const std::string> body(snap, &snap->published->info_json());
      SendCacheable(req, res, std::move(body), snap->info_etag, nullptr, kJson, snap->last_modified);
      return;
    }
    case Route::kPage:
    case Route::kStatic: {
      const PageFile* file = FindPageFile(match.route == Route::kPage ? "index.html" : match.arg);
      if (file == nullptr) {
        SendError(res, 404, "route.unknown", "no such file; the page is at /");
        return;
      }
      SendCacheable(req, res, std::shared_ptr<const std::string>(file->response, &file->response->body),
                    file->response->etag, options_.gzip ? file->response.get() : nullptr,
                    std::string(file->content_type).c_str(), std::string());
      res.headers.erase("Cache-Control");  // SendCacheable's public max-age: replaced by the page's no-cache
      for (const auto& [name, value] : kPageHeaders) res.set_header(std::string(name), std::string(value));
      return;
    }
    case Route::kOprfKey:
      if (!oprf_key_json_) {
        SendError(res, 404, "oprf.scheme", "this index is not an oprf-p256 index: no OPRF key");
        return;
      }
      SendCacheable(req, res, std::shared_ptr<const std::string>(oprf_key_json_, &oprf_key_json_->body),
                    oprf_key_json_->etag, nullptr, kJson, std::string());
      return;
    default:
      SendError(res, 404, "route.unknown", "no such route; see /v1/openapi.json");
  }
}

void Server::HandleOprfEvaluate(const httplib::Request& req, httplib::Response& res) {
  using Refusal = Metrics::OprfRefusal;
  RequestContext& ctx = *t_context;  // set by Handle on this thread
  auto refuse = [&](Refusal why, int status, std::string_view reason, const std::string& message) {
    metrics_.OprfRefused(why);
    SendError(res, status, reason, message);
  };
  if (oprf_key_ == nullptr) {
    refuse(Refusal::kUnavailable, 404, "oprf.scheme",
           "this index is not an oprf-p256 index: tags are computed by the client, see /v1/index");
    return;
  }
  const RouteMatch match = MatchRoute(req.path);
  auto kind = ParseKind(match.kind);
  if (!kind || !state_->current()->published->ServesKind(*kind)) {
    refuse(Refusal::kMalformed, 400, "oprf.kind", "unknown kind for this index: use nir, email or phone");
    return;
  }
  if (!Admit(req, res, Route::kOprfEvaluate, ctx)) {
    if (res.status == 429) metrics_.OprfRefused(Refusal::kRateLimited);
    return;
  }
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  const bool json = type == "application/json";
  if (!json && type != "application/octet-stream") {
    refuse(Refusal::kMalformed, 415, "oprf.content-type",
           "send Content-Type: application/octet-stream (the RFC 9497 wire format) or application/json");
    return;
  }
  // A key's batches are also capped at its bucket (one minute's worth), or they could never pass.
  size_t max_batch = OprfAnonymousBatch();
  if (ctx.keyed) {
    max_batch = std::min(std::max<size_t>(1, options_.oprf_max_batch), oprf::kMaxWireBatch);
    if (ctx.oprf_per_minute) max_batch = std::min<size_t>(max_batch, *ctx.oprf_per_minute);
  }
  OprfJsonRequest parsed;
  Status s = json ? ParseOprfJsonRequest(req.body, max_batch, &parsed)
                  : oprf::DecodeEvaluationRequest(req.body, max_batch, &parsed.blinded);
  if (!s.ok()) {
    std::string message = s.message();
    if (s.reason() == "oprf.batch") {
      message += ctx.keyed ? " (for this API key)" : " (without an API key; see /v1/oprf/key)";
    }
    refuse(s.reason() == "oprf.batch" ? Refusal::kBatch : Refusal::kMalformed, 400, s.reason(), message);
    return;
  }
  const std::string verifiable_param = req.get_param_value("verifiable");
  const bool verifiable = parsed.verifiable || verifiable_param == "1" || verifiable_param == "true";
  const size_t n = parsed.blinded.size();

  // The evaluation budget: the key's, else the client address's.
  RateLimit limit{options_.oprf_rate_per_min / 60.0, std::max(1.0, options_.oprf_burst)};
  std::string bucket;
  if (ctx.keyed) {
    limit.per_second = ctx.oprf_per_minute ? *ctx.oprf_per_minute / 60.0 : 0;
    limit.burst = ctx.oprf_per_minute ? static_cast<double>(*ctx.oprf_per_minute) : 1;  // a minute's worth
    bucket = ctx.key_id;
  } else {
    if (ctx.client.empty()) {
      ctx.client = ClientAddress(proxies_, req.remote_addr, req.get_header_value("X-Forwarded-For"));
    }
    bucket = ctx.client;
  }
  int retry_after = 1;
  if (!oprf_limiter_.Allow(bucket, limit, ctx.start, &retry_after, static_cast<double>(n))) {
    metrics_.RateLimited();
    res.set_header("Retry-After", std::to_string(retry_after));
    refuse(Refusal::kRateLimited, 429, "oprf.rate-limited",
           "too many evaluations; retry after " + std::to_string(retry_after) + " s, or use an API key");
    return;
  }

  std::vector<oprf::Element> evaluated;
  std::optional<oprf::Proof> proof;
  s = EvaluateBlinded(*oprf_key_, parsed.blinded, verifiable, &evaluated, &proof);
  if (!s.ok()) {
    std::fprintf(stderr, "vigie-serve: an evaluation failed: %s\n", s.message().c_str());
    SendError(res, 500, "oprf.internal", "the evaluation failed");
    return;
  }
  metrics_.OprfEvaluated(n);
  res.status = 200;
  AddCors(res);
  res.set_header("Cache-Control", "no-store");
  const oprf::Proof* p = proof ? &*proof : nullptr;
  if (json) {
    SendBody(res, std::make_shared<const std::string>(OprfJsonResponse(evaluated, p, parsed.base64)), kJson);
  } else {
    SendBody(res,
             std::make_shared<const std::string>(oprf::EncodeEvaluationResponse(
                 verifiable ? oprf::Mode::kVoprf : oprf::Mode::kOprf, evaluated, p)),
             "application/octet-stream");
  }
}

void Server::HandleRange(const httplib::Request& req, httplib::Response& res, const RouteMatch& match,
                         RequestContext& ctx) {
  auto snap = state_->current();
  const PublishedIndex& index = *snap->published;
  auto kind = ParseKind(match.kind);
  if (!kind || !index.ServesKind(*kind)) {
    SendError(res, 400, "range.kind",
              index.ServesKind(Kind::kPassword) ? "this index serves kind 'password' only"
                                                : "unknown kind for this index: use nir, email or phone");
    return;
  }
  auto prefix = index.layout().ParsePrefix(match.arg);
  if (!prefix.ok()) {
    SendError(res, 400, prefix.status().reason(), prefix.status().message());
    return;
  }
  const CacheKey key{snap->sequence, static_cast<uint8_t>(Route::kRange), static_cast<uint8_t>(*kind), *prefix};
  std::shared_ptr<const CachedResponse> cached = cache_.Get(key);
  ctx.cache = cached ? "hit" : "miss";
  if (cached) {
    metrics_.CacheHit();
  } else {
    metrics_.CacheMiss();
    auto fresh = std::make_shared<CachedResponse>();
    Status s = index.RangeJson(*kind, *prefix, &fresh->body);
    if (!s.ok()) {
      std::fprintf(stderr, "vigie-serve: reading a bucket failed: %s\n", s.message().c_str());
      SendError(res, 500, "index.read", "the index could not be read");
      return;
    }
    fresh->etag = BodyEtag(fresh->body);
    cached = fresh;
    cache_.Put(key, cached);
  }
  // Padded bodies are never compressed: compression would make their lengths differ again.
  const bool gzippable = options_.gzip && index.padding() == nullptr;
  SendCacheable(req, res, std::shared_ptr<const std::string>(cached, &cached->body), cached->etag,
                gzippable ? cached.get() : nullptr, kJson, snap->last_modified);
}

void Server::HandleHibp(const httplib::Request& req, httplib::Response& res, const RouteMatch& match,
                        RequestContext& ctx) {
  auto snap = state_->current();
  const PublishedIndex& index = *snap->published;
  if (!index.ServesHibp()) {
    SendError(res, 404, "range.hibp", "this index is not a Pwned Passwords mirror (it needs a sha1 or ntlm index "
                                      "with 5-digit prefixes)");
    return;
  }
  const std::string mode = req.get_param_value("mode");
  const SchemeId wanted = mode == "ntlm" ? SchemeId::kNtlm : SchemeId::kSha1;
  if ((!mode.empty() && mode != "ntlm" && mode != "sha1") || wanted != index.meta().scheme) {
    SendError(res, 400, "range.mode",
              index.meta().scheme == SchemeId::kNtlm ? "this mirror holds NTLM hashes: add ?mode=ntlm"
                                                      : "this mirror holds SHA-1 hashes: drop ?mode=ntlm");
    return;
  }
  auto prefix = index.layout().ParsePrefix(match.arg);
  if (!prefix.ok()) {
    SendError(res, 400, prefix.status().reason(), "the hash prefix must be exactly 5 hexadecimal digits");
    return;
  }
  const std::string padding = req.get_header_value("Add-Padding");
  const bool padded = padding.size() == 4 && (padding == "true" || padding == "True" || padding == "TRUE");
  std::shared_ptr<const CachedResponse> cached;
  if (padded) {
    // Random per request, as Pwned Passwords does: not cached.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    HibpPadding pad{rng()};
    auto fresh = std::make_shared<CachedResponse>();
    Status s = index.HibpRange(*prefix, &pad, &fresh->body);
    if (!s.ok()) {
      SendError(res, 500, "index.read", "the index could not be read");
      return;
    }
    fresh->etag = BodyEtag(fresh->body);
    cached = fresh;
  } else {
    const CacheKey key{snap->sequence, static_cast<uint8_t>(Route::kHibpRange), 0, *prefix};
    cached = cache_.Get(key);
    ctx.cache = cached ? "hit" : "miss";
    if (cached) {
      metrics_.CacheHit();
    } else {
      metrics_.CacheMiss();
      auto fresh = std::make_shared<CachedResponse>();
      Status s = index.HibpRange(*prefix, nullptr, &fresh->body);
      if (!s.ok()) {
        std::fprintf(stderr, "vigie-serve: reading a bucket failed: %s\n", s.message().c_str());
        SendError(res, 500, "index.read", "the index could not be read");
        return;
      }
      fresh->etag = BodyEtag(fresh->body);
      cached = fresh;
      cache_.Put(key, cached);
    }
  }
  SendCacheable(req, res, std::shared_ptr<const std::string>(cached, &cached->body), cached->etag,
                options_.gzip ? cached.get() : nullptr, kText, snap->last_modified, /*vary_padding=*/true);
}

void Server::SendCacheable(const httplib::Request& req, httplib::Response& res, std::shared_ptr<const std::string> body,
                           std::string_view etag, const CachedResponse* gzippable, const char* content_type,
                           const std::string& last_modified, bool vary_padding) {
  AddCors(res);
  res.set_header("Cache-Control", "public, max-age=" + std::to_string(options_.max_age_s));
  if (!last_modified.empty()) res.set_header("Last-Modified", last_modified);
  std::string vary = gzippable ? "Accept-Encoding" : "";
  if (vary_padding) vary += vary.empty() ? "Add-Padding" : ", Add-Padding";
  if (!vary.empty()) res.set_header("Vary", vary);
  // A gzip body is another representation: it gets the weak form of the tag (as nginx does), and either
  // form validates a conditional request.
  const bool gzip = gzippable && body->size() >= 256 && AcceptsGzip(req.get_header_value("Accept-Encoding"));
  const std::string tag = gzip ? "W/" + std::string(etag) : std::string(etag);
  res.set_header("ETag", tag);
  const std::string if_none_match = req.get_header_value("If-None-Match");
  bool not_modified = !if_none_match.empty() && EtagMatches(if_none_match, etag);
  if (if_none_match.empty() && !last_modified.empty()) {
    std::time_t since = 0, modified = 0;
    not_modified = ParseHttpDate(req.get_header_value("If-Modified-Since"), &since) &&
                   ParseHttpDate(last_modified, &modified) && modified <= since;
  }
  if (not_modified) {
    res.status = 304;
    return;
  }
  res.status = 200;
  if (gzip) {
    const std::string& compressed = gzippable->gzip();
    if (!compressed.empty()) {
      res.set_header("Content-Encoding", "gzip");
      // The cached response owns the gzip bytes; the body pointer keeps it alive.
      SendBody(res, std::shared_ptr<const std::string>(body, &compressed), content_type);
      return;
    }
    res.set_header("ETag", std::string(etag));
  }
  SendBody(res, std::move(body), content_type);
}

void Server::Log(const httplib::Request& req, const httplib::Response& res) {
  RequestContext* ctx = t_context;
  const bool routed = ctx != nullptr && ctx->active;
  const Route route = routed ? ctx->route : Route::kInvalid;
  const double seconds = routed ? std::chrono::duration<double>(Clock::now() - ctx->start).count() : -1;
  metrics_.RecordRequest(route, res.status, seconds);
  if (options_.access_log) {
    char time_buf[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(time_buf, sizeof time_buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = "{\"ts\":\"";
    line += time_buf;
    line += "\",\"method\":\"" + SanitizedMethod(req.method) + "\",\"route\":\"";
    line += RouteName(route);
    line += "\",\"status\":" + std::to_string(res.status);
    const size_t bytes = res.body.empty() ? res.content_length_ : res.body.size();
    line += ",\"bytes\":" + std::to_string(req.method == "HEAD" ? 0 : bytes);
    if (seconds >= 0) {
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.3f", seconds * 1e3);
      line += ",\"ms\":";
      line += ms;
    }
    if (routed && ctx->cache) line += std::string(",\"cache\":\"") + ctx->cache + "\"";
    if (routed && ctx->keyed) line += ",\"api_key\":true";
    if (options_.log_client_address) {
      const std::string client = routed && !ctx->client.empty()
                                     ? ctx->client
                                     : ClientAddress(proxies_, req.remote_addr, req.get_header_value("X-Forwarded-For"));
      line += ",\"client\":\"" + client + "\"";  // an address: nothing to escape
    }
    line += "}\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  if (ctx) ctx->active = false;
}

}  // namespace vigie::serve
