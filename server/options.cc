#include "server/options.h"

#include <charconv>

namespace ddbd::server {
namespace {

bool ParseUnsigned(const std::string& s, unsigned long max, unsigned long* out) {
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

std::string UsageText() {
  return R"(Usage: ddbd [options]
A DynamoDB-compatible server. Point any AWS SDK at http://HOST:PORT.

  -port, --port N            TCP port to listen on (default 8000; 0 picks a free one)
  --host ADDR                address to listen on (default 127.0.0.1; 0.0.0.0 in containers)
  -inMemory, --in-memory     keep all data in memory (the default without --db-path)
  -dbPath, --db-path DIR     keep data in DIR (persistent; survives restarts and kill -9)
  --sync                     fsync every commit (persistent mode; survives power loss)
  -sharedDb, --shared-db     one namespace for all access keys and regions
  --threads N                I/O threads (default: one per core)
  --auth KEY:SECRET          verify SigV4 signatures against this access key and secret
                             (repeatable); off by default: any credentials are accepted
  --max-connections N        most open connections (default 10000, capped by the open-file
                             limit); more are closed on accept
  --idle-timeout SECONDS     close idle keep-alive connections after this (default 300)
  --header-timeout SECONDS   request line and headers must arrive within this (default 10)
  --read-timeout SECONDS     a request body must arrive within this (default 60)
  --write-timeout SECONDS    a response must be written within this (default 60)
  --log-requests             print one line per request to stderr
  -cors, --cors ORIGINS      CORS allow-list: "*" (default) or comma-separated origins;
                             "none" turns CORS headers off
  -delayTransientStatuses, --delay-transient-statuses
                             new tables stay CREATING, deleted ones DELETING, for 500 ms
  --health-check             query GET / on --host/--port; exit 0 when healthy (containers)
  -optimizeDbBeforeStartup, -disableTelemetry
                             DynamoDB Local flags, accepted and ignored
  -jar FILE, -Dname=value    JVM words of a DynamoDB Local command line, accepted and ignored
  -help, --help              this text
  -version, --version        print the version
)";
}

ParsedArgs ParseArgs(const std::vector<std::string>& args) {
  ParsedArgs out;
  ServerOptions& o = out.options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_inline_value = false;
    if (arg.starts_with("--")) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline_value = true;
      }
    }
    auto next = [&](std::string* v) {
      if (has_inline_value) {
        *v = value;
        return true;
      }
      if (i + 1 >= args.size()) {
        out.error = "missing value for " + arg;
        return false;
      }
      *v = args[++i];
      return true;
    };
    std::string v;
    unsigned long n;
    if (arg == "-port" || arg == "--port") {
      if (!next(&v)) return out;
      if (!ParseUnsigned(v, 65535, &n)) {
        out.error = "invalid port: " + v;
        return out;
      }
      o.port = static_cast<unsigned short>(n);
    } else if (arg == "--host") {
      if (!next(&v)) return out;
      o.host = v;
    } else if (arg == "-inMemory" || arg == "--in-memory") {
      o.in_memory = true;
      o.db_path.clear();
    } else if (arg == "-dbPath" || arg == "--db-path") {
      if (!next(&v)) return out;
      o.db_path = v;
      o.in_memory = false;
    } else if (arg == "--sync") {
      o.sync = true;
    } else if (arg == "-sharedDb" || arg == "--shared-db") {
      o.shared_db = true;
    } else if (arg == "--threads") {
      if (!next(&v)) return out;
      if (!ParseUnsigned(v, 1024, &n)) {
        out.error = "invalid thread count: " + v;
        return out;
      }
      o.threads = static_cast<unsigned>(n);
    } else if (arg == "--auth") {
      if (!next(&v)) return out;
      auto colon = v.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) {
        out.error = "--auth takes ACCESS_KEY:SECRET, got: " + v;
        return out;
      }
      o.auth_keys[v.substr(0, colon)] = v.substr(colon + 1);
    } else if (arg == "--max-connections") {
      if (!next(&v)) return out;
      if (!ParseUnsigned(v, 10000000, &n) || n == 0) {
        out.error = "invalid connection count: " + v;
        return out;
      }
      o.max_connections = n;
    } else if (arg == "--idle-timeout" || arg == "--header-timeout" || arg == "--read-timeout" ||
               arg == "--write-timeout") {
      if (!next(&v)) return out;
      if (!ParseUnsigned(v, 86400, &n) || n == 0) {
        out.error = "invalid " + arg.substr(2) + ": " + v;
        return out;
      }
      std::chrono::seconds secs(n);
      if (arg == "--idle-timeout") o.idle_timeout = secs;
      if (arg == "--header-timeout") o.header_timeout = secs;
      if (arg == "--read-timeout") o.read_timeout = secs;
      if (arg == "--write-timeout") o.write_timeout = secs;
    } else if (arg == "--log-requests") {
      o.log_requests = true;
    } else if (arg == "-cors" || arg == "--cors") {
      if (!next(&v)) return out;
      o.cors = v == "none" ? "" : v;
    } else if (arg == "-delayTransientStatuses" || arg == "--delay-transient-statuses") {
      o.transient_delay = std::chrono::milliseconds(500);
    } else if (arg == "--health-check") {
      out.health_check = true;
    } else if (arg == "-optimizeDbBeforeStartup" || arg == "-disableTelemetry") {
      out.notices.push_back("ignoring DynamoDB Local option " + arg + " (nothing to do in ddbd)");
    } else if (arg == "-jar" || arg == "java") {
      // `java -jar DynamoDBLocal.jar ...` as written for DynamoDB Local's image.
      if (arg == "-jar") {
        if (!next(&v)) return out;
        out.notices.push_back("ignoring '-jar " + v + "' (ddbd is not a Java program)");
      } else {
        out.notices.push_back("ignoring 'java' (ddbd is not a Java program)");
      }
    } else if (arg.starts_with("-D") || arg.starts_with("-X")) {
      out.notices.push_back("ignoring JVM option " + arg);
    } else if (arg == "-help" || arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg == "-version" || arg == "--version") {
      out.version = true;
    } else {
      out.error = "unknown option: " + args[i];
      return out;
    }
  }
  return out;
}

}  // namespace ddbd::server
