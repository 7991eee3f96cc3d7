#include "server/options.h"

#include <catch2/catch.hpp>

using ddbd::server::ParseArgs;

TEST_CASE("DynamoDB Local spellings and long forms both work") {
  auto a = ParseArgs({"-port", "9000", "-inMemory", "-sharedDb"});
  REQUIRE_FALSE(a.error);
  CHECK(a.options.port == 9000);
  CHECK(a.options.in_memory);
  CHECK(a.options.shared_db);

  auto b = ParseArgs({"--port=9001", "--db-path", "/tmp/x", "--threads=3", "--host", "0.0.0.0"});
  REQUIRE_FALSE(b.error);
  CHECK(b.options.port == 9001);
  CHECK_FALSE(b.options.in_memory);
  CHECK(b.options.db_path == "/tmp/x");
  CHECK(b.options.threads == 3);
  CHECK(b.options.host == "0.0.0.0");

  auto c = ParseArgs({"-dbPath", "./data"});
  CHECK(c.options.db_path == "./data");
  CHECK_FALSE(c.options.in_memory);
}

TEST_CASE("defaults are documented values") {
  auto a = ParseArgs({});
  REQUIRE_FALSE(a.error);
  CHECK(a.options.port == 8000);
  CHECK(a.options.host == "127.0.0.1");
  CHECK(a.options.in_memory);
  CHECK(a.options.body_limit == 16u * 1024 * 1024);
}

TEST_CASE("bad flags are usage errors") {
  CHECK(ParseArgs({"-port"}).error);
  CHECK(ParseArgs({"--port", "70000"}).error);
  CHECK(ParseArgs({"--port", "12ab"}).error);
  CHECK(ParseArgs({"--bogus"}).error);
  CHECK(ParseArgs({"--help"}).help);
  CHECK(ParseArgs({"-version"}).version);
}

TEST_CASE("a DynamoDB Local command line is accepted as written") {
  auto a = ParseArgs({"-jar", "DynamoDBLocal.jar", "-Djava.library.path=./DynamoDBLocal_lib",
                      "-sharedDb", "-dbPath", "./data", "-port", "8001", "-cors", "*",
                      "-delayTransientStatuses", "-optimizeDbBeforeStartup", "-disableTelemetry"});
  REQUIRE_FALSE(a.error);
  CHECK(a.options.shared_db);
  CHECK(a.options.db_path == "./data");
  CHECK(a.options.port == 8001);
  CHECK(a.options.cors == "*");
  CHECK(a.options.transient_delay.count() > 0);
  CHECK(a.notices.size() == 4);  // -jar, -D..., and the two no-op flags
  CHECK(ParseArgs({"-cors", "none"}).options.cors.empty());
  CHECK(ParseArgs({"--health-check", "--port", "9"}).health_check);
}
