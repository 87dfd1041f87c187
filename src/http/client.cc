// Only src/http/*.cc includes httplib.h (see server.cc).
#include "http/client.h"

#include <httplib.h>

#include <csignal>
#include <fstream>
#include <mutex>

namespace bonafide::http {

namespace {

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

httplib::Headers ToHttplib(const Headers& headers) {
  httplib::Headers out;
  for (const auto& [k, v] : headers) out.emplace(k, v);
  return out;
}

}  // namespace

struct Client::Impl {
  std::unique_ptr<httplib::Client> cli;
  size_t max_response_bytes = 0;
  std::mutex mu;

  Result<ClientResponse> Convert(httplib::Result& res, std::string body, bool too_big) {
    if (too_big) return Error(StatusCode::kLimitExceeded, "response body too large");
    if (!res) return Error(StatusCode::kIoError, "HTTP request failed: " + httplib::to_string(res.error()));
    ClientResponse out;
    out.status = res->status;
    for (const auto& [k, v] : res->headers) out.headers.emplace_back(k, v);
    out.body = body.empty() ? std::move(res->body) : std::move(body);
    if (out.body.size() > max_response_bytes) {
      return Error(StatusCode::kLimitExceeded, "response body too large");
    }
    return out;
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Create(std::string_view base_url, ClientOptions options) {
  // cpp-httplib 0.11 writes with send() without MSG_NOSIGNAL: a server that closes while a
  // request is still being sent (e.g. after refusing an oversized body) would kill the process
  // with SIGPIPE. The write then fails with EPIPE instead, reported as kIoError.
  static std::once_flag sigpipe_once;
  std::call_once(sigpipe_once, [] { std::signal(SIGPIPE, SIG_IGN); });
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
  if (host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (options.insecure_skip_verify_loopback && !IsLoopbackHost(host)) {
    return Error(StatusCode::kInvalidArgument, "insecure_skip_verify_loopback needs a loopback host");
  }
  if (!options.ca_file.empty()) {
    std::ifstream f(options.ca_file);
    if (!f) return Error(StatusCode::kIoError, "cannot read CA file");
  }
  auto impl = std::make_unique<Impl>();
  impl->cli = std::make_unique<httplib::Client>(std::string(base_url.substr(0, base_url.size() - (base_url.back() == '/' ? 1 : 0))));
  if (!impl->cli->is_valid()) return Error(StatusCode::kInvalidArgument, "invalid base URL");
  impl->max_response_bytes = options.max_response_bytes;
  impl->cli->set_connection_timeout(options.connect_timeout);
  impl->cli->set_read_timeout(options.read_timeout);
  impl->cli->set_write_timeout(options.write_timeout);
  impl->cli->set_follow_location(false);
  impl->cli->set_keep_alive(options.keep_alive);
  impl->cli->set_tcp_nodelay(true);
  if (https) {
    if (!options.ca_file.empty()) impl->cli->set_ca_cert_path(options.ca_file);
    impl->cli->enable_server_certificate_verification(!options.insecure_skip_verify_loopback);
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<ClientResponse> Client::Get(std::string_view target, const Headers& headers) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string body;
  bool too_big = false;
  const size_t limit = impl_->max_response_bytes;
  auto res = impl_->cli->Get(std::string(target), ToHttplib(headers),
                             [&](const char* data, size_t len) {
                               if (body.size() + len > limit) {
                                 too_big = true;
                                 return false;
                               }
                               body.append(data, len);
                               return true;
                             });
  return impl_->Convert(res, std::move(body), too_big);
}

Result<ClientResponse> Client::Post(std::string_view target, std::string_view body,
                                    std::string_view content_type, const Headers& headers) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto res = impl_->cli->Post(std::string(target), ToHttplib(headers), body.data(), body.size(),
                              std::string(content_type));
  return impl_->Convert(res, std::string(), false);
}

}  // namespace bonafide::http
