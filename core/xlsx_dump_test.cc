#include "core/xlsx_dump.h"

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/xlsx_xml.h"

namespace vigie {
namespace {

struct Part {
  std::string name;
  std::string data;
};
using Parts = std::vector<Part>;

// A folder of its own per test, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "vigie-xlsx-XXXXXX").string();
    REQUIRE(mkdtemp(templ.data()) != nullptr);
    path_ = templ;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct ZipOptions {
  bool store = false;              // no compression, so that tests can find and damage a part's bytes
  const char* password = nullptr;  // traditional PKWARE encryption
};

// Writes `parts` as a zip, in that member order, with libarchive's writer.
void WriteZip(const std::string& path, const Parts& parts, ZipOptions options = {}) {
  archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_zip(a) == ARCHIVE_OK);
  REQUIRE(archive_write_set_format_option(a, "zip", "compression", options.store ? "store" : "deflate") == ARCHIVE_OK);
  if (options.password != nullptr) {
    REQUIRE(archive_write_set_format_option(a, "zip", "encryption", "zipcrypt") == ARCHIVE_OK);
    REQUIRE(archive_write_set_passphrase(a, options.password) == ARCHIVE_OK);
  }
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const Part& part : parts) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, part.name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(part.data.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, part.data.data(), part.data.size()) == static_cast<la_ssize_t>(part.data.size()));
    archive_entry_free(entry);
  }
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
}

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string Sst(const std::vector<std::string>& items) {
  std::string xml = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"") + kMain + "\">";
  for (const std::string& item : items) xml += "<si>" + item + "</si>";
  return xml + "</sst>";
}

// A worksheet around `rows` (the <row> elements), with an optional <dimension ref=…>.
std::string Sheet(const std::string& rows, const std::string& dimension = "") {
  std::string xml = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\"") + kMain + "\">";
  if (!dimension.empty()) xml += "<dimension ref=\"" + dimension + "\"/>";
  return xml + "<sheetData>" + rows + "</sheetData></worksheet>";
}

struct WorkbookSpec {
  std::vector<std::pair<std::string, std::string>> sheets;  // name, worksheet XML
  std::vector<std::string> strings;                         // shared strings items; none: no part
  bool strings_first = true;                                // sharedStrings.xml before the sheets in the zip
};

Parts Workbook(const WorkbookSpec& spec) {
  std::string workbook = std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRelNs + "\"><sheets>";
  std::string rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  Parts sheets;
  for (size_t i = 0; i < spec.sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    workbook += "<sheet name=\"" + spec.sheets[i].first + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
    rels += "<Relationship Id=\"rId" + n + "\" Type=\"" + kRelNs + "/worksheet\" Target=\"worksheets/sheet" + n +
            ".xml\"/>";
    sheets.push_back({"xl/worksheets/sheet" + n + ".xml", spec.sheets[i].second});
  }
  if (!spec.strings.empty()) {
    rels +=
        std::string("<Relationship Id=\"rIdS\" Type=\"") + kRelNs + "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
  }
  Parts parts = {
      {"[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"},
      {"xl/workbook.xml", workbook + "</sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels", rels + "</Relationships>"}};
  const Part strings{"xl/sharedStrings.xml", Sst(spec.strings)};
  if (!spec.strings.empty() && spec.strings_first) parts.push_back(strings);
  parts.insert(parts.end(), sheets.begin(), sheets.end());
  if (!spec.strings.empty() && !spec.strings_first) parts.push_back(strings);
  return parts;
}

struct Output {
  Status status;
  std::string text;  // records with the unit separator shown as '|'
};

Output Transcode(const std::string& path, const XlsxOptions& options = {}) {
  StringSink sink;
  RecordWriter writer(&sink);
  Output out;
  out.status = TranscodeXlsx(path, options, &writer);
  if (out.status.ok()) CHECK(writer.Finish().ok());
  out.text = sink.out;
  for (char& c : out.text) c = c == kUnitSeparator ? '|' : c;
  return out;
}

Output TranscodeParts(const Parts& parts, const XlsxOptions& options = {}) {
  TempDir dir;
  WriteZip(dir.File("book.xlsx"), parts);
  return Transcode(dir.File("book.xlsx"), options);
}

std::string Cell(const std::string& ref, const std::string& type, const std::string& inner) {
  return "<c r=\"" + ref + "\"" + (type.empty() ? "" : " t=\"" + type + "\"") + ">" + inner + "</c>";
}

TEST_CASE("shared strings, numbers and the other cell types") {
  const std::string sheet =
      Sheet("<row r=\"1\">" + Cell("A1", "s", "<v>0</v>") + Cell("B1", "s", "<v>1</v>") + Cell("C1", "s", "<v>2</v>") +
            "</row><row r=\"2\">" + Cell("A2", "s", "<v>3</v>") + Cell("B2", "", "<v>1.850578006048E+12</v>") +
            Cell("C2", "n", "<v>612345678</v>") + Cell("D2", "", "<v>45123.5</v>") + "</row><row r=\"3\">" +
            Cell("A3", "inlineStr", "<is><t>x@y.fr</t></is>") + Cell("B3", "", "<v>1850578006048</v>") +
            Cell("C3", "b", "<v>1</v>") + Cell("D3", "b", "<v>0</v>") +
            Cell("E3", "str", "<f>A1&amp;B1</f><v>a&amp;b</v>") + Cell("F3", "e", "<v>#N/A</v>") + "</row>");
  // Rich text runs are concatenated, phonetic runs dropped, entities decoded.
  const std::vector<std::string> strings = {
      "<t>email</t>", "<t>nir</t>", "<r><t>tel</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> &amp; fax</t></r>",
      "<r><t>jean</t></r><r><t>.dupont@example.fr</t></r><rPh sb=\"0\" eb=\"1\"><t>ジャン</t></rPh>"};
  for (bool strings_first : {true, false}) {
    CAPTURE(strings_first);
    const Output out = TranscodeParts(Workbook({{{"Feuil1", sheet}}, strings, strings_first}));
    REQUIRE(out.status.ok());
    CHECK(out.text ==
          "email|nir|tel & fax\n"
          "jean.dupont@example.fr|1850578006048|612345678|45123.5\n"
          "x@y.fr|1850578006048|TRUE|FALSE|a&b|#N/A\n");
  }
}

TEST_CASE("cells are placed by reference; rows absent or empty are absent") {
  struct Case {
    const char* name;
    std::string sheet;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"gaps in the header are named by letter",
       Sheet("<row r=\"1\">" + Cell("A1", "inlineStr", "<is><t>id</t></is>") +
             Cell("C1", "inlineStr", "<is><t>mail</t></is>") + "</row><row r=\"4\">" + Cell("C4", "", "<v>7</v>") +
             "</row><row r=\"9\">" + Cell("B9", "", "<v>8</v>") + Cell("E9", "", "<v>9</v>") + "</row>"),
       "id|B|mail\n||7\n|8|||9\n"},
      {"no row 1: letters, as wide as the dimension",
       Sheet("<row r=\"2\">" + Cell("B2", "", "<v>1</v>") + "</row>", "A2:D2"), "A|B|C|D\n|1\n"},
      {"an empty row 1 (styled cells only): letters, as wide as the first record",
       Sheet("<row r=\"1\"><c r=\"A1\" s=\"1\"/></row><row r=\"2\">" + Cell("C2", "", "<v>3</v>") + "</row>"),
       "A|B|C\n||3\n"},
      {"rows and cells without references follow the previous ones",
       Sheet("<row>" + Cell("B1", "", "<v>1</v>") + "<c><v>2</v></c></row><row><c><v>3</v></c></row>"), "A|1|2\n3\n"},
      {"an empty sheet: a one-letter header", Sheet(""), "A\n"},
      {"an empty row in between is dropped",
       Sheet("<row r=\"1\">" + Cell("A1", "", "<v>1</v>") + "</row><row r=\"2\"/><row r=\"3\">" +
             Cell("A3", "", "<v>2</v>") + "</row>"),
       "1\n2\n"},
      {"cells out of order are put in place, the first of a repeated reference stands",
       Sheet("<row r=\"1\">" + Cell("A1", "", "<v>1</v>") + "</row><row r=\"2\">" + Cell("C2", "", "<v>3</v>") +
             Cell("A2", "", "<v>1</v>") + Cell("A2", "", "<v>9</v>") + "</row>"),
       "1\n1||3\n"},
      {"prefixed element names",
       "<x:worksheet xmlns:x=\"" + std::string(kMain) +
           "\"><x:sheetData><x:row r=\"1\"><x:c r=\"B1\" t=\"inlineStr\">"
           "<x:is><x:t>nir</x:t></x:is></x:c></x:row><x:row r=\"2\"><x:c r=\"B2\"><x:v>2.0E+1</x:v></x:c></x:row>"
           "</x:sheetData></x:worksheet>",
       "A|nir\n|20\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    const Output out = TranscodeParts(Workbook({{{"S", c.sheet}}, {}, true}));
    REQUIRE(out.status.ok());
    CHECK(out.text == c.expected);
  }
}

TEST_CASE("--table picks a sheet; the default is the first worksheet") {
  const Parts parts = Workbook({{{"Feuil1", Sheet("<row r=\"1\">" + Cell("A1", "s", "<v>0</v>") + "</row>")},
                                 {"Clients", Sheet("<row r=\"1\">" + Cell("A1", "s", "<v>1</v>") + "</row>")}},
                                {"<t>first</t>", "<t>second</t>"},
                                false});
  struct Case {
    const char* sheet;
    const char* expected;
  };
  for (const Case& c :
       std::vector<Case>{{"", "first\n"}, {"Feuil1", "first\n"}, {"Clients", "second\n"}, {"CLIENTS", "second\n"}}) {
    CAPTURE(std::string(c.sheet));
    XlsxOptions options;
    options.sheet = c.sheet;
    const Output out = TranscodeParts(parts, options);
    REQUIRE(out.status.ok());
    CHECK(out.text == c.expected);
  }

  XlsxOptions options;
  options.sheet = "Absent";
  const Output out = TranscodeParts(parts, options);
  CHECK(out.status.reason() == "xlsx.sheet-not-found");
  CHECK(out.status.message().find("\"Feuil1\", \"Clients\"") != std::string::npos);
}

TEST_CASE("a chartsheet first and relationship targets resolved") {
  Parts parts = {
      {"xl/workbook.xml", std::string("<workbook xmlns:r=\"") + kRelNs +
                              "\"><sheets><sheet name=\"Chart\" r:id=\"c\"/>"
                              "<sheet name=\"Data\" r:id=\"d\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       std::string("<Relationships><Relationship Id=\"c\" Type=\"") + kRelNs +
           "/chartsheet\" Target=\"chartsheets/sheet1.xml\"/><Relationship Id=\"d\" Type=\"" + kRelNs +
           "/worksheet\" Target=\"/xl/./data/../worksheets/données.xml\"/></Relationships>"},
      {"xl/chartsheets/sheet1.xml", "<chartsheet/>"},
      {"xl/worksheets/données.xml", Sheet("<row r=\"1\">" + Cell("A1", "", "<v>5</v>") + "</row>")},
  };
  const Output out = TranscodeParts(parts);
  REQUIRE(out.status.ok());
  CHECK(out.text == "5\n");
}

TEST_CASE("without workbook.xml, xl/worksheets/sheet1.xml is read") {
  const Output out =
      TranscodeParts({{"xl/worksheets/sheet1.xml", Sheet("<row>" + Cell("A1", "", "<v>1</v>") + "</row>")}});
  REQUIRE(out.status.ok());
  CHECK(out.text == "1\n");
}

TEST_CASE("files that are not an xlsx") {
  TempDir dir;
  std::ofstream(dir.File("text.xlsx")) << "email;nir\na@b.fr;1\n";
  std::ofstream(dir.File("empty.xlsx"));
  std::ofstream(dir.File("ole.xls")) << std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) << std::string(600, '\0');
  WriteZip(dir.File("other.zip"), {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
                                   {"content.xml", "<office:document-content/>"}});
  WriteZip(dir.File("binary.xlsb"), {{"[Content_Types].xml", "<Types/>"}, {"xl/workbook.bin", "\x83\x01"}});
  for (const char* name : {"text.xlsx", "empty.xlsx", "ole.xls", "other.zip", "binary.xlsb"}) {
    CAPTURE(std::string(name));
    const Output out = Transcode(dir.File(name));
    CHECK(out.status.reason() == "xlsx.not-xlsx");
    CHECK(out.text.empty());
  }
  CHECK(Transcode(dir.File("ole.xls")).status.message().find("OLE") != std::string::npos);
  CHECK(Transcode(dir.File("binary.xlsb")).status.message().find(".xlsb") != std::string::npos);
  CHECK(Transcode(dir.File("absent.xlsx")).status.IsNotFound());
}

TEST_CASE("bad cells and parts are refused without quoting content") {
  const std::string secret = "secret.person@example.fr";
  const std::vector<std::string> strings = {"<t>" + secret + "</t>", "<t>nir</t>"};
  struct Case {
    const char* name;
    std::string sheet;
    const char* reason;
    const char* message_has;
  };
  const std::string header = "<row r=\"1\">" + Cell("A1", "s", "<v>0</v>") + "</row>";
  const std::vector<Case> cases = {
      {"column beyond XFD", header + "<row r=\"2\">" + Cell("ZZZZ2", "", "<v>1</v>") + "</row>",
       "xlsx.too-many-columns", "beyond column XFD"},
      {"column beyond 2^32", header + "<row r=\"2\">" + Cell("ZZZZZZZZZZZZZZZ2", "", "<v>1</v>") + "</row>",
       "xlsx.too-many-columns", "16384"},
      {"string index out of range", header + "<row r=\"2\">" + Cell("B2", "s", "<v>2</v>") + "</row>",
       "xlsx.bad-string-index", "cell B2"},
      {"string index not a number", header + "<row r=\"2\">" + Cell("B2", "s", "<v>-1</v>") + "</row>",
       "xlsx.bad-string-index", "2 strings"},
      {"mismatched tag",
       header + "\n<row r=\"2\">\n" + Cell("B2", "inlineStr", "<is><t>" + secret + "</is>") + "</row>", "xlsx.xml",
       "xl/worksheets/sheet1.xml line 4: mismatched tag"},
      {"a DTD (entity expansion)", "", "xlsx.xml", "DTD"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.name));
    std::string sheet = Sheet(c.sheet);
    if (c.sheet.empty()) {
      sheet = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"" + secret +
              "\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;"
              "</t></is></c></row></sheetData></worksheet>";
    }
    const Output out = TranscodeParts(Workbook({{{"S", sheet}}, strings, false}));
    CHECK(out.status.reason() == c.reason);
    CAPTURE(out.status.message());
    CHECK(out.status.message().find(c.message_has) != std::string::npos);
    CHECK(out.status.message().find(secret) == std::string::npos);
  }

  XlsxOptions narrow;
  narrow.max_columns = 3;
  const std::string sheet =
      Sheet(header + "<row r=\"2\">" + Cell("C2", "", "<v>1</v>") + Cell("D2", "", "<v>1</v>") + "</row>");
  const Output out = TranscodeParts(Workbook({{{"S", sheet}}, strings, true}), narrow);
  CHECK(out.status.reason() == "xlsx.too-many-columns");
  CHECK(out.status.message().find("beyond column C") != std::string::npos);
}

TEST_CASE("size guards") {
  const std::string rows = "<row r=\"1\">" + Cell("A1", "inlineStr", "<is><t>mail</t></is>") + "</row>";
  SUBCASE("parts expanding past the cap") {
    std::string many;
    for (int i = 2; i < 400; ++i) many += "<row r=\"" + std::to_string(i) + "\"><c><v>1</v></c></row>";
    XlsxOptions options;
    options.max_expanded_bytes = 4000;
    const Parts parts = Workbook({{{"S", Sheet(rows + many)}}, {}, true});
    CHECK(TranscodeParts(parts, options).status.reason() == "archive.too-large");
    options.max_expanded_bytes = 40000;
    CHECK(TranscodeParts(parts, options).status.ok());
  }
  SUBCASE("a shared strings table over the cap") {
    XlsxOptions options;
    options.max_expanded_bytes = 1000;
    const Parts parts = Workbook({{{"S", Sheet(rows)}}, std::vector<std::string>(200, "<t>a</t>"), true});
    CHECK(TranscodeParts(parts, options).status.reason() == "archive.too-large");
  }
  SUBCASE("one token over 4 MiB") {
    const std::string sheet = Sheet("<row r=\"1\" x=\"" + std::string(5 << 20, 'a') + "\"/>");
    const Output out = TranscodeParts(Workbook({{{"S", sheet}}, {}, true}));
    CHECK(out.status.reason() == "xlsx.xml");
    CHECK(out.status.message().find("4 MiB") != std::string::npos);
  }
  SUBCASE("a long text is streamed, a row over 64 MiB refused") {
    const auto row = [](int cells) {
      std::string xml = "<row r=\"2\">";
      for (int i = 0; i < cells; ++i) xml += "<c t=\"s\"><v>0</v></c>";
      return xml + "</row>";
    };
    const std::vector<std::string> strings = {"<t>" + std::string(1 << 20, 'x') + "</t>"};
    const Output fits = TranscodeParts(Workbook({{{"S", Sheet(row(20))}}, strings, true}));
    REQUIRE(fits.status.ok());
    CHECK(fits.text.size() == 40 + 20 * ((1 << 20) + 1));  // letters A…T, then 20 MiB in one record
    // Text is no single token: expat streams it, so 6 MiB in one cell pass the 4 MiB token guard.
    const std::string inline_text =
        "<row r=\"2\"><c t=\"inlineStr\"><is><t>" + std::string(6 << 20, 'y') + "</t></is></c></row>";
    const Output long_text = TranscodeParts(Workbook({{{"S", Sheet(inline_text)}}, {}, true}));
    REQUIRE(long_text.status.ok());
    CHECK(long_text.text.size() == 2 + (6 << 20) + 1);
    const Output out = TranscodeParts(Workbook({{{"S", Sheet(row(70))}}, strings, true}));
    CHECK(out.status.reason() == "xlsx.row-too-large");
  }
}

TEST_CASE("damaged and encrypted zips") {
  TempDir dir;
  const std::string sheet = Sheet("<row r=\"1\">" + Cell("A1", "inlineStr", "<is><t>PAYLOAD</t></is>") + "</row>");
  const Parts parts = Workbook({{{"S", sheet}}, {}, true});

  const std::string stored = dir.File("stored.xlsx");
  WriteZip(stored, parts, {.store = true});
  REQUIRE(Transcode(stored).status.ok());
  std::string bytes;
  {
    std::ifstream in(stored, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = bytes.find("PAYLOAD");
  REQUIRE(at != std::string::npos);
  bytes[at] = 'Q';  // the stored CRC no longer matches
  std::ofstream(stored, std::ios::binary | std::ios::trunc) << bytes;
  const Output damaged = Transcode(stored);
  CHECK(damaged.status.reason() == "archive.corrupt");
  CHECK(damaged.status.message().find("sheet1.xml") != std::string::npos);

  const std::string encrypted = dir.File("encrypted.xlsx");
  WriteZip(encrypted, parts, {.password = "secret"});
  CHECK(Transcode(encrypted).status.reason() == "archive.encrypted");
}

TEST_CASE("IntegerDigits") {
  struct Case {
    const char* number;
    const char* digits;  // nullptr: not an integer value, kept as written
  };
  const std::vector<Case> cases = {
      {"612345678", "612345678"},
      {"1850578006048", "1850578006048"},
      {"1.850578006048E+12", "1850578006048"},
      {"1.850578006048e12", "1850578006048"},
      {"185057800604800E-2", "1850578006048"},
      {"33612345678", "33612345678"},
      {"1.0", "1"},
      {"-2.5E1", "-25"},
      {"+7", "7"},
      {"0", "0"},
      {"-0", "0"},
      {"0.000", "0"},
      {"007", "7"},
      {"1E+29", "100000000000000000000000000000"},
      {"1E+30", nullptr},  // over 30 digits
      {"45123.5", nullptr},
      {"0.5", nullptr},
      {"1E-3", nullptr},
      {"1.5E+0", nullptr},
      {"", nullptr},
      {".", nullptr},
      {"-", nullptr},
      {"1e", nullptr},
      {"1E+123456", nullptr},
      {"12a", nullptr},
      {"INF", nullptr},
      {"NaN", nullptr},
      {" 12", nullptr},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.number));
    std::string digits = "unchanged";
    const bool integer = xlsx::IntegerDigits(c.number, &digits);
    CHECK(integer == (c.digits != nullptr));
    CHECK(digits == (c.digits ? c.digits : "unchanged"));
  }
}

TEST_CASE("column letters") {
  struct Case {
    uint32_t column;
    const char* name;
  };
  for (const Case& c : std::vector<Case>{{1, "A"}, {26, "Z"}, {27, "AA"}, {52, "AZ"}, {703, "AAA"}, {16384, "XFD"}}) {
    CAPTURE(std::string(c.name));
    CHECK(xlsx::ColumnName(c.column) == c.name);
    CHECK(xlsx::ColumnOf(std::string(c.name) + "12", 16384) == c.column);
  }
  CHECK(xlsx::ColumnOf("xfd1", 16384) == 16384);
  CHECK(xlsx::ColumnOf("XFE1", 16384) == 16385);
  CHECK(xlsx::ColumnOf("ZZZZZZZZZZZZZZZZZZZZ1", 16384) == 16385);
  CHECK(xlsx::ColumnOf("12", 16384) == 0);
  CHECK(xlsx::ColumnOf("", 16384) == 0);
}

TEST_CASE("LooksLikeXlsx") {
  TempDir dir;
  WriteZip(dir.File("book.xlsx"), Workbook({{{"S", Sheet("")}}, {}, true}));
  WriteZip(dir.File("late.xlsx"), {{"docProps/app.xml", "<Properties/>"}, {"xl/workbook.xml", "<workbook/>"}});
  WriteZip(dir.File("other.zip"), {{"readme.txt", "hello"}});
  const auto head = [&](const char* name) {
    std::ifstream in(dir.File(name), std::ios::binary);
    std::string bytes(std::istreambuf_iterator<char>(in), {});
    return bytes.substr(0, 4096);
  };
  CHECK(LooksLikeXlsx(head("book.xlsx")));
  CHECK(LooksLikeXlsx(head("late.xlsx")));
  CHECK_FALSE(LooksLikeXlsx(head("other.zip")));
  CHECK_FALSE(LooksLikeXlsx(head("book.xlsx").substr(0, 40)));  // the name cut short
  CHECK_FALSE(LooksLikeXlsx("email;nir\n"));
  CHECK_FALSE(LooksLikeXlsx(""));
  CHECK_FALSE(LooksLikeXlsx(std::string("PK\x03\x04", 4)));
}

}  // namespace
}  // namespace vigie
