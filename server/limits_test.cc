// Unit tests of the hostile-traffic pieces: rate limiter, API keys, trusted proxies.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "server/api_keys.h"
#include "server/client_address.h"
#include "server/rate_limiter.h"

namespace vigie::serve {
namespace {

using namespace std::chrono_literals;

TEST_CASE("token bucket: burst, refill, Retry-After, clients independent") {
  RateLimiter limiter;
  const RateLimit limit{2, 3};  // 2/s, burst 3
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  int retry = 0;
  for (int i = 0; i < 3; ++i) CHECK(limiter.Allow("a", limit, t0, &retry));
  CHECK_FALSE(limiter.Allow("a", limit, t0, &retry));
  CHECK(retry == 1);
  CHECK(limiter.Allow("b", limit, t0, &retry));                // another client has its own bucket
  CHECK_FALSE(limiter.Allow("a", limit, t0 + 400ms, &retry));  // 0.8 token
  CHECK(limiter.Allow("a", limit, t0 + 500ms, &retry));        // 1.0 token
  CHECK_FALSE(limiter.Allow("a", limit, t0 + 500ms, &retry));
  // Long idle: back to the burst, not more.
  const auto later = t0 + 1h;
  for (int i = 0; i < 3; ++i) CHECK(limiter.Allow("a", limit, later, &retry));
  CHECK_FALSE(limiter.Allow("a", limit, later, &retry));
  // Slow refill: Retry-After rounds up.
  const RateLimit slow{0.1, 1};
  CHECK(limiter.Allow("c", slow, t0, &retry));
  CHECK_FALSE(limiter.Allow("c", slow, t0, &retry));
  CHECK(retry == 10);
  CHECK(limiter.Allow("d", RateLimit{0, 0}, t0, &retry));  // unlimited
}

TEST_CASE("token bucket with a cost: OPRF evaluations are counted per element") {
  RateLimiter limiter;
  const RateLimit limit{0.5, 30};  // 30 a minute, burst 30
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  int retry = 0;
  CHECK(limiter.Allow("a", limit, t0, &retry, 16));
  CHECK(limiter.Allow("a", limit, t0, &retry, 14));
  CHECK_FALSE(limiter.Allow("a", limit, t0, &retry, 1));
  CHECK(retry == 2);                                             // one token in 2 s
  CHECK_FALSE(limiter.Allow("a", limit, t0 + 10s, &retry, 16));  // 5 tokens: none taken
  CHECK(retry == 22);
  CHECK(limiter.Allow("a", limit, t0 + 10s, &retry, 5));
  CHECK_FALSE(limiter.Allow("a", limit, t0 + 10s, &retry, 1));
}

TEST_CASE("rate limiter: past its size the least recently used bucket goes, an active one stays") {
  RateLimiter limiter(1600);  // about 100 buckets per shard
  const RateLimit limit{0.001, 2};
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  int retry = 0;
  CHECK(limiter.Allow("flooder", limit, t0, &retry));
  CHECK(limiter.Allow("flooder", limit, t0, &retry));
  // 20 000 new clients arrive while the flooder keeps asking: its drained bucket is never dropped (the old
  // limiter emptied a full shard, handing it a fresh bucket).
  for (int i = 0; i < 20000; ++i) {
    limiter.Allow("other" + std::to_string(i), limit, t0, &retry);
    CHECK_FALSE(limiter.Allow("flooder", limit, t0, &retry));
  }
  // Once it stops, newer clients push it out: it would start over with a full bucket.
  for (int i = 0; i < 20000; ++i) limiter.Allow("late" + std::to_string(i), limit, t0, &retry);
  CHECK(limiter.Allow("flooder", limit, t0, &retry));
  CHECK(limiter.clients() <= 1600 + 16);
}

TEST_CASE("rate limiter memory stays bounded") {
  RateLimiter limiter(1600);
  const RateLimit limit{10, 10};
  const auto t0 = RateLimiter::Clock::time_point{} + 1h;
  int retry = 0;
  for (int i = 0; i < 20000; ++i) limiter.Allow("client" + std::to_string(i), limit, t0, &retry);
  CHECK(limiter.clients() <= 1600 + 16);
}

TEST_CASE("API keys file: parse, limits, errors never show the key") {
  auto table = ApiKeyTable::Parse(
      "# helpdesk keys\n"
      "helpdesk-0123456789abcdef 600\n"
      "\n"
      "bulk-aaaaaaaaaaaaaaaaaaaaaaaa   # unlimited\r\n"
      "  spaced-key-0000000000000\t30  \n");
  REQUIRE(table.ok());
  CHECK(table->size() == 3);
  const ApiKey* k = table->Find("helpdesk-0123456789abcdef");
  REQUIRE(k);
  CHECK(*k->per_minute == 600);
  // The rate bucket follows the key (a digest prefix), not its line, and never shows the key.
  CHECK(k->id.starts_with("key:"));
  CHECK(k->id.size() == 4 + 16);
  CHECK(k->id.find("helpdesk") == std::string::npos);
  auto moved = ApiKeyTable::Parse("\n\nother-key-00000000000\nhelpdesk-0123456789abcdef 600\n");
  REQUIRE(moved.ok());
  CHECK(moved->Find("helpdesk-0123456789abcdef")->id == k->id);
  CHECK(moved->Find("other-key-00000000000")->id != k->id);
  REQUIRE(table->Find("bulk-aaaaaaaaaaaaaaaaaaaaaaaa"));
  CHECK_FALSE(table->Find("bulk-aaaaaaaaaaaaaaaaaaaaaaaa")->per_minute.has_value());
  CHECK(*table->Find("spaced-key-0000000000000")->per_minute == 30);
  CHECK(*table->Find("spaced-key-0000000000000")->oprf_per_minute == 30);  // defaults to the request figure
  CHECK_FALSE(table->Find("bulk-aaaaaaaaaaaaaaaaaaaaaaaa")->oprf_per_minute.has_value());
  CHECK(table->Find("helpdesk-0123456789abcdeF") == nullptr);
  CHECK(table->Find("") == nullptr);

  struct Bad {
    const char* text;
    const char* reason;
  } bad[] = {
      {"short 10\n", "api-keys.key"},
      {"secret-key-1234567890 ten\n", "api-keys.limit"},
      {"secret-key-1234567890 0\n", "api-keys.limit"},
      {"secret-key-1234567890 10 20 30\n", "api-keys.line"},
      {"secret-key-1234567890 10 0\n", "api-keys.limit"},
      {"secret-key-1234567890 10 x\n", "api-keys.limit"},
      {"secret-key-1234567890\nsecret-key-1234567890 5\n", "api-keys.duplicate"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.text);
    auto r = ApiKeyTable::Parse(b.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == b.reason);
    CHECK(r.status().message().find("secret-key") == std::string::npos);
    CHECK(r.status().message().find("line") != std::string::npos);
  }
}

TEST_CASE("API keys file is re-read on change; a broken file keeps the old keys") {
  const std::string path = "/tmp/vigie-keys-test-" + std::to_string(::getpid());
  std::ofstream(path) << "first-key-000000000000 60\n";
  ApiKeyFile file(path);
  REQUIRE(file.Load().ok());
  CHECK(file.table()->Find("first-key-000000000000"));
  bool reloaded = true;
  CHECK(file.ReloadIfChanged(&reloaded).ok());
  CHECK_FALSE(reloaded);
  std::ofstream(path) << "second-key-00000000000\nthird-key-000000000000 5\n";
  CHECK(file.ReloadIfChanged(&reloaded).ok());
  CHECK(reloaded);
  CHECK_FALSE(file.table()->Find("first-key-000000000000"));
  CHECK(file.table()->Find("second-key-00000000000"));
  std::ofstream(path) << "bad\n";
  CHECK_FALSE(file.ReloadIfChanged(&reloaded).ok());
  CHECK(file.table()->Find("second-key-00000000000"));
  // Deleting the file revokes every key (keeping them would leave a revoked key working).
  std::remove(path.c_str());
  Status deleted = file.ReloadIfChanged(&reloaded);
  CHECK(deleted.reason() == "api-keys.deleted");
  CHECK(deleted.message().find("no API key is accepted") != std::string::npos);
  CHECK(file.table()->size() == 0);
  CHECK_FALSE(file.table()->Find("second-key-00000000000"));
  CHECK(file.ReloadIfChanged(&reloaded).reason() == "api-keys.deleted");  // the same message: logged once
  std::ofstream(path) << "fourth-key-00000000000\n";
  CHECK(file.ReloadIfChanged(&reloaded).ok());
  CHECK(reloaded);
  CHECK(file.table()->Find("fourth-key-00000000000"));
  std::remove(path.c_str());
}

TEST_CASE("client address: X-Forwarded-For only from trusted proxies") {
  auto none = TrustedProxies::Parse({});
  REQUIRE(none.ok());
  CHECK(ClientAddress(*none, "10.0.0.1", "1.2.3.4") == "10.0.0.1");
  auto proxies = TrustedProxies::Parse({"10.0.0.0/8", "::1", "2001:db8::/32"});
  REQUIRE(proxies.ok());
  CHECK(proxies->Contains("10.200.1.1"));
  CHECK_FALSE(proxies->Contains("11.0.0.1"));
  CHECK(proxies->Contains("::1"));
  CHECK(proxies->Contains("2001:db8:1::5"));
  CHECK_FALSE(proxies->Contains("2001:db9::5"));
  CHECK_FALSE(proxies->Contains("garbage"));
  struct Case {
    const char* peer;
    const char* xff;
    const char* client;
  } cases[] = {
      {"10.0.0.1", "", "10.0.0.1"},
      {"10.0.0.1", "1.2.3.4", "1.2.3.4"},
      {"10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"},     // the spoofable left part is ignored
      {"10.0.0.1", "1.2.3.4, 10.0.0.7", "1.2.3.4"},    // trusted hops skipped
      {"10.0.0.1", "10.0.0.9, 10.0.0.7", "10.0.0.9"},  // all trusted: leftmost
      {"10.0.0.1", "1.2.3.4, not-an-ip", "10.0.0.1"},  // malformed: stop at the last good hop
      {"8.8.8.8", "1.2.3.4", "8.8.8.8"},               // untrusted peer: header ignored
      {"::1", "2a01::1", "2a01::1"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.xff);
    CHECK(ClientAddress(*proxies, c.peer, c.xff) == c.client);
  }
  CHECK_FALSE(TrustedProxies::Parse({"10.0.0.0/33"}).ok());
  CHECK_FALSE(TrustedProxies::Parse({"example.com"}).ok());
}

}  // namespace
}  // namespace vigie::serve
