// ServerOptions: every setting of the ddbd process with its documented default, and the
// command-line parser. Flags accept DynamoDB Local's spellings (-port 8000, -inMemory, -dbPath,
// -sharedDb) as well as --long-form ones (--port=8000), so ddbd can replace it unchanged.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ddbd::server {

struct ServerOptions {
  // Address to listen on. Loopback by default; use 0.0.0.0 inside a container.
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free port (printed on startup).
  unsigned short port = 8000;
  // Keep data in memory only (the default when no --db-path is given).
  bool in_memory = true;
  // Directory of the persistent database; setting it turns persistence on.
  std::string db_path;
  // fsync the write-ahead log on every commit (persistent mode). Off: acknowledged writes
  // survive a process crash, not a power loss.
  bool sync = false;
  // One namespace for every access key and region (DynamoDB Local's -sharedDb). Off: tables are
  // namespaced per access key and region, as DynamoDB Local does.
  bool shared_db = false;
  // I/O threads. 0: one per core.
  unsigned threads = 0;
  // Largest request body accepted (bytes); larger gets HTTP 413.
  size_t body_limit = 16 * 1024 * 1024;
  // How long an idle keep-alive connection is kept open.
  std::chrono::seconds idle_timeout{300};
  // How long the request line and headers may take once their first byte arrived: a client
  // that trickles headers cannot hold a connection for the whole idle timeout.
  std::chrono::seconds header_timeout{10};
  // How long a request body may take to arrive once its headers are in.
  std::chrono::seconds read_timeout{60};
  // How long writing one response may take (a client that stops reading is cut off).
  std::chrono::seconds write_timeout{60};
  // Most connections open at once; more are closed as soon as they are accepted. Lowered at
  // startup to what the process's open-file limit allows.
  size_t max_connections = 10000;
  // Request line plus headers, in bytes; larger gets 431.
  size_t header_limit = 64 * 1024;
  // Requests whose body is larger than this (or compressed) are handled on a worker thread, so
  // they never delay the other connections of their I/O thread.
  size_t inline_body_limit = 256 * 1024;
  // Print a line per request to stderr.
  bool log_requests = false;
  // CORS allow-list for browser clients (DynamoDB Local's -cors): "*" or comma-separated
  // origins. Empty: no CORS headers.
  std::string cors = "*";
  // How long new tables stay CREATING and deleted ones DELETING (DynamoDB Local's
  // -delayTransientStatuses). Zero: tables are ACTIVE at once and gone at once.
  std::chrono::milliseconds transient_delay{0};
  // Access key → secret for SigV4 verification (--auth KEY:SECRET, repeatable). Empty (the
  // default, as DynamoDB Local): signatures are not checked and any credential scope is
  // accepted; the access key and region only choose the data namespace.
  std::map<std::string, std::string, std::less<>> auth_keys;
};

struct ParsedArgs {
  ServerOptions options;
  bool help = false;
  bool version = false;
  // --health-check: ask the server on --port whether it is healthy, exit 0 or 1 (for
  // container images without a shell or curl).
  bool health_check = false;
  std::vector<std::string> notices;  // accepted-but-ignored words, reported on startup
  std::optional<std::string> error;  // a usage error
};

ParsedArgs ParseArgs(const std::vector<std::string>& args);
std::string UsageText();

}  // namespace ddbd::server
