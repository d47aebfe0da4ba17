// DbLog: RocksDB's text log (INDEX/db/LOG) written by Vigie instead of by RocksDB's own logger.
//
// Why: Debian's librocksdb 7.8 is built with assertions, and its logger appends through a
// WritableFileWriter that aborts the process on the first append after a failed one. On a full disk
// the text log fails first, and the next line RocksDB logs (at the latest when the database closes)
// turned a clean "no space left on device" error into SIGABRT. This logger writes each line with one
// write(2) and ignores failures: the text log is diagnostics, never index state.
//
// Contract: OpenDbLog renames an existing DB_DIR/LOG to LOG.old.<microseconds> (RocksDB's naming),
// keeps the newest `keep_old` such files, and appends to a fresh DB_DIR/LOG. A log that cannot be
// opened drops its lines. Lines are "YYYY/MM/DD-HH:MM:SS.uuuuuu THREAD message" like RocksDB's.
//
// Ownership and thread-safety: the returned logger owns its descriptor (closed on destruction); Logv
// may be called from any thread (one write per line on an O_APPEND descriptor).
#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}  // namespace rocksdb

namespace vigie {

// A logger appending to `path` (created 0644 if missing); lines below INFO are dropped.
std::shared_ptr<rocksdb::Logger> NewAppendLog(const std::string& path);

// The text log of a database opened for writing in `db_dir` (which must exist), rotated as above.
std::shared_ptr<rocksdb::Logger> OpenDbLog(const std::string& db_dir, int keep_old);

}  // namespace vigie
