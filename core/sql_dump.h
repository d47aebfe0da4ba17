// SQL dumps: the rows of one table of a MySQL/MariaDB dump (mysqldump) or a PostgreSQL dump (pg_dump, plain
// format), handed to the line-based pipeline as records (core/record_writer.h).
//
// Read, as a stream (memory stays bounded whatever the size of the dump or of one statement):
//   - INSERT [IGNORE] INTO / REPLACE INTO t [(columns)] VALUES (…),(…)…; with MySQL strings ('…' and "…",
//     backslash escapes and '' doubling) or standard ones ('…' with '' doubling, E'…' with escapes); a tail
//     such as ON DUPLICATE KEY UPDATE or ON CONFLICT is skipped. INSERT … SELECT / … SET have no rows to read.
//   - COPY t [(columns)] FROM stdin; followed by tab-separated text lines (PostgreSQL escapes, \N) up to "\.".
//   - CREATE TABLE t (…): the column names (index, key and constraint lines are not columns).
//   - everything else (SET, LOCK TABLES, functions with $$ bodies, triggers under DELIMITER ;;, …) is skipped,
//     as are comments: "-- …", "# …" between statements, "/* … */" and MySQL's "/*!40101 … */".
// The dialect starts as MySQL and turns standard (PostgreSQL, SQLite) at "SET standard_conforming_strings",
// a COPY … FROM stdin or a PRAGMA: from then on '…' strings take no backslash escapes, "…" is a name, and
// $tag$…$tag$ is a string.
//
// Values: a string is written decoded; a number, TRUE or DEFAULT as written; NULL as an empty field; a typed
// or charset-prefixed literal (DATE '…', _utf8mb4 '…') as its string; hex literals (0x…, X'…') and _binary
// strings as the bytes they hold when those are text (UTF-8 without control characters), else as upper-case
// hex digits (a binary hash column stays usable); an expression such as UNHEX('…') or NOW() as written.
//
// Names: `…`, "…" or bare; schema-qualified names (db.t, public.t) keep every part. --table matches a name
// case-insensitively, whole or by its last part ("users" matches public.users).
//
// Header: the table's CREATE TABLE columns, else the column list of its first statement with rows, else "1",
// "2", … as wide as the first row. A statement whose column list differs from the header is mapped onto it
// (columns it does not list are empty; one the header lacks is "sql.columns"); a row of another width than its
// columns is written as it is (the tagger counts short rows).
//
// Refused, as Status InvalidArgument with these reasons (messages give byte offsets, statement numbers and
// table names, never the dump's content):
//   "sql.truncated"        the input ends inside a statement: an open string or comment, a row without ')',
//                          a statement without its ';', COPY data without its "\." line
//   "sql.syntax"           a row that is not (value, …) or a value out of place
//   "sql.several-tables"   rows for a second table while `table` is empty (or matches both)
//   "sql.table-not-found"  `table` never had rows (the message lists the tables that did)
//   "sql.no-rows"          no table had rows
//   "sql.columns"          a statement's column list names a column the header lacks
//   "sql.copy-format"      COPY … FROM stdin in CSV or binary format
//   "sql.value-too-long"   a value over 16 MiB, a name over 4 KiB
//   "sql.row-too-long"     a row over 64 MiB or 65,536 values
//   "sql.schema-too-large" over 64 MiB of table and column names to keep track of
// Errors from `in` or from the writer's sink come back as they are. Rows written before an error stay
// written; the caller discards them.
//
// Ownership and thread-safety: TranscodeSql borrows its arguments for the call and keeps nothing; it is not
// thread-safe on them. LooksLikeSql is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.h"
#include "core/record_writer.h"
#include "core/status.h"

namespace vigie {

struct SqlOptions {
  // Only this table's rows (see the header comment for matching). Empty: the first table that has rows, and
  // a second one is "sql.several-tables".
  std::string table;
};

struct SqlReport {
  std::vector<std::string> tables_with_rows;  // in the order their first row came, as written (db.t)
  std::vector<uint64_t> row_counts;           // rows read per entry of tables_with_rows
  uint64_t statements = 0;                    // statements read, skipped ones included
};

// Reads the SQL dump `in` and writes the selected table's rows to `out`: Header(column names) before the
// first row, one record per row, then Finish(). With `out` null, only surveys: every table's rows are counted
// into *report and no table is selected (no several-tables, table-not-found or no-rows error).
Status TranscodeSql(ByteSource* in, const SqlOptions& options, RecordWriter* out, SqlReport* report = nullptr);

// Whether the first bytes of a file look like a SQL dump: a "-- MySQL dump", "-- MariaDB dump" or
// "-- PostgreSQL database dump" comment, a "/*!" comment, or, after comments and blank lines, a statement
// start such as CREATE TABLE, INSERT INTO, REPLACE INTO, COPY … FROM stdin, SET …;, DROP TABLE, LOCK TABLES.
bool LooksLikeSql(std::string_view sample);

}  // namespace vigie
