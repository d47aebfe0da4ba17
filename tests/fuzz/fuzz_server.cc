// Fuzz target "server": raw HTTP requests against in-process vigie-serve servers (server/server.h, public
// API only: Start, Run, Stop, port), over a loopback TCP connection, exactly as a hostile client sends them.
//
// Once per process: three small synthetic indexes in a temporary directory, each served by one Server on
// 127.0.0.1 port 0 with rate limits off and an API key file ("fuzz-api-key-0001"):
//   0 sha256, 4-digit prefixes, padded responses, NIR/e-mail/phone   (/v1/range, /v1/breaches, /, ...)
//   1 sha1, 5-digit prefixes: a Pwned Passwords mirror                (/range/{prefix}, Add-Padding)
//   2 oprf-p256, 4-digit prefixes, e-mails                            (/v1/oprf/{kind}/evaluate,
//   /v1/oprf/key)
// Input: byte 0 picks the server (mod 3); the rest is sent as it is, then the connection is half-closed
// and everything the server writes back is read (the corpus, tests/fuzz/corpus/server, holds one request
// per route and method; tests/fuzz/make_corpus.py writes it).
//
// Findings: a response that is not well-formed HTTP/1.1 (status line, header lines, a body as long as
// Content-Length or well-formed chunks), a 5xx status, no response at all to a complete body-less GET or
// HEAD request, or a server that neither answers nor closes within the timeout (a hang). And of course any
// crash or sanitizer report inside the server, which runs in this process.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/index.h"
#include "core/index_scheme.h"
#include "core/indexer.h"
#include "core/nir.h"
#include "core/oprf_key.h"
#include "server/server.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace fs = std::filesystem;
using vigie::Kind;

struct Served {
  std::unique_ptr<vigie::serve::Server> server;
  std::thread thread;
};

struct Fixture {
  std::string dir;
  std::array<Served, 3> served;
};

void Require(const vigie::Status& s, const char* what) {
  if (!s.ok()) std::fprintf(stderr, "fuzz_server setup: %s: %s\n", what, s.ToString().c_str());
  FUZZ_CHECK(s.ok(), what);
}

// dir/index with one breach per list in `dumps` (kind, lines).
void BuildIndex(const std::string& dir, const vigie::CreateOptions& create,
                const std::vector<std::pair<Kind, std::vector<std::string>>>& dumps) {
  const std::string index_dir = dir + "/index";
  auto created = vigie::Index::Create(index_dir, create);
  Require(created.status(), "creating an index");
  created->reset();
  auto index = vigie::Index::Open(index_dir, vigie::Index::Mode::kReadWrite);
  Require(index.status(), "opening the index");
  auto scheme = vigie::OpenIndexScheme((*index)->meta());
  Require(scheme.status(), "the index's scheme");
  int n = 0;
  for (const auto& [kind, lines] : dumps) {
    const std::string breach = "fuzz-breach-" + std::to_string(++n);
    bool defined = false;
    vigie::BreachRecord record;
    record.name = breach;
    record.title = "Fuzz breach " + std::to_string(n);
    record.breach_date = "2024-01-0" + std::to_string(n);
    record.description = "synthetic";
    record.data_classes = {std::string(vigie::KindName(kind))};
    Require((*index)->DefineBreach(record, &defined), "defining a breach");
    const std::string path = dir + "/" + breach + ".txt";
    std::ofstream out(path);
    for (const std::string& l : lines) out << l << '\n';
    out.close();
    vigie::AddOptions add;
    add.breach = breach;
    add.input_path = path;
    add.columns = {{kind, ""}};
    add.input.format = vigie::InputFormat::kLines;
    add.threads = 1;
    auto report = vigie::AddDump(index->get(), **scheme, add);
    Require(report.status(), "adding a dump");
  }
}

// Synthetic identifiers, the same as tests/fuzz/make_corpus.py's (so that the corpus hits full buckets).
std::vector<std::string> Emails(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("user" + std::to_string(i) + "@example.org");
  return v;
}
// n < 10000: the numbers keep their width.
std::string Padded(int value, size_t width) {
  std::string s = std::to_string(value);
  return std::string(width - std::min(width, s.size()), '0') + s;
}
std::vector<std::string> Nirs(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) {
    const std::string first13 = "1850578" + Padded(6000 + i, 6);
    v.push_back(first13 + Padded(vigie::ComputeNirKey(first13), 2));
  }
  return v;
}
std::vector<std::string> Phones(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("06" + Padded(12340000 + i, 8));
  return v;
}
// SHA-1-shaped lines "HEX:COUNT" from a fixed generator (no real password behind them).
std::vector<std::string> Hashes(int n) {
  std::vector<std::string> v;
  uint64_t state = 0x5eed;
  static const char* kDigits = "0123456789ABCDEF";
  for (int i = 0; i < n; ++i) {
    std::string line;
    for (int d = 0; d < 40; ++d) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      line += kDigits[(state >> 59) & 15];
    }
    // Several hashes per prefix: the first 5 digits cycle through a few values.
    const std::string prefixes[4] = {"00000", "ABCDE", "5BAA6", "FFFFF"};
    line.replace(0, 5, prefixes[i % 4]);
    v.push_back(line + ":" + std::to_string(i + 1));
  }
  return v;
}

vigie::serve::ServeOptions Options(const std::string& dir) {
  vigie::serve::ServeOptions o;
  o.index_dir = dir + "/index";
  o.listen = "127.0.0.1:0";
  o.admin_listen = "127.0.0.1:0";
  o.threads = 4;
  o.access_log = false;
  o.rate_per_s = 0;
  o.oprf_rate_per_min = 0;
  o.read_timeout_s = 2;
  o.write_timeout_s = 2;
  o.keep_alive_timeout_s = 2;
  o.reload_check_s = 3600;  // the indexes never change
  o.api_keys_file = dir + "/../api-keys.txt";
  return o;
}

void StopAll();

Fixture& Setup() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/vigie-fuzz-server.XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    f->dir = pattern;
    std::ofstream(f->dir + "/api-keys.txt") << "# synthetic key for the fuzzer\nfuzz-api-key-0001\n";
    const std::string d0 = f->dir + "/s0", d1 = f->dir + "/s1", d2 = f->dir + "/s2";
    for (const std::string& d : {d0, d1, d2}) fs::create_directories(d);
    BuildIndex(d0,
               {.scheme = vigie::SchemeId::kSha256, .prefix_hex = 4, .allow_unkeyed_nir = true, .pad_responses = true},
               {{Kind::kEmail, Emails(300)}, {Kind::kNir, Nirs(100)}, {Kind::kPhone, Phones(100)}});
    BuildIndex(d1, {.scheme = vigie::SchemeId::kSha1, .prefix_hex = 5}, {{Kind::kPassword, Hashes(64)}});
    auto key = vigie::oprf::WriteNewKeyFile(d2 + "/server.key");
    Require(key.status(), "writing an OPRF key");
    BuildIndex(d2, {.scheme = vigie::SchemeId::kOprfP256, .prefix_hex = 4, .oprf_key_path = d2 + "/server.key"},
               {{Kind::kEmail, Emails(50)}});
    const std::string dirs[3] = {d0, d1, d2};
    for (int i = 0; i < 3; ++i) {
      Served& s = f->served[i];
      s.server = std::make_unique<vigie::serve::Server>(Options(dirs[i]));
      Require(s.server->Start(), "starting a server");
      vigie::serve::Server* server = s.server.get();
      s.thread = std::thread([server] { (void)server->Run(); });
    }
    std::atexit(StopAll);
    return f;
  }();
  return *fixture;
}

void StopAll() {
  static bool stopped = false;
  if (stopped) return;
  stopped = true;
  Fixture& f = Setup();
  for (Served& s : f.served) {
    s.server->Stop();
    if (s.thread.joinable()) s.thread.join();
    s.server.reset();
  }
  std::error_code ec;
  fs::remove_all(f.dir, ec);
}

// ---- the client side ------------------------------------------------------------------------------------

constexpr int kTimeoutMs = 10000;  // the server's own timeouts are 2 s

// Sends `request`, half-closes, reads until the server closes. Returns false on a hang.
bool Exchange(int port, std::string_view request, std::string* response, bool* sent_all) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  FUZZ_CHECK(fd >= 0, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  FUZZ_CHECK(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "connecting to the server");
  *sent_all = true;
  size_t done = 0;
  while (done < request.size()) {
    const ssize_t n = send(fd, request.data() + done, request.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      *sent_all = false;  // the server answered early and closed (413, 414, ...)
      break;
    }
    done += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  bool closed = false;
  char buf[65536];
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {  // EOF, or a reset after an early answer
      closed = true;
      break;
    }
    response->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return closed;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c))) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses the responses in `bytes`, one after the other; checks their form and status. Returns how many.
size_t CheckResponses(std::string_view bytes) {
  size_t count = 0;
  while (!bytes.empty()) {
    const size_t head_end = bytes.find("\r\n\r\n");
    FUZZ_CHECK(head_end != std::string_view::npos, "a response head ends with an empty line");
    const std::string_view head = bytes.substr(0, head_end);
    bytes.remove_prefix(head_end + 4);
    const size_t line_end = std::min(head.find("\r\n"), head.size());
    const std::string_view status_line = head.substr(0, line_end);
    FUZZ_CHECK(status_line.size() >= 12 && status_line.substr(0, 9) == "HTTP/1.1 " &&
                   std::isdigit(static_cast<unsigned char>(status_line[9])) &&
                   std::isdigit(static_cast<unsigned char>(status_line[10])) &&
                   std::isdigit(static_cast<unsigned char>(status_line[11])) &&
                   (status_line.size() == 12 || status_line[12] == ' '),
               "status line");
    const int status = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
    FUZZ_CHECK(status >= 100 && status < 500, "no 5xx: the server never fails on a client's bytes");
    FUZZ_CHECK(status != 206, "no partial content: Range is never applied");
    long long content_length = -1;
    bool chunked = false;
    std::string_view headers = line_end < head.size() ? head.substr(line_end + 2) : std::string_view();
    while (!headers.empty()) {
      const size_t e = std::min(headers.find("\r\n"), headers.size());
      const std::string_view h = headers.substr(0, e);
      headers.remove_prefix(std::min(e + 2, headers.size()));
      const size_t colon = h.find(':');
      FUZZ_CHECK(colon != std::string_view::npos && IsToken(h.substr(0, colon)), "header line");
      for (char c : h) FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0', "no control bytes in a header");
      const std::string name = Lower(h.substr(0, colon));
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-length") {
        FUZZ_CHECK(
            !value.empty() && value.size() < 12 && value.find_first_not_of("0123456789") == std::string_view::npos,
            "Content-Length is a number");
        content_length = std::atoll(std::string(value).c_str());
      }
      if (name == "transfer-encoding") chunked = Lower(value) == "chunked";
    }
    if (chunked) {
      while (true) {
        const size_t e = bytes.find("\r\n");
        FUZZ_CHECK(e != std::string_view::npos && e > 0 && e <= 16, "chunk size line");
        const std::string size_hex(bytes.substr(0, e));
        FUZZ_CHECK(size_hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos, "chunk size");
        const size_t n = std::strtoull(size_hex.c_str(), nullptr, 16);
        bytes.remove_prefix(e + 2);
        FUZZ_CHECK(bytes.size() >= n + 2 && bytes.substr(n, 2) == "\r\n", "chunk data");
        bytes.remove_prefix(n + 2);
        if (n == 0) break;
      }
    } else if (content_length > 0) {
      const size_t n = static_cast<size_t>(content_length);
      if (bytes.size() >= n && (bytes.size() == n || bytes.substr(n, 9) == "HTTP/1.1 ")) {
        bytes.remove_prefix(n);
      } else {
        // A HEAD response announces a length it does not send: the next response starts right here.
        FUZZ_CHECK(bytes.empty() || bytes.substr(0, 9) == "HTTP/1.1 ",
                   "a body as long as Content-Length (or none, for HEAD)");
      }
    }
    ++count;
  }
  return count;
}

// A request the server must answer: one complete GET or HEAD head with no body announced.
bool MustAnswer(std::string_view request) {
  const size_t head_end = request.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return false;
  const std::string_view head = request.substr(0, head_end + 2);
  const size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  if (!(line.substr(0, 5) == "GET /" || line.substr(0, 6) == "HEAD /")) return false;
  if (line.size() < 10 || line.substr(line.size() - 9) != " HTTP/1.1") return false;
  if (std::count(line.begin(), line.end(), ' ') != 2) return false;
  for (char c : line) {
    if (static_cast<unsigned char>(c) <= 0x20 && c != ' ') return false;
    if (static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  const std::string lower = Lower(head);
  if (lower.find("content-length") != std::string::npos || lower.find("transfer-encoding") != std::string::npos ||
      lower.find("expect") != std::string::npos) {
    return false;
  }
  // Header lines must be "name: value" without stray bytes, or the library may just drop the connection.
  std::string_view headers = head.substr(line_end + 2);
  while (!headers.empty()) {
    const size_t e = headers.find("\r\n");
    const std::string_view h = headers.substr(0, e);
    headers.remove_prefix(e + 2);
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || !IsToken(h.substr(0, colon))) return false;
    for (char c : h) {
      if (c == '\n' || c == '\r' || c == '\0') return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = Setup();
  vigie::fuzz::Cursor in(data, size);
  const int which = in.Byte() % 3;
  const std::string_view request = in.Rest();
  std::string response;
  bool sent_all = false;
  const bool closed = Exchange(f.served[which].server->port(), request, &response, &sent_all);
  FUZZ_CHECK(closed, "the server answers or closes within the timeout");
  const size_t responses = CheckResponses(response);
  if (sent_all && MustAnswer(request)) FUZZ_CHECK(responses >= 1, "a complete GET/HEAD request gets an answer");
  return 0;
}
