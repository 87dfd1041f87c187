#include "wallet/http_client_transport.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace bonafide::wallet {
namespace {

http::Headers ToHeaders(const HttpHeaders& headers) { return http::Headers(headers.begin(), headers.end()); }

Result<HttpResponse> Convert(Result<http::ClientResponse> response) {
  if (!response.ok()) return response.status();
  HttpResponse out;
  out.status = response->status;
  for (const auto& [name, value] : response->headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.emplace(std::move(lower), value);
  }
  out.body = std::move(response->body);
  return out;
}

}  // namespace

Result<HttpClientTransport::Target> HttpClientTransport::Resolve(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return Error(StatusCode::kInvalidArgument, "not an absolute URL");
  const size_t slash = url.find_first_of("/?#", scheme + 3);
  const std::string origin(url.substr(0, slash));
  std::string target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const size_t hash = target.find('#');
  if (hash != std::string::npos) target.resize(hash);
  if (target.empty() || target[0] != '/') target.insert(target.begin(), '/');
  auto it = clients_.find(origin);
  if (it == clients_.end()) {
    ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, http::Client::Create(origin, options_));
    it = clients_.emplace(origin, std::move(client)).first;
  }
  return Target{it->second.get(), std::move(target)};
}

Result<HttpResponse> HttpClientTransport::Get(std::string_view url, const HttpHeaders& headers) {
  ASSIGN_OR_RETURN(Target t, Resolve(url));
  return Convert(t.client->Get(t.target, ToHeaders(headers)));
}

Result<HttpResponse> HttpClientTransport::PostForm(std::string_view url, const HttpHeaders& headers,
                                                   std::string_view body) {
  ASSIGN_OR_RETURN(Target t, Resolve(url));
  return Convert(t.client->Post(t.target, body, "application/x-www-form-urlencoded", ToHeaders(headers)));
}

Result<HttpResponse> HttpClientTransport::PostJson(std::string_view url, const HttpHeaders& headers,
                                                   std::string_view body) {
  ASSIGN_OR_RETURN(Target t, Resolve(url));
  return Convert(t.client->Post(t.target, body, "application/json", ToHeaders(headers)));
}

}  // namespace bonafide::wallet
