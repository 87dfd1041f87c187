// `bonafide vc ...`: W3C VCDM 2.0 credentials secured as JWT (jwt_vc_json), the format of the
// GOV.UK Veteran Card: did:web issuer documents, issuance, holder presentations (VP-JWT) and
// verification with Bitstring Status List revocation.
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "status/bitstring_status_list.h"
#include "vcjwt/vc_jwt.h"
#include "vcjwt/vp_jwt.h"

namespace bonafide::cli {
namespace {


struct DidDocArgs {
  std::string issuer_key, did, key_id = "key-1", out;
  std::vector<std::string> retired_keys;
};

// DidDoc writes a did:web document publishing the issuer key (and any retired keys, which stay
// published until the credentials they signed expire).
int DidDoc(const DidDocArgs& a) {
  if (a.did.rfind("did:web:", 0) != 0) return ReportError(Error(StatusCode::kInvalidArgument, "--did must be a did:web DID"));
  Json doc = {{"@context", {"https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"}},
              {"id", a.did},
              {"verificationMethod", Json::array()},
              {"assertionMethod", Json::array()}};
  auto add = [&](const std::string& file, const std::string& id) -> Status {
    ASSIGN_OR_RETURN(crypto::PublicKey key, LoadPublicKey(file));
    Json jwk = key.ToJwk();
    jwk["kid"] = id;
    jwk["alg"] = std::string(crypto::JwsAlgName(key.alg()));
    std::string vm = a.did + "#" + id;
    doc["verificationMethod"].push_back({{"id", vm}, {"type", "JsonWebKey2020"}, {"controller", a.did}, {"publicKeyJwk", jwk}});
    doc["assertionMethod"].push_back(vm);
    return OkStatus();
  };
  Status s = add(a.issuer_key, a.key_id);
  if (!s.ok()) return ReportError(s);
  for (size_t i = 0; i < a.retired_keys.size(); ++i) {
    s = add(a.retired_keys[i], "retired-" + std::to_string(i + 1));
    if (!s.ok()) return ReportError(s);
  }
  return Output(doc.dump(2), a.out);
}

struct IssueArgs {
  std::string issuer_key, issuer, kid = "key-1", type, claims, holder_key, name, description, status_uri, out;
  std::string status_purpose = "revocation";
  std::optional<int64_t> status_idx;
  int64_t valid_days = 365;
  std::optional<int64_t> at;
};

int Issue(const IssueArgs& a) {
  auto key = LoadPrivateKey(a.issuer_key);
  if (!key.ok()) return ReportError(key.status());
  auto claims = ReadJsonFile(a.claims);
  if (!claims.ok()) return ReportError(claims.status());
  auto holder = LoadPublicKey(a.holder_key);
  if (!holder.ok()) return ReportError(holder.status());
  if (a.valid_days <= 0 || a.valid_days > 3650) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--valid-days must be between 1 and 3650"));
  }
  vcjwt::VcJwtIssueRequest req;
  req.issuer = a.issuer;
  req.kid = a.kid;
  req.type = a.type;
  req.name = a.name;
  req.description = a.description;
  req.subject_claims = std::move(*claims);
  req.holder_key = *holder;
  req.validity_seconds = a.valid_days * 86400;
  if (a.status_idx.has_value() != !a.status_uri.empty()) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--status-uri and --status-idx go together"));
  }
  if (a.status_idx) {
    if (a.status_purpose != "revocation" && a.status_purpose != "suspension") {
      return ReportError(Error(StatusCode::kInvalidArgument, "--status-purpose must be revocation or suspension"));
    }
    const auto idx = static_cast<uint64_t>(*a.status_idx);
    req.status = vcjwt::BitstringStatusListEntry{a.status_uri + "#" + std::to_string(idx), a.status_purpose, idx,
                                                 a.status_uri};
  }
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status());
  FixedClock clock(*now);
  auto vc = vcjwt::IssueVcJwt(req, *key, clock);
  if (!vc.ok()) return ReportError(vc.status());
  return Output(*vc, a.out);
}

struct PresentArgs {
  std::vector<std::string> credentials;
  std::string holder_key, nonce, aud, out;
  std::optional<int64_t> at;
};

int Present(const PresentArgs& a) {
  auto holder = LoadPrivateKey(a.holder_key);
  if (!holder.ok()) return ReportError(holder.status());
  vcjwt::VpJwtRequest req;
  for (const auto& file : a.credentials) {
    auto vc = ReadTrimmedFile(file);
    if (!vc.ok()) return ReportError(vc.status());
    req.credentials.push_back(*vc);
  }
  req.audience = a.aud;
  req.nonce = a.nonce;
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status());
  FixedClock clock(*now);
  auto vp = vcjwt::CreateVpJwt(req, *holder, clock);
  if (!vp.ok()) return ReportError(vp.status());
  return Output(*vp, a.out);
}

struct VerifyArgs {
  std::string file, nonce, aud, type, status_list, status_key;
  std::vector<std::string> did_docs;
  bool allow_unchecked_status = false;
  int64_t max_age = 300;
  std::optional<int64_t> at;
};

// StatusKey finds the key that signed the status list credential: --status-key, else the
// trusted DID document named by the credential's kid.
Result<crypto::PublicKey> StatusKey(const std::string& token, const std::string& status_key_file,
                                    const std::vector<Json>& docs) {
  if (!status_key_file.empty()) return LoadPublicKey(status_key_file);
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(token));
  const Json* kid = Find(jws.unverified_header(), "kid");
  if (kid == nullptr || !kid->is_string()) {
    return Error(StatusCode::kInvalidArgument, "status list credential has no kid; give --status-key");
  }
  for (const Json& doc : docs) {
    auto key = jose::ResolveDidWebKey(doc, kid->get<std::string>());
    if (key.ok()) return key;
  }
  return Error(StatusCode::kUntrustedIssuer, "status list credential signed by an untrusted key");
}

int Verify(const VerifyArgs& a) {
  constexpr bool kVerify = true;
  auto text = ReadTrimmedFile(a.file);
  if (!text.ok()) return ReportError(text.status(), kVerify);
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status(), kVerify);
  FixedClock clock(*now);
  vcjwt::VerifyOptions options;
  for (const auto& file : a.did_docs) {
    auto doc = ReadJsonFile(file);
    if (!doc.ok()) return ReportError(doc.status(), kVerify);
    options.trusted_issuers.push_back(std::move(*doc));
  }
  options.expected_type = a.type;
  if (!a.status_list.empty()) {
    auto token = ReadTrimmedFile(a.status_list);
    if (!token.ok()) return ReportError(token.status(), kVerify);
    auto key = StatusKey(*token, a.status_key, options.trusted_issuers);
    if (!key.ok()) return ReportError(key.status(), kVerify);
    options.check_status = [token = *token, key = *key, &clock](const Json& entry_json) -> Status {
      auto entry = status::BitstringStatusEntry::FromJson(entry_json);
      if (!entry.ok()) return Status(entry.status().code(), "credentialStatus: " + entry.status().message());
      status::BitstringStatusListCredentialVerifier verifier(key, clock);
      verifier.ExpectPurpose(entry->purpose).ExpectId(entry->status_list_credential);
      auto list = verifier.Verify(token);
      if (!list.ok()) return Status(list.status().code(), "status list credential: " + list.status().message());
      return status::CheckBitstringStatus(*list, *entry);
    };
  } else if (a.allow_unchecked_status) {
    options.AllowUncheckedStatus();
  }
  auto jws = jose::UnverifiedJws::Parse(*text);
  if (!jws.ok()) return ReportError(jws.status(), kVerify);
  auto describe = [](const vcjwt::VerifiedVcJwt& vc) {
    return Json{{"type", vc.type()},           {"issuer", vc.issuer()},
                {"subject", vc.subject()},     {"valid_from", vc.valid_from()},
                {"valid_until", vc.valid_until()}, {"status_checked", vc.status_checked()},
                {"credentialSubject", vc.credential_subject()}};
  };
  if (jws->typ() == vcjwt::kVpJwtType) {
    vcjwt::VpVerifyOptions vp_options;
    vp_options.expected_nonce = a.nonce;
    vp_options.expected_audience = a.aud;
    vp_options.max_age_seconds = a.max_age;
    vp_options.credential_options = options;
    auto vp = vcjwt::VerifyVpJwt(*text, vp_options, clock);
    if (!vp.ok()) return ReportError(vp.status(), kVerify);
    Json creds = Json::array();
    for (const auto& vc : vp->credentials()) creds.push_back(describe(vc));
    return PrintJson({{"valid", true}, {"format", "jwt_vc_json"}, {"presentation", true},
                      {"holder", vp->holder()}, {"credentials", creds}});
  }
  auto vc = vcjwt::VerifyVcJwt(*text, options, clock);
  if (!vc.ok()) return ReportError(vc.status(), kVerify);
  Json out = describe(*vc);
  out["valid"] = true;
  out["format"] = "jwt_vc_json";
  out["presentation"] = false;
  return PrintJson(out);
}

}  // namespace

void RegisterVcCommands(CLI::App& app, int& exit_code) {
  CLI::App* vc = app.add_subcommand("vc", "W3C VCDM 2.0 credentials as JWT (jwt_vc_json)");
  vc->require_subcommand(1);

  auto da = std::make_shared<DidDocArgs>();
  CLI::App* doc = vc->add_subcommand("did-doc", "Write the issuer's did:web document (/.well-known/did.json)");
  doc->add_option("--issuer-key", da->issuer_key, "Issuer key file (JWK or PEM)")->required();
  doc->add_option("--did", da->did, "The issuer's DID, did:web:HOST")->required();
  doc->add_option("--key-id", da->key_id, "Fragment naming the key")->capture_default_str();
  doc->add_option("--retired-key", da->retired_keys, "Retired public key still published (repeatable)")->allow_extra_args(false);
  doc->add_option("--out", da->out, "Write to FILE instead of stdout");
  doc->callback([&exit_code, da] { exit_code = DidDoc(*da); });

  auto ia = std::make_shared<IssueArgs>();
  CLI::App* issue = vc->add_subcommand("issue", "Issue a VC-JWT (typ vc+jwt, did:web issuer)");
  issue->add_option("--issuer-key", ia->issuer_key, "Issuer private key (JWK or PEM)")->required();
  issue->add_option("--issuer", ia->issuer, "Issuer DID, did:web:HOST")->required();
  issue->add_option("--kid", ia->kid, "Key fragment in the issuer's DID document")->capture_default_str();
  issue->add_option("--type", ia->type, "Credential type, e.g. DigitalVeteranCard")->required();
  issue->add_option("--claims", ia->claims, "JSON file: credentialSubject without id")->required();
  issue->add_option("--holder-key", ia->holder_key, "Holder public key (JWK/PEM file or did:key)")->required();
  issue->add_option("--name", ia->name, "Credential name");
  issue->add_option("--description", ia->description, "Credential description");
  issue->add_option("--status-uri", ia->status_uri, "Bitstring Status List credential URL");
  issue->add_option("--status-idx", ia->status_idx, "Index in the status list")->check(CLI::Range(int64_t{0}, kMaxIndex));
  issue->add_option("--status-purpose", ia->status_purpose, "revocation or suspension")->capture_default_str();
  issue->add_option("--valid-days", ia->valid_days, "Validity in days")->capture_default_str();
  issue->add_option("--at", ia->at, "Issue as of this Unix time (default: now)");
  issue->add_option("--out", ia->out, "Write to FILE instead of stdout");
  issue->callback([&exit_code, ia] { exit_code = Issue(*ia); });

  auto pa = std::make_shared<PresentArgs>();
  CLI::App* present = vc->add_subcommand("present", "Wrap credentials in a VP-JWT signed by the holder");
  present->add_option("--credential", pa->credentials, "VC-JWT file (repeatable)")->required()->allow_extra_args(false);
  present->add_option("--holder-key", pa->holder_key, "Holder private key")->required();
  present->add_option("--nonce", pa->nonce, "Verifier's nonce")->required();
  present->add_option("--aud", pa->aud, "Verifier's identifier")->required();
  present->add_option("--at", pa->at, "VP iat as Unix time (default: now)");
  present->add_option("--out", pa->out, "Write to FILE instead of stdout");
  present->callback([&exit_code, pa] { exit_code = Present(*pa); });

  auto va = std::make_shared<VerifyArgs>();
  CLI::App* verify = vc->add_subcommand("verify", "Verify a VC-JWT or VP-JWT; prints {\"valid\":...}");
  verify->add_option("FILE", va->file, "VC-JWT or VP-JWT file; - for stdin")->required();
  verify->add_option("--did-doc", va->did_docs, "Trusted issuer did:web document (repeatable)")->required()->allow_extra_args(false);
  verify->add_option("--nonce", va->nonce, "Expected VP nonce");
  verify->add_option("--aud", va->aud, "Expected VP audience");
  verify->add_option("--type", va->type, "Expected credential type");
  verify->add_option("--status-list", va->status_list, "Bitstring Status List credential (JWT) file");
  verify->add_option("--status-key", va->status_key, "Key of the status list (default: from the DID documents)");
  verify->add_flag("--no-status-check", va->allow_unchecked_status, "Accept a credential with credentialStatus without checking it");
  verify->add_option("--max-age", va->max_age, "Maximum VP age in seconds")->capture_default_str();
  verify->add_option("--at", va->at, "Verify as of this Unix time (default: now)");
  verify->callback([&exit_code, va] { exit_code = Verify(*va); });
}

}  // namespace bonafide::cli
