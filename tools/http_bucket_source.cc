#include "tools/http_bucket_source.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

#include "core/oprf_key.h"
#include "core/oprf_wire.h"

namespace vigie::cli {

namespace {

struct Response {
  int status = 0;
  std::string body;
  std::string etag;
};

std::unique_ptr<httplib::Client> MakeClient(const HttpSourceOptions& o) {
  auto cli = std::make_unique<httplib::Client>(o.server);
  cli->set_keep_alive(true);
  cli->set_connection_timeout(o.timeout_s, 0);
  cli->set_read_timeout(o.timeout_s, 0);
  cli->set_write_timeout(o.timeout_s, 0);
  if (!o.api_key.empty()) cli->set_default_headers({{"Authorization", "Bearer " + o.api_key}});
  return cli;
}

// "message [reason]" from a JSON error body, else the status code.
std::string ErrorOf(const Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    std::string s = j["error"].get<std::string>();
    if (j.contains("reason") && j["reason"].is_string()) s += " [" + j["reason"].get<std::string>() + "]";
    return "HTTP " + std::to_string(r.status) + ": " + s;
  }
  return "HTTP " + std::to_string(r.status);
}

// What went wrong with the connection itself, in words an operator can act on.
std::string ConnectionError(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "cannot connect (nothing listens there, the address is unreachable, or it did not answer in time)";
    case httplib::Error::ConnectionTimeout:
      return "connecting timed out";
    case httplib::Error::Read:
      return "the connection broke or timed out while reading the answer";
    case httplib::Error::Write:
      return "the connection broke while sending the request";
    case httplib::Error::SSLConnection:
      return "the TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "the server's TLS certificate did not verify";
    default:
      return "connection error: " + httplib::to_string(error);
  }
}

std::string ReasonOf(const Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("reason") && j["reason"].is_string()) return j["reason"].get<std::string>();
  return "";
}

}  // namespace

// GET (or, with `post_body`, a binary POST) with retries. Returns the final response (any status) or, when
// retries ran out on a retryable failure, an IOError. `stop` (may be null) abandons the waits when another
// thread has failed.
static Status GetWithRetry(httplib::Client& cli, const std::string& path, const HttpSourceOptions& o,
                           const std::atomic<bool>* stop, std::atomic<uint64_t>& requests,
                           std::atomic<uint64_t>& retries, std::atomic<uint64_t>& rate_limited,
                           std::atomic<int>& warnings, Response* out, const std::string* post_body = nullptr,
                           const httplib::Headers& headers = {}) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  int failures = 0, limited = 0;
  for (;;) {
    ++requests;
    auto res = post_body ? cli.Post(path, *post_body, "application/octet-stream") : cli.Get(path, headers);
    std::string why;
    double wait_s = -1;
    if (!res) {
      why = ConnectionError(res.error());
      ++failures;
      if (failures >= o.max_attempts) return Status::IOError(o.server + path + ": " + why);
    } else if (res->status == 429 || res->status >= 500) {
      out->status = res->status;
      out->body = res->body;
      why = ErrorOf(*out);
      if (res->status == 429) {
        ++rate_limited;
        if (++limited >= o.max_rate_limited) return Status::IOError(o.server + path + ": still " + why);
      } else if (++failures >= o.max_attempts) {
        return Status::IOError(o.server + path + ": " + why);
      }
      const std::string ra = res->get_header_value("Retry-After");
      if (!ra.empty() && std::all_of(ra.begin(), ra.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
          ra.size() < 6) {
        wait_s = std::stod(ra);
      }
    } else {
      out->status = res->status;
      out->body = std::move(res->body);
      out->etag = res->get_header_value("ETag");
      return Status::Ok();
    }
    ++retries;
    const int n = failures + limited;
    if (wait_s < 0) {
      // Exponential back-off with "equal jitter", so that connections do not retry in lock step.
      const double base = std::min(o.max_backoff_s, 0.1 * std::pow(2.0, n - 1));
      wait_s = base / 2 + std::uniform_real_distribution<double>(0, base / 2)(rng);
    } else {
      // Retry-After is a floor; a little jitter above it spreads the connections out.
      wait_s += std::uniform_real_distribution<double>(0, 0.25)(rng);
    }
    if (o.warn && warnings.fetch_add(1) < 3) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "; retrying in %.1f s", wait_s);
      o.warn(why + buf);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
    while (std::chrono::steady_clock::now() < until) {
      if (stop && stop->load()) return Status::IOError("abandoned");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// Servers without /v1/index: GET /v1/range/{kind}/00000 gives the suffix length (and confirms 5-digit
// prefixes); a 400 "prefix.length" names the right length, which is probed next. The scheme is inferred.
static Result<RemoteIndexInfo> ProbeLayout(Kind kind, const std::string& server,
                                           const std::function<Status(const std::string&)>& get, Response& r) {
  RemoteIndexInfo info;
  int prefix_hex = 5;
  for (int attempt = 0; attempt < 2; ++attempt) {
    VIGIE_RETURN_IF_ERROR(
        get("/v1/range/" + std::string(KindName(kind)) + "/" + std::string(static_cast<size_t>(prefix_hex), '0')));
    if (r.status == 200) {
      RangeResponse body;
      VIGIE_RETURN_IF_ERROR(DecodeRangeJson(r.body, &body).WithContext(server));
      info.layout.prefix_hex = static_cast<int>(body.prefix.size());
      info.layout.suffix_hex = body.suffix_hex;
      if (kind != Kind::kPassword) {
        info.scheme = SchemeId::kSha256;  // the only unkeyed scheme for identifiers
      } else {
        info.scheme = SchemeId::kSha1;
      }
      return info;
    }
    const std::string reason = ReasonOf(r);
    if (r.status == 401) return Status::FailedPrecondition(server + ": " + ErrorOf(r), "auth.key");
    if (r.status == 400 && reason == "range.kind") {
      return Status::InvalidArgument(
          "index.kind", "the server's index does not hold identifiers of kind " + std::string(KindName(kind)));
    }
    if (r.status == 400 && reason == "prefix.length") {
      // "the prefix must be exactly N hexadecimal digits for this index"
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      const std::string msg = j.is_object() && j["error"].is_string() ? j["error"].get<std::string>() : "";
      const size_t at = msg.find("exactly ");
      const int n = at == std::string::npos ? 0 : std::atoi(msg.c_str() + at + 8);
      if (n >= 1 && n <= 8 && n != prefix_hex) {
        prefix_hex = n;
        continue;
      }
    }
    return Status::FailedPrecondition(server + " is not a Vigie range API: " + ErrorOf(r), "remote.protocol");
  }
  return Status::FailedPrecondition(server + ": could not work out the prefix length", "remote.protocol");
}

Result<HttpBody> HttpBucketSource::GetBody(const std::string& path, const std::string& if_none_match) {
  auto cli = MakeClient(options_);
  if (!cli->is_valid()) return Status::InvalidArgument("remote.url", "cannot use server URL '" + options_.server + "'");
  Response r;
  httplib::Headers headers;
  if (!if_none_match.empty()) headers.emplace("If-None-Match", if_none_match);
  VIGIE_RETURN_IF_ERROR(
      GetWithRetry(*cli, path, options_, nullptr, requests_, retries_, rate_limited_, warnings_, &r, nullptr, headers));
  if (r.status != 200 && r.status != 304) {
    return Status(r.status == 400 || r.status == 404 ? Code::kInvalidArgument : Code::kFailedPrecondition,
                  r.status == 401 ? "auth.key" : "remote.protocol", options_.server + path + ": " + ErrorOf(r));
  }
  return HttpBody{r.status, std::move(r.body), std::move(r.etag)};
}

Result<RemoteIndexInfo> HttpBucketSource::Describe(Kind kind) {
  auto cli = MakeClient(options_);
  if (!cli->is_valid()) {
    return Status::InvalidArgument(
        "remote.url", "cannot use server URL '" + options_.server + "' (give http://host:port or https://host)");
  }
  RemoteIndexInfo info;
  Response r;
  // The first contact: a server that cannot be reached at all is reported at once (a bulk run retries later
  // failures patiently, not this one).
  HttpSourceOptions first_contact = options_;
  first_contact.max_attempts = std::min(2, options_.max_attempts);
  auto get = [&](const std::string& path) {
    return GetWithRetry(*cli, path, first_contact, nullptr, requests_, retries_, rate_limited_, warnings_, &r);
  };
  // 1. An info route, when the server has one.
  VIGIE_RETURN_IF_ERROR(get("/v1/index"));
  if (r.status == 200) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("prefix_hex") && j["prefix_hex"].is_number_integer() && j.contains("suffix_hex") &&
        j["suffix_hex"].is_number_integer()) {
      info.layout.prefix_hex = j["prefix_hex"].get<int>();
      info.layout.suffix_hex = j["suffix_hex"].get<int>();
      if (j.contains("scheme") && j["scheme"].is_string()) {
        if (auto id = ParseSchemeName(j["scheme"].get<std::string>())) {
          info.scheme = *id;
          info.scheme_known = true;
        }
      }
      if (j.contains("oprf") && j["oprf"].is_object() && j["oprf"].contains("fingerprint") &&
          j["oprf"]["fingerprint"].is_string()) {
        info.oprf_fingerprint = j["oprf"]["fingerprint"].get<std::string>();
      }
      if (j.contains("kinds") && j["kinds"].is_array()) {
        bool served = false;
        for (const auto& k : j["kinds"]) served |= k.is_string() && k.get<std::string>() == KindName(kind);
        if (!served) {
          return Status::InvalidArgument(
              "index.kind", "the server's index does not hold identifiers of kind " + std::string(KindName(kind)));
        }
      }
      info_ = info;
      if (info.scheme_known && info.scheme == SchemeId::kOprfP256) {
        VIGIE_RETURN_IF_ERROR(DescribeOprf());
      } else if (!options_.verify_fingerprint.empty()) {
        return Status::FailedPrecondition(
            "--verify-key: the server's index is " + std::string(SchemeName(info.scheme)) + ", not oprf-p256",
            "oprf.key-mismatch");
      }
      return info;
    }
  } else if (r.status == 401) {
    return Status::FailedPrecondition(options_.server + ": " + ErrorOf(r), "auth.key");
  }
  // 2. No such route: probe the range route.
  auto probed = ProbeLayout(kind, options_.server, get, r);
  if (probed.ok()) info_ = *probed;
  return probed;
}

// GET /v1/oprf/key: the batch size this client may use and, with verify_fingerprint, the key check.
Status HttpBucketSource::DescribeOprf() {
  auto cli = MakeClient(options_);
  Response r;
  VIGIE_RETURN_IF_ERROR(
      GetWithRetry(*cli, "/v1/oprf/key", options_, nullptr, requests_, retries_, rate_limited_, warnings_, &r));
  if (r.status != 200) {
    return Status::FailedPrecondition(options_.server + "/v1/oprf/key: " + ErrorOf(r), "remote.protocol");
  }
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("public_key") || !j["public_key"].is_string() || !j.contains("fingerprint") ||
      !j["fingerprint"].is_string()) {
    return Status::FailedPrecondition(options_.server + "/v1/oprf/key: not an OPRF key description", "remote.protocol");
  }
  const char* batch_member = options_.api_key.empty() ? "max_batch_anonymous" : "max_batch";
  size_t server_batch = 16;
  if (j.contains(batch_member) && j[batch_member].is_number_unsigned()) server_batch = j[batch_member].get<size_t>();
  oprf_batch_ = std::clamp<size_t>(std::min(options_.oprf_batch, server_batch), 1, oprf::kMaxWireBatch);
  if (options_.verify_fingerprint.empty()) return Status::Ok();
  // The public key must hash to the fingerprint the user trusts, and the index must say the same.
  const std::string hex = j["public_key"].get<std::string>();
  std::vector<uint8_t> bytes(oprf::kElementBytes);
  if (hex.size() != 2 * oprf::kElementBytes || !HexDecode(hex, bytes.data()) ||
      !oprf::ParseElement(bytes, &oprf_public_key_).ok()) {
    return Status::FailedPrecondition(options_.server + "/v1/oprf/key: the public key is not a P-256 point",
                                      "oprf.key-mismatch");
  }
  const std::string fingerprint = oprf::PublicKeyFingerprint(oprf_public_key_);
  if (fingerprint != options_.verify_fingerprint || info_.oprf_fingerprint != fingerprint) {
    return Status::FailedPrecondition("--verify-key: the server's OPRF key has fingerprint " + fingerprint +
                                          " (its index reports " + info_.oprf_fingerprint + "), not " +
                                          options_.verify_fingerprint + "; nothing was sent",
                                      "oprf.key-mismatch");
  }
  return Status::Ok();
}

Status HttpBucketSource::Evaluate(Kind kind, std::span<const oprf::Element> blinded,
                                  std::span<oprf::Element> evaluated) {
  if (blinded.empty()) return Status::Ok();
  if (oprf_batch_ == 0) VIGIE_RETURN_IF_ERROR(DescribeOprf());
  const bool verify = !options_.verify_fingerprint.empty();
  const std::string path = "/v1/oprf/" + std::string(KindName(kind)) + "/evaluate" + (verify ? "?verifiable=1" : "");
  // Batches as [begin, end) ranges; a batch the server finds too large is split in two and requeued.
  std::mutex mu;
  std::vector<std::pair<size_t, size_t>> queue;
  for (size_t b = 0; b < blinded.size(); b += oprf_batch_) {
    queue.emplace_back(b, std::min(blinded.size(), b + oprf_batch_));
  }
  std::reverse(queue.begin(), queue.end());
  size_t in_flight = 0;
  std::atomic<bool> stop{false};
  Status first_error;
  const int threads = std::max(1, std::min<int>(options_.connections, static_cast<int>(queue.size())));
  auto fail = [&](Status s) {
    std::lock_guard lock(mu);
    if (first_error.ok()) first_error = std::move(s);
    stop = true;
  };
  auto worker = [&] {
    auto cli = MakeClient(options_);
    Response r;
    oprf::EvaluationResponse decoded;
    for (;;) {
      std::pair<size_t, size_t> batch;
      {
        std::unique_lock lock(mu);
        if (stop || (queue.empty() && in_flight == 0)) return;
        if (queue.empty()) {  // another worker may still split a batch
          lock.unlock();
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        batch = queue.back();
        queue.pop_back();
        ++in_flight;
      }
      auto done = [&] {
        std::lock_guard lock(mu);
        --in_flight;
      };
      const auto elements = blinded.subspan(batch.first, batch.second - batch.first);
      const std::string body = oprf::EncodeEvaluationRequest(elements);
      Status s = GetWithRetry(*cli, path, options_, &stop, requests_, retries_, rate_limited_, warnings_, &r, &body);
      if (s.ok() && r.status == 400 && ReasonOf(r) == "oprf.batch" && elements.size() > 1) {
        const size_t mid = batch.first + elements.size() / 2;
        std::lock_guard lock(mu);
        queue.emplace_back(mid, batch.second);
        queue.emplace_back(batch.first, mid);
        --in_flight;
        continue;
      }
      if (s.ok() && r.status != 200) {
        s = Status::FailedPrecondition(options_.server + path + ": " + ErrorOf(r),
                                       r.status == 401 ? "auth.key" : "remote.status");
      }
      if (s.ok()) s = oprf::DecodeEvaluationResponse(r.body, &decoded).WithContext(options_.server + path);
      if (s.ok() && decoded.evaluated.size() != elements.size()) {
        s = Status(Code::kCorruption, "oprf.wire", options_.server + path + ": the answer has another count");
      }
      if (s.ok() && verify) {
        s = decoded.proof ? oprf::VerifyProof(oprf_public_key_, elements, decoded.evaluated, *decoded.proof)
                          : Status::InvalidArgument("oprf.proof", "the server sent no proof");
        if (!s.ok()) {
          s = Status::FailedPrecondition(options_.server + path + ": the evaluation proof does not verify for key " +
                                             options_.verify_fingerprint + " (" + s.message() + ")",
                                         "oprf.proof");
        }
      }
      if (s.ok()) {
        std::copy(decoded.evaluated.begin(), decoded.evaluated.end(), evaluated.begin() + batch.first);
        evaluations_ += elements.size();
      }
      done();
      if (!s.ok()) fail(s);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return first_error;
}

Status HttpBucketSource::Fetch(Kind kind, std::span<const uint32_t> prefixes, const OnBucket& on_bucket) {
  if (prefixes.empty()) return Status::Ok();
  const int threads = std::max(1, std::min<int>(options_.connections, static_cast<int>(prefixes.size())));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status first_error;
  const std::string base = "/v1/range/" + std::string(KindName(kind)) + "/";
  auto worker = [&] {
    auto cli = MakeClient(options_);
    Response r;
    RangeResponse bucket;
    std::string path;
    for (size_t i; !stop.load() && (i = next.fetch_add(1)) < prefixes.size();) {
      const std::string prefix = info_.layout.PrefixHex(prefixes[i]);
      path = base + prefix;
      Status s = GetWithRetry(*cli, path, options_, &stop, requests_, retries_, rate_limited_, warnings_, &r);
      if (s.ok() && r.status != 200) {
        s = Status::FailedPrecondition(options_.server + path + ": " + ErrorOf(r),
                                       r.status == 401 ? "auth.key" : "remote.status");
      }
      if (s.ok()) s = DecodeRangeJson(r.body, &bucket).WithContext(options_.server + path);
      if (s.ok() && bucket.prefix != prefix) {
        s = Status(Code::kCorruption, "range.body", options_.server + path + ": the answer is for another prefix");
      }
      if (s.ok()) s = on_bucket(i, bucket);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = s;
        stop = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace vigie::cli
