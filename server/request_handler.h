// One HTTP request → one HTTP reply, without sockets: method and path routing, CORS, the health
// check, content types, request decompression, authentication (lenient, or SigV4 with --auth),
// the Dispatcher, response compression, CRC32 and request id. The session calls it on its I/O
// thread for small requests and on a worker thread for large or compressed ones.
#pragma once

#include <boost/beast/http.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/wire/dispatcher.h"
#include "server/options.h"
#include "storage/clock.h"

namespace ddbd::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct HttpReply {
  unsigned status = 200;
  std::string body;
  // Content-Type, x-amzn-RequestId, x-amz-crc32, CORS and Content-Encoding, as they apply.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HandlerContext {
  const ServerOptions& options;
  api::wire::Dispatcher& dispatcher;
  const storage::Clock& clock;
};

HttpReply HandleRequest(const HttpRequest& req, const HandlerContext& ctx);

// A complete error reply outside the dispatcher (413, 431, 400 for unparseable HTTP).
HttpReply ProtocolErrorReply(unsigned status, const api::ApiError& error);

// Appends the status line and header block of `reply` to *out, byte for byte as Beast's
// serializer writes a response whose fields were set in this order: Server, Date, the reply's
// own headers, then Connection (only where it differs from the version's default: "close" from
// HTTP/1.1 on, "keep-alive" before it) and Content-Length. The session sends it and the body in
// one gather write, without building a beast::http::response (its per-field allocations and its
// buffer-sequence serializer were ~5 % of a 100-item Query's CPU).
// Unlike basic_fields::set, it writes what it is given: the reply's header names must be unique,
// none of Server, Date, Connection or Content-Length, and values without CR/LF or surrounding
// blanks. Make() builds them so (values copied from a request come trimmed from Beast's parser).
void AppendReplyHead(const HttpReply& reply, unsigned version, std::string_view date,
                     bool keep_alive, std::string* out);

// "Sun, 29 Nov 2026 23:51:20 GMT" (RFC 9110 IMF-fixdate).
std::string HttpDate(std::chrono::system_clock::time_point t);

// Whether the request should run off the I/O thread: a large or compressed body.
bool IsHeavy(const HttpRequest& req, const ServerOptions& options);

}  // namespace ddbd::server
