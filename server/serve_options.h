// ServeOptions: everything an operator can set on vigie-serve, with the defaults it runs with. Filled by
// the command line (vigie_serve.cc, which also accepts them from a --config file) or by tests.
//
// A plain value; copy freely.
#pragma once

#include <string>
#include <vector>

namespace vigie::serve {

struct ServeOptions {
  std::string index_dir;                  // required
  std::string listen = "127.0.0.1:8080";  // host:port, [v6]:port; port 0 picks a free one
  // The operator's listener: /metrics (never on the public one), /healthz and /readyz. Plain HTTP; keep it
  // on loopback or a private network. Empty: none.
  std::string admin_listen = "127.0.0.1:9464";
  std::string tls_cert;  // PEM; with tls_key: HTTPS instead of HTTP
  std::string tls_key;
  // Worker threads: requests processed at once. A worker only runs a request whose bytes have all arrived
  // (server/connection_loop.h); idle, new and slow connections wait on one epoll thread without a worker.
  // 128 was measured with cpp-httplib's own loop, where a worker was held per connection
  // (bench/README.md "Serving").
  int threads = 128;
  int listen_backlog = 1024;
  // glibc malloc arenas (M_ARENA_MAX), set at Start; 0 keeps glibc's default of 8 per core. With the
  // default, each index swap left memory spread over up to 16 arenas and the resident size grew by ~1.5 MiB
  // per update (bench/soak.sh: +40 MiB in 10 minutes); with 2 it stays flat, at the same requests/s
  // (docs/RELIABILITY.md "Sustained load").
  int malloc_arenas = 2;
  // After an index swap, once no request holds the old state any more, give the pages malloc keeps free
  // back to the system (malloc_trim): a swap frees a whole state at once (its bucket cache, RocksDB block
  // cache and table readers), and without this the resident size ratchets up by what the next state
  // happens not to reuse (bench/soak.sh).
  bool trim_after_swap = true;

  // ---- caching ----
  // Read every bucket of a state into memory before serving it (RocksDB block cache sized to the index's
  // table files): a bucket asked for recently is then no faster to answer than any other, so response
  // times do not tell a third party who checked what (docs/RELIABILITY.md "Who looked up what").
  bool warm_index = true;
  int max_age_s = 3600;  // Cache-Control: public, max-age=...
  // Rendered range bodies kept per state (LRU budget). Off by default: a cached body is answered faster
  // than a fresh one, which tells anyone timing a prefix whether somebody asked for it since the state was
  // loaded. Without it (and with warm_index) vigie-serve still answers ~3× nginx's rate on the export
  // (bench/README.md); a deployment that accepts that signal (behind a CDN, which shows it anyway) may
  // turn it on.
  size_t cache_bytes = 0;
  bool gzip = true;  // gzip bodies when the client accepts it (never padded ones)

  // ---- hostile traffic ----
  size_t max_url_bytes = 2048;     // longer request targets: 414 (the library caps at 8192)
  size_t max_header_bytes = 8192;  // all header names and values together: 431
  size_t max_body_bytes = 4096;    // request bodies (no route takes one): 413
  int read_timeout_s = 5;          // to receive a whole request, from its first byte
  int write_timeout_s = 5;         // to send a whole response
  int keep_alive_timeout_s = 5;    // idle time before a kept-alive (or silent new) connection is closed
  size_t keep_alive_max_requests = 10000;
  // Connections waiting on their client (idle, or midway through a request) are held without a worker;
  // past these caps the oldest are closed. The total is also kept under the open-file limit, which the
  // server raises to its hard limit. Per client address (0: no cap); trusted proxies are not capped.
  size_t max_idle_connections = 20000;
  size_t max_idle_per_client = 256;
  double rate_per_s = 20;                    // per client address; 0: no limit
  double rate_burst = 100;                   // token bucket size
  std::vector<std::string> trusted_proxies;  // addresses/CIDRs whose X-Forwarded-For is believed
  std::string api_keys_file;                 // "KEY [requests/min [evaluations/min]]" per line; re-read on change

  // ---- padding ----
  // Secret for padding rows (any bytes; its SHA-256 is the key; core/padding_key.h). Empty: DIR/padding.key,
  // which `vigie-index create` writes for a padded index. A padded index without a key is refused at start,
  // unless ephemeral_padding_key: then a random key of this process (restarts and replicas differ).
  std::string padding_key_file;
  bool ephemeral_padding_key = false;

  // ---- OPRF (oprf-p256 indexes) ----
  // The server key. Empty: the path the index recorded at creation. A key whose public half differs from
  // the index's is refused at start; a new index state recorded with another key is not switched to.
  std::string oprf_key_file;
  size_t oprf_max_batch = 1024;          // elements per evaluate request with an API key
  size_t oprf_max_batch_anonymous = 16;  // without one (also capped at oprf_burst)
  // Evaluations (elements, not requests) per client address, on top of the request limit; 0: no limit.
  double oprf_rate_per_min = 30;
  double oprf_burst = 30;

  // ---- operations ----
  double reload_check_s = 1.0;      // how often to look for a new index state
  bool access_log = true;           // one JSON line per request on stdout
  bool log_client_address = false;  // include the client address in that line
};

}  // namespace vigie::serve
