#include "core/archive_input.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <filesystem>

namespace vigie {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "dump.csv.xz" → "dump.csv": the name a single compressed stream's content would have.
std::string StreamMemberName(const std::string& path) {
  std::filesystem::path p(path);
  const std::string ext = p.extension().string();
  if (ext == ".xz" || ext == ".bz2" || ext == ".lzma" || ext == ".gz" || ext == ".zst") return p.stem().string();
  return p.filename().string();
}

}  // namespace

bool LooksLikeArchive(std::string_view raw_head, std::string_view decoded_head) {
  if (StartsWith(raw_head, "PK\x03\x04") || StartsWith(raw_head, "PK\x05\x06")) return true;
  if (StartsWith(raw_head, "7z\xBC\xAF\x27\x1C")) return true;
  if (StartsWith(raw_head, std::string_view("\xFD"
                                            "7zXZ\0",
                                            6)))
    return true;
  if (StartsWith(raw_head, "BZh")) return true;
  return decoded_head.size() >= 262 && decoded_head.substr(257, 5) == "ustar";
}

Result<std::unique_ptr<ArchiveInput>> ArchiveInput::Open(const std::string& path, const ArchiveOptions& options) {
  std::unique_ptr<ArchiveInput> in(new ArchiveInput(path, options));
  in->archive_ = archive_read_new();
  if (in->archive_ == nullptr) return Status::Internal("libarchive: out of memory");
  archive_read_support_filter_all(in->archive_);
  // Archive formats leak dumps come in, and "raw" for a single compressed stream; not format_all: its text
  // formats (mtree) would claim a decompressed CSV.
  for (auto support :
       {archive_read_support_format_tar, archive_read_support_format_zip, archive_read_support_format_7zip,
        archive_read_support_format_rar, archive_read_support_format_rar5, archive_read_support_format_cpio,
        archive_read_support_format_raw}) {
    support(in->archive_);
  }
  if (archive_read_open_filename(in->archive_, path.c_str(), 1 << 20) != ARCHIVE_OK) {
    return in->Error("cannot open the archive");
  }
  return in;
}

ArchiveInput::~ArchiveInput() {
  if (archive_ != nullptr) archive_read_free(archive_);
}

Status ArchiveInput::Error(std::string_view what) const {
  const char* detail = archive_error_string(archive_);
  std::string message(what);
  if (!member_name_.empty()) message += " (member " + member_name_ + ")";
  if (detail != nullptr) message += std::string(": ") + detail;
  return Status::InvalidArgument("archive.corrupt", message);
}

std::string ArchiveInput::format_name() const {
  const char* name = archive_format_name(archive_);
  return name ? name : "unknown";
}

Result<bool> ArchiveInput::NextMember() {
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int r = archive_read_next_header(archive_, &entry);
    if (r == ARCHIVE_EOF) {
      in_member_ = false;
      return false;
    }
    if (r < ARCHIVE_WARN) return Error("cannot read the archive's next member");
    const bool raw = archive_format(archive_) == ARCHIVE_FORMAT_RAW;
    member_name_ = raw ? StreamMemberName(path_) : (archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "");
    if (!raw && archive_entry_filetype(entry) != AE_IFREG) continue;
    if (archive_entry_is_encrypted(entry)) {
      return Status::InvalidArgument("archive.encrypted",
                                     "member " + member_name_ + " is encrypted: decrypt the archive first");
    }
    in_member_ = true;
    return true;
  }
}

Result<size_t> ArchiveInput::Read(char* buf, size_t cap) {
  if (!in_member_) return size_t{0};
  const la_ssize_t n = archive_read_data(archive_, buf, cap);
  if (n < 0) return Error("cannot read");
  expanded_bytes_ += static_cast<uint64_t>(n);
  if (expanded_bytes_ > options_.max_expanded_bytes) {
    return Status::InvalidArgument(
        "archive.too-large", "the archive expands to more than " + std::to_string(options_.max_expanded_bytes >> 30) +
                                 " GiB (--max-expanded-gb): refused as a possible archive bomb");
  }
  return static_cast<size_t>(n);
}

uint64_t ArchiveInput::raw_bytes_read() const {
  const la_int64_t n = archive_filter_bytes(archive_, -1);
  return n < 0 ? 0 : static_cast<uint64_t>(n);
}

}  // namespace vigie
