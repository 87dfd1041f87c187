// wallet/http_transport.h: HttpTransport, the wallet's seam for HTTP (every request of the
// OpenID4VCI flow and of fetching issuer trust material goes through it), and the plain types it
// exchanges. wallet/http_client_transport.h is the real implementation over src/http; the tests
// route requests to an in-memory issuer.
//
// Thread safety: an implementation is used from one thread at a time. Ownership: nothing is
// retained by the types here.
#ifndef BONAFIDE_WALLET_HTTP_TRANSPORT_H_
#define BONAFIDE_WALLET_HTTP_TRANSPORT_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bonafide::wallet {

// HttpHeaders maps header names (lower case) to values.
using HttpHeaders = std::map<std::string, std::string, std::less<>>;

// HttpResponse is what the transport got back: any status (the wallet interprets 4xx / 5xx).
struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lower case
  std::string body;
};

// HttpTransport is the wallet's seam for HTTP. An implementation performs exactly the request it
// is given (TLS and certificate checks are its affair), bounds the response size, and returns
// kIoError when no response arrived (connection refused, timeout, TLS failure). A response with
// any HTTP status is a success of the transport.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Get sends GET `url` with `headers`.
  virtual Result<HttpResponse> Get(std::string_view url, const HttpHeaders& headers) = 0;
  // PostForm sends POST `url` with Content-Type application/x-www-form-urlencoded and `body`.
  virtual Result<HttpResponse> PostForm(std::string_view url, const HttpHeaders& headers,
                                        std::string_view body) = 0;
  // PostJson sends POST `url` with Content-Type application/json and `body`.
  virtual Result<HttpResponse> PostJson(std::string_view url, const HttpHeaders& headers,
                                        std::string_view body) = 0;
};

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_HTTP_TRANSPORT_H_
