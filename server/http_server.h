// HttpServer: the Beast/Asio front end. N threads, each running its own io_context; a
// connection stays on one (which serialises it, as a strand would), keep-alive, a fresh parser per
// request with the body limit, idle and read timeouts. Each request is handled synchronously on its
// strand by the Dispatcher; every response carries Content-Type, x-amzn-RequestId and the CRC32
// SDKs verify. SIGINT/SIGTERM: stop accepting, let in-flight requests finish, close idle
// connections, return from Run().
#pragma once

#include <memory>

#include "api/wire/dispatcher.h"
#include "server/options.h"

namespace ddbd::server {

class HttpServer {
 public:
  HttpServer(const ServerOptions& options, api::wire::Dispatcher& dispatcher);
  ~HttpServer();

  // Binds and listens; returns the bound port. Throws std::runtime_error on failure.
  unsigned short Listen();
  // Serves until SIGINT or SIGTERM, then drains and returns.
  void Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ddbd::server
