// Identifier kinds (PRODUCT.md §2). The numeric values are stored on disk (bucket keys): never renumber.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigie {

enum class Kind : uint8_t {
  kNir = 1,
  kEmail = 2,
  kPhone = 3,
  kPassword = 4,
};

inline constexpr std::array<Kind, 4> kAllKinds = {Kind::kNir, Kind::kEmail, Kind::kPhone, Kind::kPassword};

// "nir", "email", "phone", "password".
std::string_view KindName(Kind kind);
// Inverse of KindName (exact, lower case); nullopt for anything else.
std::optional<Kind> ParseKind(std::string_view name);
// Kind from its on-disk byte; nullopt when the byte names no kind.
std::optional<Kind> KindFromByte(uint8_t byte);

}  // namespace vigie
