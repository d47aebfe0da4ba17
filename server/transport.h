// Transport: non-blocking byte I/O on one accepted socket, plain TCP or TLS (OpenSSL), so that the
// connection loop (server/connection_loop.h) drives both the same way: a call never blocks, and says
// whether it would have to wait for the socket to become readable or writable.
//
// TLS: the handshake is driven by Handshake() until done; renegotiation is refused
// (SSL_OP_NO_RENEGOTIATION is set on the context by PrepareTlsContext). Read() may hold decrypted bytes
// it was not asked for (HasBuffered()): a connection with buffered bytes must not wait for readability.
//
// Ownership: the transport owns the socket (and the SSL object) and closes them when destroyed.
// Not thread-safe: one thread at a time (whoever holds the connection).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace vigie::serve {

struct Io {
  enum Kind {
    kDone,       // `bytes` were transferred (> 0), or the handshake is over
    kWantRead,   // nothing now: wait until the socket is readable
    kWantWrite,  // nothing now: wait until the socket is writable
    kEof,        // the peer closed its side (reads only)
    kError,      // the connection is unusable
  };
  Kind kind = kDone;
  size_t bytes = 0;
};

class Transport {
 public:
  // Takes `fd` (made non-blocking here). Tls: null when OpenSSL cannot set up the session (fd closed).
  static std::unique_ptr<Transport> Plain(int fd);
  static std::unique_ptr<Transport> Tls(int fd, SSL_CTX* ctx);

  virtual ~Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int fd() const { return fd_; }
  virtual Io Handshake() = 0;
  virtual Io Read(char* buf, size_t size) = 0;
  virtual Io Write(const char* buf, size_t size) = 0;
  virtual bool HasBuffered() const = 0;
  // Ends the sending side after the last response (TLS: close_notify, then FIN), so that a lingering
  // close can drain what the peer still sends (DiscardRead) without resetting the connection.
  virtual void ShutdownWrite() = 0;
  // Reads and drops raw bytes (after ShutdownWrite).
  Io DiscardRead(size_t max_bytes);

 protected:
  explicit Transport(int fd) : fd_(fd) {}
  int fd_;
};

// A server-side TLS context from a PEM certificate chain and its private key: TLS 1.2 at least, no
// renegotiation, no compression, partial writes, and an unexpected EOF read as an ordinary close. The
// caller owns the result (SSL_CTX_free). InvalidArgument naming the file that could not be used.
Result<SSL_CTX*> NewServerTlsContext(const std::string& cert_file, const std::string& key_file);

}  // namespace vigie::serve
