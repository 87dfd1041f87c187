#include "issuer/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "base/encoding.h"
#include "crypto/random.h"
#include "crypto/x509_builder.h"
#include "jose/did.h"
#include "jose/jwk.h"
#include "mdoc/iaca.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace bonafide::issuer {
namespace {

Status BadMember(std::string_view name, std::string_view what) {
  return Error(StatusCode::kInvalidArgument, "issuer.json: " + std::string(name) + " " + std::string(what));
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(StatusCode::kIoError, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error(StatusCode::kIoError, "cannot read " + path);
  return ss.str();
}

// WriteSecretFile writes `text` to `path` readable by the owner only.
Status WriteFile(const std::string& path, std::string_view text, bool secret) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Error(StatusCode::kIoError, "cannot write " + path);
    if (secret) ::chmod(path.c_str(), 0600);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return Error(StatusCode::kIoError, "cannot write " + path);
  }
  return OkStatus();
}

Result<std::string> Str(const Json& doc, std::string_view key, std::optional<std::string> fallback) {
  const Json* v = Find(doc, key);
  if (v == nullptr) {
    if (fallback.has_value()) return *fallback;
    return BadMember(key, "is missing");
  }
  if (!v->is_string() || v->get<std::string>().empty()) return BadMember(key, "is not a non-empty string");
  return v->get<std::string>();
}

Status Int(const Json& doc, std::string_view key, int64_t lo, int64_t hi, int64_t& out) {
  const Json* v = Find(doc, key);
  if (v == nullptr) return OkStatus();
  std::optional<int64_t> i = AsInt(*v);
  if (!i.has_value() || *i < lo || *i > hi) {
    return BadMember(key, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  out = *i;
  return OkStatus();
}

bool IsLoopbackHttp(std::string_view url) {
  for (std::string_view p : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (url.starts_with(p) && (url.size() == p.size() || url[p.size()] == ':' || url[p.size()] == '/')) return true;
  }
  return false;
}

Status CheckOneActive(std::string_view what, const std::vector<std::pair<std::string, bool>>& keys) {
  if (keys.empty()) return BadMember(what, "lists no key");
  std::set<std::string> kids;
  int active = 0;
  for (const auto& [kid, is_active] : keys) {
    if (!kids.insert(kid).second) return BadMember(what, "repeats kid " + kid);
    if (is_active) ++active;
  }
  if (active != 1) return BadMember(what, "must have exactly one active key");
  return OkStatus();
}

// Retirement reads the optional "retired_at" / "not_after" (non-negative Unix seconds) of a key
// or IACA entry `k`; they are refused on an active entry.
Status Retirement(const Json& k, std::string_view what, bool active, std::optional<int64_t>& retired_at,
                  std::optional<int64_t>& not_after) {
  for (const char* name : {"retired_at", "not_after"}) {
    const Json* v = Find(k, name);
    if (v == nullptr) continue;
    std::optional<int64_t> t = AsInt(*v);
    if (!t.has_value() || *t < 0) return BadMember(what, std::string(name) + " must be a non-negative integer");
    if (active) return BadMember(what, std::string(name) + " is only for keys that are not active");
    (std::string_view(name) == "retired_at" ? retired_at : not_after) = *t;
  }
  return OkStatus();
}

void AddRetirement(Json& out, const std::optional<int64_t>& retired_at, const std::optional<int64_t>& not_after) {
  if (retired_at.has_value()) out["retired_at"] = *retired_at;
  if (not_after.has_value()) out["not_after"] = *not_after;
}

// PublishUntil is the last second a retired key (or IACA) is published: not_after when given,
// else retired_at + `longest`; nullopt (always) with neither.
std::optional<int64_t> PublishUntil(const std::optional<int64_t>& retired_at, const std::optional<int64_t>& not_after,
                                    int64_t longest) {
  if (not_after.has_value()) return not_after;
  if (retired_at.has_value()) return *retired_at + longest;
  return std::nullopt;
}

Result<std::vector<KeyRef>> KeyRefs(const Json& arr, std::string_view what) {
  if (!arr.is_array()) return BadMember(what, "is not an array");
  std::vector<KeyRef> out;
  std::vector<std::pair<std::string, bool>> check;
  for (const Json& k : arr) {
    if (!k.is_object()) return BadMember(what, "entry is not an object");
    KeyRef r;
    ASSIGN_OR_RETURN(r.kid, Str(k, "kid", std::nullopt));
    ASSIGN_OR_RETURN(r.file, Str(k, "file", std::nullopt));
    const Json* a = Find(k, "active");
    if (a != nullptr && !a->is_boolean()) return BadMember(what, "active is not a boolean");
    r.active = a != nullptr && a->get<bool>();
    RETURN_IF_ERROR(Retirement(k, what, r.active, r.retired_at, r.not_after));
    check.emplace_back(r.kid, r.active);
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(CheckOneActive(what, check));
  return out;
}

Json KeyRefsJson(const std::vector<KeyRef>& refs) {
  Json a = Json::array();
  for (const KeyRef& r : refs) {
    Json k = {{"kid", r.kid}, {"file", r.file}, {"active", r.active}};
    AddRetirement(k, r.retired_at, r.not_after);
    a.push_back(std::move(k));
  }
  return a;
}

Result<crypto::PrivateKey> LoadPrivateKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (text.find("-----BEGIN") != std::string::npos) return crypto::PrivateKey::FromPem(text);
  Result<Json> jwk = ParseJsonObject(text);
  if (!jwk.ok()) return Error(StatusCode::kInvalidKey, path + ": not a JWK or PEM key");
  return crypto::PrivateKey::FromJwk(*jwk);
}

Result<SecretBytes> LoadSecretText(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  Bytes b(text.begin(), text.end());
  std::fill(text.begin(), text.end(), '\0');
  return SecretBytes(std::move(b));
}

// WriteLoopbackTls makes DIR/tls/{ca.pem, cert.pem, key.pem}: a throwaway CA (its key is never
// written, so it can sign nothing else) and an ES256 server certificate from it whose
// subjectAltName names 127.0.0.1, ::1, localhost and `host` when it is a DNS name. Valid from an
// hour ago for 398 days.
Status WriteLoopbackTls(const std::string& dir, const std::string& host, const Clock& clock) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "tls", ec);
  if (ec) return Error(StatusCode::kIoError, "cannot create " + dir + "/tls: " + ec.message());
  const int64_t now = clock.NowSeconds();
  ASSIGN_OR_RETURN(crypto::PrivateKey ca_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  crypto::CertificateTemplate ca;
  ca.subject = {{"O", "bonafide issuer"}, {"CN", "bonafide local TLS CA"}};
  ca.not_before = now - 3600;
  ca.not_after = now + 398 * 86400;
  ca.is_ca = true;
  ca.path_length = 0;
  ca.key_usage.key_cert_sign = true;
  ca.key_usage.crl_sign = true;
  ASSIGN_OR_RETURN(crypto::Certificate ca_cert, crypto::CreateSelfSignedCertificate(ca, ca_key));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  crypto::CertificateTemplate leaf;
  leaf.subject = {{"O", "bonafide issuer"}, {"CN", "127.0.0.1"}};
  leaf.not_before = ca.not_before;
  leaf.not_after = ca.not_after;
  leaf.key_usage.digital_signature = true;
  leaf.dns_names = {"localhost"};
  leaf.ip_addresses = {"127.0.0.1", "::1"};
  const bool is_name = !host.empty() && host.find_first_not_of("0123456789.") != std::string::npos &&
                       host.find_first_of("[]:") == std::string::npos;
  if (is_name && host != "localhost") leaf.dns_names.push_back(host);
  leaf.extended_key_usages = {"1.3.6.1.5.5.7.3.1"};  // id-kp-serverAuth
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::IssueCertificate(leaf, key.public_key(), ca_cert, ca_key));
  auto path = [&](std::string_view f) { return (fs::path(dir) / f).string(); };
  RETURN_IF_ERROR(WriteFile(path("tls/ca.pem"), ca_cert.ToPem(), false));
  RETURN_IF_ERROR(WriteFile(path("tls/cert.pem"), cert.ToPem(), false));
  SecretBytes pem = key.ExportPem();
  return WriteFile(path("tls/key.pem"), std::string_view(reinterpret_cast<const char*>(pem.view().data()), pem.size()),
                   true);
}

std::string RandomToken(size_t bytes) {
  Bytes b = crypto::SystemRandom().Generate(bytes);
  return Base64UrlEncode(b);
}

}  // namespace

std::string IssuerConfig::Path(std::string_view file) const {
  std::filesystem::path p(file);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(data_dir) / p).string();
}

std::string IssuerConfig::SqlitePath() const { return Path("issuer.db"); }

int64_t IssuerConfig::LongestValiditySeconds(std::string_view purpose) const {
  constexpr int64_t kDay = 86400;
  oid4vci::CredentialFormat format;
  int64_t longest = 2 * status_ttl_seconds;  // status list tokens / credentials: exp = iat + 2 ttl
  if (purpose == "sd_jwt") {
    format = oid4vci::CredentialFormat::kSdJwtVc;
  } else if (purpose == "vc_jwt") {
    format = oid4vci::CredentialFormat::kJwtVcJson;
  } else if (purpose == "iaca") {
    format = oid4vci::CredentialFormat::kMsoMdoc;
    longest = 0;  // the IACA anchors mdocs only; the sd_jwt key signs the status lists
  } else {
    return 0;
  }
  for (const auto& [id, e] : catalogue) {
    if (e.format() == format) longest = std::max(longest, e.valid_days * kDay);
  }
  return longest;
}

Json IssuerConfig::ToJson() const {
  Json mdoc = Json::array();
  for (const MdocSignerRef& m : mdoc_signers) {
    mdoc.push_back({{"kid", m.kid}, {"key_file", m.key_file}, {"chain_file", m.chain_file}, {"active", m.active}});
  }
  Json lists = Json::array();
  for (const StatusListSpec& s : status_lists) {
    Json l = {{"id", s.id},
              {"kind", s.kind == StatusListKind::kBitstring ? "bitstring" : "token_status_list"},
              {"bits", s.bits},
              {"size", s.size}};
    if (s.kind == StatusListKind::kTokenStatusList) l["format"] = s.format == StatusListFormat::kCwt ? "cwt" : "jwt";
    lists.push_back(std::move(l));
  }
  Json iacas = Json::array();
  for (const IacaRef& r : iaca_files) {
    if (!r.retired_at.has_value() && !r.not_after.has_value()) {
      iacas.push_back(r.file);
      continue;
    }
    Json i = {{"file", r.file}};
    AddRetirement(i, r.retired_at, r.not_after);
    iacas.push_back(std::move(i));
  }
  Json out{{"issuer_url", issuer_url},
              {"listen", listen},
              {"db", db},
              {"admin_token_file", admin_token_file},
              {"server_secret_file", server_secret_file},
              {"keys",
               {{"sd_jwt", KeyRefsJson(sd_jwt_keys)},
                {"vc_jwt", {{"did", vc_did}, {"keys", KeyRefsJson(vc_jwt_keys)}}},
                {"mdoc", mdoc},
                {"iaca", iacas}}},
              {"status_lists", lists},
              {"status_ttl_seconds", status_ttl_seconds},
              {"batch_size", batch_size},
              {"offer_seconds", offer_seconds},
              {"code_seconds", code_seconds},
              {"token_seconds", token_seconds},
              {"nonce_seconds", nonce_seconds},
              {"tx_code_attempts", tx_code_attempts},
              {"tx_code_length", tx_code_length},
              {"display", display},
              {"credential_configurations", credential_configurations}};
  if (has_tls()) out["tls"] = {{"cert_file", tls_cert_file}, {"key_file", tls_key_file}};
  return out;
}

Result<IssuerConfig> IssuerConfig::FromJson(const Json& doc, std::string data_dir) {
  if (!doc.is_object()) return Error(StatusCode::kInvalidArgument, "issuer.json is not an object");
  IssuerConfig c;
  c.data_dir = std::move(data_dir);
  ASSIGN_OR_RETURN(c.issuer_url, Str(doc, "issuer_url", std::nullopt));
  if (!(c.issuer_url.starts_with("https://") || IsLoopbackHttp(c.issuer_url)) ||
      c.issuer_url.find_first_of("?#") != std::string::npos || c.issuer_url.back() == '/') {
    return BadMember("issuer_url", "must be an https URL without query, fragment or trailing slash");
  }
  ASSIGN_OR_RETURN(c.listen, Str(doc, "listen", c.listen));
  if (const Json* tls = Find(doc, "tls")) {
    if (!tls->is_object()) return BadMember("tls", "is not an object");
    ASSIGN_OR_RETURN(c.tls_cert_file, Str(*tls, "cert_file", std::nullopt));
    ASSIGN_OR_RETURN(c.tls_key_file, Str(*tls, "key_file", std::nullopt));
    if (!c.issuer_url.starts_with("https://")) return BadMember("issuer_url", "must be https when tls is configured");
  }
  ASSIGN_OR_RETURN(c.db, Str(doc, "db", c.db));
  if (c.db != "sqlite" && !c.db.starts_with("postgresql://") && !c.db.starts_with("postgres://")) {
    return BadMember("db", "must be \"sqlite\" or a postgresql:// URL");
  }
  ASSIGN_OR_RETURN(c.admin_token_file, Str(doc, "admin_token_file", c.admin_token_file));
  ASSIGN_OR_RETURN(c.server_secret_file, Str(doc, "server_secret_file", c.server_secret_file));

  const Json* keys = Find(doc, "keys");
  if (keys == nullptr || !keys->is_object()) return BadMember("keys", "is missing or not an object");
  const Json* sd = Find(*keys, "sd_jwt");
  if (sd == nullptr) return BadMember("keys.sd_jwt", "is missing");
  ASSIGN_OR_RETURN(c.sd_jwt_keys, KeyRefs(*sd, "keys.sd_jwt"));
  const Json* vc = Find(*keys, "vc_jwt");
  if (vc == nullptr || !vc->is_object()) return BadMember("keys.vc_jwt", "is missing or not an object");
  ASSIGN_OR_RETURN(c.vc_did, Str(*vc, "did", std::nullopt));
  if (!c.vc_did.starts_with("did:web:")) return BadMember("keys.vc_jwt.did", "is not a did:web DID");
  const Json* vck = Find(*vc, "keys");
  if (vck == nullptr) return BadMember("keys.vc_jwt.keys", "is missing");
  ASSIGN_OR_RETURN(c.vc_jwt_keys, KeyRefs(*vck, "keys.vc_jwt.keys"));
  const Json* md = Find(*keys, "mdoc");
  if (md == nullptr || !md->is_array()) return BadMember("keys.mdoc", "is missing or not an array");
  std::vector<std::pair<std::string, bool>> check;
  for (const Json& m : *md) {
    if (!m.is_object()) return BadMember("keys.mdoc", "entry is not an object");
    MdocSignerRef r;
    ASSIGN_OR_RETURN(r.kid, Str(m, "kid", std::nullopt));
    ASSIGN_OR_RETURN(r.key_file, Str(m, "key_file", std::nullopt));
    ASSIGN_OR_RETURN(r.chain_file, Str(m, "chain_file", std::nullopt));
    const Json* a = Find(m, "active");
    if (a != nullptr && !a->is_boolean()) return BadMember("keys.mdoc", "active is not a boolean");
    r.active = a != nullptr && a->get<bool>();
    check.emplace_back(r.kid, r.active);
    c.mdoc_signers.push_back(std::move(r));
  }
  RETURN_IF_ERROR(CheckOneActive("keys.mdoc", check));
  const Json* iaca = Find(*keys, "iaca");
  if (iaca == nullptr || !iaca->is_array() || iaca->empty()) return BadMember("keys.iaca", "must list IACA files");
  for (const Json& f : *iaca) {
    IacaRef r;
    if (f.is_object()) {
      ASSIGN_OR_RETURN(r.file, Str(f, "file", std::nullopt));
      RETURN_IF_ERROR(Retirement(f, "keys.iaca", false, r.retired_at, r.not_after));
    } else if (f.is_string() && !f.get<std::string>().empty()) {
      r.file = f.get<std::string>();
    } else {
      return BadMember("keys.iaca", "entry is not a file name or {file, retired_at?, not_after?}");
    }
    c.iaca_files.push_back(std::move(r));
  }

  const Json* lists = Find(doc, "status_lists");
  if (lists == nullptr || !lists->is_array() || lists->empty()) return BadMember("status_lists", "must be a non-empty array");
  std::set<std::string> list_ids;
  for (const Json& l : *lists) {
    if (!l.is_object()) return BadMember("status_lists", "entry is not an object");
    StatusListSpec s;
    ASSIGN_OR_RETURN(s.id, Str(l, "id", std::nullopt));
    ASSIGN_OR_RETURN(std::string kind, Str(l, "kind", std::nullopt));
    if (kind == "token_status_list") {
      s.kind = StatusListKind::kTokenStatusList;
    } else if (kind == "bitstring") {
      s.kind = StatusListKind::kBitstring;
    } else {
      return BadMember("status_lists.kind", "must be token_status_list or bitstring");
    }
    if (const Json* f = Find(l, "format")) {
      if (s.kind == StatusListKind::kBitstring) return BadMember("status_lists.format", "is for token_status_list only");
      if (*f == "jwt") {
        s.format = StatusListFormat::kJwt;
      } else if (*f == "cwt") {
        s.format = StatusListFormat::kCwt;
      } else {
        return BadMember("status_lists.format", "must be jwt or cwt");
      }
    }
    int64_t bits = s.kind == StatusListKind::kBitstring ? 1 : 2;
    RETURN_IF_ERROR(Int(l, "bits", 1, 8, bits));
    s.bits = static_cast<int>(bits);
    if (s.kind == StatusListKind::kBitstring && s.bits != 1) return BadMember("status_lists.bits", "must be 1 for bitstring");
    if (bits != 1 && bits != 2 && bits != 4 && bits != 8) return BadMember("status_lists.bits", "must be 1, 2, 4 or 8");
    s.size = s.kind == StatusListKind::kBitstring ? 131072 : 100000;
    RETURN_IF_ERROR(Int(l, "size", 1, store::kMaxStatusListSize, s.size));
    if (s.kind == StatusListKind::kBitstring && s.size < 131072) return BadMember("status_lists.size", "must be >= 131072 for bitstring");
    if (!list_ids.insert(s.id).second) return BadMember("status_lists", "repeats id " + s.id);
    c.status_lists.push_back(std::move(s));
  }
  RETURN_IF_ERROR(Int(doc, "status_ttl_seconds", 60, 30 * 86400, c.status_ttl_seconds));
  RETURN_IF_ERROR(Int(doc, "batch_size", 1, 100, c.batch_size));
  RETURN_IF_ERROR(Int(doc, "offer_seconds", 60, 90 * 86400, c.offer_seconds));
  RETURN_IF_ERROR(Int(doc, "code_seconds", 60, 90 * 86400, c.code_seconds));
  RETURN_IF_ERROR(Int(doc, "token_seconds", 30, 86400, c.token_seconds));
  RETURN_IF_ERROR(Int(doc, "nonce_seconds", 10, 3600, c.nonce_seconds));
  RETURN_IF_ERROR(Int(doc, "tx_code_attempts", 1, 10, c.tx_code_attempts));
  RETURN_IF_ERROR(Int(doc, "tx_code_length", 4, 12, c.tx_code_length));
  if (const Json* d = Find(doc, "display")) {
    if (!d->is_array()) return BadMember("display", "is not an array");
    c.display = *d;
  }
  if (const Json* cc = Find(doc, "credential_configurations")) {
    c.credential_configurations = *cc;
  } else {
    ASSIGN_OR_RETURN(c.credential_configurations, EmbeddedUkCatalogueJson());
  }
  ASSIGN_OR_RETURN(c.catalogue, ParseCatalogue(c.credential_configurations));
  for (const auto& [id, e] : c.catalogue) {
    const StatusListSpec* spec = nullptr;
    for (const StatusListSpec& s : c.status_lists) {
      if (s.id == e.status_list) spec = &s;
    }
    if (spec == nullptr) return BadMember("credential_configurations." + id, "names undefined status list " + e.status_list);
    const bool wants_bitstring = e.format() == oid4vci::CredentialFormat::kJwtVcJson;
    if (wants_bitstring != (spec->kind == StatusListKind::kBitstring)) {
      return BadMember("credential_configurations." + id, "status list kind does not fit the format");
    }
    // An SD-JWT VC points at a JWT list; an mdoc may point at either form.
    if (e.format() == oid4vci::CredentialFormat::kSdJwtVc && spec->format != StatusListFormat::kJwt) {
      return BadMember("credential_configurations." + id, "a dc+sd-jwt credential needs a jwt status list");
    }
  }
  return c;
}

Result<IssuerConfig> LoadIssuerConfig(const std::string& data_dir) {
  ASSIGN_OR_RETURN(std::string text, ReadFile((std::filesystem::path(data_dir) / kConfigFileName).string()));
  Result<Json> doc = ParseJsonObject(text, JsonLimits{1 << 20, 32});
  if (!doc.ok()) return Error(StatusCode::kMalformed, "issuer.json: " + doc.status().message());
  return IssuerConfig::FromJson(*doc, data_dir);
}

const SigningKey& IssuerKeys::active_sd_jwt() const {
  for (const SigningKey& k : sd_jwt) {
    if (k.active) return k;
  }
  return sd_jwt.front();
}
const SigningKey& IssuerKeys::active_vc_jwt() const {
  for (const SigningKey& k : vc_jwt) {
    if (k.active) return k;
  }
  return vc_jwt.front();
}
const DocumentSigner& IssuerKeys::active_mdoc() const {
  for (const DocumentSigner& k : mdoc) {
    if (k.active) return k;
  }
  return mdoc.front();
}

Result<IssuerKeys> LoadIssuerKeys(const IssuerConfig& config) {
  IssuerKeys keys;
  const int64_t sd_longest = config.LongestValiditySeconds("sd_jwt");
  for (const KeyRef& r : config.sd_jwt_keys) {
    ASSIGN_OR_RETURN(crypto::PrivateKey k, LoadPrivateKey(config.Path(r.file)));
    keys.sd_jwt.push_back({r.kid, std::move(k), r.active, PublishUntil(r.retired_at, r.not_after, sd_longest)});
  }
  const int64_t vc_longest = config.LongestValiditySeconds("vc_jwt");
  for (const KeyRef& r : config.vc_jwt_keys) {
    ASSIGN_OR_RETURN(crypto::PrivateKey k, LoadPrivateKey(config.Path(r.file)));
    keys.vc_jwt.push_back({r.kid, std::move(k), r.active, PublishUntil(r.retired_at, r.not_after, vc_longest)});
  }
  for (const MdocSignerRef& r : config.mdoc_signers) {
    ASSIGN_OR_RETURN(crypto::PrivateKey k, LoadPrivateKey(config.Path(r.key_file)));
    ASSIGN_OR_RETURN(std::string pem, ReadFile(config.Path(r.chain_file)));
    ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, crypto::Certificate::AllFromPem(pem));
    ASSIGN_OR_RETURN(crypto::PublicKey leaf, chain.front().public_key());
    if (!leaf.Equals(k.public_key())) {
      return Error(StatusCode::kInvalidKey, "document signer " + r.kid + ": key does not match the certificate");
    }
    DocumentSigner ds{r.kid, std::move(k), std::move(chain), {}, r.active};
    for (const crypto::Certificate& cert : ds.chain) ds.chain_der.push_back(cert.der());
    keys.mdoc.push_back(std::move(ds));
  }
  const int64_t iaca_longest = config.LongestValiditySeconds("iaca");
  for (const IacaRef& f : config.iaca_files) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(config.Path(f.file)));
    ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs, crypto::Certificate::AllFromPem(pem));
    for (crypto::Certificate& cert : certs) {
      keys.iacas.push_back({std::move(cert), PublishUntil(f.retired_at, f.not_after, iaca_longest)});
    }
  }
  ASSIGN_OR_RETURN(keys.server_secret, LoadSecretText(config.Path(config.server_secret_file)));
  if (keys.server_secret.size() < 32) return Error(StatusCode::kInvalidArgument, "server secret shorter than 32 bytes");
  ASSIGN_OR_RETURN(keys.admin_token, LoadSecretText(config.Path(config.admin_token_file)));
  if (keys.admin_token.size() < 16) return Error(StatusCode::kInvalidArgument, "admin token shorter than 16 bytes");
  return keys;
}

Result<std::unique_ptr<store::IssuerStore>> OpenIssuerStore(const IssuerConfig& config) {
  if (config.db == "sqlite") return store::SqliteStore::Open(config.SqlitePath());
  return store::PostgresStore::Open(config.db);
}

Status EnsureStatusLists(const IssuerConfig& config, store::IssuerStore& st, int64_t now) {
  for (const StatusListSpec& s : config.status_lists) {
    Result<store::StatusListRecord> existing = st.GetStatusList(s.id);
    if (existing.ok()) continue;
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    RETURN_IF_ERROR(st.CreateStatusList(s.id, s.bits, s.size, now));
  }
  return OkStatus();
}

Result<IssuerConfig> InitDataDir(const std::string& dir, const InitOptions& options, const Clock& clock) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "keys", ec);
  if (ec) return Error(StatusCode::kIoError, "cannot create " + dir + ": " + ec.message());
  if (fs::exists(fs::path(dir) / kConfigFileName)) {
    return Error(StatusCode::kInvalidArgument, dir + " already holds an issuer.json");
  }
  ASSIGN_OR_RETURN(std::string did, jose::DidWebFromUrl(options.issuer_url));
  if (options.tls && !options.issuer_url.starts_with("https://")) {
    return Error(StatusCode::kInvalidArgument, "--tls needs an https issuer URL");
  }

  ASSIGN_OR_RETURN(crypto::PrivateKey sd_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  ASSIGN_OR_RETURN(crypto::PrivateKey vc_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  const std::string sd_kid = jose::JwkThumbprint(sd_key.public_key());
  const std::string vc_kid = "key-1";

  std::string host = options.issuer_url.substr(options.issuer_url.find("://") + 3);
  host = host.substr(0, host.find('/'));
  mdoc::IacaOptions iaca_options;
  iaca_options.common_name = "bonafide IACA " + host;
  iaca_options.organization = "bonafide issuer";
  iaca_options.issuer_alt_uri = options.issuer_url;
  ASSIGN_OR_RETURN(mdoc::KeyAndCertificate iaca, mdoc::CreateIaca(iaca_options, clock));
  mdoc::DocumentSignerOptions ds_options;
  ds_options.common_name = "bonafide document signer " + host;
  ds_options.organization = "bonafide issuer";
  ASSIGN_OR_RETURN(mdoc::KeyAndCertificate ds, mdoc::CreateDocumentSigner(iaca.key, iaca.certificate, ds_options, clock));

  auto path = [&](std::string_view f) { return (fs::path(dir) / f).string(); };
  Json sd_jwk = sd_key.ExportJwk();
  sd_jwk["kid"] = sd_kid;
  RETURN_IF_ERROR(WriteFile(path("keys/sd-jwt-1.jwk"), DumpJson(sd_jwk), true));
  Json vc_jwk = vc_key.ExportJwk();
  vc_jwk["kid"] = vc_kid;
  RETURN_IF_ERROR(WriteFile(path("keys/vc-jwt-1.jwk"), DumpJson(vc_jwk), true));
  {
    SecretBytes pem = ds.key.ExportPem();
    RETURN_IF_ERROR(WriteFile(path("keys/ds-1.key.pem"),
                              std::string_view(reinterpret_cast<const char*>(pem.view().data()), pem.size()), true));
  }
  RETURN_IF_ERROR(WriteFile(path("keys/ds-1.chain.pem"), ds.certificate.ToPem() + iaca.certificate.ToPem(), false));
  {
    SecretBytes pem = iaca.key.ExportPem();
    RETURN_IF_ERROR(WriteFile(path("keys/iaca-1.key.pem"),
                              std::string_view(reinterpret_cast<const char*>(pem.view().data()), pem.size()), true));
  }
  RETURN_IF_ERROR(WriteFile(path("keys/iaca-1.pem"), iaca.certificate.ToPem(), false));
  RETURN_IF_ERROR(WriteFile(path("server-secret"), RandomToken(32) + "\n", true));
  RETURN_IF_ERROR(WriteFile(path("admin-token"), RandomToken(32) + "\n", true));
  if (options.tls) {
    // The URL's host without its port ("[v6]" literals are no DNS names; WriteLoopbackTls skips them).
    const std::string tls_host = host.starts_with("[") ? host : host.substr(0, host.rfind(':'));
    RETURN_IF_ERROR(WriteLoopbackTls(dir, tls_host, clock));
  }

  Json doc = {{"issuer_url", options.issuer_url},
              {"db", options.db},
              {"keys",
               {{"sd_jwt", Json::array({{{"kid", sd_kid}, {"file", "keys/sd-jwt-1.jwk"}, {"active", true}}})},
                {"vc_jwt",
                 {{"did", did},
                  {"keys", Json::array({{{"kid", vc_kid}, {"file", "keys/vc-jwt-1.jwk"}, {"active", true}}})}}},
                {"mdoc", Json::array({{{"kid", "ds-1"},
                                       {"key_file", "keys/ds-1.key.pem"},
                                       {"chain_file", "keys/ds-1.chain.pem"},
                                       {"active", true}}})},
                {"iaca", Json::array({"keys/iaca-1.pem"})}}},
              {"status_lists",
               Json::array({{{"id", "token-1"}, {"kind", "token_status_list"}, {"bits", 2}, {"size", 100000}},
                            {{"id", "bitstring-1"}, {"kind", "bitstring"}, {"bits", 1}, {"size", 131072}}})},
              {"display",
               Json::array({{{"locale", "en"}, {"name", "UK Government credential issuer"}},
                            {{"locale", "cy"}, {"name", "Cyhoeddwr tystlythyrau Llywodraeth y DU"}}})}};
  ASSIGN_OR_RETURN(doc["credential_configurations"], EmbeddedUkCatalogueJson());
  if (options.tls) doc["tls"] = {{"cert_file", "tls/cert.pem"}, {"key_file", "tls/key.pem"}};
  if (options.mdoc_status_cwt) {
    doc["status_lists"].push_back(
        {{"id", "cwt-1"}, {"kind", "token_status_list"}, {"format", "cwt"}, {"bits", 2}, {"size", 100000}});
    for (auto& [id, c] : doc["credential_configurations"].items()) {
      const Json* format = c.is_object() ? Find(c, "format") : nullptr;
      if (format != nullptr && format->is_string() && *format == "mso_mdoc") c["status_list"] = "cwt-1";
    }
  }
  ASSIGN_OR_RETURN(IssuerConfig config, IssuerConfig::FromJson(doc, dir));
  ASSIGN_OR_RETURN(std::unique_ptr<store::IssuerStore> st, OpenIssuerStore(config));
  const int64_t now = clock.NowSeconds();
  RETURN_IF_ERROR(EnsureStatusLists(config, *st, now));
  if (options.demo) {
    for (const Json& citizen : DemoCitizens()) {
      RETURN_IF_ERROR(st->UpsertCitizen(citizen["id"].get<std::string>(), DumpJson(citizen), now));
    }
  }
  // issuer.json last: its presence means the directory is complete.
  RETURN_IF_ERROR(WriteFile(path(kConfigFileName), config.ToJson().dump(2) + "\n", false));
  return config;
}

}  // namespace bonafide::issuer
