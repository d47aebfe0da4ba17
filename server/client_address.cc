#include "server/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace vigie::serve {

namespace {

// Parses an IPv4 or IPv6 address into 16 bytes (IPv4-mapped for IPv4).
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>* out) {
  std::string s(text);
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out->fill(0);
    (*out)[10] = 0xff;
    (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &v4, 4);
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies p;
  for (const std::string& entry : entries) {
    Net net;
    std::string_view text = entry;
    const size_t slash = text.find('/');
    if (!ParseAddress(text.substr(0, slash), &net.bytes)) {
      return Status::InvalidArgument("proxy.address", "--trusted-proxy: '" + entry + "' is not an IP address");
    }
    const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    net.bits = 128;
    if (slash != std::string_view::npos) {
      std::string_view bits = text.substr(slash + 1);
      int b = -1;
      auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), b);
      if (ec != std::errc() || ptr != bits.data() + bits.size() || b < 0 || b > (v4 ? 32 : 128)) {
        return Status::InvalidArgument("proxy.prefix", "--trusted-proxy: bad prefix length in '" + entry + "'");
      }
      net.bits = v4 ? 96 + b : b;
    }
    p.nets_.push_back(net);
  }
  return p;
}

bool TrustedProxies::Contains(std::string_view address) const {
  std::array<uint8_t, 16> a;
  if (nets_.empty() || !ParseAddress(Trim(address), &a)) return false;
  for (const Net& net : nets_) {
    int bits = net.bits;
    bool match = true;
    for (size_t i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      match = (a[i] & mask) == (net.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string ClientAddress(const TrustedProxies& proxies, std::string_view peer, std::string_view forwarded_for) {
  if (forwarded_for.empty() || !proxies.Contains(peer)) return std::string(peer);
  std::string_view client = peer;
  while (!forwarded_for.empty()) {
    const size_t comma = forwarded_for.rfind(',');
    std::string_view hop = Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    std::array<uint8_t, 16> ignored;
    if (!ParseAddress(hop, &ignored)) break;
    client = hop;
    if (!proxies.Contains(hop)) break;
  }
  return std::string(client);
}

std::string RateBucketOf(std::string_view address) {
  std::array<uint8_t, 16> a;
  if (address.find(':') == std::string_view::npos || !ParseAddress(Trim(address), &a)) return std::string(address);
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.data(), kMapped, 12) == 0) {
    char v4[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, a.data() + 12, v4, sizeof v4);
    return v4;
  }
  std::fill(a.begin() + 8, a.end(), uint8_t{0});
  char v6[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a.data(), v6, sizeof v6);
  return std::string(v6) + "/64";
}

}  // namespace vigie::serve
