// OpenIndexScheme: the tag Scheme an index was created with, ready to use.
//
// Unkeyed schemes (sha256, sha1, ntlm) come from their id. oprf-p256 needs the server key: from
// `key_path` when given, else from the path recorded when the index was created; the key's public half
// must equal the one recorded in the index, so a wrong key is refused before it tags anything (tags made
// with another key would silently never match).
#pragma once

#include <memory>
#include <string>

#include "core/codec.h"
#include "core/scheme.h"
#include "core/status.h"

namespace vigie {

Result<std::unique_ptr<Scheme>> OpenIndexScheme(const IndexMeta& meta, const std::string& key_path = "");

}  // namespace vigie
