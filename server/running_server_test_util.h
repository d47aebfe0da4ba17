// Test support: a vigie-serve Server started on its own thread for the duration of a test (bind port 0
// in the options to get any free port). Used by the server's doctest files only.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <thread>

#include "server/server.h"

namespace vigie::serve {

struct RunningServer {
  explicit RunningServer(ServeOptions options) : server(std::move(options)) {
    Status s = server.Start();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    thread = std::thread([this] { (void)server.Run(); });
  }
  ~RunningServer() {
    server.Stop();
    thread.join();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", server.port());
    c.set_read_timeout(10, 0);
    return c;
  }
  // The admin listener (the options must set admin_listen, e.g. to 127.0.0.1:0).
  httplib::Client admin_client() {
    REQUIRE(server.admin_port() != 0);
    httplib::Client c("127.0.0.1", server.admin_port());
    c.set_read_timeout(10, 0);
    return c;
  }
  Server server;
  std::thread thread;
};

}  // namespace vigie::serve
