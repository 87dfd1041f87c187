// http/message.h: the transport-free request and response types that HTTP handlers see.
//
// Handlers registered on an http::Server take a Request and return a Response; neither type
// mentions Boost.Beast, so service code (the issuer, the verifier) can be tested in memory by
// building Requests directly. Header names compare case-insensitively (RFC 9110 section 5.1).
//
// Thread safety: plain values; copy freely.
#ifndef BONAFIDE_HTTP_MESSAGE_H_
#define BONAFIDE_HTTP_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"

namespace bonafide::http {

// Headers is an ordered list of (name, value) fields; a name may repeat.
using Headers = std::vector<std::pair<std::string, std::string>>;

// EqualsIgnoreCase compares two ASCII strings case-insensitively.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// FindHeader returns the value of the first field named `name` (case-insensitive), or nullopt.
std::optional<std::string> FindHeader(const Headers& headers, std::string_view name);

// Request is one HTTP request as a handler sees it. Fields from the network are untrusted.
struct Request {
  std::string method;  // "GET", "POST", ... ("HEAD" requests reach GET handlers as "HEAD")
  std::string path;    // percent-decoded path without the query, e.g. "/status/abc"
  // path_params holds the values of the route's {name} segments, e.g. {"list", "abc"}.
  std::vector<std::pair<std::string, std::string>> path_params;
  // query holds decoded query parameters in order; a name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::string remote_addr;  // peer IP address
  std::string request_id;   // the id the server generated (also sent back as X-Request-Id)

  // Header returns the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const { return FindHeader(headers, name); }
  // PathParam returns the value of route parameter `name`, or nullopt when the route has none.
  std::optional<std::string> PathParam(std::string_view name) const;
  // Query returns the first query parameter `name`, or nullopt.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

// Response is what a handler returns. status defaults to 200 and content_type to JSON.
// Header fields containing CR or LF are dropped by the server (no response splitting).
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;  // extra fields; Content-Type and Content-Length come from the fields above
  std::string body;

  // JsonBody returns a response with `value` serialised compactly as the body.
  static Response JsonBody(int status, const Json& value);
  // JsonError returns {"error": code} with `status` (e.g. 404, "not_found").
  static Response JsonError(int status, std::string_view code);
  // Text returns a text/plain; charset=utf-8 response.
  static Response Text(int status, std::string body);
};

}  // namespace bonafide::http

#endif  // BONAFIDE_HTTP_MESSAGE_H_
