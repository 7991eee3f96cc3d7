#include "server/http_server.h"

#include <zlib.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/crc.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "server/auth.h"
#include "storage/store.h"

namespace ddbd::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kJson10 = "application/x-amz-json-1.0";
constexpr std::string_view kJson = "application/json";

std::string NewRequestId() {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(52, 'A');
  for (size_t i = 0; i < id.size(); i += 12) {  // 36^12 < 2^64: twelve characters per draw
    uint64_t r = rng();
    for (size_t j = i; j < std::min(i + 12, id.size()); ++j, r /= 36) id[j] = kChars[r % 36];
  }
  return id;
}

uint32_t Crc32(std::string_view body) {
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return crc.checksum();
}

// Inflates a gzip body; false when it is not valid gzip or would exceed `limit`.
bool Gunzip(std::string_view in, size_t limit, std::string* out, bool* too_large) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[64 * 1024];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out->append(buf, sizeof buf - zs.avail_out);
    if (out->size() > limit) {
      *too_large = true;
      break;
    }
  } while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
  inflateEnd(&zs);
  return rc == Z_STREAM_END && !*too_large;
}

struct Shared {
  const ServerOptions& options;
  api::wire::Dispatcher& dispatcher;
  std::atomic<bool> stopping{false};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Runs on any thread: stop after the current request, or now if idle.
  void Stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->idle_) self->Close();
    });
  }

 private:
  void ReadHeader() {
    if (stopping_ || shared_.stopping) return Close();
    idle_ = true;
    parser_.emplace();
    parser_->body_limit(shared_.options.body_limit);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(shared_.options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (ec == http::error::body_limit) return RejectTooLarge();  // Content-Length too large
    if (ec) return Close();
    auto length = parser_->content_length();
    if (length && *length > shared_.options.body_limit) return RejectTooLarge();
    stream_.expires_after(shared_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) return RejectTooLarge();
    if (ec) return Close();
    auto req = parser_->release();
    Respond(req);
  }

  void Respond(http::request<http::string_body>& req) {
    auto start = std::chrono::steady_clock::now();
    res_ = {};
    res_.version(req.version());
    res_.set(http::field::server, "Server");
    res_.set("x-amzn-RequestId", NewRequestId());
    std::string_view target;
    if (auto it = req.find("X-Amz-Target"); it != req.end()) target = it->value();

    cors_origin_ = AllowedOrigin(req);
    if (req.method() == http::verb::options) {
      // CORS preflight from a browser SDK.
      if (cors_origin_.empty()) {
        Finish(405, kJson10, "", req.keep_alive());
        return;
      }
      res_.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
      auto requested = req[http::field::access_control_request_headers];
      res_.set(http::field::access_control_allow_headers, requested.empty() ? "*" : requested);
      res_.set(http::field::access_control_max_age, "172800");
      Finish(200, "text/plain", "", req.keep_alive());
      return;
    }
    if (req.method() == http::verb::get) {
      if (req.target() == "/") {
        std::string host = req.count(http::field::host) ? std::string(req[http::field::host]) : "";
        Finish(200, "text/plain", "healthy: " + host, req.keep_alive());
      } else {
        Finish(404, kJson10,
               api::wire::Dispatcher::ErrorReply(api::ApiError::UnknownOperation()).body,
               req.keep_alive());
      }
      return;
    }
    if (req.method() != http::verb::post) {
      Finish(405, kJson10,
             api::wire::Dispatcher::ErrorReply(api::ApiError::UnknownOperation()).body,
             req.keep_alive());
      return;
    }
    std::string_view content_type = req[http::field::content_type];
    if (auto semi = content_type.find(';'); semi != std::string_view::npos) {
      content_type = content_type.substr(0, semi);
    }
    std::string_view reply_type = content_type == kJson ? kJson : kJson10;
    if (content_type != kJson10 && content_type != kJson) {
      Finish(400, kJson10,
             api::wire::Dispatcher::ErrorReply(api::ApiError::UnknownOperation()).body,
             req.keep_alive());
      return;
    }

    std::string inflated;
    std::string_view body = req.body();
    std::string_view encoding = req[http::field::content_encoding];
    if (encoding == "gzip") {
      bool too_large = false;
      if (!Gunzip(body, shared_.options.body_limit, &inflated, &too_large)) {
        if (too_large) {
          Finish(413, kJson10, TooLargeBody(), false);
        } else {
          Finish(400, reply_type,
                 api::wire::Dispatcher::ErrorReply(api::ApiError::Serialization("")).body,
                 req.keep_alive());
        }
        return;
      }
      body = inflated;
    } else if (!encoding.empty() && encoding != "identity") {
      Finish(400, reply_type,
             api::wire::Dispatcher::ErrorReply(api::ApiError::Serialization("")).body,
             req.keep_alive());
      return;
    }

    api::wire::Request request;
    request.target = target;
    request.body = body;
    Credentials creds;
    std::optional<std::string_view> auth;
    if (auto it = req.find(http::field::authorization); it != req.end()) auth = it->value();
    bool has_date = req.count("X-Amz-Date") || req.count(http::field::date);
    request.auth_error = ParseAuthorization(auth, has_date, &creds);
    request.caller.access_key = creds.access_key;
    request.caller.region = creds.region.empty() ? "us-east-1" : creds.region;
    request.caller.space = shared_.options.shared_db
                               ? std::string(storage::kSharedSpace)
                               : storage::SpaceFor(creds.access_key, request.caller.region);
    api::wire::Reply reply = shared_.dispatcher.Handle(request);
    if (shared_.options.log_requests) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      std::cerr << "ddbd: " << target << " " << reply.status << " " << us << "us\n";
    }
    Finish(reply.status, reply_type, std::move(reply.body), req.keep_alive());
  }

  // The Access-Control-Allow-Origin value for this request, or "" (no CORS headers).
  std::string AllowedOrigin(const http::request<http::string_body>& req) const {
    const std::string& allowed = shared_.options.cors;
    auto origin = req[http::field::origin];
    if (allowed.empty() || origin.empty()) return "";
    if (allowed == "*") return "*";
    std::string_view list = allowed;
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view entry = list.substr(0, comma);
      while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
      while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
      if (entry == origin) return std::string(origin);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return "";
  }

  static std::string TooLargeBody() {
    return api::wire::Dispatcher::ErrorReply(
               api::ApiError("com.amazon.coral.service#RequestEntityTooLarge",
                             "Request size exceeded 16777216 bytes", 413))
        .body;
  }

  void Finish(int status, std::string_view content_type, std::string body, bool keep_alive) {
    res_.result(static_cast<unsigned>(status));
    res_.set(http::field::content_type, content_type);
    res_.set("x-amz-crc32", std::to_string(Crc32(body)));
    if (!cors_origin_.empty()) {
      res_.set(http::field::access_control_allow_origin, cors_origin_);
      res_.set(http::field::access_control_expose_headers,
               "x-amzn-RequestId, x-amzn-ErrorType, x-amz-crc32, x-amz-id-2");
    }
    res_.body() = std::move(body);
    res_.keep_alive(keep_alive && !stopping_ && !shared_.stopping);
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return Close();
    if (draining_) return Drain();
    if (!res_.keep_alive()) return Close();
    ReadHeader();
  }

  // Answers 413 without reading the body, then discards what the client still sends for a
  // moment so that closing does not reset the connection before it reads the answer.
  void RejectTooLarge() {
    res_ = {};
    cors_origin_.clear();
    res_.version(11);
    res_.set(http::field::server, "Server");
    res_.set("x-amzn-RequestId", NewRequestId());
    draining_ = true;
    Finish(413, kJson10, TooLargeBody(), false);
  }

  void Drain() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    drain_buffer_.resize(64 * 1024);
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::vector<char> drain_buffer_;
  std::string cors_origin_;
  bool idle_ = false;
  bool stopping_ = false;
  bool draining_ = false;
};

}  // namespace

// One io_context per I/O thread, each run by exactly one thread: a connection lives on one
// context for its whole life, so nothing is shared between threads on the request path and no
// thread has to wake another (measured: cross-thread wake-ups were the largest cost of a shared
// io_context; docs/performance.md).
struct HttpServer::Impl {
  using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;

  Impl(const ServerOptions& o, api::wire::Dispatcher& d) : options(o), shared{options, d, {}} {
    unsigned n = options.threads ? options.threads : std::thread::hardware_concurrency();
    if (n == 0) n = 1;
    for (unsigned i = 0; i < n; ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
      guards.emplace_back(contexts.back()->get_executor());
    }
    acceptor.emplace(*contexts[0]);
    signals.emplace(*contexts[0], SIGINT, SIGTERM);
  }

  void Accept() {
    net::io_context& target = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (!acceptor->is_open()) return;  // shutting down
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket), shared);
        {
          std::lock_guard lock(sessions_mu);
          if (sessions.size() > 64 && sessions.size() > 2 * live_hint) {
            std::erase_if(sessions, [](const auto& w) { return w.expired(); });
            live_hint = sessions.size();
          }
          sessions.push_back(session);
        }
        session->Start();
      }
      Accept();
    });
  }

  void Shutdown() {
    shared.stopping = true;
    beast::error_code ignored;
    acceptor->close(ignored);
    signals->cancel(ignored);
    {
      std::lock_guard lock(sessions_mu);
      for (auto& w : sessions) {
        if (auto s = w.lock()) s->Stop();
      }
    }
    for (auto& g : guards) g.reset();  // each context ends when its connections have closed
  }

  bool AllStopped() const {
    for (const auto& c : contexts) {
      if (!c->stopped()) return false;
    }
    return true;
  }

  ServerOptions options;
  Shared shared;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<WorkGuard> guards;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::signal_set> signals;
  size_t next_context = 0;  // used only on contexts[0]
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<Session>> sessions;
  size_t live_hint = 0;
  std::thread watchdog;
};

HttpServer::HttpServer(const ServerOptions& options, api::wire::Dispatcher& dispatcher)
    : impl_(std::make_unique<Impl>(options, dispatcher)) {}

HttpServer::~HttpServer() = default;

unsigned short HttpServer::Listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("invalid --host address: " + impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = *impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

void HttpServer::Run() {
  Impl& impl = *impl_;
  impl.signals->async_wait([&impl](beast::error_code ec, int) {
    if (ec) return;
    impl.Shutdown();
    // A safety net: connections that do not finish within 5 s are cut.
    impl.watchdog = std::thread([&impl] {
      for (int i = 0; i < 50 && !impl.AllStopped(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      for (auto& c : impl.contexts) c->stop();
    });
  });
  impl.Accept();
  std::vector<std::thread> pool;
  for (size_t i = 1; i < impl.contexts.size(); ++i) {
    pool.emplace_back([&impl, i] { impl.contexts[i]->run(); });
  }
  impl.contexts[0]->run();
  for (auto& t : pool) t.join();
  if (impl.watchdog.joinable()) impl.watchdog.join();
}

}  // namespace ddbd::server
