// Who the client is, for rate limiting and (optionally) logs: the peer address, or — only when the peer
// is a configured trusted proxy — the nearest untrusted address in X-Forwarded-For.
//
// Thread-safety: TrustedProxies is immutable after Parse.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigie::serve {

class TrustedProxies {
 public:
  // Addresses or CIDR blocks, IPv4 or IPv6 ("10.0.0.0/8", "::1", "2001:db8::/32").
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);
  bool empty() const { return nets_.empty(); }
  bool Contains(std::string_view address) const;

 private:
  struct Net {
    std::array<uint8_t, 16> bytes{};  // IPv4 as ::ffff:a.b.c.d
    int bits = 128;
  };
  std::vector<Net> nets_;
};

// The client address: `peer` unless it is trusted; then X-Forwarded-For is read from the right, skipping
// trusted hops; the first untrusted one is the client (all trusted: the leftmost). A malformed entry stops
// the walk at the last good hop.
// `forwarded_for` is every X-Forwarded-For line joined in order (HttpRequest::HeaderList): a proxy that
// appends its own line must not leave the client's first line to be believed.
std::string ClientAddress(const TrustedProxies& proxies, std::string_view peer, std::string_view forwarded_for);

// The rate-limit bucket of a client address: an IPv4 address as it is (also when IPv4-mapped), an IPv6
// address by its /64 (one customer's whole network, which it can spread requests over at will: "2001:db8:1:2::/64").
// Anything else is its own bucket.
std::string RateBucketOf(std::string_view address);

}  // namespace vigie::serve
