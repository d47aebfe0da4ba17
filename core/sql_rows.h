// The selecting half of the SQL dump reader (core/sql_dump.h): which table's rows reach the RecordWriter, the
// header, how each statement's values meet it, and the SqlReport. The parser (sql_dump.cc) tells it what each
// statement holds; it knows nothing of SQL syntax. Internal to the SQL reader and its tests.
//
// Memory: the CREATE TABLE columns of every table and the names of the tables with rows, together at most
// kMaxSchemaBytes ("sql.schema-too-large"); everything else is per row.
//
// Borrows the options, the writer (null: survey only) and the report; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/record_writer.h"
#include "core/sql_dump.h"
#include "core/status.h"

namespace vigie::sql_internal {

inline constexpr size_t kMaxSchemaBytes = size_t{64} << 20;

struct TableName {
  std::string display;   // the parts joined by '.', control bytes shown as '?'
  std::string key;       // display in ASCII lower case: tables compare by it
  size_t last_part = 0;  // where the last part starts
};

class SqlRowRouter {
 public:
  SqlRowRouter(const SqlOptions& options, RecordWriter* out, SqlReport* report);

  // A table's CREATE TABLE columns, replacing what an earlier one said.
  Status AddSchema(const TableName& table, std::vector<std::string> columns);
  // The rows that follow belong to `table`, their values in the order of `column_list` (empty: the order of
  // the table's CREATE TABLE, else of the header). Both are borrowed until the next BeginStatement.
  void BeginStatement(const TableName* table, const std::vector<std::string>* column_list, uint64_t number);
  // One row: its values end to end in `row`, value i ending at ends[i].
  Status AddRow(std::string_view row, const std::vector<size_t>& ends);
  // At the end of the dump: "sql.no-rows" or "sql.table-not-found" when nothing was selected, else flushes
  // the writer.
  Status Finish();

 private:
  Status StartStatementRows(size_t width);
  Status MapColumns(const std::vector<std::string>& columns);
  Status Keep(size_t bytes);

  const SqlOptions& options_;
  std::string table_option_;  // options_.table in lower case
  RecordWriter* out_;
  SqlReport* report_;

  std::unordered_map<std::string, std::vector<std::string>> schemas_;  // table key → CREATE TABLE columns
  std::unordered_map<std::string, size_t> table_rows_index_;           // table key → index in report_
  size_t kept_bytes_ = 0;                                              // for schemas_ and report_ names
  std::string selected_key_;
  std::string selected_display_;
  bool header_written_ = false;
  bool header_named_ = false;  // names, not "1", "2", …
  std::vector<std::string> header_;
  std::unordered_map<std::string, size_t> header_index_;  // lower-case name → position

  // The statement whose rows come.
  const TableName* table_ = nullptr;
  const std::vector<std::string>* column_list_ = nullptr;
  uint64_t statement_number_ = 0;
  bool rows_started_ = false;
  bool write_rows_ = false;
  size_t table_index_ = 0;
  std::vector<int> mapping_;  // header position → value index (-1: none); empty: values in header order
  size_t mapped_width_ = 0;   // values the mapping places; any beyond follow the header's width
};

}  // namespace vigie::sql_internal
