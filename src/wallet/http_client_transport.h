// wallet/http_client_transport.h: HttpClientTransport, the wallet's real HttpTransport
// (wallet/http_transport.h) over bonafide::http::Client, used by `bonafide wallet` and by the C
// API (include/bonafide/wallet.h). One http::Client per origin, created on first use; https is
// verified against the system trust store or ClientOptions::ca_file.
//
// Thread safety: not thread-safe (the per-origin client map). Ownership: owns its clients.
#ifndef BONAFIDE_WALLET_HTTP_CLIENT_TRANSPORT_H_
#define BONAFIDE_WALLET_HTTP_CLIENT_TRANSPORT_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "http/client.h"
#include "wallet/http_transport.h"

namespace bonafide::wallet {

// HttpClientTransport sends each request through the http::Client of the URL's origin. A URL
// without "://" is kInvalidArgument; http::Client::Create's errors (kInvalidArgument for a
// scheme other than http / https, kIoError for an unreadable ca_file) and its request errors
// (kIoError, kLimitExceeded) are returned as they are. Response header names are lower-cased.
class HttpClientTransport final : public HttpTransport {
 public:
  explicit HttpClientTransport(http::ClientOptions options = {}) : options_(std::move(options)) {}

  Result<HttpResponse> Get(std::string_view url, const HttpHeaders& headers) override;
  Result<HttpResponse> PostForm(std::string_view url, const HttpHeaders& headers, std::string_view body) override;
  Result<HttpResponse> PostJson(std::string_view url, const HttpHeaders& headers, std::string_view body) override;

 private:
  struct Target {
    http::Client* client;
    std::string target;
  };
  // Resolve splits an absolute URL into origin and target (path and query; fragment dropped).
  Result<Target> Resolve(std::string_view url);

  http::ClientOptions options_;
  std::map<std::string, std::unique_ptr<http::Client>> clients_;
};

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_HTTP_CLIENT_TRANSPORT_H_
