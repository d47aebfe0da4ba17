#include "core/sql_rows.h"

#include "core/sql_literals.h"

namespace vigie::sql_internal {

namespace {

constexpr size_t kNameOverhead = 32;  // what keeping a name costs beyond its bytes, roughly
constexpr size_t kTablesListed = 20;  // in a table-not-found message

}  // namespace

SqlRowRouter::SqlRowRouter(const SqlOptions& options, RecordWriter* out, SqlReport* report)
    : options_(options), table_option_(AsciiLower(options.table)), out_(out), report_(report) {}

Status SqlRowRouter::Keep(size_t bytes) {
  kept_bytes_ += bytes;
  if (kept_bytes_ <= kMaxSchemaBytes) return Status::Ok();
  return Status::InvalidArgument("sql.schema-too-large",
                                 "the dump names more tables and columns than 64 MiB of names (statement " +
                                     std::to_string(report_->statements) + ")");
}

Status SqlRowRouter::AddSchema(const TableName& table, std::vector<std::string> columns) {
  size_t bytes = table.key.size() + kNameOverhead;
  for (const std::string& column : columns) bytes += column.size() + kNameOverhead;
  VIGIE_RETURN_IF_ERROR(Keep(bytes));
  schemas_[table.key] = std::move(columns);
  return Status::Ok();
}

void SqlRowRouter::BeginStatement(const TableName* table, const std::vector<std::string>* column_list,
                                  uint64_t number) {
  table_ = table;
  column_list_ = column_list;
  statement_number_ = number;
  rows_started_ = false;
}

Status SqlRowRouter::AddRow(std::string_view row, const std::vector<size_t>& ends) {
  if (!rows_started_) {
    VIGIE_RETURN_IF_ERROR(StartStatementRows(ends.size()));
    rows_started_ = true;
  }
  ++report_->row_counts[table_index_];
  if (!write_rows_) return Status::Ok();
  auto value = [&](size_t i) {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return row.substr(begin, ends[i] - begin);
  };
  if (mapping_.empty()) {
    for (size_t i = 0; i < ends.size(); ++i) out_->Field(value(i));
  } else {
    for (const int source : mapping_) {
      out_->Field(source >= 0 && static_cast<size_t>(source) < ends.size() ? value(source) : std::string_view());
    }
    for (size_t i = mapped_width_; i < ends.size(); ++i) out_->Field(value(i));
  }
  return out_->EndRecord();
}

// The first row of a statement (`width` values): is its table the selected one, and how do its values meet
// the header.
Status SqlRowRouter::StartStatementRows(size_t width) {
  const auto [entry, is_new] = table_rows_index_.try_emplace(table_->key, report_->tables_with_rows.size());
  if (is_new) {
    VIGIE_RETURN_IF_ERROR(Keep(2 * table_->key.size() + kNameOverhead));
    report_->tables_with_rows.push_back(table_->display);
    report_->row_counts.push_back(0);
  }
  table_index_ = entry->second;
  write_rows_ = false;
  if (out_ == nullptr) return Status::Ok();
  const std::string_view key = table_->key;
  if (!table_option_.empty() && table_option_ != key && table_option_ != key.substr(table_->last_part)) {
    return Status::Ok();
  }
  if (selected_key_.empty()) {
    selected_key_ = table_->key;
    selected_display_ = table_->display;
  } else if (selected_key_ != key) {
    return Status::InvalidArgument("sql.several-tables", "the dump holds rows for several tables (" +
                                                             selected_display_ + " and " + table_->display +
                                                             "); choose one with --table");
  }
  write_rows_ = true;
  // CREATE TABLE names every column; a column list may name only some.
  const auto schema = schemas_.find(table_->key);
  const std::vector<std::string>* columns = column_list_;
  if (columns->empty() && schema != schemas_.end()) columns = &schema->second;
  if (!header_written_) {
    header_ = schema != schemas_.end() && !schema->second.empty() ? schema->second : *columns;
    header_named_ = !header_.empty();
    for (size_t i = 0; !header_named_ && i < width; ++i) header_.push_back(std::to_string(i + 1));
    for (size_t i = 0; header_named_ && i < header_.size(); ++i) header_index_.try_emplace(AsciiLower(header_[i]), i);
    header_written_ = true;
    VIGIE_RETURN_IF_ERROR(out_->Header(header_));
  }
  return MapColumns(*columns);
}

Status SqlRowRouter::MapColumns(const std::vector<std::string>& columns) {
  mapping_.clear();
  mapped_width_ = 0;
  if (!header_named_ || columns.empty()) return Status::Ok();  // values in header order
  bool same = columns.size() == header_.size();
  for (size_t i = 0; same && i < columns.size(); ++i) same = EqualsIgnoreCase(columns[i], header_[i]);
  if (same) return Status::Ok();
  mapping_.assign(header_.size(), -1);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto position = header_index_.find(AsciiLower(columns[i]));
    if (position == header_index_.end()) {
      return Status::InvalidArgument("sql.columns", "column " + std::to_string(i + 1) +
                                                        " of the column list of statement " +
                                                        std::to_string(statement_number_) + " (table " +
                                                        table_->display + ") is not in the header");
    }
    if (mapping_[position->second] < 0) mapping_[position->second] = static_cast<int>(i);
  }
  mapped_width_ = columns.size();
  return Status::Ok();
}

Status SqlRowRouter::Finish() {
  if (out_ == nullptr) return Status::Ok();
  const std::vector<std::string>& tables = report_->tables_with_rows;
  if (tables.empty()) {
    return Status::InvalidArgument(
        "sql.no-rows", "the dump holds no table rows (" + std::to_string(report_->statements) + " statements read)");
  }
  if (selected_key_.empty()) {
    std::string listed;
    for (size_t i = 0; i < tables.size() && i < kTablesListed; ++i) listed += (i > 0 ? ", " : "") + tables[i];
    if (tables.size() > kTablesListed) listed += " and " + std::to_string(tables.size() - kTablesListed) + " more";
    return Status::InvalidArgument(
        "sql.table-not-found", "the dump holds no rows for table " + options_.table + "; tables with rows: " + listed);
  }
  return out_->Finish();
}

}  // namespace vigie::sql_internal
