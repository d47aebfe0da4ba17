# Writes the seed corpus of the xlsx fuzz target (tests/fuzz/corpus/xlsx): byte 0 = options, then a small xlsx. Synthetic values; the same bytes on every run.
import io, os, sys, zipfile
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')

def workbook(names):
    s = "".join(f'<sheet name="{n}" sheetId="{i+1}" r:id="rId{i+1}"/>' for i, n in enumerate(names))
    return f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{s}</sheets></workbook>'

def rels(n, strings):
    r = "".join(f'<Relationship Id="rId{i+1}" Type="{REL}/worksheet" Target="worksheets/sheet{i+1}.xml"/>' for i in range(n))
    if strings:
        r += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    return f'<Relationships xmlns="{PKG}">{r}</Relationships>'

def sheet(rows, dim=None, p=""):
    d = f'<{p}dimension ref="{dim}"/>' if dim else ""
    ns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    return f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}>{d}<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'

def sst(items):
    return f'<sst xmlns="{MAIN}">' + "".join(f"<si>{i}</si>" for i in items) + "</sst>"

def zipped(parts, method=zipfile.ZIP_DEFLATED):
    # Stored seeds let the fuzzer's mutations reach the XML; deflated ones are what real files look like.
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for name, data in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return b.getvalue()

seeds = {}
# Excel's order: shared strings after the sheet (two passes); NIRs as numbers, rich text, a phonetic run.
s1 = sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
           '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>1.850578006048E+12</v></c><c r="C2"><v>612345678</v></c></row>'
           '<row r="4"><c r="A4" t="s"><v>4</v></c><c r="C4"><v>33612345678</v></c><c r="D4"><v>45123.5</v></c></row>', "A1:D4")
seeds["excel-order"] = (0x00, zipped([("[Content_Types].xml", CT), ("xl/workbook.xml", workbook(["Feuil1"])),
    ("xl/_rels/workbook.xml.rels", rels(1, True)), ("xl/worksheets/sheet1.xml", s1),
    ("xl/sharedStrings.xml", sst(["<t>email</t>", "<t>nir</t>", "<t>tel</t>",
        '<r><t>user1</t></r><r><rPr><b/></rPr><t>@example.org</t></r><rPh sb="0" eb="1"><t>x</t></rPh>',
        "<t>user2@example.org</t>"]))]))
# Two sheets, strings first (one pass), --table Clients; inline strings, booleans, formula results, gaps.
c1 = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>nom</t></is></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row>')
c2 = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c><c r="C1" t="inlineStr"><is><t>actif</t></is></c></row>'
           '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="str"><f>A2</f><v>user3@example.org</v></c>'
           '<c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c></row><row r="3"><c r="E3"><v>1E+3</v></c></row>')
seeds["two-sheets"] = (0x02, zipped([("[Content_Types].xml", CT), ("xl/workbook.xml", workbook(["Feuil1", "Clients"])),
    ("xl/_rels/workbook.xml.rels", rels(2, True)), ("xl/sharedStrings.xml", sst(["<t>Dupont</t>", "<t>user4@example.org</t>"])),
    ("xl/worksheets/sheet1.xml", c1), ("xl/worksheets/sheet2.xml", c2)], zipfile.ZIP_STORED))
# No workbook: the xl/worksheets/sheet1.xml fallback; no row 1, cells without references.
seeds["bare-sheet"] = (0x04, zipped([("xl/worksheets/sheet1.xml",
    sheet('<row r="3"><c><v>0612345678</v></c><c t="inlineStr"><is><t>user5@example.org</t></is></c></row><row><c r="C4"><v>7</v></c></row>', "A3:C4"))]))
# Prefixed element names, row 1 empty, the 4 KiB expansion cap.
seeds["prefixed"] = (0x10, zipped([("[Content_Types].xml", CT), ("xl/workbook.xml", workbook(["Feuil1"])),
    ("xl/_rels/workbook.xml.rels", rels(1, False)),
    ("xl/worksheets/sheet1.xml", sheet('<x:row r="1"/><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>user6@example.org</x:t></x:is></x:c>'
        '<x:c r="C2"><x:v>2.5</x:v></x:c></x:row>', None, "x:"))], zipfile.ZIP_STORED))
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, (opt, data) in seeds.items():
    blob = bytes([opt]) + data
    assert len(blob) < 4096, (name, len(blob))
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)
    print(name, len(blob))
