// The HTTP request → reply function, driven without sockets.
#include "server/request_handler.h"

#include <boost/crc.hpp>
#include <catch2/catch.hpp>

#include "server/compression.h"
#include "storage/store.h"

using namespace ddbd::server;
namespace http = boost::beast::http;

namespace {

struct Fixture {
  std::unique_ptr<ddbd::storage::Store> store = std::move(ddbd::storage::Store::Open({}).value());
  ddbd::api::wire::Dispatcher dispatcher{*store};
  ServerOptions options;
  ddbd::storage::ManualClock clock{
      std::chrono::system_clock::time_point(std::chrono::seconds(1800000000))};

  HttpReply Post(const std::string& op, const std::string& body,
                 std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest req(http::verb::post, "/", 11);
    req.set(http::field::host, "localhost:8000");
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", "DynamoDB_20120810." + op);
    req.set("X-Amz-Date", "20270115T080000Z");
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=KEY/20270115/us-west-2/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=00");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    HandlerContext ctx{options, dispatcher, clock};
    return HandleRequest(req, ctx);
  }
};

std::string Header(const HttpReply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

uint32_t Crc(const std::string& s) {
  boost::crc_32_type crc;
  crc.process_bytes(s.data(), s.size());
  return crc.checksum();
}

}  // namespace

TEST_CASE("every reply carries its content type, request id and the CRC32 of its body") {
  Fixture f;
  HttpReply r = f.Post("ListTables", "{}");
  CHECK(r.status == 200);
  CHECK(Header(r, "Content-Type") == "application/x-amz-json-1.0");
  CHECK(Header(r, "x-amzn-RequestId").size() == 52);
  CHECK(Header(r, "x-amz-crc32") == std::to_string(Crc(r.body)));
}

TEST_CASE("large responses are compressed when asked, and the CRC32 covers the sent bytes") {
  Fixture f;
  std::string create =
      R"({"TableName":"big","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
      R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]})";
  REQUIRE(f.Post("CreateTable", create).status == 200);
  std::string blob(20000, 'q');
  REQUIRE(f.Post("PutItem",
                 R"({"TableName":"big","Item":{"pk":{"S":"k"},"v":{"S":")" + blob + R"("}}})")
              .status == 200);
  std::string get = R"({"TableName":"big","Key":{"pk":{"S":"k"}}})";
  HttpReply plain = f.Post("GetItem", get);
  CHECK(Header(plain, "Content-Encoding").empty());
  CHECK(Header(plain, "x-amz-crc32") == std::to_string(Crc(plain.body)));
  HttpReply gz = f.Post("GetItem", get, {{"Accept-Encoding", "gzip"}});
  CHECK(Header(gz, "Content-Encoding") == "gzip");
  CHECK(gz.body.size() < plain.body.size());
  CHECK(Header(gz, "x-amz-crc32") == std::to_string(Crc(gz.body)));
  std::string decoded;
  REQUIRE(DecodeBody("gzip", gz.body, 1 << 20, &decoded) == DecodeResult::kOk);
  CHECK(decoded == plain.body);
  // Small replies stay uncompressed.
  HttpReply small = f.Post("ListTables", "{}", {{"Accept-Encoding", "gzip"}});
  CHECK(Header(small, "Content-Encoding").empty());
}

TEST_CASE("compressed requests: gzip and deflate served, broken ones get the service's 500") {
  Fixture f;
  HttpReply ok = f.Post("ListTables", Encode(Coding::kGzip, "{}"), {{"Content-Encoding", "gzip"}});
  CHECK(ok.status == 200);
  ok = f.Post("ListTables", Encode(Coding::kDeflate, "{}"), {{"Content-Encoding", "deflate"}});
  CHECK(ok.status == 200);
  for (const auto& [encoding, body] : std::vector<std::pair<std::string, std::string>>{
           {"gzip", "garbage"},
           {"gzip", ""},
           {"br", "{}"},
           {"gzip, gzip", Encode(Coding::kGzip, "{}")}}) {
    HttpReply bad = f.Post("ListTables", body, {{"Content-Encoding", encoding}});
    INFO(encoding);
    CHECK(bad.status == 500);
    CHECK(bad.body.find("InternalFailure") != std::string::npos);
  }
}

TEST_CASE("without --auth any scope is accepted; with it, signatures are verified") {
  Fixture f;
  HttpReply ok = f.Post("ListTables", "{}",
                        {{"Authorization",
                          "AWS4-HMAC-SHA256 Credential=KEY/20270115//dynamodb/aws4_request, "
                          "SignedHeaders=host;x-amz-date, Signature=00"}});
  CHECK(ok.status == 200);
  f.options.auth_keys["KEY"] = "secret";
  HttpReply bad = f.Post("ListTables", "{}");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("InvalidSignatureException") != std::string::npos);
  f.options.auth_keys.clear();
  f.options.auth_keys["OTHER"] = "secret";
  HttpReply unknown = f.Post("ListTables", "{}");
  CHECK(unknown.body.find("UnrecognizedClientException") != std::string::npos);
}

TEST_CASE("CORS preflight echoes the method and headers the browser asked for") {
  Fixture f;
  HttpRequest req(http::verb::options, "/", 11);
  req.set(http::field::origin, "http://localhost:3000");
  req.set(http::field::access_control_request_method, "POST");
  req.set(http::field::access_control_request_headers, "x-amz-target, content-type, x-amz-date");
  HandlerContext ctx{f.options, f.dispatcher, f.clock};
  HttpReply r = HandleRequest(req, ctx);
  CHECK(r.status == 200);
  CHECK(Header(r, "Access-Control-Allow-Origin") == "*");
  CHECK(Header(r, "Access-Control-Allow-Methods") == "POST");
  CHECK(Header(r, "Access-Control-Allow-Headers") == "x-amz-target, content-type, x-amz-date");
}

TEST_CASE("HTTP dates are IMF-fixdate") {
  CHECK(HttpDate(std::chrono::system_clock::time_point(std::chrono::seconds(1800000000))) ==
        "Fri, 15 Jan 2027 08:00:00 GMT");
}

// What Beast's serializer writes for a response built the way the session used to build one:
// the reference AppendReplyHead must match byte for byte.
std::string BeastHead(const HttpReply& reply, unsigned version, const std::string& date,
                      bool keep_alive) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(reply.status);
  res.set(http::field::server, "Server");
  res.set(http::field::date, date);
  for (const auto& [name, value] : reply.headers) res.set(name, value);
  res.body() = reply.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  http::response_serializer<http::string_body> sr(res);
  std::string head;
  boost::system::error_code ec;
  sr.split(true);
  while (!sr.is_header_done()) {
    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      size_t n = 0;
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        head.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
    REQUIRE(!ec);
  }
  return head;
}

TEST_CASE("The reply head is written exactly as Beast writes it") {
  Fixture f;
  const std::string date = HttpDate(f.clock.Now());
  std::vector<HttpReply> replies;
  replies.push_back(f.Post("ListTables", "{}"));
  replies.push_back(f.Post("DescribeTable", R"({"TableName":"missing"})"));
  replies.push_back(f.Post("ListTables", "{}", {{"Origin", "http://localhost:3000"}}));
  replies.push_back(
      ProtocolErrorReply(413, ddbd::api::ApiError("com.amazon.coral.service#RequestEntityTooLarge",
                                                  "Request size exceeded 16777216 bytes", 413)));
  replies.push_back(ProtocolErrorReply(
      431, ddbd::api::ApiError("com.amazon.coral.service#RequestHeaderFieldsTooLarge",
                               "Request header fields too large", 431)));
  HttpReply empty;
  empty.status = 500;
  replies.push_back(empty);
  HttpReply big;
  big.body.assign(123456, 'x');
  big.headers.emplace_back("Content-Type", "text/plain");
  replies.push_back(big);
  f.options.cors = "*";
  replies.push_back(f.Post("ListTables", "{}", {{"Origin", "http://localhost:3000"}}));
  int compared = 0;
  for (const auto& reply : replies) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {true, false}) {
        std::string head;
        AppendReplyHead(reply, version, date, keep_alive, &head);
        INFO(head);
        CHECK(head == BeastHead(reply, version, date, keep_alive));
        CHECK(head.ends_with("\r\n\r\n"));
        ++compared;
      }
    }
  }
  CHECK(compared == 32);
  // Appends: what is already in the buffer stays.
  std::string out = "kept";
  AppendReplyHead(empty, 11, date, true, &out);
  CHECK(out.starts_with("keptHTTP/1.1 500 Internal Server Error\r\nServer: Server\r\nDate: "));
  CHECK(out.ends_with("\r\nContent-Length: 0\r\n\r\n"));
}
