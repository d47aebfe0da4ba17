// Reader for the "key = value" test-vector files in tests/vectors/ (rfc9380-p256.txt, rfc9497-p256.txt,
// set-shards.txt).
//
// Lines "key = value" (value may be empty) become fields; '#' lines and blank lines are skipped. A new
// record starts at each occurrence of `record_key`; fields seen before the first record are globals, and
// a global seen between records (e.g. a second section's DST) updates the globals the following records
// see. Header-only, for tests.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace vigie::testing {

struct KvRecord {
  std::map<std::string, std::string> fields;   // this record's own fields
  std::map<std::string, std::string> globals;  // the globals in force when the record started
  int line = 0;
  bool Has(const std::string& k) const { return fields.count(k) != 0; }
  const std::string& Get(const std::string& k) const {
    static const std::string kEmpty;
    auto it = fields.find(k);
    if (it != fields.end()) return it->second;
    auto g = globals.find(k);
    return g == globals.end() ? kEmpty : g->second;
  }
};

// `section_keys` are keys that always update the globals (never belong to a record).
inline std::vector<KvRecord> ReadKvVectors(const std::string& path, const std::string& record_key,
                                           const std::vector<std::string>& section_keys, std::string* error) {
  std::vector<KvRecord> out;
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return out;
  }
  std::map<std::string, std::string> globals;
  std::string line;
  int n = 0;
  bool in_record = false;
  auto trim = [](std::string s) {
    size_t a = s.find_first_not_of(" \t\r");
    size_t b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    bool section = false;
    for (const auto& s : section_keys) section = section || s == key;
    if (section) {
      globals[key] = value;
      in_record = false;
      continue;
    }
    if (key == record_key) {
      out.push_back(KvRecord{{}, globals, n});
      in_record = true;
    }
    if (in_record) {
      out.back().fields[key] = value;
    } else {
      globals[key] = value;
    }
  }
  return out;
}

}  // namespace vigie::testing
