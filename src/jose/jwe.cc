#include "jose/jwe.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"

namespace bonafide::jose {
namespace {

using crypto::SignatureAlg;

constexpr size_t kIvSize = 12;   // 96-bit IV, RFC 7518 section 5.3
constexpr size_t kTagSize = 16;  // 128-bit tag
static_assert(kIvSize == crypto::kAesGcmIvSize && kTagSize == crypto::kAesGcmTagSize);

// ContentKeySize returns the AES key size of a supported enc value, or 0.
size_t ContentKeySize(std::string_view enc) {
  if (enc == kJweEncA256Gcm) return crypto::kAesGcmKeySize;
  if (enc == kJweEncA128Gcm) return crypto::kAes128GcmKeySize;
  return 0;
}

void AppendBe32(Bytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 24));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

// AppendDatalen appends a Concat KDF "Datalen || Data" field (RFC 7518 section 4.6.2). Callers
// bound `data` by the header size, far below 2^32.
void AppendDatalen(Bytes& out, ByteView data) {
  AppendBe32(out, static_cast<uint32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

// DeriveContentKey returns the Direct Key Agreement key for `enc`: the Concat KDF of the ECDH
// secret with OtherInfo = AlgorithmID (the enc value) || PartyUInfo || PartyVInfo || SuppPubInfo
// (the key length in bits), SuppPrivInfo empty (RFC 7518 section 4.6.2).
Result<SecretBytes> DeriveContentKey(const crypto::PrivateKey& mine, const crypto::PublicKey& theirs,
                                     std::string_view enc, size_t key_size, ByteView apu, ByteView apv) {
  ASSIGN_OR_RETURN(SecretBytes z, crypto::EcdhP256(mine, theirs));
  Bytes other_info;
  other_info.reserve(16 + enc.size() + apu.size() + apv.size());
  AppendDatalen(other_info, AsBytes(enc));
  AppendDatalen(other_info, apu);
  AppendDatalen(other_info, apv);
  AppendBe32(other_info, static_cast<uint32_t>(key_size * 8));
  return crypto::ConcatKdfSha256(z.view(), other_info, key_size);
}

Result<Bytes> GcmSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  return key.size() == crypto::kAes128GcmKeySize ? crypto::Aes128GcmSeal(key, iv, aad, plaintext)
                                                 : crypto::Aes256GcmSeal(key, iv, aad, plaintext);
}

Result<Bytes> GcmOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed) {
  return key.size() == crypto::kAes128GcmKeySize ? crypto::Aes128GcmOpen(key, iv, aad, sealed)
                                                 : crypto::Aes256GcmOpen(key, iv, aad, sealed);
}

// DecodePart decodes one base64url part of the compact serialization, naming it on failure.
Result<Bytes> DecodePart(std::string_view text, const char* name) {
  auto decoded = Base64UrlDecode(text);
  if (!decoded.ok())
    return Error(StatusCode::kMalformed, std::string("JWE ") + name + ": " + decoded.status().message());
  return std::move(decoded).value();
}

// OptionalBase64UrlMember decodes header member `name` (absent: empty).
Result<Bytes> OptionalBase64UrlMember(const Json& header, const char* name) {
  const Json* member = Find(header, name);
  if (member == nullptr) return Bytes{};
  if (!member->is_string())
    return Error(StatusCode::kMalformed, std::string("JWE \"") + name + "\" is not a string");
  return DecodePart(member->get_ref<const std::string&>(), name);
}

// EphemeralKey reads the "epk" header as a P-256 public key.
Result<crypto::PublicKey> EphemeralKey(const Json& header) {
  const Json* epk = Find(header, "epk");
  if (epk == nullptr || !epk->is_object()) return Error(StatusCode::kInvalidKey, "JWE has no \"epk\" object");
  auto key = crypto::PublicKey::FromJwk(*epk);
  if (!key.ok()) return Error(StatusCode::kInvalidKey, "JWE epk: " + key.status().message());
  if (key->alg() != SignatureAlg::kES256) return Error(StatusCode::kInvalidKey, "JWE epk is not a P-256 key");
  return std::move(key).value();
}

}  // namespace

namespace internal {

Result<std::string> EncryptEcdhEsWithEphemeralKey(const crypto::PublicKey& recipient,
                                                  const crypto::PrivateKey& ephemeral, ByteView plaintext,
                                                  const JweEncryptOptions& options, Random& random) {
  if (recipient.alg() != SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "ECDH-ES recipient key must be P-256");
  }
  if (ephemeral.alg() != SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "ECDH-ES ephemeral key must be P-256");
  }
  const size_t key_size = ContentKeySize(options.enc);
  if (key_size == 0) {
    return Error(StatusCode::kUnsupportedAlgorithm, "JWE enc \"" + options.enc + "\" is not supported");
  }
  Json header = Json::object();
  header["alg"] = std::string(kJweAlgEcdhEs);
  header["enc"] = options.enc;
  header["epk"] = ephemeral.public_key().ToJwk();
  if (!options.kid.empty()) header["kid"] = options.kid;
  if (!options.apu.empty()) header["apu"] = Base64UrlEncode(options.apu);
  if (!options.apv.empty()) header["apv"] = Base64UrlEncode(options.apv);
  if (!options.typ.empty()) header["typ"] = options.typ;
  if (!options.cty.empty()) header["cty"] = options.cty;
  const std::string header_json = DumpJson(header);
  if (header_json.size() > kMaxJweHeaderBytes) {
    return Error(StatusCode::kInvalidArgument,
                 "JWE header exceeds " + std::to_string(kMaxJweHeaderBytes) + " bytes");
  }

  ASSIGN_OR_RETURN(SecretBytes cek,
                   DeriveContentKey(ephemeral, recipient, options.enc, key_size, options.apu, options.apv));
  std::string out;
  out.reserve((header_json.size() + plaintext.size() + kIvSize + kTagSize) * 4 / 3 + 16);
  Base64UrlAppend(out, AsBytes(header_json));
  std::array<uint8_t, kIvSize> iv;
  random.Fill(iv);
  // The AAD is the encoded protected header, i.e. all of `out` so far.
  ASSIGN_OR_RETURN(Bytes sealed, GcmSeal(cek.view(), iv, AsBytes(out), plaintext));
  const ByteView sealed_view(sealed);
  out += "..";  // the encrypted key is empty in Direct Key Agreement
  Base64UrlAppend(out, iv);
  out.push_back('.');
  Base64UrlAppend(out, sealed_view.first(sealed.size() - kTagSize));
  out.push_back('.');
  Base64UrlAppend(out, sealed_view.last(kTagSize));
  return out;
}

}  // namespace internal

Result<std::string> EncryptEcdhEs(const crypto::PublicKey& recipient, ByteView plaintext,
                                  const JweEncryptOptions& options, Random& random) {
  // Check what can be checked before paying for a key generation.
  if (recipient.alg() != SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "ECDH-ES recipient key must be P-256");
  }
  if (ContentKeySize(options.enc) == 0) {
    return Error(StatusCode::kUnsupportedAlgorithm, "JWE enc \"" + options.enc + "\" is not supported");
  }
  ASSIGN_OR_RETURN(crypto::PrivateKey ephemeral, crypto::PrivateKey::Generate(SignatureAlg::kES256));
  return internal::EncryptEcdhEsWithEphemeralKey(recipient, ephemeral, plaintext, options, random);
}

Result<DecryptedJwe> DecryptEcdhEs(std::string_view compact, const crypto::PrivateKey& recipient,
                                   const JweDecryptOptions& options) {
  if (compact.size() > options.max_bytes) {
    return Error(StatusCode::kLimitExceeded, "JWE exceeds " + std::to_string(options.max_bytes) + " bytes");
  }
  if (recipient.alg() != SignatureAlg::kES256) {
    return Error(StatusCode::kInvalidKey, "ECDH-ES recipient key must be P-256");
  }

  // Five parts: header . encrypted key . IV . ciphertext . tag
  std::array<std::string_view, 5> parts;
  std::string_view rest = compact;
  for (size_t i = 0; i < 4; ++i) {
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos)
      return Error(StatusCode::kMalformed, "JWE needs five dot-separated parts");
    parts[i] = rest.substr(0, dot);
    rest.remove_prefix(dot + 1);
  }
  if (rest.find('.') != std::string_view::npos) {
    return Error(StatusCode::kMalformed, "JWE needs five dot-separated parts");
  }
  parts[4] = rest;

  ASSIGN_OR_RETURN(Bytes header_bytes, DecodePart(parts[0], "protected header"));
  auto parsed = ParseJson(AsStringView(header_bytes), JsonLimits{kMaxJweHeaderBytes, 8});
  if (!parsed.ok()) return Error(StatusCode::kMalformed, "JWE header: " + parsed.status().message());
  if (!parsed->is_object()) return Error(StatusCode::kMalformed, "JWE header is not a JSON object");
  DecryptedJwe out;
  out.protected_header = std::move(parsed).value();
  const Json& header = out.protected_header;

  const Json* alg = Find(header, "alg");
  if (alg == nullptr || !alg->is_string())
    return Error(StatusCode::kMalformed, "JWE header has no string \"alg\"");
  if (alg->get_ref<const std::string&>() != kJweAlgEcdhEs) {
    return Error(StatusCode::kUnsupportedAlgorithm,
                 "JWE alg \"" + alg->get_ref<const std::string&>() + "\" is not supported (only ECDH-ES)");
  }
  const Json* enc = Find(header, "enc");
  if (enc == nullptr || !enc->is_string())
    return Error(StatusCode::kMalformed, "JWE header has no string \"enc\"");
  out.enc = enc->get_ref<const std::string&>();
  const size_t key_size = ContentKeySize(out.enc);
  const bool accepted = std::find(options.accepted_enc.begin(), options.accepted_enc.end(), out.enc) !=
                        options.accepted_enc.end();
  if (key_size == 0 || !accepted) {
    return Error(StatusCode::kUnsupportedAlgorithm, "JWE enc \"" + out.enc + "\" is not accepted");
  }
  if (Find(header, "zip") != nullptr) {
    return Error(StatusCode::kUnsupportedAlgorithm, "JWE compression (\"zip\") is not supported");
  }
  if (Find(header, "crit") != nullptr) {
    return Error(StatusCode::kUnknownCritical, "JWE \"crit\" is not supported: no extensions are processed");
  }

  if (!parts[1].empty()) return Error(StatusCode::kMalformed, "ECDH-ES JWE must have an empty encrypted key");
  ASSIGN_OR_RETURN(Bytes iv, DecodePart(parts[2], "IV"));
  if (iv.size() != kIvSize) return Error(StatusCode::kMalformed, "JWE IV must be 12 bytes");
  ASSIGN_OR_RETURN(Bytes sealed, DecodePart(parts[3], "ciphertext"));
  ASSIGN_OR_RETURN(Bytes tag, DecodePart(parts[4], "tag"));
  if (tag.size() != kTagSize) return Error(StatusCode::kMalformed, "JWE tag must be 16 bytes");
  sealed.insert(sealed.end(), tag.begin(), tag.end());

  if (const Json* kid = Find(header, "kid"); kid != nullptr) {
    if (!kid->is_string()) return Error(StatusCode::kMalformed, "JWE \"kid\" is not a string");
    out.kid = kid->get_ref<const std::string&>();
  }
  if (options.expected_kid && (Find(header, "kid") == nullptr || out.kid != *options.expected_kid)) {
    return Error(StatusCode::kInvalidKey, "JWE kid does not name the expected key");
  }
  ASSIGN_OR_RETURN(out.apu, OptionalBase64UrlMember(header, "apu"));
  ASSIGN_OR_RETURN(out.apv, OptionalBase64UrlMember(header, "apv"));
  ASSIGN_OR_RETURN(crypto::PublicKey epk, EphemeralKey(header));

  ASSIGN_OR_RETURN(SecretBytes cek, DeriveContentKey(recipient, epk, out.enc, key_size, out.apu, out.apv));
  auto plaintext = GcmOpen(cek.view(), iv, AsBytes(parts[0]), sealed);
  if (!plaintext.ok()) {
    if (plaintext.status().code() == StatusCode::kInvalidSignature) return plaintext.status();
    return Error(StatusCode::kInternal, "JWE decryption: " + plaintext.status().message());
  }
  out.plaintext = std::move(plaintext).value();
  return out;
}

}  // namespace bonafide::jose
