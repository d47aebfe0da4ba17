// Server: vigie-serve's wiring — listeners (public, and the operator's admin listener), the connection loop
// and its workers, and the request path: head phase (limits, listener, route, method, length, admission;
// before any body byte is read) then the route handlers (server/*_route.h) over the IndexState's current
// snapshot, then the access log and metrics. A housekeeping thread picks up new index states and re-reads
// the API keys file (every reload_check_s, and at once on RequestReload()).
//
// Privacy: nothing logged or counted carries a prefix, a path or an API key; the client address is
// logged only with log_client_address. Operator routes (/metrics) answer only on the admin listener.
//
// OPRF (oprf-p256 indexes): Start() loads the server key (ServeOptions::oprf_key_file, else the path the
// index recorded) and refuses a key whose public half is not the index's; a later index state recorded
// with another key is never switched to.
//
// Lifecycle: Start() (load, bind), then Run() on one thread until Stop() from another: Stop() closes the
// listening sockets, in-flight requests finish, Run() returns. Thread-safety: Stop() and RequestReload()
// may be called from any thread (not from a signal handler: use a sigwait thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/oprf.h"
#include "core/scheme.h"
#include "core/status.h"
#include "server/admitter.h"
#include "server/api_keys.h"
#include "server/client_address.h"
#include "server/connection_loop.h"
#include "server/index_state.h"
#include "server/listener.h"
#include "server/memory_metrics.h"
#include "server/metrics.h"
#include "server/oprf_route.h"
#include "server/response_cache.h"
#include "server/route_context.h"
#include "server/router.h"
#include "server/serve_options.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace vigie::serve {

// The OpenAPI document served at /v1/openapi.json (server/openapi.json, embedded at build time).
std::string_view OpenApiJson();

class Server final : private RequestHandler {
 public:
  explicit Server(ServeOptions options);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the index (and API keys, the OPRF key, the TLS certificate), binds the listening sockets and
  // starts housekeeping.
  Status Start();
  // The public listener's bound port (useful with port 0) and host; the admin listener's (0: none).
  int port() const { return port_; }
  const std::string& host() const { return host_; }
  int admin_port() const { return admin_port_; }
  // Serves until Stop(); returns once in-flight requests are done.
  Status Run();
  void Stop();
  void RequestReload();

  const Metrics& metrics() const { return metrics_; }
  IndexState& state() { return *state_; }

 private:
  // RequestHandler
  std::optional<HttpResponse> OnHead(HttpRequest& head) override;
  void Handle(HttpRequest& req, HttpResponse& res) override;
  void Refused(int status, Listener listener) override;

  // The head phase: false when `res` already answers the request.
  bool CheckHead(HttpRequest& req, RequestContext& ctx, HttpResponse& res);
  void Dispatch(const HttpRequest& req, const RouteMatch& match, RequestContext& ctx, HttpResponse& res);
  std::string MetricsText();
  void Log(const HttpRequest& req, const HttpResponse& res, const RequestContext& ctx);
  Status CheckIndexKey(const IndexMeta& meta);
  LoopOptions MakeLoopOptions();
  void Housekeeping();
  void Refresh(bool force);

  ServeOptions options_;
  std::unique_ptr<IndexState> state_;
  std::unique_ptr<ApiKeyFile> api_keys_;
  TrustedProxies proxies_;
  ResponseCache cache_;
  Metrics metrics_;
  std::unique_ptr<RouteEnv> env_;  // once the state is loaded
  std::unique_ptr<Admitter> admitter_;
  std::unique_ptr<OprfRoute> oprf_route_;
  std::shared_ptr<const CachedResponse> openapi_;
  std::unique_ptr<Scheme> oprf_scheme_;      // oprf-p256: owns the key
  const oprf::OprfKey* oprf_key_ = nullptr;  // null on other schemes
  std::string oprf_fingerprint_;
  bool index_checked_ = false;  // CheckIndexKey saw the first state

  SSL_CTX* tls_ctx_ = nullptr;  // owned
  Listeners listeners_;
  std::unique_ptr<ConnectionLoop> loop_;
  std::string host_;
  int port_ = 0;
  int admin_port_ = 0;

  // /metrics reads process memory at most once a second: mallinfo2 takes every malloc arena's lock.
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
