#include "core/kind.h"

namespace vigie {

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNir:
      return "nir";
    case Kind::kEmail:
      return "email";
    case Kind::kPhone:
      return "phone";
    case Kind::kPassword:
      return "password";
  }
  return "unknown";
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind k : kAllKinds) {
    if (KindName(k) == name) return k;
  }
  return std::nullopt;
}

std::optional<Kind> KindFromByte(uint8_t byte) {
  for (Kind k : kAllKinds) {
    if (static_cast<uint8_t>(k) == byte) return k;
  }
  return std::nullopt;
}

}  // namespace vigie
