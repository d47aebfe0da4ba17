#include "core/xlsx_dump.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_stream.h"
#include "core/xlsx_xml.h"

namespace vigie {

namespace {

constexpr std::string_view kContentTypes = "[Content_Types].xml";
constexpr std::string_view kWorkbook = "xl/workbook.xml";
constexpr std::string_view kWorkbookRels = "xl/_rels/workbook.xml.rels";
constexpr std::string_view kPartsFolder = "xl/";  // where the workbook's relationship targets are relative to
constexpr std::string_view kDefaultStrings = "xl/sharedStrings.xml";
constexpr std::string_view kDefaultSheet = "xl/worksheets/sheet1.xml";
constexpr std::string_view kOleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

std::string ArchiveMessage(archive* a) {
  const char* message = archive_error_string(a);
  return message == nullptr ? "unknown error" : message;
}

Status NotXlsx(const std::string& path, std::string_view why) {
  char head[8] = {};
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    const size_t n = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (std::string_view(head, n) == kOleMagic) {
      why = "an OLE compound file (a legacy .xls, or a password-protected workbook): save it as an unprotected .xlsx";
    }
  }
  return Status::InvalidArgument("xlsx.not-xlsx", path + " is not an xlsx workbook: " + std::string(why));
}

Result<ArchivePtr> OpenZip(const std::string& path) {
  ArchivePtr a(archive_read_new());
  if (a == nullptr) return Status::Internal("libarchive: out of memory");
  // Both zip readers: the seekable one (central directory, cheap skips) wins on a file, the streaming one
  // reads a zip whose directory is damaged.
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    // Opening reads the first bytes and bids: an unknown format is libarchive's EILSEQ (its
    // ARCHIVE_ERRNO_FILE_FORMAT on Linux).
    const int error = archive_errno(a.get());
    if (error == EILSEQ) return NotXlsx(path, "not a zip archive");
    if (error == ENOENT) return Status::NotFound("no such file: " + path);
    return Status::IOError(path + ": " + ArchiveMessage(a.get()));
  }
  return a;
}

// The next member, or nullptr at the end. A first header that does not read means "not a zip".
Result<archive_entry*> NextMember(archive* a, const std::string& path, bool first) {
  archive_entry* entry = nullptr;
  const int r = archive_read_next_header(a, &entry);
  if (r == ARCHIVE_EOF) return static_cast<archive_entry*>(nullptr);
  if (r == ARCHIVE_OK || r == ARCHIVE_WARN) return entry;  // WARN: e.g. a name not convertible to the locale
  if (first) return NotXlsx(path, "not a zip archive");
  return Status::InvalidArgument("archive.corrupt", path + ": damaged zip: " + ArchiveMessage(a));
}

std::string NameOf(archive_entry* entry) {
  const char* name = archive_entry_pathname_utf8(entry);
  if (name == nullptr) name = archive_entry_pathname(entry);
  return name == nullptr ? "" : name;
}

// The current member's bytes, counted against the expansion budget that every part read shares.
class MemberSource : public ByteSource {
 public:
  MemberSource(archive* a, const std::string& part, uint64_t* expanded, uint64_t limit)
      : a_(a), part_(part), expanded_(expanded), limit_(limit) {}

  Result<size_t> Read(char* buf, size_t cap) override {
    if (!error_.ok()) return error_;
    const la_ssize_t n = archive_read_data(a_, buf, cap);
    if (n < 0) {
      error_ = Status::InvalidArgument("archive.corrupt", "reading " + part_ + ": damaged zip: " + ArchiveMessage(a_));
      return error_;
    }
    *expanded_ += static_cast<uint64_t>(n);
    if (*expanded_ > limit_) {
      error_ = Status::InvalidArgument("archive.too-large", "reading " + part_ + ": the parts read expand past " +
                                                                std::to_string(limit_) + " bytes (zip bomb guard)");
      return error_;
    }
    return static_cast<size_t>(n);
  }

 private:
  archive* a_;
  std::string part_;
  uint64_t* expanded_;
  uint64_t limit_;
  Status error_;
};

// "xl/" + "worksheets/sheet1.xml", "/xl/a.xml" (absolute), "xl/" + "../b.xml"; "." and ".." folded.
std::string ResolveTarget(std::string_view folder, std::string_view target) {
  std::string joined = target.starts_with('/') ? std::string(target.substr(1)) : std::string(folder).append(target);
  std::vector<std::string_view> segments;
  std::string_view rest = joined;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
  }
  std::string path;
  for (std::string_view segment : segments) path.append(path.empty() ? "" : "/").append(segment);
  return path;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// One TranscodeXlsx call: what the first pass over the zip learnt, then the sheet.
class XlsxReader {
 public:
  XlsxReader(const std::string& path, const XlsxOptions& options, RecordWriter* out)
      : path_(path), options_(options), out_(out) {}

  Status Run() {
    bool done = false;
    VIGIE_RETURN_IF_ERROR(FirstPass(&done));
    if (done) return Status::Ok();
    if (!has_workbook_ && !has_default_sheet_) {
      return NotXlsx(path_, has_binary_workbook_ ? "an .xlsb (binary workbook): save it as .xlsx"
                                                 : "a zip without xl/workbook.xml or a worksheet");
    }
    Result<std::string> target = ChooseSheet();
    if (!target.ok()) return target.status();
    return SecondPass(*target);
  }

 private:
  Status FirstPass(bool* done);
  Status SecondPass(const std::string& target);
  Result<std::string> ChooseSheet() const;
  std::string PartOf(std::string_view rel_id) const;
  std::string StringsPart() const;
  Status Transcode(archive* a, archive_entry* entry, const std::string& part);

  Status CheckEncryption(archive_entry* entry, const std::string& part) const {
    if (!archive_entry_is_encrypted(entry)) return Status::Ok();
    return Status::InvalidArgument("archive.encrypted", path_ + ": " + part + " is encrypted");
  }

  const std::string& path_;
  const XlsxOptions& options_;
  RecordWriter* out_;
  uint64_t expanded_ = 0;
  bool has_workbook_ = false;
  bool has_rels_ = false;
  bool has_default_sheet_ = false;
  bool has_binary_workbook_ = false;
  bool strings_loaded_ = false;
  std::vector<xlsx::SheetRef> sheets_;
  std::vector<xlsx::Relationship> rels_;
  xlsx::SharedStrings strings_;
};

std::string XlsxReader::PartOf(std::string_view rel_id) const {
  for (const xlsx::Relationship& rel : rels_) {
    if (rel.id == rel_id) return ResolveTarget(kPartsFolder, rel.target);
  }
  return "";
}

// The declared shared strings part; the usual name when the relationships do not say (or are not read yet:
// Excel writes them first, so a part under another name that comes before them is missed).
std::string XlsxReader::StringsPart() const {
  for (const xlsx::Relationship& rel : rels_) {
    if (rel.type.ends_with("/sharedStrings")) return ResolveTarget(kPartsFolder, rel.target);
  }
  return std::string(kDefaultStrings);
}

Result<std::string> XlsxReader::ChooseSheet() const {
  if (options_.sheet.empty()) {
    // The first worksheet: a chartsheet or dialog sheet has no rows.
    for (const xlsx::SheetRef& sheet : sheets_) {
      for (const xlsx::Relationship& rel : rels_) {
        if (rel.id == sheet.rel_id && rel.type.ends_with("/worksheet")) return ResolveTarget(kPartsFolder, rel.target);
      }
    }
    return std::string(kDefaultSheet);
  }
  const xlsx::SheetRef* found = nullptr;
  for (const xlsx::SheetRef& sheet : sheets_) {
    if (sheet.name == options_.sheet) found = found ? found : &sheet;
  }
  for (const xlsx::SheetRef& sheet : sheets_) {
    if (found == nullptr && EqualsIgnoringAsciiCase(sheet.name, options_.sheet)) found = &sheet;
  }
  if (found == nullptr) {
    std::string names;
    for (size_t i = 0; i < sheets_.size() && i < 50; ++i)
      names.append(i ? ", \"" : "\"").append(sheets_[i].name) += '"';
    if (sheets_.size() > 50) names += ", …";
    return Status::InvalidArgument("xlsx.sheet-not-found", path_ + ": no sheet named \"" + options_.sheet +
                                                               "\"; the workbook's sheets: " +
                                                               (names.empty() ? std::string("none listed") : names));
  }
  std::string part = PartOf(found->rel_id);
  if (part.empty()) {
    return Status::InvalidArgument(
        "xlsx.sheet-not-found", path_ + ": sheet \"" + found->name + "\" has no part in " + std::string(kWorkbookRels));
  }
  return part;
}

Status XlsxReader::Transcode(archive* a, archive_entry* entry, const std::string& part) {
  VIGIE_RETURN_IF_ERROR(CheckEncryption(entry, part));
  MemberSource source(a, part, &expanded_, options_.max_expanded_bytes);
  return xlsx::TranscodeSheet(&source, part, strings_, options_.max_columns, out_);
}

Status XlsxReader::FirstPass(bool* done) {
  Result<ArchivePtr> opened = OpenZip(path_);
  if (!opened.ok()) return opened.status();
  archive* a = opened->get();
  std::optional<std::string> target;  // known once the workbook and its relationships are read
  for (bool first = true;; first = false) {
    Result<archive_entry*> entry = NextMember(a, path_, first);
    if (!entry.ok()) return entry.status();
    if (*entry == nullptr) return Status::Ok();
    const std::string name = NameOf(*entry);
    MemberSource source(a, name, &expanded_, options_.max_expanded_bytes);
    if (name == kWorkbook && !has_workbook_) {
      VIGIE_RETURN_IF_ERROR(CheckEncryption(*entry, name));
      VIGIE_RETURN_IF_ERROR(xlsx::ParseWorkbook(&source, name, &sheets_));
      has_workbook_ = true;
    } else if (name == kWorkbookRels && !has_rels_) {
      VIGIE_RETURN_IF_ERROR(CheckEncryption(*entry, name));
      VIGIE_RETURN_IF_ERROR(xlsx::ParseRelationships(&source, name, &rels_));
      has_rels_ = true;
    } else if (!strings_loaded_ && name == StringsPart()) {
      VIGIE_RETURN_IF_ERROR(CheckEncryption(*entry, name));
      VIGIE_RETURN_IF_ERROR(xlsx::ParseSharedStrings(&source, name, options_.max_expanded_bytes, &strings_));
      strings_loaded_ = true;
    }
    has_default_sheet_ = has_default_sheet_ || name == kDefaultSheet;
    has_binary_workbook_ = has_binary_workbook_ || name == "xl/workbook.bin";
    if (!target && has_workbook_ && has_rels_) {
      Result<std::string> chosen = ChooseSheet();
      if (!chosen.ok()) return chosen.status();
      target = *chosen;
    }
    // The common order (Excel writes the shared strings after the sheets) leaves this to the second pass.
    if (target && name == *target && strings_loaded_) {
      *done = true;
      return Transcode(a, *entry, name);
    }
  }
}

Status XlsxReader::SecondPass(const std::string& target) {
  Result<ArchivePtr> opened = OpenZip(path_);
  if (!opened.ok()) return opened.status();
  archive* a = opened->get();
  for (bool first = true;; first = false) {
    Result<archive_entry*> entry = NextMember(a, path_, first);
    if (!entry.ok()) return entry.status();
    if (*entry == nullptr) break;
    if (NameOf(*entry) == target) return Transcode(a, *entry, target);
  }
  return NotXlsx(path_, "its sheet part " + target + " is missing");
}

}  // namespace

Status TranscodeXlsx(const std::string& path, const XlsxOptions& options, RecordWriter* out) {
  return XlsxReader(path, options, out).Run();
}

bool LooksLikeXlsx(std::string_view sample) {
  constexpr std::string_view kLocalHeader = "PK\x03\x04";
  constexpr size_t kFixedHeader = 30;  // a local header's fixed part; the name's length is at offset 26
  if (!sample.starts_with(kLocalHeader)) return false;
  for (size_t at = 0; (at = sample.find(kLocalHeader, at)) != std::string_view::npos; at += kLocalHeader.size()) {
    if (sample.size() < at + kFixedHeader) break;
    const size_t length =
        static_cast<uint8_t>(sample[at + 26]) | static_cast<size_t>(static_cast<uint8_t>(sample[at + 27])) << 8;
    const std::string_view name = sample.substr(at + kFixedHeader, length);
    if (name == kContentTypes || name.starts_with(kPartsFolder)) return true;
  }
  return false;
}

}  // namespace vigie
