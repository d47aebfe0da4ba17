#include "server/transport.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace vigie::serve {

namespace {

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

Io FromErrno(bool reading) {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {reading ? Io::kWantRead : Io::kWantWrite, 0};
  return {Io::kError, 0};
}

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : Transport(fd) {}
  ~PlainTransport() override { ::close(fd_); }

  Io Handshake() override { return {Io::kDone, 0}; }

  Io Read(char* buf, size_t size) override {
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, size, 0);
      if (n > 0) return {Io::kDone, static_cast<size_t>(n)};
      if (n == 0) return {Io::kEof, 0};
      if (errno != EINTR) return FromErrno(true);
    }
  }

  Io Write(const char* buf, size_t size) override {
    for (;;) {
      const ssize_t n = ::send(fd_, buf, size, MSG_NOSIGNAL);
      if (n >= 0) return {Io::kDone, static_cast<size_t>(n)};
      if (errno != EINTR) return FromErrno(false);
    }
  }

  bool HasBuffered() const override { return false; }
  void ShutdownWrite() override { ::shutdown(fd_, SHUT_WR); }
};

class TlsTransport final : public Transport {
 public:
  TlsTransport(int fd, SSL* ssl) : Transport(fd), ssl_(ssl) {}
  ~TlsTransport() override {
    SSL_free(ssl_);
    ::close(fd_);
  }

  Io Handshake() override {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      handshaken_ = true;
      return {Io::kDone, 0};
    }
    return Failed(r);
  }

  Io Read(char* buf, size_t size) override {
    ERR_clear_error();
    size_t n = 0;
    const int r = SSL_read_ex(ssl_, buf, size, &n);
    if (r == 1) return {Io::kDone, n};
    return Failed(r);
  }

  Io Write(const char* buf, size_t size) override {
    ERR_clear_error();
    size_t n = 0;
    const int r = SSL_write_ex(ssl_, buf, size, &n);
    if (r == 1) return {Io::kDone, n};
    return Failed(r);
  }

  bool HasBuffered() const override { return SSL_pending(ssl_) > 0; }

  void ShutdownWrite() override {
    if (handshaken_) {
      ERR_clear_error();
      SSL_shutdown(ssl_);  // close_notify, best effort (non-blocking)
    }
    ::shutdown(fd_, SHUT_WR);
  }

 private:
  Io Failed(int r) {
    switch (SSL_get_error(ssl_, r)) {
      case SSL_ERROR_WANT_READ:
        return {Io::kWantRead, 0};
      case SSL_ERROR_WANT_WRITE:
        return {Io::kWantWrite, 0};
      case SSL_ERROR_ZERO_RETURN:
        return {Io::kEof, 0};
      default:
        ERR_clear_error();
        return {Io::kError, 0};
    }
  }

  SSL* ssl_;
  bool handshaken_ = false;
};

}  // namespace

std::unique_ptr<Transport> Transport::Plain(int fd) {
  SetNonBlocking(fd);
  return std::make_unique<PlainTransport>(fd);
}

std::unique_ptr<Transport> Transport::Tls(int fd, SSL_CTX* ctx) {
  SetNonBlocking(fd);
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::make_unique<TlsTransport>(fd, ssl);
}

Io Transport::DiscardRead(size_t max_bytes) {
  char buf[16384];
  size_t total = 0;
  while (total < max_bytes) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      total += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) return {Io::kEof, total};
    if (errno == EINTR) continue;
    Io io = FromErrno(true);
    io.bytes = total;
    return io;
  }
  return {Io::kDone, total};
}

Result<SSL_CTX*> NewServerTlsContext(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::IOError("cannot set up TLS (OpenSSL)");
  std::string failed;
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    failed = "cannot load the certificate chain of --tls-cert " + cert_file;
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    failed = "cannot load the private key of --tls-key " + key_file;
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    failed = "--tls-key " + key_file + " does not match the certificate of --tls-cert " + cert_file;
  }
  if (!failed.empty()) {
    SSL_CTX_free(ctx);
    return Status::InvalidArgument("tls", failed);
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Idle connections keep no 16 kB record buffers; writes resume from wherever the flush left off.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

}  // namespace vigie::serve
