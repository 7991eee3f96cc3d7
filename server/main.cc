// ddbd: a DynamoDB-compatible server. Parses flags, opens the store, serves HTTP until
// SIGINT/SIGTERM, then closes the store cleanly and exits 0.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "api/wire/dispatcher.h"
#include "server/health_check.h"
#include "server/http_server.h"
#include "server/options.h"
#include "storage/store.h"

#ifndef DDBD_VERSION
#define DDBD_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> args(argv + 1, argv + argc);
  ddbd::server::ParsedArgs parsed = ddbd::server::ParseArgs(args);
  if (parsed.error) {
    std::cerr << "ddbd: " << *parsed.error << "\n\n" << ddbd::server::UsageText();
    return 2;
  }
  if (parsed.help) {
    std::cout << ddbd::server::UsageText();
    return 0;
  }
  if (parsed.version) {
    std::cout << "ddbd " << DDBD_VERSION << "\n";
    return 0;
  }
  ddbd::server::ServerOptions& options = parsed.options;
  if (parsed.health_check) {
    bool ok = ddbd::server::CheckHealth(options.host, options.port);
    std::cout << (ok ? "healthy" : "unhealthy") << std::endl;
    return ok ? 0 : 1;
  }
  for (const auto& notice : parsed.notices) std::cerr << "ddbd: " << notice << "\n";

  // Every connection is a descriptor: raise the soft open-file limit to the hard one (as nginx
  // and databases do), and keep the connection cap below it, leaving room for RocksDB's files.
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    if (limit.rlim_cur < limit.rlim_max) {
      rlimit raised = limit;
      raised.rlim_cur = limit.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    if (limit.rlim_cur != RLIM_INFINITY) {
      size_t reserve = 600;  // RocksDB (max_open_files 512), listener, logs
      size_t usable = limit.rlim_cur > reserve + 16 ? limit.rlim_cur - reserve : 16;
      if (options.max_connections > usable) {
        std::cerr << "ddbd: open-file limit " << limit.rlim_cur << " allows " << usable
                  << " connections; --max-connections lowered from " << options.max_connections
                  << "\n";
        options.max_connections = usable;
      }
    }
  }

  ddbd::storage::StoreOptions store_options;
  store_options.path = options.in_memory ? "" : options.db_path;
  store_options.sync = options.sync;
  auto store = ddbd::storage::Store::Open(store_options);
  if (!store.ok()) {
    std::cerr << "ddbd: cannot open the database: " << store.status().message() << "\n";
    return 1;
  }
  ddbd::api::wire::Dispatcher dispatcher(**store, options.transient_delay);
  ddbd::server::HttpServer server(options, dispatcher);
  unsigned short port;
  try {
    port = server.Listen();
  } catch (const std::exception& e) {
    std::cerr << "ddbd: " << e.what() << "\n";
    return 1;
  }
  auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "ddbd " << DDBD_VERSION << " listening on " << options.host << ":" << port << " ("
            << (options.in_memory ? std::string("in memory") : "data in " + options.db_path)
            << (options.shared_db ? ", shared namespace" : "") << ", ready in " << ms << " ms)"
            << std::endl;
  server.Run();
  store->reset();  // flush and close RocksDB before exiting
  std::cerr << "ddbd: stopped" << std::endl;
  return 0;
}
