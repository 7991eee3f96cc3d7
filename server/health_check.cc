#include "server/health_check.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace ddbd::server {

bool CheckHealth(const std::string& host, unsigned short port, int timeout_ms) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  std::string target_host = (host == "0.0.0.0" || host.empty()) ? "127.0.0.1"
                            : host == "::"                      ? "::1"
                                                                : host;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto address = net::ip::make_address(target_host, ec);
  if (ec) return false;
  bool healthy = false;
  http::request<http::empty_body> req(http::verb::get, "/", 11);
  req.set(http::field::host, target_host + ":" + std::to_string(port));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  stream.async_connect(net::ip::tcp::endpoint(address, port), [&](beast::error_code e) {
    if (e) return;
    http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
      if (e2) return;
      http::async_read(stream, buffer, res, [&](beast::error_code e3, std::size_t) {
        healthy = !e3 && res.result() == http::status::ok && res.body().starts_with("healthy");
      });
    });
  });
  ioc.run_for(std::chrono::milliseconds(timeout_ms));
  return healthy;
}

}  // namespace ddbd::server
