#!/usr/bin/env python3
"""Writes one synthetic leak dump per shape Vigie reads (issue 13), from a vigie-gen CSV.

Usage: make_dump_shapes.py BASE.csv OUT_DIR

Each shape holds its own slice of the base rows, so that every planted NIR belongs to exactly one file. For
each file, OUT_DIR/expected.tsv gets "file<TAB>add flags<TAB>NIRs planted", and OUT_DIR/<file>.nirs the NIRs
(one per line) that a look-up must find in that file's breach. Nothing here is real data: the base rows come
from vigie-gen's synthetic generator.
"""
import bz2
import csv
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile
import zipfile

base, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with open(base, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.DictReader(f, delimiter=";"))
SLICE = 200
slices = iter(range(0, len(rows), SLICE))
expected = []


def take():
    start = next(slices)
    return rows[start:start + SLICE]


def record(name, flags, people):
    expected.append((name, flags, len(people)))
    with open(os.path.join(out, name + ".nirs"), "w") as f:
        f.writelines(p["nir"] + "\n" for p in people)


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def delimited(people, delimiter=";", address=False, quote_all=False):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                   lineterminator="\r\n" if quote_all else "\n")
    head = ["nom", "prenom", "nir", "email"] + (["adresse"] if address else [])
    w.writerow(head)
    for i, p in enumerate(people):
        extra = [f"{i} rue de l'Exemple\nBât. B, \"Les Tilleuls\"\n75001 Paris"] if address else []
        w.writerow([p["nom"], p["prenom"], p["nir"], p["email"]] + extra)
    return buf.getvalue()


def sql_text(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# Delimited text: quoted line breaks, UTF-16, Windows-1252.
people = take(); record("multiline.csv", "", people)
write("multiline.csv", delimited(people, ",", address=True, quote_all=True).encode())
people = take(); record("utf16.tsv", "", people)
write("utf16.tsv", delimited(people, "\t").encode("utf-16"))
people = take(); record("latin1.csv", "", people)
write("latin1.csv", delimited(people).encode("cp1252", errors="replace"))

# MySQL dump: two tables, extended INSERTs with escapes and NULLs; the rows are in `assures`.
people = take(); record("mysql.sql", "--table assures", people)
lines = ["-- MySQL dump 10.13  Distrib 8.0.36", "/*!40101 SET NAMES utf8mb4 */;",
         "CREATE TABLE `organismes` (\n  `id` int NOT NULL,\n  `nom` varchar(64),\n  PRIMARY KEY (`id`)\n);",
         "INSERT INTO `organismes` VALUES (1,'Mutuelle (fictive); \\'A\\''),(2,NULL);",
         "CREATE TABLE `assures` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `nom` varchar(64) DEFAULT NULL,\n"
         "  `num_secu` char(15) NOT NULL,\n  `email` varchar(255),\n  `note` text,\n  PRIMARY KEY (`id`),\n"
         "  KEY `k_secu` (`num_secu`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"]
for start in range(0, len(people), 64):
    tuples = ",".join(f"({start + i},{sql_text(p['nom'])},{sql_text(p['nir'])},{sql_text(p['email'])},"
                      f"{'NULL' if i % 3 else sql_text('a;b),(c' + chr(10) + 'd')})"
                      for i, p in enumerate(people[start:start + 64]))
    lines.append(f"INSERT INTO `assures` VALUES {tuples};")
write("mysql.sql", ("\n".join(lines) + "\n").encode())

# PostgreSQL dump: COPY … FROM stdin.
people = take(); record("postgres.sql", "", people)
NULL, NOTE = "\\N", "ligne 1\\nligne 2"  # COPY's NULL, and a value with an escaped line break
copy = "\n".join(f"{i}\t{p['nom']}\t{p['nir']}\t{p['email']}\t{NULL if i % 2 else NOTE}" for i, p in enumerate(people))
write("postgres.sql", ("--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n"
                       "CREATE TABLE public.assures (\n    id integer NOT NULL,\n    nom text,\n    nir text,\n"
                       "    email text,\n    note text\n);\n\n"
                       f"COPY public.assures (id, nom, nir, email, note) FROM stdin;\n{copy}\n\\.\n\n").encode())

# JSON: NDJSON with nested objects, and one top-level array.
people = take(); record("export.ndjson", "--column person.ids.nir", people)
write("export.ndjson", "".join(json.dumps({"id": i, "person": {"name": p["nom"], "ids": {"nir": p["nir"]}},
                                           "contact": {"email": p["email"]}}, ensure_ascii=False) + "\n"
                               for i, p in enumerate(people)).encode())
people = take(); record("export.json", "", people)
write("export.json", json.dumps([{"nir": p["nir"], "nom": p["nom"], "emails": [p["email"]]} for p in people],
                                indent=1, ensure_ascii=False).encode())

# xlsx: names as shared strings, NIRs as numbers (Excel's way with digits) or inline strings (Corsica).
people = take(); record("assures.xlsx", "", people)
strings = []
def shared(s):
    strings.append(s)
    return len(strings) - 1
def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
sheet_rows = [f'<row r="1"><c r="A1" t="s"><v>{shared("Nom")}</v></c><c r="B1" t="s"><v>{shared("NIR")}</v></c>'
              f'<c r="C1" t="s"><v>{shared("Courriel")}</v></c></row>']
for i, p in enumerate(people, start=2):
    nir = p["nir"]
    nir_cell = (f'<c r="B{i}"><v>{nir}</v></c>' if nir.isdigit()
                else f'<c r="B{i}" t="inlineStr"><is><t>{nir}</t></is></c>')
    sheet_rows.append(f'<row r="{i}"><c r="A{i}" t="s"><v>{shared(p["nom"])}</v></c>{nir_cell}'
                      f'<c r="C{i}" t="s"><v>{shared(p["email"])}</v></c></row>')
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
with zipfile.ZipFile(os.path.join(out, "assures.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
               'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
    z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} {rel}><sheets>'
               '<sheet name="Assurés" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
               'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
               'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               '</Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}><sheetData>'
               + "".join(sheet_rows) + "</sheetData></worksheet>")
    z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {ns} count="{len(strings)}">'
               + "".join(f"<si><t>{esc(s)}</t></si>" for s in strings) + "</sst>")

# Free text: tickets that mention people's NIRs among other numbers.
people = take(); record("tickets.txt", "--format text", people)
text = []
for i, p in enumerate(people):
    nir = p["nir"]
    spaced = " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]])
    text.append(f"Ticket #{4000 + i} ({p['prenom']} {p['nom']}): NIR {spaced if i % 2 else nir}, "
                f"commande 98765432101234{i % 10}, rappeler.")
write("tickets.txt", ("\n".join(text) + "\n").encode())

# Containers: several CSV parts in a zip, a 7z and a tar.gz; single streams in xz and bzip2.
for name in ("parts.zip", "parts.7z", "parts.tar.gz"):
    a, b = take(), take()
    record(name, "", a + b)
    parts = {"leak/part-1.csv": delimited(a).encode(), "leak/part-2.csv": delimited(b, ",").encode()}
    path = os.path.join(out, name)
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for member, data in parts.items():
                z.writestr(member, data)
    elif name.endswith(".tar.gz"):
        with tarfile.open(path, "w:gz") as t:
            for member, data in parts.items():
                info = tarfile.TarInfo(member)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    else:
        stage = os.path.join(out, "7z-stage")
        for member, data in parts.items():
            os.makedirs(os.path.join(stage, os.path.dirname(member)), exist_ok=True)
            with open(os.path.join(stage, member), "wb") as f:
                f.write(data)
        subprocess.run(["bsdtar", "--format", "7zip", "-cf", os.path.abspath(path), "leak"], cwd=stage, check=True)
people = take(); record("dump.csv.xz", "", people)
write("dump.csv.xz", lzma.compress(delimited(people).encode()))
people = take(); record("dump.csv.bz2", "", people)
write("dump.csv.bz2", bz2.compress(delimited(people).encode()))

with open(os.path.join(out, "expected.tsv"), "w") as f:
    for name, flags, count in expected:
        f.write(f"{name}\t{flags or '-'}\t{count}\n")
