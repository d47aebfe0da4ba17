#!/usr/bin/env python3
"""Streams a vigie-gen CSV (nom;prenom;date_naissance;nir;organisme;…) into one dump shape, for
bench/shapes_bench.sh. Usage: make_shape.py SHAPE BASE.csv OUT. Shapes: multiline, utf16, mysql, postgres,
ndjson, json, xlsx, text, zip. Synthetic data only (vigie-gen's)."""
import csv
import io
import json
import sys
import zipfile

shape, base, out = sys.argv[1:4]


def rows():
    with open(base, encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f, delimiter=";")
        next(r)
        for row in r:
            yield row[0], row[1], row[3]  # nom, prenom, nir


def sql(v):
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def write_text(path, chunks, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        for c in chunks:
            f.write(c)


def multiline():
    yield '"nom","prenom","nir","adresse"\r\n'
    for i, (nom, prenom, nir) in enumerate(rows()):
        yield f'"{nom}","{prenom}","{nir}","{i} rue de l\'Exemple\n75001 Paris"\r\n'


def mysql():
    yield "-- MySQL dump 10.13\nCREATE TABLE `assures` (\n  `id` int,\n  `nom` varchar(64),\n  `prenom` varchar(64),\n  `nir` char(15)\n);\n"
    batch = []
    for i, (nom, prenom, nir) in enumerate(rows()):
        batch.append(f"({i},{sql(nom)},{sql(prenom)},'{nir}')")
        if len(batch) == 1000:
            yield "INSERT INTO `assures` VALUES " + ",".join(batch) + ";\n"
            batch = []
    if batch:
        yield "INSERT INTO `assures` VALUES " + ",".join(batch) + ";\n"


def postgres():
    yield "-- PostgreSQL database dump\nCOPY public.assures (id, nom, prenom, nir) FROM stdin;\n"
    for i, (nom, prenom, nir) in enumerate(rows()):
        yield f"{i}\t{nom}\t{prenom}\t{nir}\n"
    yield "\\.\n"


def ndjson():
    for i, (nom, prenom, nir) in enumerate(rows()):
        yield json.dumps({"id": i, "person": {"nom": nom, "prenom": prenom}, "nir": nir}, ensure_ascii=False) + "\n"


def json_array():
    yield "["
    for i, (nom, prenom, nir) in enumerate(rows()):
        yield ("," if i else "") + json.dumps({"id": i, "nom": nom, "prenom": prenom, "nir": nir}, ensure_ascii=False)
    yield "]\n"


def text():
    for i, (nom, prenom, nir) in enumerate(rows()):
        yield f"Ticket #{i}: {prenom} {nom} (NIR {nir}) demande une attestation, commande 9876543210{i % 10}.\n"


def xlsx(path):
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            w = io.TextIOWrapper(f, encoding="utf-8")
            w.write(f'<?xml version="1.0"?><worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>nom</t></is></c><c r="B1" t="inlineStr"><is><t>nir</t></is></c></row>')
            for i, (nom, _, nir) in enumerate(rows(), start=2):
                cell = f'<c r="B{i}"><v>{nir}</v></c>' if nir.isdigit() else f'<c r="B{i}" t="inlineStr"><is><t>{nir}</t></is></c>'
                w.write(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{nom}</t></is></c>{cell}</row>')
            w.write("</sheetData></worksheet>")
            w.flush()


if shape == "multiline":
    write_text(out, multiline())
elif shape == "utf16":
    with open(out, "w", encoding="utf-16", newline="") as f:
        f.write("nom\tprenom\tnir\n")
        for nom, prenom, nir in rows():
            f.write(f"{nom}\t{prenom}\t{nir}\n")
elif shape == "mysql":
    write_text(out, mysql())
elif shape == "postgres":
    write_text(out, postgres())
elif shape == "ndjson":
    write_text(out, ndjson())
elif shape == "json":
    write_text(out, json_array())
elif shape == "text":
    write_text(out, text())
elif shape == "xlsx":
    xlsx(out)
elif shape == "zip":
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.write(base, "dump.csv")
else:
    sys.exit(f"unknown shape {shape}")
