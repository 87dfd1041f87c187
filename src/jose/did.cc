#include "jose/did.h"

#include <algorithm>

#include "base/encoding.h"

namespace bonafide::jose {
namespace {

constexpr char kBase58Alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t kMaxBase58Input = 256;  // did:key values are ~50 characters; bound the O(n^2) work.

// Multicodec varint prefixes (multiformats table): p256-pub 0x1200, p384-pub 0x1201, ed25519-pub 0xed.
struct Codec {
  uint8_t prefix[2];
  crypto::SignatureAlg alg;
  size_t key_size;  // compressed point or raw key
};
constexpr Codec kCodecs[] = {
    {{0x80, 0x24}, crypto::SignatureAlg::kES256, 33},
    {{0x81, 0x24}, crypto::SignatureAlg::kES384, 49},
    {{0xed, 0x01}, crypto::SignatureAlg::kEdDSA, 32},
};

}  // namespace

std::string Base58BtcEncode(ByteView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Big-number base conversion, digits little-endian.
  std::vector<uint8_t> digits;
  for (size_t i = zeros; i < data.size(); ++i) {
    uint32_t carry = data[i];
    for (auto& d : digits) {
      carry += static_cast<uint32_t>(d) << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kBase58Alphabet[*it]);
  return out;
}

Result<Bytes> Base58BtcDecode(std::string_view text) {
  if (text.size() > kMaxBase58Input) return Error(StatusCode::kLimitExceeded, "base58 input too long");
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<uint8_t> bytes;  // little-endian
  for (size_t i = zeros; i < text.size(); ++i) {
    const char* p = std::find(kBase58Alphabet, kBase58Alphabet + 58, text[i]);
    if (p == kBase58Alphabet + 58) return Error(StatusCode::kMalformed, "invalid base58 character");
    uint32_t carry = static_cast<uint32_t>(p - kBase58Alphabet);
    for (auto& b : bytes) {
      carry += static_cast<uint32_t>(b) * 58;
      b = static_cast<uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  Bytes out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

Result<std::string> DidKeyFromPublicKey(const crypto::PublicKey& key) {
  for (const Codec& c : kCodecs) {
    if (c.alg != key.alg()) continue;
    Bytes data(c.prefix, c.prefix + 2);
    Bytes point = key.EncodedPoint(/*compressed=*/true);
    data.insert(data.end(), point.begin(), point.end());
    return "did:key:z" + Base58BtcEncode(data);
  }
  return Error(StatusCode::kInvalidKey, "key type not supported by did:key");
}

std::string DidJwkFromPublicKey(const crypto::PublicKey& key) {
  return "did:jwk:" + Base64UrlEncode(DumpJson(key.ToJwk()));
}

Result<crypto::PublicKey> ResolveDidKey(std::string_view did) {
  std::string_view fragment;
  bool has_fragment = false;
  if (size_t hash = did.find('#'); hash != std::string_view::npos) {
    fragment = did.substr(hash + 1);
    did = did.substr(0, hash);
    has_fragment = true;
    if (fragment.empty()) return Error(StatusCode::kMalformed, "DID URL has an empty fragment");
  }
  if (did.starts_with("did:key:")) {
    std::string_view mb = did.substr(8);
    if (mb.empty() || mb[0] != 'z') return Error(StatusCode::kMalformed, "did:key must use base58btc multibase ('z')");
    if (has_fragment && fragment != mb) return Error(StatusCode::kMalformed, "did:key fragment does not match the key");
    ASSIGN_OR_RETURN(Bytes data, Base58BtcDecode(mb.substr(1)));
    for (const Codec& c : kCodecs) {
      if (data.size() == 2 + c.key_size && data[0] == c.prefix[0] && data[1] == c.prefix[1]) {
        return crypto::PublicKey::FromEncodedPoint(c.alg, ByteView(data).subspan(2));
      }
    }
    return Error(StatusCode::kInvalidKey, "did:key multicodec not supported (need P-256, P-384 or Ed25519)");
  }
  if (did.starts_with("did:jwk:")) {
    if (has_fragment && fragment != "0") return Error(StatusCode::kMalformed, "did:jwk fragment must be 0");
    auto raw = Base64UrlDecode(did.substr(8));
    if (!raw.ok()) return Error(StatusCode::kMalformed, "did:jwk: " + raw.status().message());
    auto jwk = ParseJsonObject(AsStringView(*raw), JsonLimits{8192, 4});
    if (!jwk.ok()) return Error(StatusCode::kMalformed, "did:jwk: " + jwk.status().message());
    if (Find(*jwk, "d") != nullptr) return Error(StatusCode::kInvalidKey, "did:jwk must not contain a private key");
    return crypto::PublicKey::FromJwk(*jwk);
  }
  return Error(StatusCode::kMalformed, "not a did:key or did:jwk identifier");
}

Result<crypto::PublicKey> ResolveDidWebKey(const Json& doc, std::string_view kid) {
  ASSIGN_OR_RETURN(std::string doc_id, GetString(doc, "id"));
  if (!doc_id.starts_with("did:web:")) return Error(StatusCode::kMalformed, "DID document id is not did:web");
  std::string full_kid;
  if (!kid.empty() && kid[0] == '#') {
    full_kid = doc_id + std::string(kid);
  } else {
    full_kid = std::string(kid);
    size_t hash = full_kid.find('#');
    if (hash == std::string::npos) return Error(StatusCode::kMalformed, "kid is not a DID URL with a fragment");
    if (full_kid.substr(0, hash) != doc_id) {
      return Error(StatusCode::kUntrustedIssuer, "kid " + full_kid + " is not in the DID document of " + doc_id);
    }
  }
  const Json* methods = Find(doc, "verificationMethod");
  if (methods == nullptr || !methods->is_array()) return Error(StatusCode::kNotFound, "DID document has no verificationMethod");
  for (const Json& m : *methods) {
    const Json* id = Find(m, "id");
    if (id == nullptr || !id->is_string()) continue;
    std::string mid = id->get<std::string>();
    if (!mid.empty() && mid[0] == '#') mid = doc_id + mid;
    if (mid != full_kid) continue;
    const Json* jwk = Find(m, "publicKeyJwk");
    if (jwk == nullptr) return Error(StatusCode::kInvalidKey, "verification method has no publicKeyJwk");
    if (Find(*jwk, "d") != nullptr) return Error(StatusCode::kInvalidKey, "DID document publishes a private key");
    return crypto::PublicKey::FromJwk(*jwk);
  }
  return Error(StatusCode::kNotFound, "verification method " + full_kid + " not found");
}

Result<std::string> DidWebFromUrl(std::string_view credential_issuer) {
  const size_t scheme = credential_issuer.find("://");
  if (scheme == std::string_view::npos) return Error(StatusCode::kInvalidArgument, "issuer URL has no scheme");
  const std::string_view rest = credential_issuer.substr(scheme + 3);
  const size_t slash = rest.find_first_of("/?#");
  const std::string_view host = rest.substr(0, slash);
  if (host.empty()) return Error(StatusCode::kInvalidArgument, "issuer URL has no host");
  std::string did = "did:web:";
  for (char c : host) {
    if (c == ':') {
      did += "%3A";
    } else {
      did += c;
    }
  }
  if (slash != std::string_view::npos && rest[slash] == '/') {
    std::string_view path = rest.substr(slash + 1);
    path = path.substr(0, path.find_first_of("?#"));
    size_t start = 0;
    while (start <= path.size()) {
      const size_t end = std::min(path.find('/', start), path.size());
      if (end > start) did += ":" + std::string(path.substr(start, end - start));
      start = end + 1;
    }
  }
  return did;
}

Result<std::string> DidWebDocumentUrl(std::string_view did, bool use_http) {
  constexpr std::string_view kPrefix = "did:web:";
  if (did.substr(0, kPrefix.size()) != kPrefix || did.size() == kPrefix.size() ||
      did.find_first_of("#?/") != std::string_view::npos) {
    return Error(StatusCode::kMalformed, "not a did:web DID: " + std::string(did));
  }
  std::string_view id = did.substr(kPrefix.size());
  const size_t colon = id.find(':');
  const std::string_view host_part = id.substr(0, colon);
  std::string host;
  for (size_t i = 0; i < host_part.size(); ++i) {
    const std::string_view next = host_part.substr(i, 3);
    if (next == "%3A" || next == "%3a") {
      host += ':';
      i += 2;
    } else {
      host += host_part[i];
    }
  }
  if (host.empty()) return Error(StatusCode::kMalformed, "did:web DID has no host");
  std::string url = std::string(use_http ? "http://" : "https://") + host;
  if (colon == std::string_view::npos) return url + "/.well-known/did.json";
  std::string_view path = id.substr(colon + 1);
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find(':', start), path.size());
    if (end == start) return Error(StatusCode::kMalformed, "did:web DID has an empty path segment");
    url += "/" + std::string(path.substr(start, end - start));
    start = end + 1;
  }
  return url + "/did.json";
}

}  // namespace bonafide::jose
