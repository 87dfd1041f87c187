#include "mdoc/verifier.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "cose/cose_mac0.h"
#include "cose/cose_sign1.h"
#include "mdoc/doctypes.h"
#include "mdoc/holder.h"

namespace bonafide::mdoc {
namespace {

Status Malformed(const std::string& what) { return Error(StatusCode::kMalformed, "mdoc: " + what); }

// OnlyMembers fails with kMalformed when `map` has a key outside `allowed`: the 18013-5 structures
// checked here are closed, and a corrupted key must not make a member silently disappear.
Status OnlyMembers(const cbor::Value& map, std::initializer_list<std::string_view> allowed, const char* where) {
  for (const auto& [key, value] : map.map()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || (key.is_text() && key.text() == name);
    if (!known) return Malformed(std::string(where) + " has an unknown member " + cbor::ToDiagnostic(key));
  }
  return OkStatus();
}

bool Contains(const std::vector<std::pair<std::string, cbor::Value>>& elements, std::string_view name) {
  for (const auto& [n, v] : elements) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace

const cbor::Value* VerifiedDocument::Find(std::string_view name_space, std::string_view element) const {
  for (const auto& [ns, elements] : issuer_signed_) {
    if (ns != name_space) continue;
    for (const auto& [name, value] : elements) {
      if (name == element) return &value;
    }
  }
  return nullptr;
}

DeviceResponseVerifier& DeviceResponseVerifier::WithStatusCheck(StatusCheck check) {
  status_check_ = std::move(check);
  return *this;
}

DeviceResponseVerifier& DeviceResponseVerifier::SkipStatusCheck() {
  skip_status_ = true;
  return *this;
}

DeviceResponseVerifier& DeviceResponseVerifier::WithReaderKey(const crypto::PrivateKey& e_reader_key) {
  reader_key_ = &e_reader_key;
  return *this;
}

DeviceResponseVerifier& DeviceResponseVerifier::ExpectDocType(std::string doc_type) {
  expected_doc_type_ = std::move(doc_type);
  return *this;
}

Result<MobileSecurityObject> DeviceResponseVerifier::VerifyIssuerPart(const cbor::Value& issuer_signed,
                                                                      std::optional<std::string_view> doc_type,
                                                                      VerifiedDocument& out) const {
  if (!issuer_signed.is_map()) return Malformed("IssuerSigned is not a map");
  RETURN_IF_ERROR(OnlyMembers(issuer_signed, {"nameSpaces", "issuerAuth"}, "IssuerSigned"));
  const cbor::Value* issuer_auth = issuer_signed.Find("issuerAuth");
  if (issuer_auth == nullptr) return Malformed("IssuerSigned has no issuerAuth");
  const cbor::Value* name_spaces = issuer_signed.Find("nameSpaces");
  if (name_spaces != nullptr && !name_spaces->is_map()) return Malformed("IssuerSigned nameSpaces is not a map");

  // 2-3: the document signer chain, then the signature.
  ASSIGN_OR_RETURN(cose::UnverifiedSign1 sign1, cose::UnverifiedSign1::FromValue(*issuer_auth));
  if (sign1.unverified_x5chain().empty()) {
    return Error(StatusCode::kInvalidCertificate, "mdoc: issuerAuth has no x5chain");
  }
  const int64_t now = clock_->NowSeconds();
  ASSIGN_OR_RETURN(out.issuer_, trust_->ValidateChain(sign1.unverified_x5chain(), CertificatePurpose::kDocumentSigner, now));
  ASSIGN_OR_RETURN(cose::VerifiedSign1 verified, sign1.Verify(out.issuer_->public_key));

  // 4: the MSO.
  Result<cbor::Value> mso_bytes = cbor::Decode(verified.payload());
  if (!mso_bytes.ok()) return Malformed("issuerAuth payload is not CBOR: " + mso_bytes.status().message());
  if (!mso_bytes->is_tag(cbor::kTagEncodedCbor)) return Malformed("issuerAuth payload is not #6.24(MSO)");
  ASSIGN_OR_RETURN(cbor::Value mso_value, mso_bytes->DecodeEmbedded());
  ASSIGN_OR_RETURN(MobileSecurityObject mso, ParseMobileSecurityObject(std::move(mso_value)));

  // 5: docType.
  if (doc_type && *doc_type != mso.doc_type) {
    return Error(StatusCode::kInvalidType,
                 "mdoc: Document docType \"" + std::string(*doc_type) + "\" is not the MSO's \"" + mso.doc_type + "\"");
  }
  if (expected_doc_type_ && *expected_doc_type_ != mso.doc_type) {
    return Error(StatusCode::kInvalidType, "mdoc: docType \"" + mso.doc_type + "\" is not the expected \"" +
                                               *expected_doc_type_ + "\"");
  }

  // 6: validity.
  if (now < mso.validity.valid_from) return Error(StatusCode::kNotYetValid, "mdoc: MSO validFrom is in the future");
  if (now > mso.validity.valid_until) return Error(StatusCode::kExpired, "mdoc: MSO validUntil has passed");
  if (mso.validity.signed_at < out.issuer_->not_before || mso.validity.signed_at > out.issuer_->not_after) {
    return Error(StatusCode::kInvalidCertificate,
                 "mdoc: MSO signed date is outside the document signer certificate's validity");
  }

  // 7: every returned element against its digest.
  if (name_spaces != nullptr) {
    for (const auto& [ns_key, items] : name_spaces->map()) {
      if (!ns_key.is_text() || !items.is_array() || items.size() == 0) {
        return Malformed("IssuerSigned namespace is not text -> non-empty array");
      }
      const std::string_view ns = ns_key.text();
      if (!mso.HasNameSpace(ns)) {
        return Error(StatusCode::kDigestMismatch, "mdoc: the MSO has no digests for namespace " + std::string(ns));
      }
      std::vector<std::pair<std::string, cbor::Value>> elements;
      elements.reserve(items.size());
      std::vector<uint64_t> ids;
      ids.reserve(items.size());
      for (const cbor::Value& item_bytes : items.array()) {
        ASSIGN_OR_RETURN(IssuerSignedItem item, ParseIssuerSignedItem(item_bytes));
        const ByteView expected = mso.FindDigest(ns, item.digest_id);
        if (expected.empty()) {
          return Error(StatusCode::kDigestMismatch, "mdoc: no digest for digestID " + std::to_string(item.digest_id) +
                                                        " of " + std::string(ns));
        }
        const Bytes actual = ItemDigest(mso.digest_algorithm, item_bytes);
        if (!std::equal(actual.begin(), actual.end(), expected.begin(), expected.end())) {
          return Error(StatusCode::kDigestMismatch,
                       "mdoc: digest of " + std::string(ns) + "/" + item.element_identifier + " does not match the MSO");
        }
        for (uint64_t id : ids) {
          if (id == item.digest_id) {
            return Error(StatusCode::kDuplicateDisclosure, "mdoc: digestID returned twice in " + std::string(ns));
          }
        }
        if (Contains(elements, item.element_identifier)) {
          return Error(StatusCode::kDuplicateDisclosure,
                       "mdoc: element " + std::string(ns) + "/" + item.element_identifier + " returned twice");
        }
        ids.push_back(item.digest_id);
        elements.emplace_back(std::move(item.element_identifier), std::move(item.element_value));
      }
      for (const auto& [existing, unused] : out.issuer_signed_) {
        if (existing == ns) return Malformed("namespace listed twice");
      }
      out.issuer_signed_.emplace_back(std::string(ns), std::move(elements));
    }
  }
  RETURN_IF_ERROR(ValidateNameSpaces(mso.doc_type, out.issuer_signed_, /*require_mandatory=*/false));
  if (const cbor::Value* country = out.Find(kMdlNameSpace, "issuing_country")) {
    if (country->is_text() && !out.issuer_->country.empty() && country->text() != out.issuer_->country) {
      return Error(StatusCode::kInvalidClaims, "mdoc: issuing_country \"" + std::string(country->text()) +
                                                   "\" is not the document signer's country \"" +
                                                   out.issuer_->country + "\"");
    }
  }

  // 9: status (before device authentication would be as good; kept last so that a revoked but
  // otherwise intact credential reports `revoked`).
  if (mso.status) {
    if (status_check_) {
      RETURN_IF_ERROR(status_check_(*mso.status));
    } else if (!skip_status_) {
      return Error(StatusCode::kStatusUnavailable,
                   "mdoc: the MSO names a status list (" + mso.status->uri + ") and no status check is configured");
    }
  }
  out.doc_type_ = mso.doc_type;
  out.validity_ = mso.validity;
  out.status_ = mso.status;
  return mso;
}

Result<VerifiedDocument> DeviceResponseVerifier::VerifyIssuerSigned(const cbor::Value& issuer_signed) const {
  VerifiedDocument out;
  ASSIGN_OR_RETURN(MobileSecurityObject mso, VerifyIssuerPart(issuer_signed, std::nullopt, out));
  return out;
}

Result<VerifiedDocument> DeviceResponseVerifier::VerifyDocument(const cbor::Value& document,
                                                                ByteView session_transcript) const {
  if (!document.is_map()) return Malformed("Document is not a map");
  const cbor::Value* doc_type = document.Find("docType");
  const cbor::Value* issuer_signed = document.Find("issuerSigned");
  const cbor::Value* device_signed = document.Find("deviceSigned");
  if (doc_type == nullptr || !doc_type->is_text()) return Malformed("Document docType is missing or not text");
  if (issuer_signed == nullptr) return Malformed("Document has no issuerSigned");
  if (device_signed == nullptr || !device_signed->is_map()) return Malformed("Document has no deviceSigned map");
  RETURN_IF_ERROR(OnlyMembers(document, {"docType", "issuerSigned", "deviceSigned", "errors"}, "Document"));
  RETURN_IF_ERROR(OnlyMembers(*device_signed, {"nameSpaces", "deviceAuth"}, "DeviceSigned"));

  VerifiedDocument out;
  ASSIGN_OR_RETURN(MobileSecurityObject mso, VerifyIssuerPart(*issuer_signed, doc_type->text(), out));

  // 8: device authentication.
  const cbor::Value* device_name_spaces = device_signed->Find("nameSpaces");
  const cbor::Value* device_auth = device_signed->Find("deviceAuth");
  if (device_name_spaces == nullptr || !device_name_spaces->is_tag(cbor::kTagEncodedCbor)) {
    return Malformed("DeviceSigned nameSpaces is not DeviceNameSpacesBytes (#6.24)");
  }
  if (device_auth == nullptr || !device_auth->is_map() || device_auth->size() != 1) {
    return Malformed("DeviceAuth is not a map with exactly one of deviceSignature / deviceMac");
  }
  ASSIGN_OR_RETURN(cbor::Value device_items, device_name_spaces->DecodeEmbedded());
  if (!device_items.is_map()) return Malformed("DeviceNameSpaces is not a map");
  for (const auto& [ns, elements] : device_items.map()) {
    if (!ns.is_text() || !elements.is_map()) return Malformed("DeviceNameSpaces entry is mistyped");
    std::vector<std::pair<std::string, cbor::Value>> list;
    for (const auto& [name, value] : elements.map()) {
      if (!name.is_text()) return Malformed("DeviceSignedItems key is not text");
      if (!mso.key_authorizations.Allows(ns.text(), name.text())) {
        return Error(StatusCode::kInvalidClaims, "mdoc: the device key is not authorised to sign " +
                                                     std::string(ns.text()) + "/" + std::string(name.text()));
      }
      list.emplace_back(std::string(name.text()), value);
    }
    out.device_signed_.emplace_back(std::string(ns.text()), std::move(list));
  }

  const Bytes device_authentication =
      DeviceAuthenticationBytes(session_transcript, doc_type->text(), *device_name_spaces);
  if (const cbor::Value* signature = device_auth->Find("deviceSignature")) {
    ASSIGN_OR_RETURN(cose::UnverifiedSign1 sign1, cose::UnverifiedSign1::FromValue(*signature));
    if (!sign1.detached()) return Malformed("deviceSignature payload is not detached (nil)");
    RETURN_IF_ERROR(sign1.Verify(mso.device_key, {}, ByteView(device_authentication)).status());
    out.device_auth_ = DeviceAuthKind::kSignature;
  } else if (const cbor::Value* mac = device_auth->Find("deviceMac")) {
    if (reader_key_ == nullptr) {
      return Error(StatusCode::kInvalidArgument, "mdoc: deviceMac needs the reader's ephemeral key (WithReaderKey)");
    }
    ASSIGN_OR_RETURN(SecretBytes key, DeriveEMacKey(*reader_key_, mso.device_key, session_transcript));
    const cbor::Value* payload = mac->is_array() && mac->size() == 4 ? &mac->array()[2] : nullptr;
    if (payload == nullptr || !payload->is_null()) return Malformed("deviceMac payload is not detached (nil)");
    RETURN_IF_ERROR(
        cose::VerifyMac0(*mac, cose::MacAlg::kHmac256, key.view(), {}, ByteView(device_authentication)).status());
    out.device_auth_ = DeviceAuthKind::kMac;
  } else {
    return Malformed("DeviceAuth has neither deviceSignature nor deviceMac");
  }
  return out;
}

Result<std::vector<VerifiedDocument>> DeviceResponseVerifier::Verify(ByteView device_response,
                                                                     ByteView session_transcript) const {
  ASSIGN_OR_RETURN(cbor::Value response, cbor::Decode(device_response));
  if (!response.is_map()) return Malformed("DeviceResponse is not a map");
  RETURN_IF_ERROR(OnlyMembers(response, {"version", "documents", "documentErrors", "status"}, "DeviceResponse"));
  const cbor::Value* version = response.Find("version");
  if (version == nullptr || !version->is_text() || version->text().substr(0, 2) != "1.") {
    return Malformed("DeviceResponse version is missing or not 1.x");
  }
  const cbor::Value* status = response.Find("status");
  if (status == nullptr || !status->is_uint()) return Malformed("DeviceResponse status is missing or not a uint");
  if (status->uint_value() != 0) {
    return Error(StatusCode::kNotFound, "mdoc: DeviceResponse status is " + std::to_string(status->uint_value()));
  }
  const cbor::Value* documents = response.Find("documents");
  if (documents == nullptr) return Error(StatusCode::kNotFound, "mdoc: DeviceResponse holds no documents");
  if (!documents->is_array() || documents->size() == 0) return Malformed("DeviceResponse documents is not a non-empty array");
  std::vector<VerifiedDocument> out;
  out.reserve(documents->size());
  for (const cbor::Value& document : documents->array()) {
    ASSIGN_OR_RETURN(VerifiedDocument verified, VerifyDocument(document, session_transcript));
    out.push_back(std::move(verified));
  }
  return out;
}

}  // namespace bonafide::mdoc
