// DumpInput: what `vigie-index add` reads, as a series of members, each a stream of lines ready for the
// line chunker, whatever shape the dump came in. It stacks, per member:
//
//   file (InputFile: plain, gzip, zstd)  or  archive member (ArchiveInput: zip, 7z, tar.*, xz, bzip2)
//     → TextDecoder when the text is UTF-16 or Windows-1252 (core/text_encoding.h)
//     → a format reader on its own thread (PipeSource) for SQL, JSON, xlsx and free text, writing the
//       unit-separated form (core/record_writer.h)
//       or, for delimited text with quoting, CsvRecordJoiner (line breaks inside quoted fields)
//
// Detection, from the member's first bytes unless options say otherwise: xlsx, SQL, JSON, else delimited
// text or a plain list (core/csv.h DetectDialect on the first line). Free text is never guessed (any file
// would do): it is `--format text`.
//
// A plain file is one member named "". An archive's members are read in archive order, each as a dump of
// its own (its own format, header and columns); `member_glob` keeps only matching paths (fnmatch).
//
// Ownership: owns every stage. Not thread-safe: one thread calls NextMember and reads the member's source;
// a member's source is valid until the next NextMember call or the DumpInput's end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/byte_stream.h"
#include "core/csv.h"
#include "core/status.h"

namespace vigie {

enum class InputFormat { kAuto, kCsv, kLines, kSql, kJson, kXlsx, kText };

std::string_view InputFormatName(InputFormat format);         // "auto", "csv", "lines", "sql", "json", "xlsx", "text"
Result<InputFormat> ParseInputFormat(std::string_view name);  // also "tsv" (= csv, tab-delimited)

struct DumpInputOptions {
  InputFormat format = InputFormat::kAuto;
  char delimiter = 0;                                 // 0: detected from the first line
  int header = -1;                                    // -1: CSV has a header, a plain list has none; 0/1 force
  bool passwords = false;                             // HIBP "HASH:COUNT" lines: always a plain list
  std::string encoding;                               // "": detected; else a name ParseEncodingName knows
  std::string table;                                  // SQL table or xlsx sheet (--table)
  std::string member_glob;                            // archive members to read (--member); "": all
  std::vector<std::string> json_columns;              // dotted paths asked for (--column)
  uint64_t max_expanded_bytes = uint64_t{256} << 30;  // over all archive members (--max-expanded-gb)
};

struct DumpMember {
  std::string name;                        // path in the archive; "" for a plain file
  InputFormat format = InputFormat::kCsv;  // what was read: kCsv, kLines, kSql, kJson, kXlsx, kText
  std::string encoding;                    // "utf-8", "utf-16le", …
  Dialect dialect;                         // how to split its lines (UnitSeparated for format readers)
  bool joined_lines = false;               // through CsvRecordJoiner: see ChunkerOptions::joined_lines
  ByteSource* source = nullptr;            // the stream of lines; owned by the DumpInput
};

class DumpInput {
 public:
  static Result<std::unique_ptr<DumpInput>> Open(const std::string& path, const DumpInputOptions& options);
  ~DumpInput();

  // Sets up the next member; false after the last. NotFound ("archive.no-member") when an archive has no
  // member matching member_glob (or none at all).
  Result<bool> NextMember(DumpMember* member);

  bool is_archive() const;
  std::string container() const;  // "none", "gzip", "zstd", or the archive format ("zip", "7zip", "tar", …)
  uint64_t raw_bytes_read() const;
  uint64_t raw_size() const { return raw_size_; }

 private:
  struct Stages;
  DumpInput() = default;
  Status SetUpMember(ByteSource* raw, const std::string& name, DumpMember* member);

  std::string path_;
  DumpInputOptions options_;
  uint64_t raw_size_ = 0;
  std::unique_ptr<Stages> stages_;
  int members_seen_ = 0;
  bool plain_done_ = false;
};

}  // namespace vigie
