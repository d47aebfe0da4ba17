#include "core/xlsx_xml.h"

#include <expat.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace vigie::xlsx {

namespace {

constexpr int kBlock = 1 << 16;
// Expat 2.5 rescans an unfinished token from its start at every block, so a huge token (an attribute, a
// comment) costs quadratic time; no SpreadsheetML token comes near this, and long text is streamed anyway.
constexpr uint64_t kMaxToken = 4 << 20;
// One row's text; Excel caps a cell at 32767 characters, so only a hostile file comes near this.
constexpr size_t kMaxRowBytes = 64 << 20;
constexpr int kMaxIntegerDigits = 30;

// One pass (names are short and this runs for every element and attribute).
std::string_view LocalName(const XML_Char* name) {
  const char* local = name;
  const char* end = name;
  for (; *end != '\0'; ++end) {
    if (*end == ':') local = end + 1;
  }
  return std::string_view(local, static_cast<size_t>(end - local));
}

const char* Attribute(const XML_Char** attrs, std::string_view local) {
  for (; *attrs != nullptr; attrs += 2) {
    if (LocalName(attrs[0]) == local) return attrs[1];
  }
  return nullptr;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

// What every part's parser shares: expat set up safely, the feeding loop, and errors raised from handlers.
class XmlReader {
 public:
  explicit XmlReader(std::string_view part) : part_(part), parser_(XML_ParserCreate(nullptr)) {}
  ~XmlReader() {
    if (parser_ != nullptr) XML_ParserFree(parser_);
  }
  XmlReader(const XmlReader&) = delete;
  XmlReader& operator=(const XmlReader&) = delete;

  // Stops the parse; the first failure is the one reported. Handlers check failed(): expat may still
  // deliver an event or two after a stop.
  void Fail(Status status) {
    if (error_.ok()) error_ = std::move(status);
    XML_StopParser(parser_, XML_FALSE);
  }
  bool failed() const { return !error_.ok(); }
  // "PART line N: ", to start an error message: the place, never the content.
  std::string Where() const { return part_ + " line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ": "; }
  Status XmlError(std::string_view what) const { return Status::InvalidArgument("xlsx.xml", Where().append(what)); }
  const std::string& part() const { return part_; }

 protected:
  template <typename T>
  void Install(T* self);
  Status Run(ByteSource* in);

 private:
  template <typename T>
  static void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char** attrs) {
    static_cast<T*>(static_cast<XmlReader*>(data))->Start(LocalName(name), attrs);
  }
  template <typename T>
  static void XMLCALL OnEnd(void* data, const XML_Char* name) {
    static_cast<T*>(static_cast<XmlReader*>(data))->End(LocalName(name));
  }
  template <typename T>
  static void XMLCALL OnText(void* data, const XML_Char* s, int len) {
    static_cast<T*>(static_cast<XmlReader*>(data))->Text(s, static_cast<size_t>(len));
  }
  // SpreadsheetML has no DTD: refusing one shuts out entity expansion altogether (expat's billion-laughs
  // protection stays on as a second line; external entities are never loaded: no handler is set).
  static void XMLCALL OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* self = static_cast<XmlReader*>(data);
    self->Fail(self->XmlError("a DTD, which an xlsx part never has"));
  }

  std::string part_;
  XML_Parser parser_;
  Status error_;
};

template <typename T>
void XmlReader::Install(T* self) {
  XML_SetUserData(parser_, static_cast<XmlReader*>(self));
  XML_SetElementHandler(parser_, &OnStart<T>, &OnEnd<T>);
  XML_SetCharacterDataHandler(parser_, &OnText<T>);
  XML_SetStartDoctypeDeclHandler(parser_, &OnDoctype);
}

Status XmlReader::Run(ByteSource* in) {
  if (parser_ == nullptr) return Status::Internal("expat: out of memory");
  uint64_t fed = 0;
  for (;;) {
    void* buffer = XML_GetBuffer(parser_, kBlock);
    if (buffer == nullptr) return XmlError("out of memory");
    Result<size_t> n = in->Read(static_cast<char*>(buffer), kBlock);
    if (!n.ok()) return n.status();
    const bool last = *n == 0;
    if (XML_ParseBuffer(parser_, static_cast<int>(*n), last) != XML_STATUS_OK) {
      return failed() ? error_ : XmlError(XML_ErrorString(XML_GetErrorCode(parser_)));
    }
    if (failed() || last) return error_;
    // After a block, the current byte index is where the unfinished token starts.
    fed += *n;
    const XML_Index at = XML_GetCurrentByteIndex(parser_);
    if (at >= 0 && fed - static_cast<uint64_t>(at) > kMaxToken) return XmlError("a token longer than 4 MiB");
  }
}

class SharedStringsReader : public XmlReader {
 public:
  SharedStringsReader(std::string_view part, uint64_t max_memory, SharedStrings* out)
      : XmlReader(part), max_memory_(max_memory), out_(out) {}

  Status Read(ByteSource* in) {
    out_->Clear();
    Install(this);
    return Run(in);
  }

  void Start(std::string_view name, const XML_Char**) {
    if (name == "si") {
      in_item_ = true;
      phonetic_ = 0;
    } else if (!in_item_) {
      return;
    } else if (name == "rPh") {
      ++phonetic_;
    } else if (name == "t" && phonetic_ == 0) {
      in_text_ = true;
    }
  }
  void End(std::string_view name) {
    if (failed()) return;
    if (name == "t") {
      in_text_ = false;
    } else if (name == "rPh") {
      if (phonetic_ > 0) --phonetic_;
    } else if (name == "si" && in_item_) {
      in_item_ = false;
      out_->ends_.push_back(out_->arena_.size());
      CheckMemory();
    }
  }
  void Text(const char* s, size_t len) {
    if (!in_text_ || failed()) return;
    out_->arena_.append(s, len);
    CheckMemory();
  }

 private:
  void CheckMemory() {
    if (out_->memory() <= max_memory_) return;
    Fail(Status::InvalidArgument("archive.too-large", part() + ": the shared strings table takes more than " +
                                                          std::to_string(max_memory_) + " bytes"));
  }

  uint64_t max_memory_;
  SharedStrings* out_;
  bool in_item_ = false;
  bool in_text_ = false;
  int phonetic_ = 0;
};

Status ParseSharedStrings(ByteSource* in, std::string_view part, uint64_t max_memory, SharedStrings* out) {
  return SharedStringsReader(part, max_memory, out).Read(in);
}

namespace {

class WorkbookReader : public XmlReader {
 public:
  WorkbookReader(std::string_view part, std::vector<SheetRef>* sheets) : XmlReader(part), sheets_(sheets) {}
  Status Read(ByteSource* in) {
    sheets_->clear();
    Install(this);
    return Run(in);
  }
  void Start(std::string_view name, const XML_Char** attrs) {
    if (name == "sheets") in_sheets_ = true;
    if (name != "sheet" || !in_sheets_) return;
    const char* sheet_name = Attribute(attrs, "name");
    const char* id = Attribute(attrs, "id");  // r:id
    sheets_->push_back(SheetRef{sheet_name ? sheet_name : "", id ? id : ""});
  }
  void End(std::string_view name) {
    if (name == "sheets") in_sheets_ = false;
  }
  void Text(const char*, size_t) {}

 private:
  std::vector<SheetRef>* sheets_;
  bool in_sheets_ = false;
};

class RelationshipsReader : public XmlReader {
 public:
  RelationshipsReader(std::string_view part, std::vector<Relationship>* rels) : XmlReader(part), rels_(rels) {}
  Status Read(ByteSource* in) {
    rels_->clear();
    Install(this);
    return Run(in);
  }
  void Start(std::string_view name, const XML_Char** attrs) {
    if (name != "Relationship") return;
    const char* id = Attribute(attrs, "Id");
    const char* type = Attribute(attrs, "Type");
    const char* target = Attribute(attrs, "Target");
    rels_->push_back(Relationship{id ? id : "", type ? type : "", target ? target : ""});
  }
  void End(std::string_view) {}
  void Text(const char*, size_t) {}

 private:
  std::vector<Relationship>* rels_;
};

}  // namespace

Status ParseWorkbook(ByteSource* in, std::string_view part, std::vector<SheetRef>* sheets) {
  return WorkbookReader(part, sheets).Read(in);
}

Status ParseRelationships(ByteSource* in, std::string_view part, std::vector<Relationship>* rels) {
  return RelationshipsReader(part, rels).Read(in);
}

namespace {

enum class CellType : uint8_t { kNumber, kShared, kInline, kBool, kText };

CellType TypeOf(const char* t) {
  if (t == nullptr || std::strcmp(t, "n") == 0) return CellType::kNumber;
  if (std::strcmp(t, "s") == 0) return CellType::kShared;
  if (std::strcmp(t, "inlineStr") == 0) return CellType::kInline;
  if (std::strcmp(t, "b") == 0) return CellType::kBool;
  return CellType::kText;  // "str" (a formula's string result), "e" (an error such as #N/A), "d" (ISO date)
}

bool ParseIndex(std::string_view s, uint64_t* index) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), IsDigit)) return false;
  *index = 0;
  for (char c : s) *index = *index * 10 + static_cast<uint64_t>(c - '0');
  return true;
}

// A worksheet streamed row by row: the row's cell texts go to one arena, then out as one record.
class SheetReader : public XmlReader {
 public:
  SheetReader(std::string_view part, const SharedStrings& strings, uint32_t max_columns, RecordWriter* out)
      : XmlReader(part), strings_(strings), max_columns_(max_columns), out_(out) {}

  Status Transcode(ByteSource* in) {
    Install(this);
    VIGIE_RETURN_IF_ERROR(Run(in));
    if (!header_written_) VIGIE_RETURN_IF_ERROR(WriteLetterHeader(std::max<uint32_t>(dimension_columns_, 1)));
    return out_->Finish();
  }

  void Start(std::string_view name, const XML_Char** attrs) {
    if (failed()) return;
    if (in_cell_) {
      if (name == "v") {
        capture_ = true;
      } else if (name == "is") {
        in_inline_ = true;
      } else if (name == "rPh") {
        ++phonetic_;
      } else if (name == "t" && in_inline_ && phonetic_ == 0) {
        capture_ = true;
      }
    } else if (in_row_) {
      if (name == "c") StartCell(attrs);
    } else if (in_data_) {
      if (name == "row") StartRow(attrs);
    } else if (name == "sheetData") {
      in_data_ = true;
    } else if (name == "dimension") {
      const char* ref = Attribute(attrs, "ref");
      if (ref == nullptr) return;
      const char* last = std::strchr(ref, ':');
      const uint64_t columns = ColumnOf(last == nullptr ? ref : last + 1, max_columns_);
      if (columns <= max_columns_) dimension_columns_ = static_cast<uint32_t>(columns);
    }
  }

  void End(std::string_view name) {
    if (failed()) return;
    if (in_cell_) {
      if (name == "c") {
        EndCell();
      } else if (name == "v" || name == "t") {
        capture_ = false;
      } else if (name == "is") {
        in_inline_ = false;
      } else if (name == "rPh" && phonetic_ > 0) {
        --phonetic_;
      }
    } else if (in_row_) {
      if (name == "row") EndRow();
    } else if (in_data_ && name == "sheetData") {
      in_data_ = false;
    }
  }

  void Text(const char* s, size_t len) {
    if (!capture_ || failed()) return;
    arena_.append(s, len);
    if (arena_.size() > kMaxRowBytes) FailRowTooLarge();
  }

 private:
  struct Cell {
    uint32_t column;  // 1-based
    uint32_t begin;   // in arena_
    uint32_t end;
  };

  std::string_view TextOf(const Cell& cell) const {
    return std::string_view(arena_).substr(cell.begin, cell.end - cell.begin);
  }

  void FailRowTooLarge() {
    Fail(Status::InvalidArgument("xlsx.row-too-large", Where() + "a row holds more than 64 MiB"));
  }

  void StartRow(const XML_Char** attrs) {
    in_row_ = true;
    arena_.clear();
    cells_.clear();
    last_column_ = 0;
    const char* r = Attribute(attrs, "r");
    uint64_t number = 0;
    // Only "is this row 1" matters: a missing or odd number just follows the previous row.
    row_number_ = r != nullptr && ParseIndex(r, &number) ? number : row_number_ + 1;
  }

  void StartCell(const XML_Char** attrs) {
    const char* ref = nullptr;
    const char* type = nullptr;
    for (; *attrs != nullptr; attrs += 2) {
      const std::string_view name = LocalName(attrs[0]);
      if (name == "r") ref = attrs[1];
      if (name == "t") type = attrs[1];
    }
    // Without a reference (allowed: writers may omit it) a cell follows the previous one.
    uint64_t column = ref == nullptr ? 0 : ColumnOf(ref, max_columns_);
    if (column == 0) column = uint64_t{last_column_} + 1;
    if (column > max_columns_) {
      Fail(Status::InvalidArgument("xlsx.too-many-columns", Where() + "a cell beyond column " +
                                                                ColumnName(max_columns_) + " (the limit of " +
                                                                std::to_string(max_columns_) + " columns)"));
      return;
    }
    in_cell_ = true;
    capture_ = in_inline_ = false;
    phonetic_ = 0;
    column_ = static_cast<uint32_t>(column);
    type_ = TypeOf(type);
    cell_begin_ = arena_.size();
  }

  void EndCell();
  void EndRow();
  Status WriteNamedHeader();
  Status WriteLetterHeader(uint32_t width);

  const SharedStrings& strings_;
  const uint32_t max_columns_;
  RecordWriter* out_;

  bool in_data_ = false, in_row_ = false, in_cell_ = false, in_inline_ = false, capture_ = false;
  int phonetic_ = 0;
  bool header_written_ = false;
  uint32_t dimension_columns_ = 0;
  uint64_t row_number_ = 0;
  uint32_t last_column_ = 0;
  uint32_t column_ = 0;
  CellType type_ = CellType::kNumber;
  size_t cell_begin_ = 0;
  std::string arena_;
  std::vector<Cell> cells_;
  std::string scratch_;
};

void SheetReader::EndCell() {
  in_cell_ = capture_ = false;
  last_column_ = column_;
  const std::string_view raw = std::string_view(arena_).substr(cell_begin_);
  switch (type_) {
    case CellType::kShared: {
      if (raw.empty()) break;
      uint64_t index = 0;
      if (!ParseIndex(raw, &index) || index >= strings_.size()) {
        Fail(Status::InvalidArgument("xlsx.bad-string-index", Where() + "cell " + ColumnName(column_) +
                                                                  std::to_string(row_number_) +
                                                                  " refers to a shared string outside the table (" +
                                                                  std::to_string(strings_.size()) + " strings)"));
        return;
      }
      arena_.resize(cell_begin_);
      arena_.append(strings_.Get(index));
      break;
    }
    case CellType::kNumber:
      // Most numbers are plain integers already: no rewrite.
      if ((raw.size() == 1 || (!raw.empty() && raw[0] != '0')) && std::all_of(raw.begin(), raw.end(), IsDigit)) break;
      if (!IntegerDigits(raw, &scratch_)) break;
      arena_.resize(cell_begin_);
      arena_.append(scratch_);
      break;
    case CellType::kBool:
      if (raw != "0" && raw != "1") break;
      scratch_ = raw == "1" ? "TRUE" : "FALSE";
      arena_.resize(cell_begin_);
      arena_.append(scratch_);
      break;
    case CellType::kInline:
    case CellType::kText:
      break;
  }
  if (arena_.size() > kMaxRowBytes) return FailRowTooLarge();
  // An empty cell (styled, or a formula without a cached value) is no field: gaps are filled on output.
  if (arena_.size() > cell_begin_) {
    cells_.push_back(Cell{column_, static_cast<uint32_t>(cell_begin_), static_cast<uint32_t>(arena_.size())});
  }
}

void SheetReader::EndRow() {
  in_row_ = false;
  if (cells_.empty()) return;
  const auto by_column = [](const Cell& a, const Cell& b) { return a.column < b.column; };
  if (!std::is_sorted(cells_.begin(), cells_.end(), by_column)) {
    std::stable_sort(cells_.begin(), cells_.end(), by_column);
  }
  if (!header_written_) {
    Status s =
        row_number_ == 1 ? WriteNamedHeader() : WriteLetterHeader(std::max(cells_.back().column, dimension_columns_));
    if (!s.ok()) return Fail(std::move(s));
    if (row_number_ == 1) return;
  }
  uint32_t next = 1;
  for (const Cell& cell : cells_) {
    if (cell.column < next) continue;  // a reference given twice: the first cell stands
    for (; next < cell.column; ++next) out_->Field({});
    out_->Field(TextOf(cell));
    ++next;
  }
  Status s = out_->EndRecord();
  if (!s.ok()) Fail(std::move(s));
}

Status SheetReader::WriteNamedHeader() {
  header_written_ = true;
  std::vector<std::string> names(cells_.back().column);
  // Backwards, so that where a reference is given twice the first cell's text is the one kept.
  for (auto it = cells_.rbegin(); it != cells_.rend(); ++it) names[it->column - 1] = TextOf(*it);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) names[i] = ColumnName(static_cast<uint32_t>(i + 1));
  }
  return out_->Header(names);
}

Status SheetReader::WriteLetterHeader(uint32_t width) {
  header_written_ = true;
  std::vector<std::string> names;
  names.reserve(width);
  for (uint32_t column = 1; column <= width; ++column) names.push_back(ColumnName(column));
  return out_->Header(names);
}

}  // namespace

Status TranscodeSheet(ByteSource* in, std::string_view part, const SharedStrings& strings, uint32_t max_columns,
                      RecordWriter* out) {
  return SheetReader(part, strings, max_columns, out).Transcode(in);
}

bool IntegerDigits(std::string_view number, std::string* digits) {
  std::string_view s = number;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  // The significant digits, and where the decimal point falls among them once the exponent is applied.
  std::string_view whole = s.substr(0, std::find_if_not(s.begin(), s.end(), IsDigit) - s.begin());
  s.remove_prefix(whole.size());
  std::string_view fraction;
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    fraction = s.substr(0, std::find_if_not(s.begin(), s.end(), IsDigit) - s.begin());
    s.remove_prefix(fraction.size());
  }
  if (whole.empty() && fraction.empty()) return false;
  int64_t exponent = 0;
  if (!s.empty() && (s[0] == 'e' || s[0] == 'E')) {
    s.remove_prefix(1);
    const bool minus = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), IsDigit)) return false;
    for (char c : s) exponent = exponent * 10 + (c - '0');
    if (minus) exponent = -exponent;
    s = {};
  }
  if (!s.empty()) return false;
  std::string all(whole);
  all.append(fraction);
  const size_t leading = std::min(all.find_first_not_of('0'), all.size());
  int64_t point = static_cast<int64_t>(whole.size()) + exponent - static_cast<int64_t>(leading);
  all.erase(0, leading);
  if (all.empty()) {
    *digits = "0";
    return true;
  }
  if (point <= 0 || point > kMaxIntegerDigits) return false;
  const size_t p = static_cast<size_t>(point);
  if (p < all.size() && all.find_first_not_of('0', p) != std::string::npos) return false;
  all.resize(p, '0');
  digits->assign(negative ? "-" : "");
  digits->append(all);
  return true;
}

std::string ColumnName(uint32_t column) {
  std::string name;
  for (uint64_t c = column; c > 0; c = (c - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (c - 1) % 26));
  return name;
}

uint64_t ColumnOf(std::string_view ref, uint32_t limit) {
  uint64_t column = 0;
  for (char c : ref) {
    const char upper = static_cast<char>(c & ~0x20);
    if (upper < 'A' || upper > 'Z') break;
    column = column * 26 + static_cast<uint64_t>(upper - 'A' + 1);
    if (column > limit) return uint64_t{limit} + 1;
  }
  return column;
}

}  // namespace vigie::xlsx
