#include "server/http_server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "server/request_handler.h"

namespace ddbd::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Shared {
  const ServerOptions& options;
  HandlerContext handler;
  net::thread_pool& workers;  // heavy requests run here, never on an I/O thread
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};
};

// The Date header, formatted once per second per thread.
const std::string& CurrentHttpDate(const storage::Clock& clock) {
  thread_local std::string text;
  thread_local std::time_t second = 0;
  auto now = clock.Now();
  std::time_t s = std::chrono::system_clock::to_time_t(now);
  if (s != second) {
    second = s;
    text = HttpDate(now);
  }
  return text;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}
  ~Session() { shared_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::WaitForRequest, shared_from_this()));
  }

  // Runs on any thread: stop after the current request, or now if idle.
  void Stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->idle_) self->Close();
    });
  }

 private:
  // Idle keep-alive: wait (idle timeout) for the first byte of the next request. Its headers
  // then have the much shorter header deadline, so a slow client cannot hold a connection.
  void WaitForRequest() {
    if (stopping_ || shared_.stopping) return Close();
    idle_ = true;
    if (buffer_.size() > 0) return ReadHeader();  // pipelined: already here
    stream_.expires_after(shared_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    idle_ = false;
    parser_.emplace();
    parser_->body_limit(shared_.options.body_limit);
    parser_->header_limit(static_cast<uint32_t>(shared_.options.header_limit));
    if (auto ec = ParseBuffered(false); ec != http::error::need_more) return OnHeader(ec, 0);
    stream_.expires_after(shared_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Feeds the parser what is already buffered, up to the end of the header (or, with
  // whole_message, of the message), without a trip through the event loop: a request that
  // arrived whole, as nearly all do, is parsed and handled in its read's own completion instead
  // of two more completions posted by Beast's composed reads (~4 % of a small request's CPU).
  // Returns the parser's error, or need_more when the bytes ran out first; then the composed
  // read takes over from where this stopped, with its deadline.
  beast::error_code ParseBuffered(bool whole_message) {
    beast::error_code ec;
    for (;;) {
      if (whole_message ? parser_->is_done() : parser_->is_header_done()) return {};
      if (buffer_.size() == 0) return http::error::need_more;
      size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec) return ec;  // need_more too: a part of a line or of a chunk header
      if (n == 0) return http::error::need_more;
    }
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) return RejectTooLarge();  // Content-Length too large
    if (ec == http::error::header_limit) {
      return Reject(431, api::ApiError("com.amazon.coral.service#RequestHeaderFieldsTooLarge",
                                       "Request header fields too large", 431));
    }
    if (ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return Close();
    }
    if (ec) {
      return Reject(400, api::ApiError("com.amazon.coral.service#BadRequest",
                                       "The request could not be parsed as HTTP", 400));
    }
    auto length = parser_->content_length();
    if (length && *length > shared_.options.body_limit) return RejectTooLarge();
    if (auto body_ec = ParseBuffered(true); body_ec != http::error::need_more) {
      return OnBody(body_ec, 0);
    }
    stream_.expires_after(shared_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) return RejectTooLarge();
    if (ec) return Close();
    stream_.expires_never();
    request_ = parser_->release();
    keep_alive_ = request_.keep_alive();
    version_ = request_.version();
    if (!IsHeavy(request_, shared_.options)) {
      return Send(HandleRequest(request_, shared_.handler));
    }
    // A large or compressed request is decoded and handled on a worker thread, so the other
    // connections of this I/O thread are served meanwhile; the reply comes back to this strand.
    // The work guard keeps this connection's io_context running until the reply is back.
    net::post(shared_.workers,
              [self = shared_from_this(), guard = net::make_work_guard(stream_.get_executor())] {
                HttpReply reply = HandleRequest(self->request_, self->shared_.handler);
                net::post(self->stream_.get_executor(), [self, reply = std::move(reply)]() mutable {
                  self->Send(std::move(reply));
                });
              });
  }

  // The head is written by hand (AppendReplyHead) into a buffer kept for the connection, and
  // goes out with the body in one gather write.
  void Send(HttpReply reply) {
    request_ = {};
    reply_ = std::move(reply);
    reply_keep_alive_ = keep_alive_ && !close_after_ && !stopping_ && !shared_.stopping;
    head_.clear();
    AppendReplyHead(reply_, version_, CurrentHttpDate(shared_.handler.clock), reply_keep_alive_,
                    &head_);
    stream_.expires_after(shared_.options.write_timeout);
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(reply_.body)};
    net::async_write(stream_, buffers,
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return Close();
    if (draining_) return Drain();
    if (!reply_keep_alive_) return Close();
    WaitForRequest();
  }

  // Answers without reading the rest of the request, then discards what the client still sends
  // for a moment so that closing does not reset the connection before it reads the answer.
  void Reject(unsigned status, const api::ApiError& error) {
    version_ = 11;
    close_after_ = true;
    draining_ = true;
    Send(ProtocolErrorReply(status, error));
  }

  void RejectTooLarge() {
    Reject(413, api::ApiError("com.amazon.coral.service#RequestEntityTooLarge",
                              "Request size exceeded 16777216 bytes", 413));
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
  HttpRequest request_;
  HttpReply reply_;
  std::string head_;
  std::vector<char> drain_buffer_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool reply_keep_alive_ = true;
  bool close_after_ = false;
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

  Impl(const ServerOptions& o, api::wire::Dispatcher& d)
      : options(o),
        workers(std::max(2u, std::thread::hardware_concurrency())),
        shared{options, {options, d, storage::SystemClock::Instance()}, workers, {}, {}} {
    unsigned n = options.threads ? options.threads : std::thread::hardware_concurrency();
    if (n == 0) n = 1;
    for (unsigned i = 0; i < n; ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
      guards.emplace_back(contexts.back()->get_executor());
    }
    acceptor.emplace(*contexts[0]);
    signals.emplace(*contexts[0], SIGINT, SIGTERM);
    accept_backoff.emplace(*contexts[0]);
  }

  void Accept() {
    net::io_context& target = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (!acceptor->is_open()) return;  // shutting down
        // Out of descriptors or memory: retrying at once would spin. Back off, then go on.
        if (!accept_failing) {
          std::cerr << "ddbd: accept failed (" << ec.message() << "); backing off\n";
        }
        accept_failing = true;
        accept_backoff->expires_after(std::chrono::milliseconds(100));
        accept_backoff->async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) Accept();
        });
        return;
      }
      accept_failing = false;
      if (shared.connections.load(std::memory_order_relaxed) >= options.max_connections) {
        // Over the cap: refuse this one at once rather than starve the ones being served.
        if (!cap_reported) {
          std::cerr << "ddbd: " << options.max_connections
                    << " connections open (--max-connections); refusing new ones\n";
          cap_reported = true;
        }
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        cap_reported = false;
        shared.connections.fetch_add(1, std::memory_order_relaxed);
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
  net::thread_pool workers;
  Shared shared;
  bool accept_failing = false;  // used only on contexts[0]
  bool cap_reported = false;    // used only on contexts[0]
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<WorkGuard> guards;
  // Declared after `contexts`: I/O objects must be destroyed before their io_context.
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_backoff;
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
  impl.workers.join();
  if (impl.watchdog.joinable()) impl.watchdog.join();
}

}  // namespace ddbd::server
