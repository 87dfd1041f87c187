// oid4vp/presentation.cc: per-format presentations bound to a request (see presentation.h).
#include "oid4vp/presentation.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "base/encoding.h"
#include "mdoc/doctypes.h"
#include "mdoc/session_transcript.h"
#include "mdoc/verifier.h"
#include "status/status_list_token.h"
#include "vcjwt/vp_jwt.h"

namespace bonafide::oid4vp {
namespace {

Status CheckBinding(const PresentationBinding& binding) {
  if (binding.client_id.empty() || binding.nonce.empty()) {
    return Error(StatusCode::kInvalidArgument, "binding needs client_id and nonce");
  }
  return OkStatus();
}

Result<sdjwt::ClaimPath> ToSdJwtPath(const ClaimsPath& path) {
  std::vector<sdjwt::ClaimPath::Component> components;
  for (const ClaimsPathElement& e : path) {
    if (const auto* name = std::get_if<std::string>(&e)) {
      components.emplace_back(*name);
    } else if (const auto* index = std::get_if<uint64_t>(&e)) {
      components.emplace_back(static_cast<size_t>(*index));
    } else {
      return Error(StatusCode::kInvalidArgument, "claims path with a null component: pass concrete paths");
    }
  }
  return sdjwt::ClaimPath(std::move(components));
}

ClaimsPath FromSdJwtPath(const sdjwt::ClaimPath& path) {
  ClaimsPath out;
  for (const auto& c : path.components()) {
    if (const auto* name = std::get_if<std::string>(&c)) {
      out.emplace_back(*name);
    } else {
      out.emplace_back(static_cast<uint64_t>(std::get<size_t>(c)));
    }
  }
  return out;
}

// ComponentMatches compares a concrete component with a requested one (null matches any index).
bool ComponentMatches(const ClaimsPathElement& a, const ClaimsPathElement& b) {
  const bool a_all = std::holds_alternative<AllArrayElements>(a);
  const bool b_all = std::holds_alternative<AllArrayElements>(b);
  if (a_all || b_all) return std::holds_alternative<uint64_t>(a_all ? b : a) || (a_all && b_all);
  return a == b;
}

bool IsPrefix(const ClaimsPath& prefix, const ClaimsPath& path) {
  if (prefix.size() > path.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (!ComponentMatches(prefix[i], path[i])) return false;
  }
  return true;
}

// Covered: `path` was disclosed for a requested path (it encloses one, or lies inside one).
bool Covered(const ClaimsPath& path, const std::vector<ClaimsPath>& requested) {
  for (const ClaimsPath& r : requested) {
    if (IsPrefix(path, r) || IsPrefix(r, path)) return true;
  }
  return false;
}

void InsertAt(Json& root, const ClaimsPath& path, const Json& value) {
  Json* cur = &root;
  for (const ClaimsPathElement& e : path) {
    if (const auto* name = std::get_if<std::string>(&e)) {
      if (!cur->is_object()) *cur = Json::object();
      cur = &(*cur)[*name];
    } else {
      const auto index = static_cast<size_t>(std::get<uint64_t>(e));
      if (!cur->is_array()) *cur = Json::array();
      while (cur->size() <= index) cur->push_back(nullptr);
      cur = &(*cur)[index];
    }
  }
  *cur = value;
}

// Candidate is a verified credential before it is reduced to the query.
struct Candidate {
  CandidateCredential credential;
  VerifiedCredential out;
  // disclosed: every selectively disclosed path (nullopt: the format cannot tell).
  std::optional<std::vector<ClaimsPath>> disclosed;
};

Result<Candidate> VerifySdJwtPresentation(const CredentialQuery& q, const std::string& text,
                                          const VerificationContext& ctx) {
  if (ctx.sd_jwt_trust == nullptr) return Error(StatusCode::kInvalidArgument, "no SD-JWT VC trust configured");
  ASSIGN_OR_RETURN(sdjwt::UnverifiedSdJwt unverified, sdjwt::UnverifiedSdJwt::Parse(text));
  sdjwt::VerifyOptions options(*ctx.clock);
  options.ExpectKeyBinding(ctx.binding.nonce, ctx.binding.client_id)
      .KeyBindingMaxAge(ctx.max_presentation_age_seconds)
      .AllowUncheckedStatus();
  if (q.require_cryptographic_holder_binding) options.RequireKeyBinding();
  ASSIGN_OR_RETURN(sdjwt::VerifiedSdJwtVc verified, sdjwt::VerifySdJwtVc(unverified, *ctx.sd_jwt_trust, options));
  if (q.meta.vct_values) {
    const auto& vcts = *q.meta.vct_values;
    if (std::find(vcts.begin(), vcts.end(), verified.vct()) == vcts.end()) {
      return Error(StatusCode::kInvalidType, "vct " + verified.vct() + " is not one the query accepts");
    }
  }
  Candidate c;
  c.credential = CandidateCredential{.id = "presented", .format = std::string(kFormatSdJwtVc), .vct = verified.vct(),
                                     .claims = verified.claims(), .holder_binding = verified.key_bound()};
  c.out.issuer = verified.iss();
  c.out.type = verified.vct();
  c.out.holder_bound = verified.key_bound();
  if (const Json* exp = Find(verified.claims(), "exp")) c.out.valid_until = AsInt(*exp);
  if (const Json* status = Find(verified.claims(), "status")) {
    auto ref = status::StatusReference::FromStatusClaim(*status);
    if (ref.ok()) {
      c.out.status.push_back({.kind = "token_status_list", .uri = ref->uri, .idx = ref->idx, .entry = nullptr});
    }
  }
  ASSIGN_OR_RETURN(std::vector<sdjwt::DisclosedClaim> map, sdjwt::MapDisclosures(unverified));
  std::vector<ClaimsPath> disclosed;
  for (const sdjwt::DisclosedClaim& d : map) disclosed.push_back(FromSdJwtPath(d.path));
  c.disclosed = std::move(disclosed);
  return c;
}

Result<Candidate> VerifyMdocPresentation(const CredentialQuery& q, const std::string& text,
                                         const VerificationContext& ctx) {
  if (ctx.iaca == nullptr) return Error(StatusCode::kInvalidArgument, "no IACA trust store configured");
  auto bytes = Base64UrlDecode(text);
  if (!bytes.ok()) return Error(StatusCode::kMalformed, "mso_mdoc presentation is not base64url");
  mdoc::DeviceResponseVerifier verifier(*ctx.iaca, *ctx.clock);
  verifier.SkipStatusCheck();
  if (q.meta.doctype_value) verifier.ExpectDocType(*q.meta.doctype_value);
  ASSIGN_OR_RETURN(std::vector<mdoc::VerifiedDocument> docs,
                   verifier.Verify(*bytes, MdocSessionTranscript(ctx.binding)));
  if (docs.size() != 1) return Error(StatusCode::kMalformed, "mso_mdoc presentation must hold exactly one document");
  const mdoc::VerifiedDocument& doc = docs.front();
  Candidate c;
  Json claims = Json::object();
  std::vector<ClaimsPath> disclosed;
  for (const auto& [ns, elements] : doc.issuer_signed()) {
    Json& ns_json = claims[ns];
    ns_json = Json::object();
    for (const auto& [name, value] : elements) {
      ns_json[name] = mdoc::ElementToJson(value);
      disclosed.push_back(ClaimsPath{ns, name});
    }
  }
  c.credential = CandidateCredential{.id = "presented", .format = std::string(kFormatMsoMdoc), .doctype = doc.doc_type(),
                                     .claims = std::move(claims),
                                     .holder_binding = doc.device_auth() != mdoc::DeviceAuthKind::kNone};
  c.out.issuer = doc.issuer().subject_common_name;
  c.out.issuer_country = doc.issuer().country;
  c.out.trust_anchor = doc.issuer().anchor_subject;
  c.out.type = doc.doc_type();
  c.out.holder_bound = c.credential.holder_binding;
  c.out.valid_until = doc.validity().valid_until;
  if (doc.status_reference()) {
    c.out.status.push_back({.kind = "token_status_list",
                            .uri = doc.status_reference()->uri,
                            .idx = doc.status_reference()->idx,
                            .entry = nullptr});
  }
  c.disclosed = std::move(disclosed);
  return c;
}

Result<Candidate> VerifyJwtVcPresentation(const CredentialQuery& q, const std::string& text,
                                          const VerificationContext& ctx) {
  if (ctx.did_documents == nullptr) return Error(StatusCode::kInvalidArgument, "no did:web documents configured");
  vcjwt::VpVerifyOptions options;
  options.expected_nonce = ctx.binding.nonce;
  options.expected_audience = ctx.binding.client_id;
  options.max_age_seconds = ctx.max_presentation_age_seconds;
  options.credential_options.trusted_issuers = *ctx.did_documents;
  options.credential_options.AllowUncheckedStatus();
  ASSIGN_OR_RETURN(vcjwt::VerifiedVpJwt vp, vcjwt::VerifyVpJwt(text, options, *ctx.clock));
  if (vp.credentials().size() != 1) {
    return Error(StatusCode::kMalformed, "jwt_vc_json presentation must carry exactly one credential");
  }
  const vcjwt::VerifiedVcJwt& vc = vp.credentials().front();
  if (q.meta.type_values) {
    bool any = false;
    for (const auto& alternative : *q.meta.type_values) {
      bool all = true;
      for (const std::string& t : alternative) {
        if (std::find(vc.types().begin(), vc.types().end(), t) == vc.types().end()) all = false;
      }
      any = any || all;
    }
    if (!any) return Error(StatusCode::kInvalidType, "credential type matches no type_values entry");
  }
  Candidate c;
  c.credential = CandidateCredential{.id = "presented", .format = std::string(kFormatJwtVcJson), .types = vc.types(),
                                     .claims = vc.credential(), .holder_binding = true};
  c.out.issuer = vc.issuer();
  c.out.type = vc.type();
  c.out.holder_bound = true;
  c.out.valid_until = vc.valid_until();
  if (const Json* status = Find(vc.credential(), "credentialStatus")) {
    const Json entries = status->is_array() ? *status : Json::array({*status});
    for (const Json& entry : entries) {
      CredentialStatusReference ref{.kind = "bitstring_status_list", .uri = "", .idx = 0, .entry = entry};
      if (const Json* uri = Find(entry, "statusListCredential"); uri != nullptr && uri->is_string()) {
        ref.uri = uri->get<std::string>();
      }
      if (const Json* idx = Find(entry, "statusListIndex"); idx != nullptr && idx->is_string()) {
        ref.idx = std::strtoull(idx->get_ref<const std::string&>().c_str(), nullptr, 10);
      }
      c.out.status.push_back(std::move(ref));
    }
  }
  return c;
}

// Reduce checks the candidate against the query and keeps only the requested claims.
Result<VerifiedCredential> Reduce(const CredentialQuery& q, Candidate c) {
  DcqlQuery single{.credentials = {q}, .credential_sets = std::nullopt};
  std::vector<CandidateCredential> candidates = {c.credential};
  auto match = Match(single, candidates);
  if (!match.ok()) return Error(StatusCode::kInvalidArgument, "query: " + match.status().message());
  const CredentialQueryMatch& m = match->queries.front();
  if (m.candidates.empty()) {
    if (q.require_cryptographic_holder_binding && !c.credential.holder_binding) {
      return Error(StatusCode::kInvalidClaims, "credential query " + q.id + " requires holder binding");
    }
    return Error(StatusCode::kInvalidClaims, "presented claims do not satisfy credential query " + q.id);
  }
  const CandidateMatch& chosen = m.candidates.front();
  VerifiedCredential out = std::move(c.out);
  out.format = q.format;
  std::vector<ClaimsPath> requested;
  for (const ClaimMatch& claim : chosen.claims) {
    requested.push_back(claim.requested_path);
    for (const ClaimsPath& path : claim.disclosed_paths) {
      bool seen = false;
      for (const SelectedClaim& s : out.disclosed) seen = seen || s.path == path;
      if (seen) continue;
      auto values = ProcessClaimsPath(path, c.credential.claims);
      if (!values.ok() || values->size() != 1) return Error(StatusCode::kInternal, "concrete path did not select one value");
      InsertAt(out.claims, path, values->front().value);
      out.disclosed.push_back(std::move(values->front()));
    }
  }
  if (c.disclosed) {
    for (const ClaimsPath& path : *c.disclosed) {
      if (!Covered(path, requested)) out.over_disclosed.push_back(path);
    }
  }
  return out;
}

}  // namespace

Bytes MdocSessionTranscript(const PresentationBinding& binding) {
  std::optional<ByteView> thumbprint;
  if (binding.encryption_jwk_thumbprint) thumbprint = ByteView(*binding.encryption_jwk_thumbprint);
  return mdoc::EncodeSessionTranscript(
      mdoc::OpenId4VpRedirectTranscript(binding.client_id, binding.nonce, thumbprint, binding.response_uri));
}

Result<std::string> PresentSdJwtVc(const sdjwt::HeldSdJwt& credential, const std::vector<ClaimsPath>& paths,
                                   const crypto::Signer& holder, const PresentationBinding& binding,
                                   const Clock& clock) {
  RETURN_IF_ERROR(CheckBinding(binding));
  std::vector<sdjwt::ClaimPath> reveal;
  for (const ClaimsPath& path : paths) {
    ASSIGN_OR_RETURN(sdjwt::ClaimPath p, ToSdJwtPath(path));
    reveal.push_back(std::move(p));
  }
  sdjwt::KeyBindingRequest kb{
      .holder = &holder, .audience = binding.client_id, .nonce = binding.nonce, .issued_at = clock.NowSeconds()};
  return credential.Present(reveal, kb);
}

Result<std::string> PresentMdoc(const mdoc::HeldMdoc& credential, const std::vector<ClaimsPath>& paths,
                                const crypto::PrivateKey& device_key, const PresentationBinding& binding) {
  RETURN_IF_ERROR(CheckBinding(binding));
  if (paths.empty()) return Error(StatusCode::kInvalidArgument, "no mdoc elements to present");
  mdoc::Disclosure disclose;
  for (const ClaimsPath& path : paths) {
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
    if (std::find(it->second.begin(), it->second.end(), *element) == it->second.end()) it->second.push_back(*element);
  }
  mdoc::DeviceAuthOptions auth;
  auth.device_key = &device_key;
  ASSIGN_OR_RETURN(cbor::Value document, credential.Present(disclose, MdocSessionTranscript(binding), auth));
  std::vector<cbor::Value> documents;
  documents.push_back(std::move(document));
  return Base64UrlEncode(mdoc::BuildDeviceResponse(std::move(documents)));
}

Result<std::string> PresentJwtVc(const std::string& vc_jwt, const crypto::Signer& holder,
                                 const PresentationBinding& binding, const Clock& clock) {
  RETURN_IF_ERROR(CheckBinding(binding));
  vcjwt::VpJwtRequest request;
  request.credentials = {vc_jwt};
  request.audience = binding.client_id;
  request.nonce = binding.nonce;
  return vcjwt::CreateVpJwt(request, holder, clock);
}

Result<VerifiedVpToken> VerifyPresentations(const Json& vp_token, const DcqlQuery& query,
                                            const VerificationContext& context) {
  if (context.clock == nullptr || context.binding.client_id.empty() || context.binding.nonce.empty() ||
      context.binding.response_uri.empty()) {
    return Error(StatusCode::kInvalidArgument, "verification context needs clock, client_id, nonce and response_uri");
  }
  if (Status s = ValidateDcqlQuery(query); !s.ok()) return Error(StatusCode::kInvalidArgument, "query: " + s.message());
  if (!vp_token.is_object()) return Error(StatusCode::kMalformed, "vp_token is not a JSON object");

  std::set<std::string> presented;
  for (const auto& [id, value] : vp_token.items()) {
    const CredentialQuery* q = query.FindCredential(id);
    if (q == nullptr) return Error(StatusCode::kMalformed, "unknown vp_token key " + id);
    if (!value.is_array() || value.empty()) {
      return Error(StatusCode::kMalformed, "vp_token." + id + " is not a non-empty array");
    }
    for (const Json& p : value) {
      if (!p.is_string() || p.get_ref<const std::string&>().empty()) {
        return Error(StatusCode::kMalformed, "vp_token." + id + " holds a non-string presentation");
      }
    }
    if (!q->multiple && value.size() != 1) {
      return Error(StatusCode::kMalformed, "vp_token." + id + " has several presentations but multiple is false");
    }
    presented.insert(id);
  }
  if (!query.credential_sets) {
    for (const CredentialQuery& q : query.credentials) {
      if (presented.count(q.id) == 0) return Error(StatusCode::kNotFound, "no presentation for credential query " + q.id);
    }
  } else {
    for (size_t i = 0; i < query.credential_sets->size(); ++i) {
      const CredentialSetQuery& set = (*query.credential_sets)[i];
      if (!set.required) continue;
      bool met = false;
      for (const auto& option : set.options) {
        bool all = true;
        for (const std::string& id : option) all = all && presented.count(id) != 0;
        met = met || all;
      }
      if (!met) return Error(StatusCode::kNotFound, "required credential set " + std::to_string(i) + " is not met");
    }
  }

  VerifiedVpToken out;
  for (const auto& [id, value] : vp_token.items()) {
    const CredentialQuery& q = *query.FindCredential(id);
    std::vector<VerifiedCredential>& list = out.credentials[id];
    for (const Json& p : value) {
      const std::string& text = p.get_ref<const std::string&>();
      Result<Candidate> candidate = Error(StatusCode::kInvalidArgument, "unsupported format " + q.format);
      if (q.format == kFormatSdJwtVc) {
        candidate = VerifySdJwtPresentation(q, text, context);
      } else if (q.format == kFormatMsoMdoc) {
        candidate = VerifyMdocPresentation(q, text, context);
      } else if (q.format == kFormatJwtVcJson) {
        candidate = VerifyJwtVcPresentation(q, text, context);
      }
      if (!candidate.ok()) return candidate.status();
      ASSIGN_OR_RETURN(VerifiedCredential verified, Reduce(q, std::move(candidate).value()));
      out.over_disclosed = out.over_disclosed || !verified.over_disclosed.empty();
      list.push_back(std::move(verified));
    }
  }
  return out;
}

}  // namespace bonafide::oid4vp
