// `bonafide key ...` and `bonafide sdjwt ...`.
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "cli/status_check.h"
#include "crypto/random.h"
#include "jose/did.h"
#include "jose/jwk.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"

namespace bonafide::cli {
namespace {

// ClockFor returns a clock fixed at --at, or at the current time.
Result<std::unique_ptr<Clock>> ClockFor(const std::optional<int64_t>& at) {
  ASSIGN_OR_RETURN(int64_t now, ResolveTime(at));
  return std::unique_ptr<Clock>(std::make_unique<FixedClock>(now));
}

int KeyGenerate(const std::string& alg_name, const std::string& out) {
  auto alg = crypto::ParseJwsAlg(alg_name);
  if (!alg) return ReportError(Error(StatusCode::kInvalidArgument, "--alg must be ES256, ES384 or EdDSA"));
  auto key = crypto::PrivateKey::Generate(*alg);
  if (!key.ok()) return ReportError(key.status());
  Json jwk = key->ExportJwk();
  jwk["kid"] = jose::JwkThumbprint(key->public_key());
  jwk["alg"] = alg_name;
  std::string text = jwk.dump(2) + "\n";
  if (out.empty()) {
    std::cout << text;
    return 0;
  }
  Status s = WriteFile(out, text, /*secret=*/true);
  if (!s.ok()) return ReportError(s);
  std::cerr << "private key written to " << out << " (mode 0600)\n";
  return 0;
}

int KeyPublic(const std::string& file) {
  auto key = LoadPublicKey(file);
  if (!key.ok()) return ReportError(key.status());
  Json jwk = key->ToJwk();
  jwk["kid"] = jose::JwkThumbprint(*key);
  jwk["alg"] = std::string(crypto::JwsAlgName(key->alg()));
  return PrintJson(jwk);
}

int KeyDid(const std::string& file) {
  auto key = LoadPublicKey(file);
  if (!key.ok()) return ReportError(key.status());
  auto did = jose::DidKeyFromPublicKey(*key);
  if (!did.ok()) return ReportError(did.status());
  std::cout << *did << std::endl;
  return 0;
}

struct IssueArgs {
  std::string issuer_key, iss, vct, claims, holder_key, disclosable, status_uri, x5c, out, kid;
  bool all_disclosable = false;
  std::optional<int64_t> status_idx;
  int64_t valid_days = 365;
  std::optional<int64_t> at;
  int decoys = 2;
};

int SdJwtIssue(const IssueArgs& a) {
  auto key = LoadPrivateKey(a.issuer_key);
  if (!key.ok()) return ReportError(key.status());
  auto claims = ReadJsonFile(a.claims);
  if (!claims.ok()) return ReportError(claims.status());
  sdjwt::SdJwtVcIssueRequest req;
  req.iss = a.iss;
  req.vct = a.vct;
  req.claims = std::move(*claims);
  req.kid = a.kid;
  if (a.valid_days <= 0 || a.valid_days > 3650) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--valid-days must be between 1 and 3650"));
  }
  req.valid_seconds = a.valid_days * 86400;
  if (!a.holder_key.empty()) {
    auto holder = LoadPublicKey(a.holder_key);
    if (!holder.ok()) return ReportError(holder.status());
    req.holder_key = *holder;
  }
  if (a.status_idx.has_value() != !a.status_uri.empty()) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--status-uri and --status-idx go together"));
  }
  if (a.status_idx) req.status = sdjwt::StatusListReference{static_cast<uint64_t>(*a.status_idx), a.status_uri};
  if (!a.x5c.empty()) {
    auto chain = LoadCertificates(a.x5c);
    if (!chain.ok()) return ReportError(chain.status());
    req.x5c = std::move(*chain);
  }
  req.disclosure.all_disclosable = a.all_disclosable;
  req.disclosure.max_decoys = static_cast<size_t>(a.decoys);
  auto paths = sdjwt::ClaimPath::ParseList(a.disclosable);
  if (!paths.ok()) return ReportError(paths.status());
  req.disclosure.disclosable = std::move(*paths);
  auto clock_or = ClockFor(a.at);
  if (!clock_or.ok()) return ReportError(clock_or.status());
  auto& clock = *clock_or;
  auto issued = sdjwt::IssueSdJwtVc(req, *key, *clock, crypto::SystemRandom());
  if (!issued.ok()) return ReportError(issued.status());
  return Output(*issued, a.out);
}

struct PresentArgs {
  std::string credential, holder_key, disclose, nonce, aud, out;
  std::optional<int64_t> at;
};

int SdJwtPresent(const PresentArgs& a) {
  auto text = ReadTrimmedFile(a.credential);
  if (!text.ok()) return ReportError(text.status());
  auto parsed = sdjwt::UnverifiedSdJwt::Parse(*text);
  if (!parsed.ok()) return ReportError(parsed.status());
  auto holder = LoadPrivateKey(a.holder_key);
  if (!holder.ok()) return ReportError(holder.status());
  auto paths = sdjwt::ClaimPath::ParseList(a.disclose);
  if (!paths.ok()) return ReportError(paths.status());
  auto clock_or = ClockFor(a.at);
  if (!clock_or.ok()) return ReportError(clock_or.status());
  auto& clock = *clock_or;
  sdjwt::KeyBindingRequest kb{&*holder, a.aud, a.nonce, clock->NowSeconds()};
  auto presented = sdjwt::Present(*parsed, *paths, kb);
  if (!presented.ok()) return ReportError(presented.status());
  return Output(*presented, a.out);
}

struct VerifyArgs {
  std::string file, issuer_key, trust_anchor, issuer_metadata, nonce, aud, status_list, status_key, vct;
  std::optional<int64_t> at;
  bool allow_unchecked_status = false;
  bool allow_missing_exp = false;
  int64_t kb_max_age = 300;
};

int SdJwtVerify(const VerifyArgs& a) {
  constexpr bool kVerify = true;
  auto text = ReadTrimmedFile(a.file);
  if (!text.ok()) return ReportError(text.status(), kVerify);
  Result<sdjwt::UnverifiedSdJwt> parsed = (!text->empty() && text->front() == '{')
                                              ? sdjwt::UnverifiedSdJwt::ParseJsonSerialization(*text)
                                              : sdjwt::UnverifiedSdJwt::Parse(*text);
  if (!parsed.ok()) return ReportError(parsed.status(), kVerify);
  auto clock_or = ClockFor(a.at);
  if (!clock_or.ok()) return ReportError(clock_or.status(), kVerify);
  auto& clock = *clock_or;
  sdjwt::SdJwtVcTrust trust;
  if (!a.issuer_key.empty()) {
    auto key = LoadPublicKey(a.issuer_key);
    if (!key.ok()) return ReportError(key.status(), kVerify);
    trust.issuer_key = *key;
  }
  if (!a.trust_anchor.empty()) {
    auto anchors = LoadCertificates(a.trust_anchor);
    if (!anchors.ok()) return ReportError(anchors.status(), kVerify);
    trust.anchors = std::move(*anchors);
  }
  if (!a.issuer_metadata.empty()) {
    auto md = ReadJsonFile(a.issuer_metadata);
    if (!md.ok()) return ReportError(md.status(), kVerify);
    trust.issuer_metadata.push_back(std::move(*md));
  }
  if (a.kb_max_age < 0 || a.kb_max_age > 86400) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--kb-max-age must be between 0 and 86400 seconds"), kVerify);
  }
  if (a.nonce.empty() != a.aud.empty()) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--nonce and --aud go together"), kVerify);
  }
  sdjwt::VerifyOptions options(*clock);
  options.KeyBindingMaxAge(a.kb_max_age);
  if (a.allow_missing_exp) options.AllowMissingExpiry();
  if (!a.nonce.empty() || !a.aud.empty()) options.ExpectKeyBinding(a.nonce, a.aud);
  if (!a.status_list.empty()) {
    auto token = ReadTrimmedFile(a.status_list);
    if (!token.ok()) return ReportError(token.status(), kVerify);
    std::optional<crypto::PublicKey> status_key = trust.issuer_key;
    if (!a.status_key.empty()) {
      auto k = LoadPublicKey(a.status_key);
      if (!k.ok()) return ReportError(k.status(), kVerify);
      status_key = *k;
    }
    options.CheckStatus(TokenStatusChecker(*token, status_key, trust.anchors, *clock));
  } else if (a.allow_unchecked_status) {
    options.AllowUncheckedStatus();
  }
  std::optional<std::string> vct;
  if (!a.vct.empty()) vct = a.vct;
  auto verified = sdjwt::VerifySdJwtVc(*parsed, trust, options, vct);
  if (!verified.ok()) return ReportError(verified.status(), kVerify);
  Json out = {{"valid", true},
              {"format", "dc+sd-jwt"},
              {"vct", verified->vct()},
              {"iss", verified->iss()},
              {"key_binding", verified->key_bound()},
              {"status_checked", !a.status_list.empty() && verified->claims().contains("status")},
              {"claims", verified->claims()}};
  return PrintJson(out);
}

}  // namespace

void RegisterKeyCommands(CLI::App& app, int& exit_code) {
  CLI::App* key = app.add_subcommand("key", "Generate and inspect signing keys (JWK)");
  key->require_subcommand(1);

  auto gen_alg = std::make_shared<std::string>("ES256");
  auto gen_out = std::make_shared<std::string>();
  CLI::App* gen = key->add_subcommand("generate", "Generate a private key and print it as a JWK");
  gen->add_option("--alg", *gen_alg, "ES256 (P-256), ES384 (P-384) or EdDSA (Ed25519)")->capture_default_str();
  gen->add_option("--out", *gen_out, "Write the private JWK to FILE (mode 0600) instead of stdout");
  gen->callback([&exit_code, gen_alg, gen_out] { exit_code = KeyGenerate(*gen_alg, *gen_out); });

  auto pub_file = std::make_shared<std::string>();
  CLI::App* pub = key->add_subcommand("public", "Print the public JWK of a key file (JWK or PEM)");
  pub->add_option("FILE", *pub_file, "Private or public key file")->required();
  pub->callback([&exit_code, pub_file] { exit_code = KeyPublic(*pub_file); });

  auto did_file = std::make_shared<std::string>();
  CLI::App* did = key->add_subcommand("did", "Print the did:key of a key file");
  did->add_option("FILE", *did_file, "Private or public key file")->required();
  did->callback([&exit_code, did_file] { exit_code = KeyDid(*did_file); });
}

void RegisterSdJwtCommands(CLI::App& app, int& exit_code) {
  CLI::App* sd = app.add_subcommand("sdjwt", "Issue, present and verify SD-JWT VCs (dc+sd-jwt)");
  sd->require_subcommand(1);

  auto ia = std::make_shared<IssueArgs>();
  CLI::App* issue = sd->add_subcommand("issue", "Issue an SD-JWT VC and print it (issuance form)");
  issue->add_option("--issuer-key", ia->issuer_key, "Issuer private key (JWK or PEM)")->required();
  issue->add_option("--iss", ia->iss, "Issuer identifier (https URL)")->required();
  issue->add_option("--vct", ia->vct, "Credential type (vct)")->required();
  issue->add_option("--claims", ia->claims, "JSON file with the subject's claims")->required();
  issue->add_option("--holder-key", ia->holder_key, "Holder public key (JWK/PEM file or did:key) for cnf");
  auto* d = issue->add_option("--disclosable", ia->disclosable, "Comma-separated claim paths made selectively disclosable (a.b, list.0)");
  auto* all = issue->add_flag("--all-disclosable", ia->all_disclosable, "Make every claim selectively disclosable (except iss, nbf, exp, cnf, vct, status)");
  d->excludes(all);
  issue->add_option("--status-uri", ia->status_uri, "Status list URI (status.status_list.uri)");
  issue->add_option("--status-idx", ia->status_idx, "Index in the status list")->check(CLI::Range(int64_t{0}, kMaxIndex));
  issue->add_option("--x5c", ia->x5c, "PEM certificate chain (leaf first) put in the x5c header");
  issue->add_option("--kid", ia->kid, "Key id for the JWS header");
  issue->add_option("--valid-days", ia->valid_days, "Validity in days")->capture_default_str();
  issue->add_option("--decoys", ia->decoys, "Maximum decoy digests per object (0-16)")
      ->capture_default_str()
      ->check(CLI::Range(0, 16));
  issue->add_option("--at", ia->at, "Issue as of this Unix time (default: now)");
  issue->add_option("--out", ia->out, "Write to FILE instead of stdout");
  issue->callback([&exit_code, ia] { exit_code = SdJwtIssue(*ia); });

  auto pa = std::make_shared<PresentArgs>();
  CLI::App* present = sd->add_subcommand("present", "Make a presentation revealing chosen claims, with a Key Binding JWT");
  present->add_option("--credential", pa->credential, "SD-JWT file (issuance form)")->required();
  present->add_option("--holder-key", pa->holder_key, "Holder private key (must match cnf)")->required();
  present->add_option("--disclose", pa->disclose, "Comma-separated claim paths to reveal (parents follow)")->required();
  present->add_option("--nonce", pa->nonce, "Verifier's nonce")->required();
  present->add_option("--aud", pa->aud, "Verifier's identifier (audience)")->required();
  present->add_option("--at", pa->at, "KB-JWT iat as Unix time (default: now)");
  present->add_option("--out", pa->out, "Write to FILE instead of stdout");
  present->callback([&exit_code, pa] { exit_code = SdJwtPresent(*pa); });

  auto va = std::make_shared<VerifyArgs>();
  CLI::App* verify = sd->add_subcommand("verify", "Verify an SD-JWT VC presentation; prints {\"valid\":...}");
  verify->add_option("FILE", va->file, "Presentation (compact or JSON serialization); - for stdin")->required();
  auto* ik = verify->add_option("--issuer-key", va->issuer_key, "Trusted issuer public key (JWK/PEM)");
  auto* ta = verify->add_option("--trust-anchor", va->trust_anchor, "PEM root(s) for the x5c chain");
  auto* md = verify->add_option("--issuer-metadata", va->issuer_metadata, "JWT VC Issuer Metadata JSON file");
  ik->excludes(ta);
  (void)md;
  verify->add_option("--nonce", va->nonce, "Expected KB-JWT nonce");
  verify->add_option("--aud", va->aud, "Expected KB-JWT audience");
  verify->add_option("--vct", va->vct, "Expected credential type");
  verify->add_option("--status-list", va->status_list, "Status List Token (JWT) file fetched from status.status_list.uri");
  verify->add_option("--status-key", va->status_key, "Key that signs the status list (default: the issuer key)");
  verify->add_flag("--no-status-check", va->allow_unchecked_status, "Accept a credential with a status reference without checking it");
  verify->add_flag("--allow-missing-exp", va->allow_missing_exp, "Accept a credential without exp (SD-JWT VC makes exp optional)");
  verify->add_option("--kb-max-age", va->kb_max_age, "Maximum KB-JWT age in seconds")->capture_default_str();
  verify->add_option("--at", va->at, "Verify as of this Unix time (default: now)");
  verify->callback([&exit_code, va] { exit_code = SdJwtVerify(*va); });
}

}  // namespace bonafide::cli
