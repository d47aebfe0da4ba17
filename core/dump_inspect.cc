#include "core/dump_inspect.h"

#include "core/input_file.h"

namespace vigie {

Result<DumpInspection> InspectDump(const std::string& path, const DumpInputOptions& options, size_t sample_rows) {
  auto input = DumpInput::Open(path, options);
  if (!input.ok()) return input.status();
  DumpInspection out;
  out.container = (*input)->container();
  DumpMember member;
  for (;;) {
    auto more = (*input)->NextMember(&member);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ChunkerOptions chunker_options;
    chunker_options.chunk_size = 256 << 10;  // enough lines for the sample
    chunker_options.joined_lines = member.joined_lines;
    LineChunker chunker(member.source, chunker_options);
    Chunk chunk;
    auto got = chunker.Next(&chunk);
    if (!got.ok()) return got.status().WithContext(member.name.empty() ? path : path + " (member " + member.name + ")");
    MemberInspection m{member.name, member.format, member.encoding, member.dialect, {}};
    if (*got) m.profile = ProfileColumns(chunk.data, member.dialect, sample_rows);
    out.members.push_back(std::move(m));
  }
  return out;
}

}  // namespace vigie
