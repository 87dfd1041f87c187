// The client runs on Boost.Beast / Boost.Asio, like the server (server.cc); only src/http/*.cc
// includes their headers.
//
// Each Client owns a private io_context and drives one connection with asynchronous operations,
// running the context until the operation ends: the caller blocks, and every step (connect,
// TLS handshake, write, read) has a deadline, which Beast's tcp_stream enforces by closing the
// socket. A request is written with one gathered write; the response is read with large reads
// into a body reserved from its Content-Length.
#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "http/internal/text.h"

namespace bonafide::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using internal::HasCtl;

namespace {

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

// Failure names the step that failed: a timeout, a refused connection and a broken exchange are
// all kIoError (the caller cannot tell a slow server from a dead one); an oversized body is
// kLimitExceeded.
Status Failure(std::string_view step, const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
    return Error(StatusCode::kLimitExceeded, "response body too large");
  }
  if (ec == bhttp::error::header_limit) return Error(StatusCode::kLimitExceeded, "response header too large");
  if (ec == beast::error::timeout) return Error(StatusCode::kIoError, "HTTP request failed: " + std::string(step) + " timed out");
  return Error(StatusCode::kIoError, "HTTP request failed: " + std::string(step) + ": " + ec.message());
}

// ClosedBeforeAnswering is true for the errors a kept-alive connection gives when the server
// closed it while it was idle (before reading the request).
bool ClosedBeforeAnswering(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct Client::Impl {
  ClientOptions options;
  bool https = false;
  std::string host;         // for resolving, SNI and certificate checks (no brackets)
  std::string port;
  std::string host_header;  // host[:port] as the URL gave it
  std::mutex mu;            // serialises requests
  asio::io_context ioc{1};
  std::unique_ptr<asio::ssl::context> tls_ctx;
  // The connection: one of the two, or neither when closed.
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  bool connected() const { return plain != nullptr || tls != nullptr; }

  void Close() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    // No TLS close_notify: the response has been read in full (or the exchange failed), and
    // waiting for the peer's answer would only add a round trip.
    if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
    plain.reset();
    tls.reset();
    buffer.clear();
  }

  // Beast reads into `buffer` as much as its free capacity: reserved large, a big body comes in
  // a few reads rather than 512 bytes at a time.
  static constexpr size_t kReadBuffer = 64 * 1024;
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr int kMaxInterimResponses = 8;

  // Run drives the io_context until the operation started before it completes.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  Status Connect() {
    Close();
    beast::error_code ec;
    asio::ip::tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Failure("resolving " + host, ec);
    beast::tcp_stream stream(ioc);
    stream.expires_after(options.connect_timeout);
    stream.async_connect(endpoints, [&ec](const beast::error_code& e, const asio::ip::tcp::endpoint&) { ec = e; });
    Run();
    if (ec) return Failure("connect", ec);
    stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (!https) {
      stream.expires_never();
      plain = std::make_unique<beast::tcp_stream>(std::move(stream));
      return OkStatus();
    }
    auto s = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(stream), *tls_ctx);
    beast::error_code addr_ec;
    asio::ip::make_address(host, addr_ec);
    const bool is_ip = !addr_ec;
    // SNI names hosts only (RFC 6066 3: literal IP addresses are not sent).
    if (!is_ip && SSL_set_tlsext_host_name(s->native_handle(), host.c_str()) != 1) {
      return Error(StatusCode::kIoError, "HTTP request failed: cannot set the TLS server name");
    }
    if (options.insecure_skip_verify_loopback) {
      s->set_verify_mode(asio::ssl::verify_none);
    } else {
      s->set_verify_mode(asio::ssl::verify_peer);
      s->set_verify_callback(asio::ssl::host_name_verification(host));
    }
    beast::get_lowest_layer(*s).expires_after(options.connect_timeout);
    s->async_handshake(asio::ssl::stream_base::client, [&ec](const beast::error_code& e) { ec = e; });
    Run();
    if (ec) return Failure("TLS handshake", ec);
    beast::get_lowest_layer(*s).expires_never();
    tls = std::move(s);
    return OkStatus();
  }

  // Exchange writes `req` and reads the response on `stream`.
  // On failure `ec` is the failed step's error and `answered` whether any byte of a response came.
  template <typename Stream>
  Result<ClientResponse> Exchange(Stream& stream, bhttp::request<bhttp::string_body>& req, bool& answered,
                                  beast::error_code& ec) {
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(options.write_timeout);
    bhttp::async_write(stream, req, [&ec](const beast::error_code& e, size_t) { ec = e; });
    Run();
    if (ec) return Failure("sending the request", ec);
    buffer.reserve(kReadBuffer);
    lowest.expires_after(options.read_timeout);
    // Interim (1xx) responses may come before the final one (RFC 9110 section 15.2); they are
    // read and dropped, a few at most. 101 (a protocol switch) is never asked for: an error.
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    for (int interim = 0;; ++interim) {
      parser.emplace();
      parser->body_limit(options.max_response_bytes);
      parser->header_limit(kMaxHeaderBytes);
      bhttp::async_read(stream, buffer, *parser, [&ec](const beast::error_code& e, size_t) { ec = e; });
      Run();
      answered = answered || parser->got_some();
      if (ec) return Failure("reading the response", ec);
      const unsigned status = parser->get().result_int();
      if (status < 100 || status > 999 || status == 101) {
        return Error(StatusCode::kIoError, "HTTP request failed: unexpected status " + std::to_string(status));
      }
      if (status >= 200) break;
      if (interim == kMaxInterimResponses) {
        return Error(StatusCode::kIoError, "HTTP request failed: too many interim responses");
      }
    }
    lowest.expires_never();
    bhttp::response<bhttp::string_body> res = parser->release();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    out.body = std::move(res.body());
    // Bytes after the response were not asked for: the connection is out of step, not reused.
    if (!options.keep_alive || !res.keep_alive() || buffer.size() != 0) Close();
    return out;
  }

  Result<ClientResponse> Send(bhttp::verb method, std::string_view target, const Headers& headers,
                              std::string_view body, std::string_view content_type) {
    if (target.empty() || target.front() != '/' || HasCtl(target) || target.find(' ') != std::string_view::npos) {
      return Error(StatusCode::kInvalidArgument, "request target must be a path");
    }
    for (const auto& [name, value] : headers) {
      if (name.empty() || HasCtl(name) || name.find(':') != std::string::npos || HasCtl(value)) {
        return Error(StatusCode::kInvalidArgument, "invalid request header");
      }
    }
    if (HasCtl(content_type)) return Error(StatusCode::kInvalidArgument, "invalid content type");
    bhttp::request<bhttp::string_body> req(method, std::string(target), 11);
    req.set(bhttp::field::host, host_header);
    req.set(bhttp::field::user_agent, "bonafide");
    if (method == bhttp::verb::post) {
      req.set(bhttp::field::content_type, content_type);
      req.body().assign(body.data(), body.size());
    }
    // The caller's headers replace these defaults (a test may send another Host).
    for (const auto& [name, value] : headers) req.erase(name);
    for (const auto& [name, value] : headers) req.insert(name, value);
    req.keep_alive(options.keep_alive);
    req.prepare_payload();

    std::lock_guard<std::mutex> lock(mu);
    // A kept-alive connection the server has since closed fails before any answer: the server
    // never read the request, so it is sent once more on a new connection. Nothing else is
    // retried.
    const bool reused = connected();
    for (int attempt = 0;; ++attempt) {
      if (!connected()) RETURN_IF_ERROR(Connect());
      bool answered = false;
      beast::error_code ec;
      Result<ClientResponse> r = tls ? Exchange(*tls, req, answered, ec) : Exchange(*plain, req, answered, ec);
      if (r.ok()) return r;
      Close();
      if (attempt == 0 && reused && !answered && ClosedBeforeAnswering(ec)) continue;
      return r.status();
    }
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Create(std::string_view base_url, ClientOptions options) {
  bool https = false;
  std::string_view rest;
  if (base_url.substr(0, 7) == "http://") {
    rest = base_url.substr(7);
  } else if (base_url.substr(0, 8) == "https://") {
    https = true;
    rest = base_url.substr(8);
  } else {
    return Error(StatusCode::kInvalidArgument, "URL scheme must be http or https");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ \r\n") != std::string_view::npos) {
    return Error(StatusCode::kInvalidArgument, "base URL must be scheme://host[:port]");
  }
  std::string_view host = rest;
  std::string_view port = https ? "443" : "80";
  if (host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return Error(StatusCode::kInvalidArgument, "invalid base URL");
    std::string_view after = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error(StatusCode::kInvalidArgument, "invalid base URL");
      port = after.substr(1);
    }
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos || std::stoi(std::string(port)) > 65535) {
    return Error(StatusCode::kInvalidArgument, "invalid base URL");
  }
  if (options.insecure_skip_verify_loopback && !IsLoopbackHost(host)) {
    return Error(StatusCode::kInvalidArgument, "insecure_skip_verify_loopback needs a loopback host");
  }
  if (!options.ca_file.empty()) {
    std::ifstream f(options.ca_file);
    if (!f) return Error(StatusCode::kIoError, "cannot read CA file");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->https = https;
  impl->host = std::string(host);
  impl->port = std::string(port);
  impl->host_header = std::string(rest);
  if (https) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    beast::error_code ec;
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1,
                     ec);
    if (!ec) {
      if (impl->options.ca_file.empty()) {
        ctx->set_default_verify_paths(ec);
      } else {
        ctx->load_verify_file(impl->options.ca_file, ec);
      }
    }
    if (ec) return Error(StatusCode::kIoError, "cannot load the CA certificates: " + ec.message());
    impl->tls_ctx = std::move(ctx);
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<ClientResponse> Client::Get(std::string_view target, const Headers& headers) {
  return impl_->Send(bhttp::verb::get, target, headers, {}, {});
}

Result<ClientResponse> Client::Post(std::string_view target, std::string_view body,
                                    std::string_view content_type, const Headers& headers) {
  return impl_->Send(bhttp::verb::post, target, headers, body, content_type);
}

}  // namespace bonafide::http
