// wallet/present.cc: see present.h.
#include "wallet/present.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include "base/encoding.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "mdoc/holder.h"
#include "oid4vp/presentation.h"
#include "oid4vp/response.h"
#include "registry/purposes.h"
#include "registry/trust_list.h"
#include "sdjwt/sdjwt.h"
#include "wallet/key_store.h"

namespace bonafide::wallet {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;
constexpr size_t kMaxDescription = 300;

Status WriteAtomically(const std::filesystem::path& path, const std::string& contents) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error(StatusCode::kIoError, "cannot write " + tmp.string());
    out << contents;
    out.flush();
    if (!out) return Error(StatusCode::kIoError, "cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error(StatusCode::kIoError, "cannot rename " + tmp.string() + ": " + ec.message());
  return OkStatus();
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return Error(StatusCode::kNotFound, "no " + path.filename().string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(StatusCode::kIoError, "cannot read " + path.string());
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) return Error(StatusCode::kMalformed, path.string() + " is too large");
  }
  return text;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// HostOf returns the lower-cased host of an absolute http(s) URL, or "".
std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos) return "";
  if (!rest.empty() && rest.front() == '[') {
    rest = rest.substr(0, rest.find(']') + 1);
  } else {
    rest = rest.substr(0, rest.find(':'));
  }
  std::string out;
  for (char c : rest) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// AttributeName renders a claims path as the transaction log names it: mdoc "namespace/element";
// others the path components joined with "." (an index as its number, null as "*"). Characters
// the log refuses ('=') are replaced.
std::string AttributeName(std::string_view format, const oid4vp::ClaimsPath& path) {
  std::string out;
  const bool mdoc = format == oid4vp::kFormatMsoMdoc;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += mdoc && i == 1 ? "/" : ".";
    if (const auto* s = std::get_if<std::string>(&path[i])) {
      out += *s;
    } else if (const auto* n = std::get_if<uint64_t>(&path[i])) {
      out += std::to_string(*n);
    } else {
      out += "*";
    }
  }
  std::replace(out.begin(), out.end(), '=', '_');
  if (out.size() > 200) out.resize(200);
  return out;
}

// ClaimName is the short name shown on the consent screen: the element identifier for mdoc.
std::string ClaimName(std::string_view format, const oid4vp::ClaimsPath& path) {
  if (format == oid4vp::kFormatMsoMdoc && path.size() == 2) {
    if (const auto* s = std::get_if<std::string>(&path[1])) return *s;
  }
  return AttributeName(format, path);
}

registry::ClaimPath ToRegistryPath(const oid4vp::ClaimsPath& path) {
  registry::ClaimPath out;
  for (const auto& e : path) {
    if (const auto* s = std::get_if<std::string>(&e)) {
      out.emplace_back(*s);
    } else if (const auto* n = std::get_if<uint64_t>(&e)) {
      out.emplace_back(*n);
    } else {
      out.emplace_back(nullptr);
    }
  }
  return out;
}

// TypesOf returns the credential types a Credential Query asks for (empty for an unknown format).
std::vector<registry::CredentialType> TypesOf(const oid4vp::CredentialQuery& q) {
  std::vector<registry::CredentialType> out;
  if (q.format == oid4vp::kFormatSdJwtVc && q.meta.vct_values) {
    for (const auto& v : *q.meta.vct_values) out.push_back({q.format, v});
  } else if (q.format == oid4vp::kFormatMsoMdoc && q.meta.doctype_value) {
    out.push_back({q.format, *q.meta.doctype_value});
  } else if (q.format == oid4vp::kFormatJwtVcJson && q.meta.type_values) {
    for (const auto& alternative : *q.meta.type_values) {
      for (const auto& t : alternative) {
        if (t != "VerifiableCredential") out.push_back({q.format, t});
      }
    }
  }
  return out;
}

// GrantPermits says whether `grant` permits `path` of `type`: the grant lists it and the purposes
// table agrees (a registry cannot grant more than the table allows).
bool GrantPermits(const registry::PurposeGrant& grant, const registry::CredentialType& type,
                  const registry::ClaimPath& path) {
  if (!registry::IsPermitted(grant.id, type, path)) return false;
  for (const auto& c : grant.claims) {
    if (c.format == type.format && c.type == type.type && registry::ClaimPathMatches(c.path, path))
      return true;
  }
  return false;
}

// SanitiseDescription keeps an error_description within RFC 6749's character set and bounded.
std::string SanitiseDescription(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = u >= 0x20 && u <= 0x7e && c != '"' && c != '\\';
    out.push_back(ok ? c : '?');
    if (out.size() >= kMaxDescription) break;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

Result<oid4vp::CandidateCredential> ToCandidate(const CredentialSummary& s, const Json& shown) {
  oid4vp::CandidateCredential c;
  c.id = s.id;
  c.format = s.format;
  const Json* claims = Find(shown, "claims");
  if (claims == nullptr || !claims->is_object())
    return Error(StatusCode::kMalformed, "credential without claims");
  if (s.format == oid4vp::kFormatSdJwtVc) {
    c.vct = s.type;
    c.claims = *claims;
    c.holder_binding = Find(*claims, "cnf") != nullptr;
  } else if (s.format == oid4vp::kFormatMsoMdoc) {
    c.doctype = s.type;
    c.claims = *claims;
  } else if (s.format == oid4vp::kFormatJwtVcJson) {
    const Json* vc = Find(*claims, "vc");
    const Json& object = vc != nullptr && vc->is_object() ? *vc : *claims;
    c.claims = object;
    if (const Json* types = Find(object, "type"); types != nullptr && types->is_array()) {
      for (const Json& t : *types) {
        if (t.is_string()) c.types.push_back(t.get<std::string>());
      }
    } else if (types != nullptr && types->is_string()) {
      c.types.push_back(types->get<std::string>());
    }
  } else {
    return Error(StatusCode::kMalformed, "unknown format");
  }
  return c;
}

// WholeCredentialAttributes lists what a VC-JWT reveals: every member of credentialSubject.
std::vector<std::string> WholeCredentialAttributes(const Json& vc) {
  std::vector<std::string> out;
  const Json* subject = Find(vc, "credentialSubject");
  if (subject != nullptr && subject->is_object()) {
    for (auto it = subject->begin(); it != subject->end(); ++it) {
      if (it.key() == "id") continue;
      std::string name = "credentialSubject." + it.key();
      std::replace(name.begin(), name.end(), '=', '_');
      out.push_back(name.substr(0, 200));
    }
  }
  return out;
}

}  // namespace

// ---- Trust configuration ----

Status SaveTrustConfig(const std::filesystem::path& dir, const TrustConfig& config) {
  if (config.trust_list.empty()) return Error(StatusCode::kInvalidArgument, "no trust list source");
  auto certs = crypto::Certificate::AllFromPem(config.registry_root_pem);
  if (!certs.ok()) return Error(StatusCode::kMalformed, "registry root: " + certs.status().message());
  if (certs->size() != 1)
    return Error(StatusCode::kMalformed, "registry root: expected exactly one certificate");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return Error(StatusCode::kNotFound, "no wallet directory " + dir.string());
  RETURN_IF_ERROR(WriteAtomically(dir / kRegistryRootFile, (*certs)[0].ToPem()));
  return WriteAtomically(
      dir / kTrustConfigFile,
      DumpJson(Json{{"trust_list", config.trust_list}, {"ca_file", config.ca_file}}) + "\n");
}

Result<TrustConfig> LoadTrustConfig(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(dir / kTrustConfigFile));
  auto json = ParseJsonObject(text);
  if (!json.ok())
    return Error(StatusCode::kMalformed, std::string(kTrustConfigFile) + ": " + json.status().message());
  TrustConfig out;
  auto source = GetString(*json, "trust_list");
  auto ca = GetString(*json, "ca_file");
  if (!source.ok() || !ca.ok() || source->empty()) {
    return Error(StatusCode::kMalformed, std::string(kTrustConfigFile) + ": trust_list and ca_file expected");
  }
  out.trust_list = *source;
  out.ca_file = *ca;
  auto root = ReadSmallFile(dir / kRegistryRootFile);
  if (!root.ok()) {
    return Error(
        root.status().code() == StatusCode::kNotFound ? StatusCode::kMalformed : root.status().code(),
        root.status().message());
  }
  out.registry_root_pem = *root;
  return out;
}

Result<std::unique_ptr<registry::TrustListCache>> OpenTrustListCache(const std::filesystem::path& dir,
                                                                     const TrustConfig& config, int64_t now) {
  auto root = crypto::Certificate::FromPem(config.registry_root_pem);
  if (!root.ok()) return Error(StatusCode::kMalformed, "registry root: " + root.status().message());
  registry::TrustListCacheOptions options;
  options.source = config.trust_list;
  options.cache_file = (dir / kTrustListCacheFile).string();
  options.http.ca_file = config.ca_file;
  return registry::TrustListCache::Create(std::move(options), std::move(*root), now);
}

// ---- InsecureLoopbackTransport ----

Result<std::unique_ptr<InsecureLoopbackTransport>> InsecureLoopbackTransport::Create(
    HttpTransport& inner, std::string host, std::string loopback_origin) {
  if (host.empty()) return Error(StatusCode::kInvalidArgument, "no host to redirect");
  constexpr std::string_view kHttp = "http://";
  if (loopback_origin.rfind(kHttp, 0) != 0) {
    return Error(StatusCode::kInvalidArgument, "the loopback origin must be an http:// URL");
  }
  const std::string authority = loopback_origin.substr(kHttp.size());
  if (authority.find_first_of("/?#@") != std::string::npos) {
    return Error(StatusCode::kInvalidArgument, "the loopback origin must have no path, query or userinfo");
  }
  if (!IsLoopbackHost(HostOf(loopback_origin))) {
    return Error(StatusCode::kInvalidArgument, "the loopback origin is not on 127.0.0.1, [::1] or localhost");
  }
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::unique_ptr<InsecureLoopbackTransport>(
      new InsecureLoopbackTransport(inner, std::move(host), std::move(loopback_origin)));
}

std::string InsecureLoopbackTransport::Rewrite(std::string_view url) const {
  constexpr std::string_view kHttps = "https://";
  if (url.substr(0, kHttps.size()) != kHttps || HostOf(url) != host_) return std::string(url);
  std::string_view rest = url.substr(kHttps.size());
  const size_t path = rest.find_first_of("/?#");
  return origin_ + (path == std::string_view::npos ? std::string() : std::string(rest.substr(path)));
}

Result<HttpResponse> InsecureLoopbackTransport::Get(std::string_view url, const HttpHeaders& headers) {
  return inner_.Get(Rewrite(url), headers);
}
Result<HttpResponse> InsecureLoopbackTransport::PostForm(std::string_view url, const HttpHeaders& headers,
                                                         std::string_view body) {
  return inner_.PostForm(Rewrite(url), headers, body);
}
Result<HttpResponse> InsecureLoopbackTransport::PostJson(std::string_view url, const HttpHeaders& headers,
                                                         std::string_view body) {
  return inner_.PostJson(Rewrite(url), headers, body);
}

// ---- Consent summary ----

std::string ConsentSummary::purpose() const { return Join(purposes, ", "); }

Json ConsentSummary::ToJson() const {
  Json attrs = Json::array();
  for (const auto& a : attributes) {
    attrs.push_back(Json{{"credential_id", a.credential_id},
                         {"credential", a.credential_name},
                         {"claim", a.claim},
                         {"attribute", a.attribute}});
  }
  Json creds = Json::array();
  for (const auto& c : credentials) {
    creds.push_back(Json{{"query_id", c.query_id},
                         {"credential_id", c.credential_id},
                         {"credential", c.credential_name},
                         {"format", c.format},
                         {"whole_credential", c.whole_credential}});
  }
  return Json{{"client_id", client_id},
              {"host", host},
              {"relying_party", relying_party},
              {"registration_number", registration_number},
              {"purpose", purpose()},
              {"purposes", purposes},
              {"attributes", std::move(attrs)},
              {"credentials", std::move(creds)},
              {"requested", requested},
              {"flags", Json{{"registered", registered},
                             {"suspended", suspended},
                             {"trusted", trusted},
                             {"over_asking", over_asking},
                             {"stale_trust_list", stale_trust_list}}}};
}

// ---- PreparePresentation ----

namespace {

// FetchRequestObject returns the Request Object of `invocation` (by value, or fetched).
Result<std::string> FetchRequestObject(const oid4vp::WalletInvocation& invocation, HttpTransport& transport) {
  if (invocation.request) return *invocation.request;
  const HttpHeaders headers = {{"accept", "application/oauth-authz-req+jwt"}};
  Result<HttpResponse> response = invocation.request_uri_method == oid4vp::RequestUriMethod::kPost
                                      ? transport.PostForm(*invocation.request_uri, headers, "")
                                      : transport.Get(*invocation.request_uri, headers);
  if (!response.ok()) {
    return Error(StatusCode::kIoError, "cannot fetch the request object: " + response.status().message());
  }
  if (response->status != 200) {
    return Error(StatusCode::kIoError, "the verifier answered HTTP " + std::to_string(response->status) +
                                           " for the request object");
  }
  std::string body = response->body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
  return body;
}

// RegistryVerdict is what the check_chain hook found.
struct RegistryVerdict {
  bool checked = false;
  Status status;
  std::optional<registry::RelyingParty> rp;
};

}  // namespace

Result<PresentationRequest> PreparePresentation(Wallet& wallet, std::string_view request_uri,
                                                const PresentOptions& options) {
  if (options.transport == nullptr || options.trust_list == nullptr) {
    return Error(StatusCode::kInvalidArgument, "PresentOptions needs a transport and a trust list");
  }
  if (!wallet.unlocked()) return Error(StatusCode::kInvalidKey, "the wallet is locked");
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Default();
  const int64_t now = clock.NowSeconds();

  oid4vp::RequestUriOptions uri_options;
  uri_options.insecure_allow_http_loopback = options.insecure_allow_http_loopback;
  ASSIGN_OR_RETURN(oid4vp::WalletInvocation invocation, oid4vp::ParseRequestUri(request_uri, uri_options));
  ASSIGN_OR_RETURN(registry::TrustListSnapshot snapshot, options.trust_list->Refresh(now));
  std::shared_ptr<const registry::TrustList> list = snapshot.list;
  if (list == nullptr) return Error(StatusCode::kIoError, "no trust list");
  ASSIGN_OR_RETURN(std::string jws, FetchRequestObject(invocation, *options.transport));

  PresentationRequest out;
  ConsentSummary& summary = out.summary_;
  summary.client_id = invocation.client_id;
  const std::string prefix = std::string(oid4vp::kX509SanDnsPrefix) + ":";
  if (summary.client_id.rfind(prefix, 0) == 0) summary.host = summary.client_id.substr(prefix.size());
  summary.stale_trust_list = list->stale();

  // Verify the Request Object; the hook records the registry's verdict on the access certificate
  // (checked after the signature verified) instead of failing, so that an authenticated but
  // refused verifier can still be told.
  auto verdict = std::make_shared<RegistryVerdict>();
  oid4vp::RequestVerifyOptions verify;
  verify.clock = &clock;
  verify.insecure_allow_http_loopback = options.insecure_allow_http_loopback;
  verify.check_chain = [verdict, list, now](const std::vector<Bytes>& x5c, std::string_view host) -> Status {
    verdict->checked = true;
    std::vector<crypto::Certificate> chain;
    for (const Bytes& der : x5c) {
      auto cert = crypto::Certificate::FromDer(der);
      if (!cert.ok()) {
        verdict->status =
            Error(StatusCode::kInvalidCertificate, "access certificate: " + cert.status().message());
        return OkStatus();
      }
      chain.push_back(std::move(*cert));
    }
    auto rp = registry::VerifyAccessCertificate(*list, chain, host, now);
    if (rp.ok()) {
      verdict->rp = std::move(*rp);
    } else {
      verdict->status = rp.status();
    }
    return OkStatus();
  };
  auto verified = oid4vp::VerifyRequestObject(jws, invocation.client_id, verify);
  if (!verified.ok()) {
    out.refusal_ = verified.status();
    return out;
  }
  out.request_.emplace(std::move(*verified));
  const oid4vp::VerifiedRequest& request = *out.request_;
  summary.host = request.host();
  if (!verdict->checked) {
    out.refusal_ = Error(StatusCode::kUntrustedIssuer, "the verifier's access certificate was not checked");
    return out;
  }

  // Who is asking.
  if (verdict->rp) {
    summary.registered = true;
    out.may_tell_verifier_ = true;
  } else if (verdict->status.code() == StatusCode::kSuspended) {
    summary.registered = true;
    summary.suspended = true;
    out.may_tell_verifier_ = true;
    out.refusal_ = Error(StatusCode::kSuspended, "the relying party is suspended in the trust registry");
  } else {
    out.refusal_ =
        Error(StatusCode::kUntrustedIssuer,
              "the verifier is not registered in the trust registry (" + verdict->status.ToString() + ")");
  }
  if (const registry::RelyingParty* entry = list->FindRelyingParty(request.host());
      entry != nullptr && summary.registered) {
    summary.relying_party = entry->name;
    summary.registration_number = entry->registration_number;
  }
  std::vector<registry::PurposeGrant> grants;
  if (verdict->rp) grants = verdict->rp->purposes;
  if (out.refusal_.ok()) {
    const oid4vp::VerifierInfo* registration = nullptr;
    for (const auto& info : request.verifier_info()) {
      if (info.format == "jwt" && info.data.is_string()) registration = &info;
    }
    if (registration != nullptr) {
      auto reg = registry::VerifyRegistration(registration->data.get<std::string>(), *list, now);
      if (!reg.ok()) {
        out.refusal_ =
            reg.status().code() == StatusCode::kSuspended
                ? Error(StatusCode::kSuspended, "the relying party is suspended in the trust registry")
                : Error(StatusCode::kUntrustedIssuer,
                        "the registration does not verify (" + reg.status().ToString() + ")");
        summary.suspended = reg.status().code() == StatusCode::kSuspended;
      } else if (reg->client_id != request.host()) {
        out.refusal_ = Error(StatusCode::kUntrustedIssuer, "the registration is for another client_id");
      } else {
        grants = reg->purposes;
      }
    }
  }
  summary.trusted = out.refusal_.ok();

  // What is asked for, and under which registered purpose.
  const oid4vp::DcqlQuery& query = request.dcql_query();
  std::vector<bool> grant_used(grants.size(), false);
  std::vector<bool> grant_covers_all(grants.size(), true);
  bool any_claim = false;
  for (const oid4vp::CredentialQuery& q : query.credentials) {
    const std::vector<registry::CredentialType> types = TypesOf(q);
    if (!q.claims || q.claims->empty()) {
      const std::string name = q.id + " (every claim)";
      summary.requested.push_back(name);
      summary.over_asking.push_back(name);
      continue;
    }
    for (const oid4vp::ClaimsQuery& c : *q.claims) {
      const std::string name = AttributeName(q.format, c.path);
      summary.requested.push_back(name);
      any_claim = true;
      const registry::ClaimPath path = ToRegistryPath(c.path);
      bool permitted = false;
      for (size_t g = 0; g < grants.size(); ++g) {
        bool covers = !types.empty();
        for (const auto& type : types) covers = covers && GrantPermits(grants[g], type, path);
        if (covers) {
          permitted = true;
          grant_used[g] = true;
        } else {
          grant_covers_all[g] = false;
        }
      }
      if (!permitted) summary.over_asking.push_back(name);
    }
  }
  std::optional<size_t> single;
  for (size_t g = 0; g < grants.size() && any_claim && summary.over_asking.empty(); ++g) {
    if (grant_covers_all[g]) {
      single = g;
      break;
    }
  }
  if (single) {
    summary.purposes.push_back(grants[*single].id);
  } else {
    for (size_t g = 0; g < grants.size(); ++g) {
      if (grant_used[g]) summary.purposes.push_back(grants[g].id);
    }
  }
  if (!summary.trusted) {
    summary.over_asking.clear();  // meaningless without a verified registration
    return out;
  }
  if (!summary.over_asking.empty()) {
    out.refusal_ = Error(StatusCode::kInvalidClaims,
                         "claims beyond the registration: " + Join(summary.over_asking, ", "));
    return out;
  }

  // What in the wallet matches.
  ASSIGN_OR_RETURN(std::vector<CredentialSummary> held, wallet.List());
  std::vector<oid4vp::CandidateCredential> candidates;
  std::map<std::string, std::string, std::less<>> names;
  for (const CredentialSummary& s : held) {
    if (s.unused_copies == 0) continue;
    auto shown = wallet.Show(s.id);
    if (!shown.ok()) continue;  // a credential that no longer parses is never presented
    auto candidate = ToCandidate(s, *shown);
    if (!candidate.ok()) continue;
    names[s.id] = s.display_name_en.empty() ? s.type : s.display_name_en;
    candidates.push_back(std::move(*candidate));
  }
  auto selection = oid4vp::Select(query, candidates);
  if (!selection.ok()) {
    out.refusal_ = selection.status().code() == StatusCode::kNotFound
                       ? Error(StatusCode::kNotFound, "no credential in the wallet matches the request (" +
                                                          selection.status().message() + ")")
                       : selection.status();
    return out;
  }
  for (const oid4vp::PlannedPresentation& p : selection->presentations) {
    const oid4vp::CandidateCredential& c = candidates[p.candidate_index];
    PresentationRequest::Planned planned;
    planned.query_id = p.query_id;
    planned.credential_id = c.id;
    planned.format = c.format;
    planned.claims = p.claims;
    const bool whole = c.format == oid4vp::kFormatJwtVcJson;
    summary.credentials.push_back(ConsentCredential{.query_id = p.query_id,
                                                    .credential_id = c.id,
                                                    .credential_name = names[c.id],
                                                    .format = c.format,
                                                    .whole_credential = whole});
    std::vector<std::pair<std::string, std::string>> shown;  // (claim, attribute)
    if (whole) {
      for (const std::string& a : WholeCredentialAttributes(c.claims)) shown.emplace_back(a, a);
    } else {
      for (const auto& path : p.claims)
        shown.emplace_back(ClaimName(c.format, path), AttributeName(c.format, path));
    }
    for (auto& [claim, attribute] : shown) {
      planned.attributes.push_back(attribute);
      summary.attributes.push_back(ConsentAttribute{.credential_id = c.id,
                                                    .credential_name = names[c.id],
                                                    .claim = std::move(claim),
                                                    .attribute = std::move(attribute)});
    }
    out.plan_.push_back(std::move(planned));
  }
  return out;
}

// ---- Respond ----

namespace {

// SendToVerifier POSTs `body` to the response_uri and returns the answer.
Result<HttpResponse> SendToVerifier(const oid4vp::VerifiedRequest& request, const std::string& body,
                                    HttpTransport& transport) {
  ASSIGN_OR_RETURN(HttpResponse response, transport.PostForm(request.response_uri(), {}, body));
  if (response.status != 200) {
    return Error(StatusCode::kIoError, "the verifier answered HTTP " + std::to_string(response.status));
  }
  return response;
}

// SendError sends an access_denied error response; returns whether the verifier accepted it.
bool SendError(const oid4vp::VerifiedRequest& request, std::string_view description, HttpTransport& transport,
               Random& random) {
  oid4vp::AuthorizationError error{.error = "access_denied",
                                   .error_description = SanitiseDescription(description)};
  Result<std::string> body = request.response_mode() == oid4vp::ResponseMode::kDirectPostJwt
                                 ? oid4vp::EncryptErrorResponse(error, request, random)
                                 : oid4vp::EncodeErrorResponse(error, request.state());
  if (!body.ok()) return false;
  return SendToVerifier(request, *body, transport).ok();
}

// PresentOne builds one presentation from a fresh copy of `credential_id`.
Result<std::string> PresentOne(Wallet& wallet, const oid4vp::VerifiedRequest& request,
                               const std::string& credential_id, const std::string& format,
                               const std::vector<oid4vp::ClaimsPath>& claims, const Clock& clock) {
  ASSIGN_OR_RETURN(CredentialCopy copy, wallet.TakeFreshCopy(credential_id));
  if (copy.key_handle.empty()) return Error(StatusCode::kInvalidKey, "the credential copy has no device key");
  ASSIGN_OR_RETURN(KeyStoreSigner signer, KeyStoreSigner::Create(wallet.key_store(), copy.key_handle));
  const oid4vp::PresentationBinding binding = request.binding();
  if (format == oid4vp::kFormatSdJwtVc) {
    ASSIGN_OR_RETURN(sdjwt::HeldSdJwt held, sdjwt::HeldSdJwt::FromIssuance(copy.credential));
    return oid4vp::PresentSdJwtVc(held, claims, signer, binding, clock);
  }
  if (format == oid4vp::kFormatMsoMdoc) {
    if (claims.empty()) return Error(StatusCode::kInvalidArgument, "no mdoc elements to present");
    ASSIGN_OR_RETURN(Bytes bytes, Base64UrlDecode(copy.credential));
    ASSIGN_OR_RETURN(mdoc::HeldMdoc held, mdoc::HeldMdoc::Decode(bytes));
    mdoc::Disclosure disclose;
    for (const oid4vp::ClaimsPath& path : claims) {
      const std::string* ns = path.size() == 2 ? std::get_if<std::string>(&path[0]) : nullptr;
      const std::string* element = path.size() == 2 ? std::get_if<std::string>(&path[1]) : nullptr;
      if (ns == nullptr || element == nullptr) {
        return Error(StatusCode::kInvalidArgument, "mdoc claims path must be [namespace, element]");
      }
      auto it = std::find_if(disclose.begin(), disclose.end(), [&](const auto& e) { return e.first == *ns; });
      if (it == disclose.end()) {
        disclose.emplace_back(*ns, std::vector<std::string>{});
        it = disclose.end() - 1;
      }
      if (std::find(it->second.begin(), it->second.end(), *element) == it->second.end()) {
        it->second.push_back(*element);
      }
    }
    mdoc::DeviceAuthOptions auth;
    auth.device_signer = &signer;
    ASSIGN_OR_RETURN(cbor::Value document,
                     held.Present(disclose, oid4vp::MdocSessionTranscript(binding), auth));
    std::vector<cbor::Value> documents;
    documents.push_back(std::move(document));
    return Base64UrlEncode(mdoc::BuildDeviceResponse(std::move(documents)));
  }
  if (format == oid4vp::kFormatJwtVcJson)
    return oid4vp::PresentJwtVc(copy.credential, signer, binding, clock);
  return Error(StatusCode::kInvalidArgument, "cannot present format " + format);
}

}  // namespace

Result<PresentOutcome> Respond(Wallet& wallet, PresentationRequest& request, Decision decision,
                               const PresentOptions& options) {
  if (request.answered_) return Error(StatusCode::kInvalidArgument, "the request was already answered");
  if (options.transport == nullptr)
    return Error(StatusCode::kInvalidArgument, "PresentOptions needs a transport");
  if (!wallet.unlocked()) return Error(StatusCode::kInvalidKey, "the wallet is locked");
  request.answered_ = true;
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Default();
  Random& random = options.random != nullptr ? *options.random : crypto::SystemRandom();
  const ConsentSummary& summary = request.summary_;

  PresentationRecord record;
  record.at = clock.NowSeconds();
  record.relying_party = summary.registered ? summary.relying_party : "";
  record.client_id = summary.client_id;
  record.purpose = summary.purpose();

  if (request.refused()) {
    record.outcome = PresentationOutcome::kRefused;
    record.attributes = summary.requested;
    record.reason = request.refusal_.ToString();
    if (request.may_tell_verifier_ && request.request_) {
      (void)SendError(*request.request_, request.refusal_.message(), *options.transport, random);
    }
    RETURN_IF_ERROR(wallet.RecordPresentation(record));
    return request.refusal_;
  }
  const oid4vp::VerifiedRequest& verified = *request.request_;
  PresentOutcome outcome;
  for (const auto& p : request.plan_) {
    outcome.credential_ids.push_back(p.credential_id);
    outcome.attributes.insert(outcome.attributes.end(), p.attributes.begin(), p.attributes.end());
  }
  record.credential_ids = outcome.credential_ids;
  record.attributes = outcome.attributes;

  if (decision == Decision::kDecline) {
    outcome.outcome = PresentationOutcome::kDeclined;
    outcome.response_sent = SendError(verified, "the user declined", *options.transport, random);
    record.outcome = PresentationOutcome::kDeclined;
    record.reason = "declined by the user";
    record.credential_ids.clear();
    RETURN_IF_ERROR(wallet.RecordPresentation(record));
    outcome.attributes.clear();
    outcome.credential_ids.clear();
    return outcome;
  }

  auto fail = [&](const Status& status) -> Status {
    record.outcome = PresentationOutcome::kFailed;
    record.reason = status.ToString();
    RETURN_IF_ERROR(wallet.RecordPresentation(record));
    return status;
  };
  std::map<std::string, std::vector<std::string>> presentations;
  for (const auto& p : request.plan_) {
    auto presented = PresentOne(wallet, verified, p.credential_id, p.format, p.claims, clock);
    if (!presented.ok()) return fail(presented.status());
    presentations[p.query_id].push_back(std::move(*presented));
  }
  auto vp_token = oid4vp::BuildVpToken(presentations);
  if (!vp_token.ok()) return fail(vp_token.status());
  Result<std::string> body = verified.response_mode() == oid4vp::ResponseMode::kDirectPostJwt
                                 ? oid4vp::EncryptResponse(*vp_token, verified, random)
                                 : oid4vp::EncodeDirectPost(*vp_token, verified.state());
  if (!body.ok()) return fail(body.status());
  auto answer = SendToVerifier(verified, *body, *options.transport);
  if (!answer.ok()) {
    return fail(Error(StatusCode::kIoError, "sending the response failed: " + answer.status().message()));
  }
  // The answer is JSON, possibly with a redirect_uri (section 8.2); anything else is ignored.
  if (auto json = ParseJsonObject(answer->body); json.ok()) {
    if (const Json* redirect = Find(*json, "redirect_uri"); redirect != nullptr && redirect->is_string()) {
      outcome.redirect_uri = redirect->get<std::string>();
    }
  }
  outcome.outcome = PresentationOutcome::kShared;
  outcome.response_sent = true;
  record.outcome = PresentationOutcome::kShared;
  RETURN_IF_ERROR(wallet.RecordPresentation(record));
  return outcome;
}

}  // namespace bonafide::wallet
