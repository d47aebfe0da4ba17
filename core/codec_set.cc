#include "core/codec_set.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/codec.h"

namespace vigie {

namespace {

constexpr char kMagic[4] = {'V', 'G', 'S', '1'};

void PutU32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
void PutU64(std::string* out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
uint32_t GetU32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(in[at + i]);
  return v;
}
uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(in[at + i]);
  return v;
}
void SetU32(std::string* out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*out)[at + static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
}

uint32_t Crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  // The low `n` bits of `bits`, most significant first (n <= 64).
  void Put(uint64_t bits, int n) {
    for (int i = n - 1; i >= 0; --i) PutBit((bits >> i) & 1);
  }
  void PutOnes(uint64_t n) {
    for (; n > 0 && used_ != 0; --n) PutBit(1);
    for (; n >= 8; n -= 8) out_->push_back(static_cast<char>(0xff));
    for (; n > 0; --n) PutBit(1);
  }
  void Flush() {
    if (used_ != 0) out_->push_back(static_cast<char>(acc_ << (8 - used_)));
    acc_ = 0;
    used_ = 0;
  }

 private:
  void PutBit(uint64_t bit) {
    acc_ = static_cast<uint8_t>(acc_ << 1 | bit);
    if (++used_ == 8) {
      out_->push_back(static_cast<char>(acc_));
      acc_ = 0;
      used_ = 0;
    }
  }
  std::string* out_;
  uint8_t acc_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view in) : in_(in) {}
  bool Get(int n, uint64_t* value) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= in_.size() * 8) return false;
      v = v << 1 | Bit();
    }
    *value = v;
    return true;
  }
  // Counts one-bits up to the next zero-bit (consumed); false past the end or beyond `limit` ones.
  bool Ones(uint64_t limit, uint64_t* count) {
    uint64_t n = 0;
    for (;;) {
      if (pos_ >= in_.size() * 8) return false;
      // Whole 0xff bytes at a time when aligned.
      if ((pos_ & 7) == 0 && static_cast<uint8_t>(in_[pos_ >> 3]) == 0xff) {
        n += 8;
        pos_ += 8;
      } else if (Bit() == 1) {
        ++n;
      } else {
        break;
      }
      if (n > limit) return false;
    }
    *count = n;
    return true;
  }
  size_t bit_pos() const { return pos_; }

 private:
  uint64_t Bit() {
    const uint64_t b = (static_cast<uint8_t>(in_[pos_ >> 3]) >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return b;
  }
  std::string_view in_;
  size_t pos_ = 0;
};

void PutExpGolomb(BitWriter& w, uint32_t x) {
  const uint64_t v = uint64_t{x} + 1;
  const int bits = std::bit_width(v);
  w.Put(0, bits - 1);
  w.Put(v, bits);
}

bool GetExpGolomb(BitReader& r, uint32_t* x) {
  int zeros = 0;
  uint64_t bit = 0;
  for (;;) {
    if (!r.Get(1, &bit)) return false;
    if (bit == 1) break;
    if (++zeros > 32) return false;
  }
  uint64_t rest = 0;
  if (!r.Get(zeros, &rest)) return false;
  const uint64_t v = (uint64_t{1} << zeros | rest) - 1;
  if (v > UINT32_MAX) return false;
  *x = static_cast<uint32_t>(v);
  return true;
}

uint64_t Gap(const std::vector<uint64_t>& values, size_t i) {
  return i == 0 ? values[0] : values[i] - values[i - 1] - 1;
}

// The Rice parameter with the fewest bits: the cost falls then rises in k, so the neighbours of the
// estimate from the mean gap are enough.
int BestRiceParameter(const std::vector<uint64_t>& values, int value_bits) {
  if (values.empty()) return 0;
  const double mean = (static_cast<double>(values.back()) + 1) / static_cast<double>(values.size());
  const int estimate =
      std::clamp(static_cast<int>(std::floor(std::log2(std::max(1.0, mean * 0.69314718)))), 0, std::max(0, value_bits));
  int best = estimate;
  double best_cost = HUGE_VAL;  // bits; a double sums 2^32 entries of up to 2^64 without overflowing
  for (int k = std::max(0, estimate - 2); k <= std::min(std::min(value_bits, 63), estimate + 2); ++k) {
    double cost = 0;
    for (size_t i = 0; i < values.size(); ++i) cost += static_cast<double>(Gap(values, i) >> k) + 1 + k;
    if (cost < best_cost) {
      best_cost = cost;
      best = k;
    }
  }
  return best;
}

Status Bad(const std::string& what) { return Status(Code::kCorruption, "set.body", "set shard: " + what); }

// The breach combinations at the front of *rest (a count, then each: members, first position, differences).
Status DecodeCombos(std::string_view* rest, uint32_t breach_count, std::vector<std::vector<uint32_t>>* out) {
  uint64_t combos = 0;
  if (!GetVarint(rest, &combos) || combos > rest->size() + 1) return Bad("bad combination count");
  out->resize(combos);
  for (auto& combo : *out) {
    uint64_t members = 0;
    if (!GetVarint(rest, &members) || members > rest->size()) return Bad("bad combination");
    uint64_t position = 0;
    for (uint64_t i = 0; i < members; ++i) {
      uint64_t delta = 0;
      if (!GetVarint(rest, &delta) || (i > 0 && delta == 0)) return Bad("bad combination member");
      position += delta;
      if (position >= breach_count) return Bad("breach position out of range");
      combo.push_back(static_cast<uint32_t>(position));
    }
  }
  return Status::Ok();
}

}  // namespace

uint64_t SetTagBits(const uint8_t* tag, size_t tag_bytes, int tag_bits) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | (i < tag_bytes ? tag[i] : 0);
  return tag_bits >= 64 ? v : v >> (64 - tag_bits);
}

int SetTagBitsFor(uint64_t count, int shard_bits, int available_bits) {
  const int log2_count = count <= 1 ? 0 : std::bit_width(count - 1);
  const int wanted = std::max(log2_count + 20, shard_bits + 1);
  return std::min({wanted, available_bits, kMaxSetTagBits});
}

void EncodeSetShard(const SetShard& shard, size_t pad_to, std::string* out) {
  const size_t start = out->size();
  const int value_bits = shard.tag_bits - shard.shard_bits;
  const int k = BestRiceParameter(shard.values, value_bits);
  const bool coded = shard.combos.size() > 1;
  out->append(kMagic, 4);
  out->push_back(static_cast<char>(kSetFormatVersion));
  out->push_back(static_cast<char>(static_cast<uint8_t>(shard.kind)));
  out->push_back(static_cast<char>(shard.shard_bits));
  out->push_back(static_cast<char>(shard.tag_bits));
  PutU64(out, shard.generation);
  PutU32(out, shard.shard);
  PutU32(out, static_cast<uint32_t>(shard.values.size()));
  PutU32(out, 0);  // payload bytes, set below
  PutU32(out, 0);  // body bytes, set below
  out->push_back(static_cast<char>(k));
  out->push_back(static_cast<char>(coded ? 1 : 0));
  PutVarint(out, shard.combos.size());
  for (const auto& combo : shard.combos) {
    PutVarint(out, combo.size());
    uint32_t previous = 0;
    for (size_t i = 0; i < combo.size(); ++i) {
      PutVarint(out, i == 0 ? combo[i] : combo[i] - previous);
      previous = combo[i];
    }
  }
  BitWriter bits(out);
  for (size_t i = 0; i < shard.values.size(); ++i) {
    const uint64_t gap = Gap(shard.values, i);
    bits.PutOnes(gap >> k);
    bits.Put(0, 1);
    bits.Put(gap, k);
    if (coded) PutExpGolomb(bits, shard.ComboOf(i));
  }
  bits.Flush();
  const size_t payload = out->size() - start;
  const size_t body = std::max(payload + 4, pad_to);
  SetU32(out, start + 24, static_cast<uint32_t>(payload));
  SetU32(out, start + 28, static_cast<uint32_t>(body));
  PutU32(out, Crc32(std::string_view(*out).substr(start, payload)));
  out->resize(start + body, '\0');
}

void PadSetShard(std::string_view body, size_t pad_to, std::string* out) {
  const size_t start = out->size();
  const uint32_t payload = GetU32(body, 24);
  out->append(body.substr(0, payload));
  const size_t total = std::max<size_t>(pad_to, payload + 4);
  SetU32(out, start + 28, static_cast<uint32_t>(total));
  PutU32(out, Crc32(std::string_view(*out).substr(start, payload)));
  out->resize(start + total, '\0');
}

Status DecodeSetShard(std::string_view body, uint32_t breach_count, SetShard* out, size_t* consumed) {
  if (body.size() < kSetHeaderBytes) return Bad("truncated header");
  if (body.substr(0, 4) != std::string_view(kMagic, 4)) return Bad("not a set shard (magic)");
  if (static_cast<uint8_t>(body[4]) != kSetFormatVersion) return Bad("unsupported format version");
  auto kind = KindFromByte(static_cast<uint8_t>(body[5]));
  if (!kind) return Bad("unknown kind");
  SetShard s;
  s.kind = *kind;
  s.shard_bits = static_cast<uint8_t>(body[6]);
  s.tag_bits = static_cast<uint8_t>(body[7]);
  if (s.shard_bits > kMaxShardBits || s.tag_bits > kMaxSetTagBits || s.tag_bits <= s.shard_bits) {
    return Bad("impossible geometry");
  }
  s.generation = GetU64(body, 8);
  s.shard = GetU32(body, 16);
  const uint32_t count = GetU32(body, 20);
  const uint32_t payload = GetU32(body, 24);
  const uint32_t total = GetU32(body, 28);
  const int k = static_cast<uint8_t>(body[32]);
  const uint8_t coding = static_cast<uint8_t>(body[33]);
  if (s.shard >= (uint32_t{1} << s.shard_bits)) return Bad("shard number out of range");
  if (payload < kSetHeaderBytes || uint64_t{payload} + 4 > total) return Bad("impossible lengths");
  if (body.size() < total) return Bad("truncated body");
  if (Crc32(body.substr(0, payload)) != GetU32(body, payload)) return Bad("checksum mismatch");
  const int value_bits = s.tag_bits - s.shard_bits;
  if (k > 63 || k > value_bits || coding > 1) return Bad("bad coding parameters");
  std::string_view rest = body.substr(kSetHeaderBytes, payload - kSetHeaderBytes);
  VIGIE_RETURN_IF_ERROR(DecodeCombos(&rest, breach_count, &s.combos));
  const uint64_t combos = s.combos.size();
  if (count > 0 && combos == 0) return Bad("entries without a combination");
  if ((coding == 1) != (combos > 1)) return Bad("breach coding does not match the combinations");
  // Each entry takes at least one bit: a count the bit stream cannot hold is refused before allocating.
  if (uint64_t{count} > uint64_t{rest.size()} * 8) return Bad("more entries than bits");
  BitReader bits(rest);
  s.values.resize(count);
  if (coding == 1) s.combo_of.resize(count);
  const uint64_t limit = value_bits >= 64 ? UINT64_MAX : uint64_t{1} << value_bits;
  uint64_t previous = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t q = 0, low = 0;
    // q << k must stay below 2^value_bits.
    if (!bits.Ones(k >= value_bits ? 0 : (limit - 1) >> k, &q) || !bits.Get(k, &low)) return Bad("truncated entries");
    const uint64_t gap = q << k | low;
    uint64_t value = 0;
    if (i == 0) {
      value = gap;
    } else if (__builtin_add_overflow(previous, gap, &value) || __builtin_add_overflow(value, 1, &value)) {
      return Bad("value overflow");
    }
    if (value_bits < 64 && value >= limit) return Bad("value out of range");
    s.values[i] = previous = value;
    if (coding == 1) {
      uint32_t combo = 0;
      if (!GetExpGolomb(bits, &combo) || combo >= combos) return Bad("bad combination index");
      s.combo_of[i] = combo;
    }
  }
  if ((bits.bit_pos() + 7) / 8 != rest.size()) return Bad("trailing bytes in the payload");
  // The bits after the last entry and the padding after the CRC are zero: nothing else may hide there.
  uint64_t tail = 0;
  if (!bits.Get(static_cast<int>(rest.size() * 8 - bits.bit_pos()), &tail) || tail != 0) {
    return Bad("non-zero bits after the last entry");
  }
  for (size_t i = payload + 4; i < total; ++i) {
    if (body[i] != 0) return Bad("non-zero padding");
  }
  *out = std::move(s);
  *consumed = total;
  return Status::Ok();
}

int64_t FindInSetShard(const SetShard& shard, uint64_t value) {
  auto it = std::lower_bound(shard.values.begin(), shard.values.end(), value);
  if (it == shard.values.end() || *it != value) return -1;
  return it - shard.values.begin();
}

std::string EncodeSetManifestJson(const SetManifest& m) {
  nlohmann::ordered_json shards = nlohmann::ordered_json::array();
  for (const auto& s : m.shards) shards.push_back({{"count", s.count}, {"bytes", s.bytes}, {"etag", s.etag}});
  nlohmann::ordered_json j = {
      {"v", 1},
      {"kind", std::string(KindName(m.kind))},
      {"scheme", m.scheme},
      {"generation", m.generation},
      {"shard_bits", m.shard_bits},
      {"tag_bits", m.tag_bits},
      {"count", m.count},
      {"breaches", m.breaches},
      {"coding",
       {{"format", "vigie-set-1"}, {"gaps", "golomb-rice"}, {"breaches", "exp-golomb-0"}, {"checksum", "crc32"}}},
      {"padded", m.padded},
      {"shards", shards}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status DecodeSetManifestJson(std::string_view text, SetManifest* out) {
  auto bad = [](const std::string& what) { return Status(Code::kCorruption, "set.manifest", "set manifest: " + what); };
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("v") || j["v"] != 1) return bad("not a version 1 manifest");
  try {
    SetManifest m;
    auto kind = ParseKind(j.at("kind").get<std::string>());
    if (!kind) return bad("unknown kind");
    m.kind = *kind;
    m.scheme = j.at("scheme").get<std::string>();
    m.generation = j.at("generation").get<uint64_t>();
    m.shard_bits = j.at("shard_bits").get<int>();
    m.tag_bits = j.at("tag_bits").get<int>();
    m.count = j.at("count").get<uint64_t>();
    m.breaches = j.at("breaches").get<std::vector<std::string>>();
    m.padded = j.at("padded").get<bool>();
    if (m.shard_bits < 0 || m.shard_bits > kMaxShardBits || m.tag_bits <= m.shard_bits || m.tag_bits > kMaxSetTagBits) {
      return bad("impossible geometry");
    }
    const auto& shards = j.at("shards");
    if (!shards.is_array() || shards.size() != (size_t{1} << m.shard_bits)) return bad("wrong number of shards");
    for (const auto& s : shards) {
      m.shards.push_back(
          {s.at("count").get<uint32_t>(), s.at("bytes").get<uint64_t>(), s.at("etag").get<std::string>()});
    }
    *out = std::move(m);
    return Status::Ok();
  } catch (const nlohmann::json::exception&) {
    return bad("a member is missing or has the wrong type");
  }
}

}  // namespace vigie
