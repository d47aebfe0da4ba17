// vigie-serve: the HTTP range API over one index (PRODUCT.md §4). Parses options, then hands over to
// serve::Server; signals are taken by a sigwait thread (SIGTERM/SIGINT: graceful stop, SIGHUP: look
// for a new index state now).
#include <pthread.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

#include "server/server.h"

namespace {

using vigie::serve::ServeOptions;

// Where it listens and how many requests it serves at once.
void AddListenOptions(CLI::App& app, ServeOptions& o) {
  app.add_option("--index", o.index_dir, "index directory (opened read-only)")->required();
  app.add_option("--listen", o.listen, "HOST:PORT or [IPv6]:PORT; port 0 picks a free port")->capture_default_str();
  app.add_option("--admin-listen", o.admin_listen,
                 "HOST:PORT of the operator's listener (/metrics, /healthz, /readyz; plain HTTP); '' for none")
      ->capture_default_str();
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate: serve HTTPS");
  app.add_option("--tls-key", o.tls_key, "PEM private key for --tls-cert");
  app.add_option("--threads", o.threads, "worker threads = requests processed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--listen-backlog", o.listen_backlog, "accept queue length")->capture_default_str();
}

// Caching and memory: response headers, the opt-in body cache, gzip, reading the index in.
void AddCachingOptions(CLI::App& app, ServeOptions& o, size_t& cache_mb) {
  app.add_option("--max-age", o.max_age_s, "Cache-Control max-age of cacheable responses, seconds")
      ->capture_default_str();
  app.add_option("--cache-mb", cache_mb,
                 "cache of rendered range bodies, MiB (0: none; any other value lets response times tell "
                 "which prefixes were asked recently)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  app.add_flag("!--no-gzip", o.gzip, "never gzip responses");
  app.add_flag("!--no-warm-index", o.warm_index,
               "do not read every bucket into memory before serving a state (saves memory; response times "
               "then reveal recently asked prefixes)");
}

// Limits on hostile or greedy clients: sizes, timeouts, idle connections, rates, API keys.
void AddLimitOptions(CLI::App& app, ServeOptions& o) {
  app.add_option("--max-url-bytes", o.max_url_bytes, "longest request URL (414 beyond)")->capture_default_str();
  app.add_option("--max-header-bytes", o.max_header_bytes, "largest request header block (431 beyond)")
      ->capture_default_str();
  app.add_option("--max-body-bytes", o.max_body_bytes, "largest request body (413 beyond)")->capture_default_str();
  app.add_option("--read-timeout", o.read_timeout_s, "seconds to receive a whole request, from its first byte")
      ->capture_default_str();
  app.add_option("--write-timeout", o.write_timeout_s, "seconds to send a whole response")->capture_default_str();
  app.add_option("--keep-alive-timeout", o.keep_alive_timeout_s, "idle seconds before closing a connection")
      ->capture_default_str();
  app.add_option("--max-idle-connections", o.max_idle_connections,
                 "connections held while they wait on their client (oldest closed beyond)")
      ->capture_default_str();
  app.add_option("--max-idle-per-client", o.max_idle_per_client,
                 "of which per client address (0: no cap; trusted proxies are not capped)")
      ->capture_default_str();
  app.add_option("--keep-alive-max", o.keep_alive_max_requests, "requests per connection")->capture_default_str();
  app.add_option("--rate-limit", o.rate_per_s, "requests per second per client address (0: no limit)")
      ->capture_default_str();
  app.add_option("--rate-burst", o.rate_burst, "token bucket size per client address")->capture_default_str();
  app.add_option("--trusted-proxy", o.trusted_proxies,
                 "address or CIDR of a proxy whose X-Forwarded-For is believed (repeatable)");
  app.add_option("--api-keys", o.api_keys_file,
                 "file of 'KEY [requests-per-minute [evaluations-per-minute]]' lines, re-read on change");
}

// The OPRF key and evaluation budgets, and the padding key.
void AddKeyOptions(CLI::App& app, ServeOptions& o) {
  app.add_option("--key", o.oprf_key_file,
                 "oprf-p256 indexes: the server key file (default: the path the index recorded); a key that "
                 "is not the index's is refused");
  app.add_option("--oprf-max-batch", o.oprf_max_batch, "elements per evaluate request with an API key")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{65535}));
  app.add_option("--oprf-max-batch-anonymous", o.oprf_max_batch_anonymous,
                 "elements per evaluate request without an API key (also capped at --oprf-burst)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{65535}));
  app.add_option("--oprf-rate", o.oprf_rate_per_min,
                 "OPRF evaluations (elements) per minute per client address (0: no limit)")
      ->capture_default_str();
  app.add_option("--oprf-burst", o.oprf_burst, "evaluation bucket size per client address")->capture_default_str();
  app.add_option("--padding-key", o.padding_key_file,
                 "secret for padding rows (default: INDEX/padding.key, which `vigie-index create` writes)");
  app.add_flag("--ephemeral-padding-key", o.ephemeral_padding_key,
               "pad with a random key of this process when the index has none (restarts and replicas then answer "
               "different bytes)");
}

// Operations: index reloads and the access log.
void AddOperationOptions(CLI::App& app, ServeOptions& o) {
  app.add_option("--reload-check", o.reload_check_s, "seconds between checks for a new index state")
      ->capture_default_str();
  app.add_flag("!--no-access-log", o.access_log, "no per-request log line");
  app.add_flag("--log-client-address", o.log_client_address, "include the client address in access log lines");
}

// Runs the server until SIGTERM/SIGINT (SIGHUP: look for a new index state now).
int Serve(const ServeOptions& o) {
  // Signals go to the sigwait thread only: block them before any other thread exists.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, nullptr, _IOLBF, 1 << 16);

  vigie::serve::Server server(o);
  vigie::Status s = server.Start();
  if (!s.ok()) {
    std::fprintf(stderr, "vigie-serve: %s\n", s.message().c_str());
    return vigie::ExitCodeFor(s);
  }
  const bool v6 = server.host().find(':') != std::string::npos;
  std::string admin = "none";
  if (server.admin_port() != 0) {
    admin = o.admin_listen.substr(0, o.admin_listen.rfind(':') + 1) + std::to_string(server.admin_port());
  }
  std::fprintf(stderr, "vigie-serve: generation %llu of %s; listening on %s%s%s:%d; admin on %s\n",
               static_cast<unsigned long long>(server.state().current()->generation()), o.index_dir.c_str(),
               v6 ? "[" : "", server.host().c_str(), v6 ? "]" : "", server.port(), admin.c_str());

  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        server.RequestReload();
        continue;
      }
      std::fprintf(stderr, "vigie-serve: stopping (finishing in-flight requests)\n");
      server.Stop();
      return;
    }
  });
  s = server.Run();
  // Run() also returns when the socket fails: wake the signal thread so that it can be joined.
  if (signal_thread.joinable()) {
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
  }
  std::fflush(stdout);
  if (!s.ok()) {
    std::fprintf(stderr, "vigie-serve: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ServeOptions o;
  // Named rather than argv[0], so usage lines read the same wherever the binary lies; --version prints
  // VIGIE_VERSION (CMake's project version). help2man makes the man page from both (packaging/).
  CLI::App app{"vigie-serve: the Vigie k-anonymity range API over one index", "vigie-serve"};
  app.set_version_flag("--version", "vigie-serve " VIGIE_VERSION);
  app.set_config("--config", "", "read options from this TOML/INI file (same names as the long options)");
  size_t cache_mb = o.cache_bytes >> 20;
  AddListenOptions(app, o);
  AddCachingOptions(app, o, cache_mb);
  AddLimitOptions(app, o);
  AddKeyOptions(app, o);
  AddOperationOptions(app, o);
  CLI11_PARSE(app, argc, argv);
  o.cache_bytes = cache_mb << 20;
  return Serve(o);
}
