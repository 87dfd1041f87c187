// http/client.h: a small blocking HTTP(S) client for tests, the CLI and the wallet.
//
// Client talks to one origin ("http://host:port" or "https://host:port"). HTTPS verifies the
// server certificate and host name, against `ca_file` when given, else the system trust store.
// Skipping verification is possible only for loopback hosts and only by the named option
// insecure_skip_verify_loopback. No Boost type appears in this header.
//
// Timeouts bound each step as a whole: connecting (with the TLS handshake), writing the request,
// reading the whole response. A kept-alive connection that the server closed while it was idle
// is noticed when a request on it fails before any byte of an answer; that request is then sent
// once more on a new connection. Writes never raise SIGPIPE.
//
// Thread safety: a Client may be shared; its requests are serialised. Use one Client per thread
// for parallel requests.
#ifndef BONAFIDE_HTTP_CLIENT_H_
#define BONAFIDE_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace bonafide::http {

// ClientOptions configures a Client.
struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::string ca_file;  // PEM roots for https; empty: the system store
  // InsecureSkipVerify for https to 127.0.0.1, ::1 or localhost only (tests, local demos).
  bool insecure_skip_verify_loopback = false;
  size_t max_response_bytes = 16 << 20;  // larger bodies -> kLimitExceeded
  // keep_alive reuses one connection for successive requests (closed when the server closes it).
  bool keep_alive = false;
};

// ClientResponse is a received response.
struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  std::optional<std::string> Header(std::string_view name) const { return FindHeader(headers, name); }
};

// Client sends requests to one origin.
class Client {
 public:
  // Create parses `base_url` (scheme http or https, host, optional port; no path).
  // kInvalidArgument for another scheme, a path, or insecure_skip_verify_loopback with a
  // non-loopback host; kIoError when ca_file cannot be read.
  static Result<std::unique_ptr<Client>> Create(std::string_view base_url, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Get sends GET `target` (path plus optional query). kIoError when the connection, TLS
  // handshake (including certificate verification) or exchange fails or times out;
  // kLimitExceeded when the body exceeds max_response_bytes. HTTP error statuses are returned
  // as responses, not errors.
  Result<ClientResponse> Get(std::string_view target, const Headers& headers = {});
  // Post sends POST `target` with `body` of `content_type`; failures as for Get.
  Result<ClientResponse> Post(std::string_view target, std::string_view body,
                              std::string_view content_type, const Headers& headers = {});

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bonafide::http

#endif  // BONAFIDE_HTTP_CLIENT_H_
