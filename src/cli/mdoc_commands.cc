// `bonafide mdoc ...`: issue, present and verify ISO/IEC 18013-5 mdocs (IssuerSigned and
// DeviceResponse) with OpenID4VP 1.0 SessionTranscripts.
//
// mdoc files are read as raw CBOR or base64url text (detected: text made only of base64url
// characters is decoded) and written as base64url unless --binary. Verify prints the same
// {"valid": ...} shape and error codes as `sdjwt verify`, with claims keyed by namespace.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "cbor/cbor.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/random.h"
#include "mdoc/doctypes.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "mdoc/issuer.h"
#include "mdoc/session_transcript.h"
#include "mdoc/verifier.h"
#include "status/status_check.h"
#include "status/status_list_token.h"

namespace bonafide::cli {
namespace {

constexpr bool kVerify = true;

int WriteMdoc(const Bytes& cbor, bool binary, const std::string& out) {
  if (binary) {
    if (out.empty()) {
      return ReportError(Error(StatusCode::kInvalidArgument, "--binary needs --out FILE"));
    }
    Status written = WriteFile(out, ToString(cbor));
    return written.ok() ? 0 : ReportError(written);
  }
  return Output(Base64UrlEncode(cbor), out);
}

// TranscriptArgs are the options that name an OpenID4VP SessionTranscript.
struct TranscriptArgs {
  std::string kind;  // "oid4vp" (redirect / direct_post) or "dcapi"
  std::string client_id, response_uri, nonce, jwk_thumbprint, origin;
};

void AddTranscriptOptions(CLI::App* cmd, TranscriptArgs& t) {
  cmd->add_option("--transcript", t.kind, "SessionTranscript form: oid4vp (OpenID4VP redirect handover) or dcapi");
  cmd->add_option("--client-id", t.client_id, "Verifier client_id (with its prefix, e.g. x509_san_dns:host)");
  cmd->add_option("--response-uri", t.response_uri, "OpenID4VP response_uri (oid4vp)");
  cmd->add_option("--origin", t.origin, "Web origin (dcapi)");
  cmd->add_option("--nonce", t.nonce, "OpenID4VP nonce of the request");
  cmd->add_option("--jwk-thumbprint", t.jwk_thumbprint,
                  "base64url SHA-256 JWK thumbprint of the verifier's encryption key (encrypted responses)");
}

// BuildTranscript returns the encoded SessionTranscript the options describe.
Result<Bytes> BuildTranscript(const TranscriptArgs& t) {
  std::optional<Bytes> thumbprint;
  if (!t.jwk_thumbprint.empty()) {
    Result<Bytes> tp = Base64UrlDecode(t.jwk_thumbprint);
    if (!tp.ok() || tp->size() != 32) {
      return Error(StatusCode::kInvalidArgument, "--jwk-thumbprint must be the base64url of 32 bytes");
    }
    thumbprint = *tp;
  }
  std::optional<ByteView> tp_view;
  if (thumbprint) tp_view = ByteView(*thumbprint);
  if (t.nonce.empty()) return Error(StatusCode::kInvalidArgument, "--nonce is required for a transcript");
  if (t.kind == "oid4vp") {
    if (t.client_id.empty() || t.response_uri.empty()) {
      return Error(StatusCode::kInvalidArgument, "--transcript oid4vp needs --client-id and --response-uri");
    }
    return mdoc::EncodeSessionTranscript(mdoc::OpenId4VpRedirectTranscript(t.client_id, t.nonce, tp_view, t.response_uri));
  }
  if (t.kind == "dcapi") {
    if (t.origin.empty()) return Error(StatusCode::kInvalidArgument, "--transcript dcapi needs --origin");
    return mdoc::EncodeSessionTranscript(mdoc::OpenId4VpDcApiTranscript(t.origin, t.nonce, tp_view));
  }
  return Error(StatusCode::kInvalidArgument, "--transcript must be oid4vp or dcapi");
}

// --- issue ---------------------------------------------------------------------------------------

struct IssueArgs {
  std::string ds_key, ds_cert, doctype, claims, device_key, status_uri, out;
  int64_t valid_days = 365;
  std::optional<int64_t> status_idx, at;
  bool binary = false;
};

int MdocIssue(const IssueArgs& a) {
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status());
  if (a.valid_days < 1 || a.valid_days > 3650) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--valid-days must be between 1 and 3650"));
  }
  if (a.status_uri.empty() != !a.status_idx.has_value()) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--status-uri and --status-idx go together"));
  }
  if (a.status_idx && (*a.status_idx < 0 || *a.status_idx > kMaxIndex)) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--status-idx is out of range"));
  }
  auto key = LoadPrivateKey(a.ds_key);
  if (!key.ok()) return ReportError(key.status());
  auto chain = LoadCertificates(a.ds_cert);
  if (!chain.ok()) return ReportError(chain.status());
  auto ds_public = (*chain)[0].public_key();
  if (!ds_public.ok()) return ReportError(ds_public.status());
  if (!ds_public->Equals(key->public_key())) {
    return ReportError(Error(StatusCode::kInvalidKey, "--ds-key is not the key of the --ds-cert certificate"));
  }
  if (*now < (*chain)[0].not_before()) return ReportError(Error(StatusCode::kNotYetValid, "the DS certificate is not valid yet"));
  if (*now >= (*chain)[0].not_after()) return ReportError(Error(StatusCode::kExpired, "the DS certificate has expired"));
  auto device = LoadPublicKey(a.device_key);
  if (!device.ok()) return ReportError(device.status());
  auto claims = ReadJsonFile(a.claims);
  if (!claims.ok()) return ReportError(claims.status());
  auto name_spaces = mdoc::ClaimsFromJson(a.doctype, *claims);
  if (!name_spaces.ok()) return ReportError(name_spaces.status());

  mdoc::IssueRequest request{.doc_type = a.doctype, .name_spaces = std::move(*name_spaces), .device_key = *device};
  // An mdoc cannot outlive its document signer certificate (verifiers check the chain at their
  // own time), so validUntil is capped at the certificate's end.
  const int64_t valid_until = std::min(*now + a.valid_days * 86400, (*chain)[0].not_after());
  request.validity = {*now, *now, valid_until, std::nullopt};
  if (a.status_idx) request.status = status::StatusReference{static_cast<uint64_t>(*a.status_idx), a.status_uri};
  std::vector<Bytes> x5chain;
  for (const crypto::Certificate& cert : *chain) x5chain.push_back(cert.der());
  auto issued = mdoc::IssueMdocEncoded(request, *key, x5chain, crypto::SystemRandom());
  if (!issued.ok()) return ReportError(issued.status());
  return WriteMdoc(*issued, a.binary, a.out);
}

// --- present -------------------------------------------------------------------------------------

struct PresentArgs {
  std::string issuer_signed, device_key, disclose, out;
  TranscriptArgs transcript;
  bool binary = false;
};

// ParseDisclose reads "NS/ELEMENT,NS/ELEMENT,...": the element follows the last '/'.
Result<mdoc::Disclosure> ParseDisclose(const std::string& text) {
  mdoc::Disclosure out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string entry = text.substr(start, comma - start);
    const size_t slash = entry.rfind('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == entry.size()) {
      return Error(StatusCode::kInvalidArgument, "--disclose entries are NAMESPACE/ELEMENT, got \"" + entry + "\"");
    }
    const std::string ns = entry.substr(0, slash);
    std::vector<std::string>* elements = nullptr;
    for (auto& [n, list] : out) {
      if (n == ns) elements = &list;
    }
    if (elements == nullptr) {
      out.emplace_back(ns, std::vector<std::string>());
      elements = &out.back().second;
    }
    elements->push_back(entry.substr(slash + 1));
    start = comma + 1;
  }
  return out;
}

int MdocPresent(const PresentArgs& a) {
  auto bytes = ReadBinaryOrTextFile(a.issuer_signed);
  if (!bytes.ok()) return ReportError(bytes.status());
  auto held = mdoc::HeldMdoc::Decode(*bytes);
  if (!held.ok()) return ReportError(held.status());
  auto key = LoadPrivateKey(a.device_key);
  if (!key.ok()) return ReportError(key.status());
  auto disclose = ParseDisclose(a.disclose);
  if (!disclose.ok()) return ReportError(disclose.status());
  auto transcript = BuildTranscript(a.transcript);
  if (!transcript.ok()) return ReportError(transcript.status());
  auto document = held->Present(*disclose, *transcript, mdoc::DeviceAuthOptions{.device_key = &*key});
  if (!document.ok()) return ReportError(document.status());
  return WriteMdoc(mdoc::BuildDeviceResponse({std::move(*document)}), a.binary, a.out);
}

// --- verify --------------------------------------------------------------------------------------

struct VerifyArgs {
  std::string file, iaca, status_list, status_key, reader_key, doctype;
  TranscriptArgs transcript;
  std::optional<int64_t> at;
  bool no_status_check = false;
};

// StatusTokenKey picks the key that signs a status list: --status-key, else the document
// signer's.
Result<crypto::PublicKey> StatusTokenKey(const VerifyArgs& a, const mdoc::VerifiedDocument& doc) {
  if (!a.status_key.empty()) return LoadPublicKey(a.status_key);
  return doc.issuer().public_key;
}

Json DocumentJson(const mdoc::VerifiedDocument& doc, bool status_checked) {
  Json claims = Json::object();
  for (const auto& [ns, elements] : doc.issuer_signed()) {
    Json& n = claims[ns];
    n = Json::object();
    for (const auto& [name, value] : elements) n[name] = mdoc::ElementToJson(value);
  }
  Json device = Json::object();
  for (const auto& [ns, elements] : doc.device_signed()) {
    for (const auto& [name, value] : elements) device[ns][name] = mdoc::ElementToJson(value);
  }
  const char* auth = doc.device_auth() == mdoc::DeviceAuthKind::kSignature ? "signature"
                     : doc.device_auth() == mdoc::DeviceAuthKind::kMac     ? "mac"
                                                                           : "none";
  auto date = [](int64_t t) {
    Result<std::string> text = cbor::FormatTDate(t);
    return text.ok() ? *text : std::to_string(t);
  };
  Json validity = {{"signed", date(doc.validity().signed_at)},
                   {"validFrom", date(doc.validity().valid_from)},
                   {"validUntil", date(doc.validity().valid_until)}};
  Json out = {{"docType", doc.doc_type()},
              {"device_auth", auth},
              {"issuer", {{"country", doc.issuer().country}, {"common_name", doc.issuer().subject_common_name}}},
              {"validity", validity},
              {"status_checked", status_checked},
              {"claims", claims}};
  if (!device.empty()) out["device_signed_claims"] = device;
  if (doc.status_reference()) {
    out["status"] = {{"status_list", {{"idx", doc.status_reference()->idx}, {"uri", doc.status_reference()->uri}}}};
  }
  return out;
}

int MdocVerify(const VerifyArgs& a) {
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status(), kVerify);
  FixedClock clock(*now);
  auto roots = LoadCertificates(a.iaca);
  if (!roots.ok()) return ReportError(roots.status(), kVerify);
  auto trust = mdoc::IacaTrustStore::Create(std::move(*roots));
  if (!trust.ok()) return ReportError(trust.status(), kVerify);
  auto bytes = ReadBinaryOrTextFile(a.file);
  if (!bytes.ok()) return ReportError(bytes.status(), kVerify);
  auto value = cbor::Decode(*bytes);
  if (!value.ok()) return ReportError(value.status(), kVerify);
  if (!value->is_map()) return ReportError(Error(StatusCode::kMalformed, "not an IssuerSigned or DeviceResponse map"), kVerify);

  std::optional<Bytes> status_token;
  if (!a.status_list.empty()) {
    auto token = ReadBinaryOrTextFile(a.status_list);
    if (!token.ok()) return ReportError(token.status(), kVerify);
    status_token = std::move(*token);
  }
  std::optional<crypto::PrivateKey> reader_key;
  if (!a.reader_key.empty()) {
    auto k = LoadPrivateKey(a.reader_key);
    if (!k.ok()) return ReportError(k.status(), kVerify);
    reader_key = std::move(*k);
  }

  mdoc::DeviceResponseVerifier verifier(**trust, clock);
  // Status is checked below with the document signer's key once the document verified.
  verifier.SkipStatusCheck();
  if (reader_key) verifier.WithReaderKey(*reader_key);
  if (!a.doctype.empty()) verifier.ExpectDocType(a.doctype);

  std::vector<mdoc::VerifiedDocument> docs;
  std::string format;
  if (value->Find("issuerAuth") != nullptr) {
    if (!a.transcript.kind.empty()) {
      return ReportError(Error(StatusCode::kInvalidArgument, "an IssuerSigned carries no device authentication: "
                                                             "drop --transcript"), kVerify);
    }
    auto doc = verifier.VerifyIssuerSigned(*value);
    if (!doc.ok()) return ReportError(doc.status(), kVerify);
    docs.push_back(std::move(*doc));
    format = "IssuerSigned";
  } else {
    if (a.transcript.kind.empty()) {
      return ReportError(Error(StatusCode::kInvalidArgument, "a DeviceResponse needs --transcript and its parameters"),
                         kVerify);
    }
    auto transcript = BuildTranscript(a.transcript);
    if (!transcript.ok()) return ReportError(transcript.status(), kVerify);
    auto verified = verifier.Verify(*bytes, *transcript);
    if (!verified.ok()) return ReportError(verified.status(), kVerify);
    docs = std::move(*verified);
    format = "DeviceResponse";
  }

  Json documents = Json::array();
  for (const mdoc::VerifiedDocument& doc : docs) {
    bool checked = false;
    if (doc.status_reference()) {
      if (status_token) {
        auto key = StatusTokenKey(a, doc);
        if (!key.ok()) return ReportError(key.status(), kVerify);
        Status s = status::CheckStatusWithToken(*status_token, *key, clock, *doc.status_reference());
        if (!s.ok()) return ReportError(s, kVerify);
        checked = true;
      } else if (!a.no_status_check) {
        return ReportError(Error(StatusCode::kStatusUnavailable,
                                 "the mdoc names a status list (" + doc.status_reference()->uri +
                                     "): give --status-list FILE or --no-status-check"),
                           kVerify);
      }
    }
    documents.push_back(DocumentJson(doc, checked));
  }
  Json out = {{"valid", true}, {"format", "mso_mdoc"}, {"structure", format}};
  out["docType"] = documents[0]["docType"];
  out["claims"] = documents[0]["claims"];
  out["documents"] = documents;
  return PrintJson(out);
}

}  // namespace

void RegisterMdocCommands(CLI::App& app, int& exit_code) {
  CLI::App* md = app.add_subcommand("mdoc", "Issue, present and verify ISO 18013-5 mdocs (mso_mdoc)");
  md->require_subcommand(1);

  auto ia = std::make_shared<IssueArgs>();
  CLI::App* issue = md->add_subcommand("issue", "Issue an mdoc; prints the IssuerSigned (base64url)");
  issue->add_option("--ds-key", ia->ds_key, "Document signer private key (PEM or JWK)")->required();
  issue->add_option("--ds-cert", ia->ds_cert, "Document signer certificate PEM (then any intermediates)")->required();
  issue->add_option("--doctype", ia->doctype, "docType, e.g. org.iso.18013.5.1.mDL")->required();
  issue->add_option("--claims", ia->claims, "JSON claims keyed by namespace then element")->required();
  issue->add_option("--device-key", ia->device_key, "The holder's device public key (JWK/PEM file or did:key)")->required();
  issue->add_option("--valid-days", ia->valid_days,
                    "Days from now until validUntil (capped at the DS certificate's notAfter)")
      ->capture_default_str();
  issue->add_option("--status-uri", ia->status_uri, "Status list URI for the MSO status");
  issue->add_option("--status-idx", ia->status_idx, "Index in that status list");
  issue->add_option("--at", ia->at, "Issue as of this Unix time (default: now)");
  issue->add_option("--out", ia->out, "Write to FILE instead of stdout");
  issue->add_flag("--binary", ia->binary, "Write raw CBOR (needs --out)");
  issue->callback([&exit_code, ia] { exit_code = MdocIssue(*ia); });

  auto pa = std::make_shared<PresentArgs>();
  CLI::App* present = md->add_subcommand("present", "Present mdoc elements; prints a DeviceResponse (base64url)");
  present->add_option("--issuer-signed", pa->issuer_signed, "The stored IssuerSigned (raw CBOR or base64url)")->required();
  present->add_option("--device-key", pa->device_key, "The device private key the mdoc is bound to")->required();
  present->add_option("--disclose", pa->disclose, "NAMESPACE/ELEMENT,... to release")->required();
  AddTranscriptOptions(present, pa->transcript);
  present->add_option("--out", pa->out, "Write to FILE instead of stdout");
  present->add_flag("--binary", pa->binary, "Write raw CBOR (needs --out)");
  present->callback([&exit_code, pa] { exit_code = MdocPresent(*pa); });

  auto va = std::make_shared<VerifyArgs>();
  CLI::App* verify = md->add_subcommand("verify", "Verify an IssuerSigned or DeviceResponse; prints {\"valid\":...}");
  verify->add_option("FILE", va->file, "IssuerSigned or DeviceResponse (raw CBOR or base64url); - for stdin")->required();
  verify->add_option("--iaca", va->iaca, "Trusted IACA root certificate(s), PEM")->required();
  AddTranscriptOptions(verify, va->transcript);
  verify->add_option("--reader-key", va->reader_key, "Reader ephemeral private key (to verify deviceMac)");
  verify->add_option("--doctype", va->doctype, "Expected docType");
  verify->add_option("--status-list", va->status_list, "Status List Token (JWT or CWT) fetched from the MSO's status uri");
  verify->add_option("--status-key", va->status_key, "Key that signs the status list (default: the document signer's)");
  verify->add_flag("--no-status-check", va->no_status_check, "Accept an mdoc with a status reference without checking it");
  verify->add_option("--at", va->at, "Verify as of this Unix time (default: now)");
  verify->callback([&exit_code, va] { exit_code = MdocVerify(*va); });
}

}  // namespace bonafide::cli
