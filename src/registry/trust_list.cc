#include "registry/trust_list.h"

#include <algorithm>
#include <set>
#include <utility>

#include "base/clock.h"
#include "base/encoding.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "jose/jwt.h"

namespace bonafide::registry {
namespace {

// kMaxX5c bounds the x5c chains we accept (signer, perhaps the root).
constexpr size_t kMaxX5c = 4;

Status CheckPublicJwk(const Json& jwk, std::string_view what) {
  if (!jwk.is_object()) return Error(StatusCode::kInvalidKey, std::string(what) + ": a key is not a JWK object");
  if (Find(jwk, "d") != nullptr) {
    return Error(StatusCode::kInvalidKey, std::string(what) + ": a JWK carries private key material");
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromJwk(jwk);
  if (!key.ok()) return Error(StatusCode::kInvalidKey, std::string(what) + ": " + key.status().message());
  return OkStatus();
}

Status ValidateCredential(const IssuerCredential& c, const std::string& issuer_id) {
  const std::string what = issuer_id + " " + c.type.ToString();
  if (!IsKnownFormat(c.type.format)) return Error(StatusCode::kInvalidArgument, what + ": unknown format");
  if (c.type.type.empty()) return Error(StatusCode::kInvalidArgument, what + ": empty credential type");
  if (c.type.format == kFormatMsoMdoc) {
    if (c.iaca_pems.empty()) return Error(StatusCode::kInvalidArgument, what + ": no IACA certificate");
    for (const std::string& pem : c.iaca_pems) {
      Result<std::vector<crypto::Certificate>> certs = crypto::Certificate::AllFromPem(pem);
      if (!certs.ok()) return Error(StatusCode::kMalformed, what + ": an IACA does not parse");
      for (const crypto::Certificate& cert : *certs) {
        if (!cert.is_ca()) return Error(StatusCode::kInvalidArgument, what + ": an IACA is not a CA certificate");
      }
    }
  } else if (c.type.format == kFormatSdJwtVc) {
    const Json* keys = c.jwks.is_object() ? Find(c.jwks, "keys") : nullptr;
    if (keys == nullptr || !keys->is_array() || keys->empty()) {
      return Error(StatusCode::kInvalidArgument, what + ": jwks has no keys");
    }
    for (const Json& jwk : *keys) RETURN_IF_ERROR(CheckPublicJwk(jwk, what));
  } else {
    if (!c.did_document.is_object()) return Error(StatusCode::kInvalidArgument, what + ": no DID document");
    const Json* id = Find(c.did_document, "id");
    if (id == nullptr || !id->is_string() || !id->get<std::string>().starts_with("did:web:")) {
      return Error(StatusCode::kInvalidArgument, what + ": the DID document is not a did:web document");
    }
    const Json* methods = Find(c.did_document, "verificationMethod");
    if (methods == nullptr || !methods->is_array() || methods->empty()) {
      return Error(StatusCode::kInvalidArgument, what + ": the DID document has no verification method");
    }
    for (const Json& m : *methods) {
      const Json* mid = m.is_object() ? Find(m, "id") : nullptr;
      const Json* jwk = m.is_object() ? Find(m, "publicKeyJwk") : nullptr;
      if (mid == nullptr || !mid->is_string() || jwk == nullptr) {
        return Error(StatusCode::kInvalidArgument, what + ": a verification method has no id or publicKeyJwk");
      }
      RETURN_IF_ERROR(CheckPublicJwk(*jwk, what));
      Result<crypto::PublicKey> resolved = jose::ResolveDidWebKey(c.did_document, mid->get<std::string>());
      if (!resolved.ok()) {
        return Error(StatusCode::kInvalidArgument, what + ": verification method does not resolve: " +
                                                       resolved.status().message());
      }
    }
  }
  return OkStatus();
}

Result<IssuerCredential> CredentialFromJson(const Json& j) {
  if (!j.is_object()) return Error(StatusCode::kInvalidClaims, "an issuer credential is not an object");
  IssuerCredential c;
  ASSIGN_OR_RETURN(c.type.format, GetString(j, "format"));
  ASSIGN_OR_RETURN(c.type.type, GetString(j, "type"));
  const Json* iacas = Find(j, "iaca_certificates");
  const Json* jwks = Find(j, "jwks");
  const Json* did = Find(j, "did_document");
  const bool mdoc = c.type.format == kFormatMsoMdoc;
  const bool sdjwt = c.type.format == kFormatSdJwtVc;
  const bool vcjwt = c.type.format == kFormatJwtVcJson;
  if ((iacas != nullptr) != mdoc || (jwks != nullptr) != sdjwt || (did != nullptr) != vcjwt) {
    return Error(StatusCode::kInvalidClaims,
                 "issuer credential " + c.type.ToString() + " must carry exactly the anchors of its format");
  }
  if (mdoc) {
    if (!iacas->is_array()) return Error(StatusCode::kInvalidClaims, "iaca_certificates is not an array");
    for (const Json& pem : *iacas) {
      if (!pem.is_string()) return Error(StatusCode::kInvalidClaims, "an IACA certificate is not a string");
      c.iaca_pems.push_back(pem.get<std::string>());
    }
  } else if (sdjwt) {
    c.jwks = *jwks;
  } else {
    c.did_document = *did;
  }
  return c;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

// VerifiedSignedObject is a JWS verified against the registrar root, with its signer certificate.
struct VerifiedSignedObject {
  Json payload;
  crypto::Certificate signer;
};

Result<VerifiedSignedObject> VerifySignedByRoot(std::string_view compact, std::string_view typ,
                                                const crypto::Certificate& root, int64_t now) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws unverified, jose::UnverifiedJws::Parse(compact));
  if (unverified.typ() != typ) {
    return Error(StatusCode::kInvalidType, "typ is \"" + unverified.typ() + "\", expected \"" + std::string(typ) + "\"");
  }
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, jose::ParseX5c(unverified.unverified_header(), kMaxX5c));
  if (chain.empty()) return Error(StatusCode::kInvalidCertificate, "no x5c signer certificate");
  ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::VerifyChain(chain, {root}, now));
  const crypto::Certificate& leaf = chain.front();
  const std::optional<crypto::KeyUsage> ku = leaf.key_usage();
  if (leaf.is_ca() || !ku.has_value() || !ku->digital_signature) {
    return Error(StatusCode::kInvalidCertificate, "the signer certificate is not a digitalSignature leaf");
  }
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(unverified, key));
  ASSIGN_OR_RETURN(Json payload, ParseJsonObject(AsStringView(verified.payload()), JsonLimits{kMaxTrustListBytes, 32}));
  return VerifiedSignedObject{std::move(payload), leaf};
}

}  // namespace

std::string_view RpStatusName(RpStatus status) {
  return status == RpStatus::kActive ? "active" : "suspended";
}

Status ValidateHost(std::string_view host) {
  auto bad = [&](std::string_view why) {
    return Error(StatusCode::kInvalidArgument, "client_id host \"" + std::string(host) + "\" " + std::string(why));
  };
  if (host.empty() || host.size() > 253) return bad("must be 1 to 253 characters");
  if (host == "localhost") return OkStatus();
  size_t labels = 0;
  size_t start = 0;
  std::string_view last;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) dot = host.size();
    const std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return bad("has an empty or over-long label");
    if (label.front() == '-' || label.back() == '-') return bad("has a label starting or ending with '-'");
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return bad("must be a lower-case DNS name (letters, digits, '-', '.')");
    }
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2) return bad("must have at least two labels");
  if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("is not a DNS name (numeric top-level label)");
  }
  return OkStatus();
}

Status ValidateTrustedIssuer(const TrustedIssuer& issuer) {
  if (issuer.id.empty()) return Error(StatusCode::kInvalidArgument, "issuer without id");
  if (issuer.name.empty()) return Error(StatusCode::kInvalidArgument, "issuer " + issuer.id + " without name");
  if (issuer.credentials.empty()) {
    return Error(StatusCode::kInvalidArgument, "issuer " + issuer.id + " issues no credential type");
  }
  std::set<CredentialType> seen;
  for (const IssuerCredential& c : issuer.credentials) {
    if (!seen.insert(c.type).second) {
      return Error(StatusCode::kInvalidArgument, "issuer " + issuer.id + " lists " + c.type.ToString() + " twice");
    }
    RETURN_IF_ERROR(ValidateCredential(c, issuer.id));
  }
  return OkStatus();
}

Json TrustedIssuerToJson(const TrustedIssuer& issuer) {
  Json credentials = Json::array();
  for (const IssuerCredential& c : issuer.credentials) {
    Json j = {{"format", c.type.format}, {"type", c.type.type}};
    if (c.type.format == kFormatMsoMdoc) {
      j["iaca_certificates"] = c.iaca_pems;
    } else if (c.type.format == kFormatSdJwtVc) {
      j["jwks"] = c.jwks;
    } else {
      j["did_document"] = c.did_document;
    }
    credentials.push_back(std::move(j));
  }
  return Json{{"id", issuer.id}, {"name", issuer.name}, {"added_at", issuer.added_at}, {"credentials", credentials}};
}

Result<TrustedIssuer> TrustedIssuerFromJson(const Json& json) {
  if (!json.is_object()) return Error(StatusCode::kInvalidClaims, "an issuer is not an object");
  TrustedIssuer issuer;
  ASSIGN_OR_RETURN(issuer.id, GetString(json, "id"));
  ASSIGN_OR_RETURN(issuer.name, GetString(json, "name"));
  ASSIGN_OR_RETURN(issuer.added_at, GetInt(json, "added_at"));
  ASSIGN_OR_RETURN(const Json* credentials, GetArray(json, "credentials"));
  for (const Json& c : *credentials) {
    ASSIGN_OR_RETURN(IssuerCredential credential, CredentialFromJson(c));
    issuer.credentials.push_back(std::move(credential));
  }
  RETURN_IF_ERROR(ValidateTrustedIssuer(issuer));
  return issuer;
}

Json RelyingPartyToJson(const RelyingParty& rp) {
  return Json{{"client_id", rp.client_id},
              {"name", rp.name},
              {"registration_number", rp.registration_number},
              {"purposes", GrantsToJson(rp.purposes)},
              {"access_certificate", {{"serial", rp.access_certificate_serial}, {"sha256", rp.access_certificate_sha256}}},
              {"registered_at", rp.registered_at},
              {"status", std::string(RpStatusName(rp.status))}};
}

Result<RelyingParty> RelyingPartyFromJson(const Json& json) {
  if (!json.is_object()) return Error(StatusCode::kInvalidClaims, "a relying party is not an object");
  RelyingParty rp;
  ASSIGN_OR_RETURN(rp.client_id, GetString(json, "client_id"));
  RETURN_IF_ERROR(ValidateHost(rp.client_id));
  ASSIGN_OR_RETURN(rp.name, GetString(json, "name"));
  if (rp.name.empty()) return Error(StatusCode::kInvalidClaims, "relying party " + rp.client_id + " has no name");
  ASSIGN_OR_RETURN(rp.registration_number, GetString(json, "registration_number"));
  const Json* purposes = Find(json, "purposes");
  if (purposes == nullptr) return Error(StatusCode::kInvalidClaims, "relying party without purposes");
  ASSIGN_OR_RETURN(rp.purposes, GrantsFromJson(*purposes));
  ASSIGN_OR_RETURN(const Json* cert, GetObject(json, "access_certificate"));
  ASSIGN_OR_RETURN(rp.access_certificate_serial, GetString(*cert, "serial"));
  ASSIGN_OR_RETURN(rp.access_certificate_sha256, GetString(*cert, "sha256"));
  if (rp.access_certificate_sha256.size() != 64) {
    return Error(StatusCode::kInvalidClaims, "relying party " + rp.client_id + ": sha256 is not 64 hex digits");
  }
  ASSIGN_OR_RETURN(rp.registered_at, GetInt(json, "registered_at"));
  ASSIGN_OR_RETURN(std::string status, GetString(json, "status"));
  if (status == "active") {
    rp.status = RpStatus::kActive;
  } else if (status == "suspended") {
    rp.status = RpStatus::kSuspended;
  } else {
    return Error(StatusCode::kInvalidClaims, "relying party " + rp.client_id + ": unknown status " + status);
  }
  return rp;
}

std::vector<std::pair<const TrustedIssuer*, const IssuerCredential*>> TrustList::FindIssuerAnchors(
    const CredentialType& type) const {
  std::vector<std::pair<const TrustedIssuer*, const IssuerCredential*>> out;
  for (const TrustedIssuer& issuer : issuers_) {
    for (const IssuerCredential& c : issuer.credentials) {
      if (c.type == type) out.emplace_back(&issuer, &c);
    }
  }
  return out;
}

const RelyingParty* TrustList::FindRelyingParty(std::string_view client_id) const {
  for (const RelyingParty& rp : relying_parties_) {
    if (rp.client_id == client_id) return &rp;
  }
  return nullptr;
}

Result<TrustList> VerifyTrustList(std::string_view jws, const crypto::Certificate& registry_root, int64_t now,
                                  const VerifyOptions& options) {
  if (jws.size() > kMaxTrustListBytes) return Error(StatusCode::kLimitExceeded, "trust list larger than 8 MiB");
  ASSIGN_OR_RETURN(VerifiedSignedObject v, VerifySignedByRoot(jws, kTrustListTyp, registry_root, now));
  const Json& p = v.payload;
  TrustList list(registry_root, v.signer);
  ASSIGN_OR_RETURN(list.registry_id_, GetString(p, "iss"));
  ASSIGN_OR_RETURN(list.name_, GetString(p, "name"));
  ASSIGN_OR_RETURN(list.sequence_, GetInt(p, "sequence"));
  ASSIGN_OR_RETURN(list.issued_at_, GetInt(p, "iat"));
  ASSIGN_OR_RETURN(list.next_update_, GetInt(p, "next_update"));
  if (list.sequence_ < 1) return Error(StatusCode::kInvalidClaims, "sequence must be positive");
  if (list.next_update_ <= list.issued_at_) return Error(StatusCode::kInvalidClaims, "next_update is not after iat");
  ASSIGN_OR_RETURN(std::string root_b64, GetString(p, "registrar_root"));
  Result<Bytes> root_der = Base64Decode(root_b64);
  if (!root_der.ok()) return Error(StatusCode::kInvalidClaims, "registrar_root is not base64");
  if (*root_der != registry_root.der()) {
    return Error(StatusCode::kUntrustedIssuer, "the list names another registrar root than the pinned one");
  }
  if (options.expected_registry_id.has_value() && list.registry_id_ != *options.expected_registry_id) {
    return Error(StatusCode::kUntrustedIssuer, "trust list of registry " + list.registry_id_ + ", expected " +
                                                   *options.expected_registry_id);
  }
  const int64_t skew = std::clamp<int64_t>(options.max_skew_seconds, 0, 300);
  if (list.issued_at_ > now + skew) return Error(StatusCode::kNotYetValid, "trust list iat is in the future");
  if (list.sequence_ < options.min_sequence) {
    return Error(StatusCode::kInvalidArgument, "trust list sequence " + std::to_string(list.sequence_) +
                                                   " is lower than " + std::to_string(options.min_sequence) +
                                                   " already seen (rollback)");
  }
  ASSIGN_OR_RETURN(const Json* issuers, GetArray(p, "issuers"));
  std::set<std::string, std::less<>> issuer_ids;
  for (const Json& j : *issuers) {
    ASSIGN_OR_RETURN(TrustedIssuer issuer, TrustedIssuerFromJson(j));
    if (!issuer_ids.insert(issuer.id).second) return Error(StatusCode::kInvalidClaims, "issuer " + issuer.id + " twice");
    list.issuers_.push_back(std::move(issuer));
  }
  ASSIGN_OR_RETURN(const Json* rps, GetArray(p, "relying_parties"));
  std::set<std::string, std::less<>> client_ids;
  for (const Json& j : *rps) {
    ASSIGN_OR_RETURN(RelyingParty rp, RelyingPartyFromJson(j));
    if (!client_ids.insert(rp.client_id).second) {
      return Error(StatusCode::kInvalidClaims, "relying party " + rp.client_id + " twice");
    }
    list.relying_parties_.push_back(std::move(rp));
  }
  list.stale_ = now > list.next_update_;
  list.jws_ = std::string(jws);
  return list;
}

Result<RelyingParty> VerifyAccessCertificate(const TrustList& list, const std::vector<crypto::Certificate>& chain,
                                             std::string_view host, int64_t now) {
  if (chain.empty()) return Error(StatusCode::kInvalidCertificate, "empty access certificate chain");
  RETURN_IF_ERROR(crypto::VerifyChain(chain, {list.registrar_root()}, now));
  const crypto::Certificate& leaf = chain.front();
  const std::optional<crypto::KeyUsage> ku = leaf.key_usage();
  if (leaf.is_ca() || !ku.has_value() || !ku->digital_signature) {
    return Error(StatusCode::kInvalidCertificate, "the access certificate is not a digitalSignature leaf");
  }
  const std::string wanted = Lower(host);
  bool named = false;
  for (const std::string& dns : leaf.dns_names()) named = named || Lower(dns) == wanted;
  if (!named) {
    return Error(StatusCode::kInvalidCertificate, "the access certificate does not name " + wanted);
  }
  const RelyingParty* rp = list.FindRelyingParty(wanted);
  if (rp == nullptr) return Error(StatusCode::kNotFound, wanted + " is not a registered relying party");
  if (rp->status == RpStatus::kSuspended) return Error(StatusCode::kSuspended, wanted + " is suspended");
  if (HexEncode(crypto::Sha256(leaf.der())) != rp->access_certificate_sha256) {
    return Error(StatusCode::kInvalidCertificate, "not the access certificate registered for " + wanted);
  }
  return *rp;
}

Result<RelyingParty> VerifyAccessCertificatePem(const TrustList& list, std::string_view chain_pem,
                                                std::string_view host, int64_t now) {
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, crypto::Certificate::AllFromPem(chain_pem));
  return VerifyAccessCertificate(list, chain, host, now);
}

Result<VerifiedRegistration> VerifyRegistration(std::string_view jwt, const TrustList& list, int64_t now) {
  if (jwt.size() > kMaxTrustListBytes) return Error(StatusCode::kLimitExceeded, "registration larger than 8 MiB");
  ASSIGN_OR_RETURN(VerifiedSignedObject v, VerifySignedByRoot(jwt, kRegistrationTyp, list.registrar_root(), now));
  ASSIGN_OR_RETURN(crypto::PublicKey signer_key, v.signer.public_key());
  ASSIGN_OR_RETURN(crypto::PublicKey list_key, list.signer().public_key());
  if (!signer_key.Equals(list_key)) {
    return Error(StatusCode::kUntrustedIssuer, "the registration is not signed by the trust list signer");
  }
  const Json& c = v.payload;
  FixedClock clock(now);
  RETURN_IF_ERROR(jose::JwtTimeValidator(clock).RequireIssuedAt().Validate(c));
  ASSIGN_OR_RETURN(std::string iss, GetString(c, "iss"));
  if (iss != list.registry_id()) return Error(StatusCode::kUntrustedIssuer, "registration of another registry: " + iss);
  VerifiedRegistration out;
  ASSIGN_OR_RETURN(out.client_id, GetString(c, "sub"));
  ASSIGN_OR_RETURN(out.name, GetString(c, "name"));
  ASSIGN_OR_RETURN(out.registration_number, GetString(c, "registration_number"));
  const Json* purposes = Find(c, "purposes");
  if (purposes == nullptr) return Error(StatusCode::kInvalidClaims, "registration without purposes");
  ASSIGN_OR_RETURN(out.purposes, GrantsFromJson(*purposes));
  ASSIGN_OR_RETURN(out.issued_at, GetInt(c, "iat"));
  ASSIGN_OR_RETURN(out.expires_at, GetInt(c, "exp"));
  const RelyingParty* rp = list.FindRelyingParty(out.client_id);
  if (rp == nullptr) return Error(StatusCode::kNotFound, out.client_id + " is not a registered relying party");
  if (rp->status == RpStatus::kSuspended) return Error(StatusCode::kSuspended, out.client_id + " is suspended");
  if (out.name != rp->name || out.registration_number != rp->registration_number || out.purposes != rp->purposes) {
    return Error(StatusCode::kInvalidClaims, "the registration of " + out.client_id + " differs from the trust list");
  }
  return out;
}

}  // namespace bonafide::registry
