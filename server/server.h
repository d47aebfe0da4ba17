// Server: vigie-serve's HTTP front — routes (server/router.h), request limits, API keys, per-client rate
// limiting, the encoded-bucket cache, metrics and access logs, over cpp-httplib, answering from the
// IndexState's current snapshot. A housekeeping thread picks up new index states and re-reads the API
// keys file (every reload_check_s, and at once on RequestReload()).
//
// Privacy: nothing logged or counted carries a prefix, a path or an API key; the client address is
// logged only with log_client_address.
//
// OPRF (oprf-p256 indexes): Start() loads the server key (ServeOptions::oprf_key_file, else the path the
// index recorded) and refuses a key whose public half is not the index's; a later index state recorded
// with another key is never switched to. Evaluations are rate-limited in elements, separately from
// requests (docs/API.md).
//
// Lifecycle: Start() (load, bind), then Run() on one thread until Stop() from another: Stop() closes the
// listening socket, in-flight requests finish, Run() returns. Thread-safety: Stop() and RequestReload()
// may be called from any thread (not from a signal handler: use a sigwait thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/oprf.h"
#include "core/scheme.h"
#include "core/status.h"
#include "server/api_keys.h"
#include "server/client_address.h"
#include "server/index_state.h"
#include "server/memory_metrics.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/response_cache.h"
#include "server/router.h"
#include "server/serve_options.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vigie::serve {

struct RequestContext;
struct RequestFrame;
class ConnectionLoop;

// The OpenAPI document served at /v1/openapi.json (server/openapi.json, embedded at build time).
std::string_view OpenApiJson();

class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the index (and API keys), binds the listening socket and starts housekeeping.
  Status Start();
  // The bound port (useful with port 0) and the host it is bound to.
  int port() const { return port_; }
  const std::string& host() const { return host_; }
  // Serves until Stop(); returns once in-flight requests are done.
  Status Run();
  void Stop();
  void RequestReload();

  const Metrics& metrics() const { return metrics_; }
  IndexState& state() { return *state_; }

 private:
  void ConfigureHttp();
  // True when the request was answered; false hands it back to httplib to read its body (the evaluate
  // route), which then calls HandleOprfEvaluate.
  bool Handle(const httplib::Request& req, httplib::Response& res);
  bool HandleFramed(const httplib::Request& req, httplib::Response& res, const RequestFrame* frame);
  void HandleOprfEvaluate(const httplib::Request& req, httplib::Response& res);
  Status CheckIndexKey(const IndexMeta& meta);
  size_t OprfAnonymousBatch() const;
  size_t OprfMaxBody() const;
  void Dispatch(const httplib::Request& req, httplib::Response& res, const RouteMatch& match, RequestContext& ctx);
  void HandleRange(const httplib::Request& req, httplib::Response& res, const RouteMatch& match, RequestContext& ctx);
  void HandleHibp(const httplib::Request& req, httplib::Response& res, const RouteMatch& match, RequestContext& ctx);
  // Sends a cacheable body: Cache-Control, Last-Modified, ETag, If-None-Match/If-Modified-Since -> 304, gzip.
  void SendCacheable(const httplib::Request& req, httplib::Response& res, std::shared_ptr<const std::string> body,
                     std::string_view etag, const CachedResponse* gzippable, const char* content_type,
                     const std::string& last_modified, bool vary_padding = false);
  bool Admit(const httplib::Request& req, httplib::Response& res, Route route, RequestContext& ctx);
  void Log(const httplib::Request& req, const httplib::Response& res);
  void Housekeeping();
  void Refresh(bool force);

  ServeOptions options_;
  std::unique_ptr<IndexState> state_;
  std::unique_ptr<ApiKeyFile> api_keys_;
  TrustedProxies proxies_;
  RateLimiter limiter_;
  ResponseCache cache_;
  Metrics metrics_;
  std::unique_ptr<ConnectionLoop> loop_;  // declared before http_: outlives it
  std::unique_ptr<httplib::Server> http_;
  std::string host_;
  int port_ = 0;
  std::shared_ptr<const CachedResponse> openapi_;
  std::unique_ptr<Scheme> oprf_scheme_;         // oprf-p256: owns the key
  const oprf::OprfKey* oprf_key_ = nullptr;     // null on other schemes
  std::string oprf_fingerprint_;
  bool index_checked_ = false;                  // CheckIndexKey saw the first state
  std::shared_ptr<const CachedResponse> oprf_key_json_;
  RateLimiter oprf_limiter_;                    // evaluations, counted per element

  // /metrics reads process memory at most once a second: mallinfo2 takes every malloc arena's lock, and
  // /metrics is neither rate-limited nor keyed.
  ProcessMemory ProcessMemoryAtMostEverySecond();
  std::mutex memory_mu_;
  std::chrono::steady_clock::time_point memory_read_at_{};
  ProcessMemory memory_;

  std::atomic<bool> stopping_{false};
  std::mutex house_mu_;
  std::condition_variable house_cv_;
  bool house_stop_ = false;
  bool reload_requested_ = false;
  bool trim_pending_ = false;  // a swap happened; trim once the old state is gone (housekeeping thread only)
  std::thread housekeeping_;
  std::string last_reload_error_;
  std::string last_keys_error_;
};

}  // namespace vigie::serve
