#include "mdoc/holder.h"

#include <utility>

#include "cose/cose_mac0.h"
#include "cose/cose_sign1.h"
#include "crypto/hash.h"
#include "mdoc/mdoc.h"

namespace bonafide::mdoc {

Bytes DeviceAuthenticationBytes(ByteView session_transcript, std::string_view doc_type,
                                const cbor::Value& device_name_spaces_bytes) {
  static constexpr std::string_view kContext = "DeviceAuthentication";
  Bytes inner;
  inner.reserve(64 + session_transcript.size() + doc_type.size());
  inner.push_back(0x84);
  cbor::AppendTextString(inner, kContext);
  inner.insert(inner.end(), session_transcript.begin(), session_transcript.end());
  cbor::AppendTextString(inner, doc_type);
  cbor::AppendEncode(inner, device_name_spaces_bytes);
  Bytes out;
  out.reserve(inner.size() + 8);
  out.push_back(0xd8);
  out.push_back(24);
  cbor::AppendByteString(out, inner);
  return out;
}

Result<SecretBytes> DeriveEMacKey(const crypto::PrivateKey& mine, const crypto::PublicKey& theirs,
                                  ByteView session_transcript) {
  ASSIGN_OR_RETURN(SecretBytes shared, crypto::EcdhP256(mine, theirs));
  Bytes transcript_bytes = {0xd8, 24};
  cbor::AppendByteString(transcript_bytes, session_transcript);
  const Bytes salt = crypto::Sha256(transcript_bytes);
  return crypto::Hkdf(crypto::HashAlg::kSha256, shared.view(), salt, AsBytes("EMacKey"), 32);
}

Result<HeldMdoc> HeldMdoc::Decode(ByteView issuer_signed) {
  ASSIGN_OR_RETURN(cbor::Value value, cbor::Decode(issuer_signed));
  return FromIssuerSigned(std::move(value));
}

Result<HeldMdoc> HeldMdoc::FromIssuerSigned(cbor::Value issuer_signed) {
  if (!issuer_signed.is_map()) return Error(StatusCode::kMalformed, "IssuerSigned is not a map");
  const cbor::Value* name_spaces = issuer_signed.Find("nameSpaces");
  const cbor::Value* issuer_auth = issuer_signed.Find("issuerAuth");
  if (name_spaces == nullptr || !name_spaces->is_map() || issuer_auth == nullptr) {
    return Error(StatusCode::kMalformed, "IssuerSigned lacks nameSpaces or issuerAuth");
  }
  ASSIGN_OR_RETURN(cose::UnverifiedSign1 sign1, cose::UnverifiedSign1::FromValue(*issuer_auth));
  ASSIGN_OR_RETURN(cbor::Value mso_bytes, cbor::Decode(sign1.unverified_payload()));
  ASSIGN_OR_RETURN(cbor::Value mso_value, mso_bytes.DecodeEmbedded());
  ASSIGN_OR_RETURN(MobileSecurityObject mso, ParseMobileSecurityObject(std::move(mso_value)));

  HeldMdoc out(std::move(mso.device_key));
  for (const auto& [ns, items] : name_spaces->map()) {
    if (!ns.is_text() || !items.is_array()) return Error(StatusCode::kMalformed, "IssuerSigned namespace is mistyped");
    std::vector<Element> elements;
    elements.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      ASSIGN_OR_RETURN(IssuerSignedItem item, ParseIssuerSignedItem(items.array()[i]));
      for (const Element& e : elements) {
        if (e.name == item.element_identifier) {
          return Error(StatusCode::kMalformed, "element " + e.name + " appears twice in the mdoc");
        }
      }
      elements.push_back(Element{std::move(item.element_identifier), i});
    }
    out.elements_.emplace_back(std::string(ns.text()), std::move(elements));
  }
  out.doc_type_ = std::move(mso.doc_type);
  out.issuer_signed_ = std::move(issuer_signed);
  return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> HeldMdoc::element_names() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& [ns, elements] : elements_) {
    std::vector<std::string> names;
    for (const Element& e : elements) names.push_back(e.name);
    out.emplace_back(ns, std::move(names));
  }
  return out;
}

Result<cbor::Value> HeldMdoc::Present(const Disclosure& disclose, ByteView session_transcript,
                                      const DeviceAuthOptions& auth) const {
  const crypto::Signer* signer = auth.device_key != nullptr ? auth.device_key : auth.device_signer;
  if (signer == nullptr) return Error(StatusCode::kInvalidArgument, "no device key");
  if (auth.reader_ephemeral_key && auth.device_key == nullptr) {
    return Error(StatusCode::kInvalidArgument, "deviceMac needs the device private key");
  }
  if (disclose.empty()) return Error(StatusCode::kInvalidArgument, "nothing to disclose");
  if (!device_key_.Equals(signer->public_key())) {
    return Error(StatusCode::kInvalidKey, "the device key is not the one the mdoc is bound to");
  }
  const cbor::Value& stored_name_spaces = *issuer_signed_.Find("nameSpaces");
  cbor::Value released = cbor::Value::MakeMap();
  for (const auto& [ns, names] : disclose) {
    if (released.Find(ns) != nullptr) return Error(StatusCode::kInvalidArgument, "namespace \"" + ns + "\" twice");
    const std::vector<Element>* held = nullptr;
    for (const auto& [held_ns, elements] : elements_) {
      if (held_ns == ns) held = &elements;
    }
    if (held == nullptr) return Error(StatusCode::kNotFound, "the mdoc has no namespace \"" + ns + "\"");
    const cbor::Array& items = stored_name_spaces.Find(ns)->array();
    cbor::Array selected;
    selected.reserve(names.size());
    for (size_t n = 0; n < names.size(); ++n) {
      const std::string& name = names[n];
      for (size_t m = 0; m < n; ++m) {
        if (names[m] == name) return Error(StatusCode::kInvalidArgument, "element " + ns + "/" + name + " twice");
      }
      const Element* found = nullptr;
      for (const Element& e : *held) {
        if (e.name == name) found = &e;
      }
      if (found == nullptr) return Error(StatusCode::kNotFound, "the mdoc has no element " + ns + "/" + name);
      selected.push_back(items[found->index]);
    }
    released.Insert(ns, cbor::Value::MakeArray(std::move(selected)));
  }

  cbor::Value released_issuer_signed = cbor::Value::MakeMap();
  released_issuer_signed.Insert("nameSpaces", std::move(released));
  released_issuer_signed.Insert("issuerAuth", *issuer_signed_.Find("issuerAuth"));

  const cbor::Value device_name_spaces_bytes = cbor::Value::EmbeddedCbor(auth.device_name_spaces);
  const Bytes device_authentication =
      DeviceAuthenticationBytes(session_transcript, doc_type_, device_name_spaces_bytes);
  cbor::Value device_auth = cbor::Value::MakeMap();
  if (auth.reader_ephemeral_key) {
    ASSIGN_OR_RETURN(SecretBytes key, DeriveEMacKey(*auth.device_key, *auth.reader_ephemeral_key, session_transcript));
    ASSIGN_OR_RETURN(cbor::Value mac, cose::CreateMac0(cose::MacAlg::kHmac256, key.view(), device_authentication, {},
                                                       cose::Mac0Form{.tagged = false, .detached = true}));
    device_auth.Insert("deviceMac", std::move(mac));
  } else {
    ASSIGN_OR_RETURN(cbor::Value signature,
                     cose::SignSign1Value({}, device_authentication, *signer, {},
                                          cose::Sign1Form{.tagged = false, .detached = true}));
    device_auth.Insert("deviceSignature", std::move(signature));
  }
  cbor::Value device_signed = cbor::Value::MakeMap();
  device_signed.Insert("nameSpaces", device_name_spaces_bytes);
  device_signed.Insert("deviceAuth", std::move(device_auth));

  cbor::Value document = cbor::Value::MakeMap();
  document.Insert("docType", cbor::Value::Text(doc_type_));
  document.Insert("issuerSigned", std::move(released_issuer_signed));
  document.Insert("deviceSigned", std::move(device_signed));
  return document;
}

Result<cbor::Value> PresentDocument(const cbor::Value& issuer_signed, const Disclosure& disclose,
                                    ByteView session_transcript, const DeviceAuthOptions& auth) {
  ASSIGN_OR_RETURN(HeldMdoc held, HeldMdoc::FromIssuerSigned(issuer_signed));
  return held.Present(disclose, session_transcript, auth);
}

Bytes BuildDeviceResponse(std::vector<cbor::Value> documents) {
  cbor::Value response = cbor::Value::MakeMap();
  response.Insert("version", cbor::Value::Text(kDeviceResponseVersion));
  response.Insert("documents", cbor::Value::MakeArray(std::move(documents)));
  response.Insert("status", cbor::Value::Uint(0));
  return cbor::Encode(response);
}

}  // namespace bonafide::mdoc
