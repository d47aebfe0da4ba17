// vigie_fuzz_replay NAME PATH...: runs fuzz target NAME (tests/fuzz/fuzz_NAME.cc, linked in with its entry
// point renamed VigieFuzz_NAME) once on every file under each PATH (a file or a directory; dot files such
// as .gitkeep are skipped), the way libFuzzer replays a corpus. A failed invariant aborts (FUZZ_CHECK), so
// CTest reports the input; the file being run is printed first. Exit status 2 for a bad command line, a
// missing PATH or an empty corpus (a replay that runs nothing proves nothing).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#define VIGIE_FUZZ_TARGET(name) extern "C" int VigieFuzz_##name(const uint8_t* data, size_t size);
#include "fuzz_targets.inc"
#undef VIGIE_FUZZ_TARGET

namespace {

namespace fs = std::filesystem;

struct Target {
  std::string_view name;
  int (*run)(const uint8_t*, size_t);
};

constexpr Target kTargets[] = {
#define VIGIE_FUZZ_TARGET(name) {#name, VigieFuzz_##name},
#include "fuzz_targets.inc"
#undef VIGIE_FUZZ_TARGET
};

}  // namespace

int main(int argc, char** argv) {
  const Target* target = nullptr;
  if (argc >= 2) {
    for (const Target& t : kTargets) {
      if (t.name == argv[1]) target = &t;
    }
  }
  if (target == nullptr || argc < 3) {
    std::fprintf(stderr, "usage: vigie_fuzz_replay NAME PATH...\ntargets:");
    for (const Target& t : kTargets) std::fprintf(stderr, " %.*s", static_cast<int>(t.name.size()), t.name.data());
    std::fprintf(stderr, "\n");
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    const fs::path path = argv[i];
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
      }
    } else {
      std::fprintf(stderr, "vigie_fuzz_replay: %s: no such file or directory\n", path.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "vigie_fuzz_replay: no input to replay\n");
    return 2;
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "vigie_fuzz_replay: cannot read %s\n", file.c_str());
      return 2;
    }
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", file.c_str(), bytes.size());
    target->run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("vigie_fuzz_replay %.*s: %zu inputs, no invariant failed\n", static_cast<int>(target->name.size()),
              target->name.data(), files.size());
  return 0;
}
