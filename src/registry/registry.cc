#include "registry/registry.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <tuple>
#include <utility>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "crypto/x509_builder.h"
#include "jose/jws.h"
#include "registry/internal/files.h"

namespace bonafide::registry {
namespace {

constexpr size_t kMaxStateBytes = 64 << 20;  // 64 MiB
constexpr size_t kMaxKeyFileBytes = 64 << 10;
constexpr int64_t kStateVersion = 1;
constexpr const char* kRootCertFile = "root.pem";
constexpr const char* kRootKeyFile = "root.key.pem";
constexpr const char* kSignerCertFile = "signer.pem";
constexpr const char* kSignerKeyFile = "signer.key.pem";
constexpr const char* kLockFile = "registry.lock";

std::string JoinPath(const std::string& dir, std::string_view name) {
  return (std::filesystem::path(dir) / std::string(name)).string();
}

Result<crypto::PrivateKey> ReadKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, internal::ReadFileLimited(path, kMaxKeyFileBytes));
  return crypto::PrivateKey::FromPem(pem);
}

Result<crypto::Certificate> ReadCert(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, internal::ReadFileLimited(path, kMaxKeyFileBytes));
  return crypto::Certificate::FromPem(pem);
}

Status WriteKey(const std::string& path, const crypto::PrivateKey& key) {
  SecretBytes pem = key.ExportPem();
  return internal::WriteFileAtomic(path, std::string(AsStringView(pem.view())), 0600);
}

Status ValidateRegistrationNumber(std::string_view n) {
  if (n.size() > 64) return Error(StatusCode::kInvalidArgument, "registration number longer than 64 characters");
  for (char c : n) {
    if (c < ' ' || c > '~') {
      return Error(StatusCode::kInvalidArgument, "registration number must be printable ASCII");
    }
  }
  return OkStatus();
}

// IsValidUtf8 is true when `s` is valid UTF-8 (what JSON and X.509 UTF8String need).
bool IsValidUtf8(const std::string& s) {
  try {
    (void)Json(s).dump();
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

// x5c header value: the standard base64 DER of `cert` (RFC 7515 section 4.1.6).
Json X5c(const crypto::Certificate& cert) { return Json::array({Base64Encode(cert.der())}); }

}  // namespace

std::string Registry::Path(std::string_view name) const { return JoinPath(dir_, name); }

Result<Registry> Registry::Init(const std::string& dir, const InitOptions& options, const Clock& clock) {
  if (options.name.empty() || options.name.size() > 200 || !IsValidUtf8(options.name) || !IsValidUtf8(options.id)) {
    return Error(StatusCode::kInvalidArgument, "registry name must be 1 to 200 characters of UTF-8");
  }
  if (options.id.empty()) return Error(StatusCode::kInvalidArgument, "registry id must not be empty");
  if (options.trust_list_ttl_seconds < 3600 || options.trust_list_ttl_seconds > 31 * kDay) {
    return Error(StatusCode::kInvalidArgument, "trust list ttl must be between 1 hour and 31 days");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(StatusCode::kIoError, "cannot create " + dir + ": " + ec.message());
  ASSIGN_OR_RETURN(internal::FileLock lock, internal::FileLock::Acquire(JoinPath(dir, kLockFile)));
  const std::string state_path = JoinPath(dir, kStateFileName);
  if (std::filesystem::exists(state_path, ec)) {
    return Error(StatusCode::kInvalidArgument, state_path + " already exists: the registry is initialised");
  }
  const int64_t now = clock.NowSeconds();

  ASSIGN_OR_RETURN(crypto::PrivateKey root_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  crypto::CertificateTemplate root;
  root.subject = {{"C", "GB"}, {"O", options.name}, {"CN", options.name + " Root CA"}};
  root.not_before = now;
  root.not_after = now + kRootValiditySeconds;
  root.is_ca = true;
  root.path_length = 0;
  root.key_usage.key_cert_sign = true;
  root.key_usage.crl_sign = true;
  ASSIGN_OR_RETURN(crypto::Certificate root_cert, crypto::CreateSelfSignedCertificate(root, root_key));

  ASSIGN_OR_RETURN(crypto::PrivateKey signer_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  crypto::CertificateTemplate signer;
  signer.subject = {{"C", "GB"}, {"O", options.name}, {"CN", options.name + " Trust List Signer"}};
  signer.not_before = now;
  signer.not_after = now + kSignerValiditySeconds;
  signer.key_usage.digital_signature = true;
  ASSIGN_OR_RETURN(crypto::Certificate signer_cert,
                   crypto::IssueCertificate(signer, signer_key.public_key(), root_cert, root_key));

  RETURN_IF_ERROR(WriteKey(JoinPath(dir, kRootKeyFile), root_key));
  RETURN_IF_ERROR(internal::WriteFileAtomic(JoinPath(dir, kRootCertFile), root_cert.ToPem(), 0644));
  RETURN_IF_ERROR(WriteKey(JoinPath(dir, kSignerKeyFile), signer_key));
  RETURN_IF_ERROR(internal::WriteFileAtomic(JoinPath(dir, kSignerCertFile), signer_cert.ToPem(), 0644));

  Registry reg(dir, std::move(root_key), std::move(root_cert), std::move(signer_key), std::move(signer_cert));
  reg.id_ = options.id;
  reg.name_ = options.name;
  reg.ttl_ = options.trust_list_ttl_seconds;
  reg.created_at_ = now;
  // The state file is written last: its presence marks a complete initialisation.
  RETURN_IF_ERROR(reg.SaveState());
  return reg;
}

Result<Registry> Registry::Open(const std::string& dir) {
  ASSIGN_OR_RETURN(crypto::PrivateKey root_key, ReadKey(JoinPath(dir, kRootKeyFile)));
  ASSIGN_OR_RETURN(crypto::Certificate root_cert, ReadCert(JoinPath(dir, kRootCertFile)));
  ASSIGN_OR_RETURN(crypto::PrivateKey signer_key, ReadKey(JoinPath(dir, kSignerKeyFile)));
  ASSIGN_OR_RETURN(crypto::Certificate signer_cert, ReadCert(JoinPath(dir, kSignerCertFile)));
  ASSIGN_OR_RETURN(crypto::PublicKey root_pub, root_cert.public_key());
  ASSIGN_OR_RETURN(crypto::PublicKey signer_pub, signer_cert.public_key());
  if (!root_pub.Equals(root_key.public_key()) || !signer_pub.Equals(signer_key.public_key())) {
    return Error(StatusCode::kInvalidKey, "a registrar key does not match its certificate");
  }
  Registry reg(dir, std::move(root_key), std::move(root_cert), std::move(signer_key), std::move(signer_cert));
  RETURN_IF_ERROR(reg.LoadState());
  return reg;
}

Status Registry::LoadState() {
  ASSIGN_OR_RETURN(std::string text, internal::ReadFileLimited(Path(kStateFileName), kMaxStateBytes));
  ASSIGN_OR_RETURN(Json state, ParseJsonObject(text, JsonLimits{kMaxStateBytes, 32}));
  ASSIGN_OR_RETURN(int64_t version, GetInt(state, "version"));
  if (version != kStateVersion) {
    return Error(StatusCode::kInvalidClaims, "registry state version " + std::to_string(version) + " is not supported");
  }
  ASSIGN_OR_RETURN(id_, GetString(state, "id"));
  ASSIGN_OR_RETURN(name_, GetString(state, "name"));
  ASSIGN_OR_RETURN(ttl_, GetInt(state, "trust_list_ttl_seconds"));
  ASSIGN_OR_RETURN(sequence_, GetInt(state, "sequence"));
  ASSIGN_OR_RETURN(created_at_, GetInt(state, "created_at"));
  ASSIGN_OR_RETURN(const Json* issuers, GetArray(state, "issuers"));
  ASSIGN_OR_RETURN(const Json* rps, GetArray(state, "relying_parties"));
  std::vector<TrustedIssuer> loaded_issuers;
  for (const Json& j : *issuers) {
    ASSIGN_OR_RETURN(TrustedIssuer issuer, TrustedIssuerFromJson(j));
    loaded_issuers.push_back(std::move(issuer));
  }
  std::vector<RelyingParty> loaded_rps;
  for (const Json& j : *rps) {
    ASSIGN_OR_RETURN(RelyingParty rp, RelyingPartyFromJson(j));
    loaded_rps.push_back(std::move(rp));
  }
  issuers_ = std::move(loaded_issuers);
  relying_parties_ = std::move(loaded_rps);
  return OkStatus();
}

Json Registry::StateJson() const {
  Json issuers = Json::array();
  for (const TrustedIssuer& i : issuers_) issuers.push_back(TrustedIssuerToJson(i));
  Json rps = Json::array();
  for (const RelyingParty& rp : relying_parties_) rps.push_back(RelyingPartyToJson(rp));
  return Json{{"version", kStateVersion},
              {"id", id_},
              {"name", name_},
              {"trust_list_ttl_seconds", ttl_},
              {"sequence", sequence_},
              {"created_at", created_at_},
              {"issuers", issuers},
              {"relying_parties", rps}};
}

Status Registry::SaveState() const {
  return internal::WriteFileAtomic(Path(kStateFileName), StateJson().dump(2, ' ', false, Json::error_handler_t::replace) + "\n", 0644);
}

Status Registry::AddIssuer(TrustedIssuer issuer, const Clock& clock) {
  RETURN_IF_ERROR(ValidateTrustedIssuer(issuer));
  ASSIGN_OR_RETURN(internal::FileLock lock, internal::FileLock::Acquire(Path(kLockFile)));
  RETURN_IF_ERROR(LoadState());
  for (const TrustedIssuer& existing : issuers_) {
    if (existing.id == issuer.id) {
      return Error(StatusCode::kInvalidArgument, "issuer " + issuer.id + " is already registered");
    }
  }
  issuer.added_at = clock.NowSeconds();
  issuers_.push_back(std::move(issuer));
  Status saved = SaveState();
  if (!saved.ok()) issuers_.pop_back();
  return saved;
}

Result<RpCredentials> Registry::AddRelyingParty(const RpRequest& request, const std::string& out_dir,
                                                const Clock& clock) {
  RETURN_IF_ERROR(ValidateHost(request.client_id));
  if (request.client_id == "localhost" && !request.allow_localhost) {
    return Error(StatusCode::kInvalidArgument,
                 "client_id host \"localhost\" is for local demos and tests only: pass --allow-localhost");
  }
  if (request.name.empty() || request.name.size() > 200 || !IsValidUtf8(request.name)) {
    return Error(StatusCode::kInvalidArgument, "legal name must be 1 to 200 characters of UTF-8");
  }
  RETURN_IF_ERROR(ValidateRegistrationNumber(request.registration_number));
  ASSIGN_OR_RETURN(std::vector<PurposeGrant> grants, GrantsFor(request.purposes));

  ASSIGN_OR_RETURN(internal::FileLock lock, internal::FileLock::Acquire(Path(kLockFile)));
  RETURN_IF_ERROR(LoadState());
  for (const RelyingParty& existing : relying_parties_) {
    if (existing.client_id == request.client_id) {
      return Error(StatusCode::kInvalidArgument, "relying party " + request.client_id + " is already registered");
    }
  }
  std::error_code ec;
  if (!out_dir.empty()) {
    if (std::filesystem::exists(JoinPath(out_dir, "access_key.pem"), ec)) {
      return Error(StatusCode::kInvalidArgument, out_dir + " already holds access_key.pem");
    }
  }

  const int64_t now = clock.NowSeconds();
  ASSIGN_OR_RETURN(crypto::PrivateKey access_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  crypto::CertificateTemplate leaf;
  leaf.subject = {{"O", request.name}, {"CN", request.client_id}};
  leaf.not_before = now;
  leaf.not_after = now + kAccessCertValiditySeconds;
  leaf.key_usage.digital_signature = true;
  leaf.dns_names = {request.client_id};
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::IssueCertificate(leaf, access_key.public_key(), root_cert_, root_key_));

  RelyingParty rp;
  rp.client_id = request.client_id;
  rp.name = request.name;
  rp.registration_number = request.registration_number;
  rp.purposes = std::move(grants);
  rp.access_certificate_serial = HexEncode(cert.serial_number());
  rp.access_certificate_sha256 = HexEncode(crypto::Sha256(cert.der()));
  rp.registered_at = now;
  rp.status = RpStatus::kActive;

  const Json header = {{"typ", std::string(kRegistrationTyp)}, {"x5c", X5c(signer_cert_)}};
  const Json claims = {{"iss", id_},
                       {"registrar", name_},
                       {"sub", rp.client_id},
                       {"name", rp.name},
                       {"registration_number", rp.registration_number},
                       {"purposes", GrantsToJson(rp.purposes)},
                       {"iat", now},
                       {"exp", now + kRegistrationValiditySeconds}};
  ASSIGN_OR_RETURN(std::string jwt, jose::SignJwt(header, claims, signer_key_));

  std::vector<std::string> written;
  auto remove_written = [&written] {
    for (const std::string& f : written) unlink(f.c_str());
  };
  if (!out_dir.empty()) {
    std::filesystem::create_directories(out_dir, ec);
    if (ec) return Error(StatusCode::kIoError, "cannot create " + out_dir + ": " + ec.message());
    SecretBytes key_pem = access_key.ExportPem();
    const std::vector<std::tuple<std::string, std::string, mode_t>> files = {
        {"access_key.pem", std::string(AsStringView(key_pem.view())), 0600},
        {"access_cert.pem", cert.ToPem(), 0644},
        {"registry_root.pem", root_cert_.ToPem(), 0644},
        {"registration.jwt", jwt + "\n", 0644}};
    for (const auto& [name, contents, mode] : files) {
      const std::string path = JoinPath(out_dir, name);
      Status s = internal::WriteFileAtomic(path, contents, mode);
      if (!s.ok()) {
        remove_written();
        return s;
      }
      written.push_back(path);
    }
  }
  relying_parties_.push_back(rp);
  Status saved = SaveState();
  if (!saved.ok()) {
    relying_parties_.pop_back();
    remove_written();
    return saved;
  }
  return RpCredentials{std::move(rp), std::move(cert), std::move(access_key), std::move(jwt)};
}

Status Registry::SetRelyingPartyStatus(std::string_view client_id, RpStatus status) {
  ASSIGN_OR_RETURN(internal::FileLock lock, internal::FileLock::Acquire(Path(kLockFile)));
  RETURN_IF_ERROR(LoadState());
  for (RelyingParty& rp : relying_parties_) {
    if (rp.client_id != client_id) continue;
    if (rp.status == status) {
      return Error(StatusCode::kInvalidArgument,
                   "relying party " + rp.client_id + " is already " + std::string(RpStatusName(status)));
    }
    const RpStatus before = rp.status;
    rp.status = status;
    Status saved = SaveState();
    if (!saved.ok()) rp.status = before;
    return saved;
  }
  return Error(StatusCode::kNotFound, "no relying party " + std::string(client_id));
}

Result<std::string> Registry::Publish(const Clock& clock) {
  ASSIGN_OR_RETURN(internal::FileLock lock, internal::FileLock::Acquire(Path(kLockFile)));
  RETURN_IF_ERROR(LoadState());
  const int64_t now = clock.NowSeconds();
  const int64_t sequence = sequence_ + 1;
  Json issuers = Json::array();
  for (const TrustedIssuer& i : issuers_) issuers.push_back(TrustedIssuerToJson(i));
  Json rps = Json::array();
  for (const RelyingParty& rp : relying_parties_) rps.push_back(RelyingPartyToJson(rp));
  const Json payload = {{"iss", id_},
                        {"name", name_},
                        {"sequence", sequence},
                        {"iat", now},
                        {"next_update", now + ttl_},
                        {"registrar_root", Base64Encode(root_cert_.der())},
                        {"issuers", issuers},
                        {"relying_parties", rps}};
  const Json header = {{"typ", std::string(kTrustListTyp)}, {"x5c", X5c(signer_cert_)}};
  ASSIGN_OR_RETURN(std::string jws, jose::SignJwt(header, payload, signer_key_));
  sequence_ = sequence;
  Status saved = SaveState();
  if (!saved.ok()) {
    sequence_ = sequence - 1;
    return saved;
  }
  return jws;
}

Json Registry::Summary() const {
  Json issuers = Json::array();
  for (const TrustedIssuer& i : issuers_) {
    Json types = Json::array();
    for (const IssuerCredential& c : i.credentials) types.push_back(c.type.ToString());
    issuers.push_back({{"id", i.id}, {"name", i.name}, {"added_at", i.added_at}, {"credentials", types}});
  }
  Json rps = Json::array();
  for (const RelyingParty& rp : relying_parties_) {
    Json purposes = Json::array();
    for (const PurposeGrant& g : rp.purposes) purposes.push_back(g.id);
    rps.push_back({{"client_id", rp.client_id},
                   {"name", rp.name},
                   {"registration_number", rp.registration_number},
                   {"purposes", purposes},
                   {"access_certificate_sha256", rp.access_certificate_sha256},
                   {"registered_at", rp.registered_at},
                   {"status", std::string(RpStatusName(rp.status))}});
  }
  return Json{{"id", id_},
              {"name", name_},
              {"sequence", sequence_},
              {"trust_list_ttl_seconds", ttl_},
              {"root_sha256", HexEncode(crypto::Sha256(root_cert_.der()))},
              {"issuers", issuers},
              {"relying_parties", rps}};
}

}  // namespace bonafide::registry
