#include "mdoc/mdoc.h"

#include <algorithm>

#include "cose/cose_key.h"
#include "status/status_list_cwt.h"

namespace bonafide::mdoc {
namespace {

Status Bad(const std::string& what) { return Error(StatusCode::kMalformed, "MSO: " + what); }

Result<const cbor::Value*> Member(const cbor::Value& map, std::string_view key, const char* where) {
  const cbor::Value* v = map.Find(key);
  if (v == nullptr) return Error(StatusCode::kMalformed, std::string(where) + ": " + std::string(key) + " is missing");
  return v;
}

Result<std::string> TextMember(const cbor::Value& map, std::string_view key, const char* where) {
  ASSIGN_OR_RETURN(const cbor::Value* v, Member(map, key, where));
  if (!v->is_text()) return Error(StatusCode::kMalformed, std::string(where) + ": " + std::string(key) + " is not text");
  return std::string(v->text());
}

Status ReadKeyAuthorizations(const cbor::Value& v, KeyAuthorizations& out) {
  if (!v.is_map()) return Bad("keyAuthorizations is not a map");
  if (const cbor::Value* ns = v.Find("nameSpaces")) {
    if (!ns->is_array()) return Bad("keyAuthorizations.nameSpaces is not an array");
    for (const cbor::Value& n : ns->array()) {
      if (!n.is_text()) return Bad("keyAuthorizations.nameSpaces entry is not text");
      out.name_spaces.emplace_back(n.text());
    }
  }
  if (const cbor::Value* de = v.Find("dataElements")) {
    if (!de->is_map()) return Bad("keyAuthorizations.dataElements is not a map");
    for (const auto& [ns, elements] : de->map()) {
      if (!ns.is_text() || !elements.is_array()) return Bad("keyAuthorizations.dataElements entry is mistyped");
      std::vector<std::string> names;
      for (const cbor::Value& e : elements.array()) {
        if (!e.is_text()) return Bad("keyAuthorizations.dataElements element is not text");
        names.emplace_back(e.text());
      }
      out.data_elements.emplace_back(std::string(ns.text()), std::move(names));
    }
  }
  return OkStatus();
}

}  // namespace

bool KeyAuthorizations::Allows(std::string_view name_space, std::string_view element) const {
  if (std::find(name_spaces.begin(), name_spaces.end(), name_space) != name_spaces.end()) return true;
  for (const auto& [ns, elements] : data_elements) {
    if (ns == name_space && std::find(elements.begin(), elements.end(), element) != elements.end()) return true;
  }
  return false;
}

Result<int64_t> TDateToUnix(const cbor::Value& v) {
  ASSIGN_OR_RETURN(const cbor::Value* text, v.AsTagged(cbor::kTagTDate));
  if (!text->is_text()) return Error(StatusCode::kMalformed, "tdate is not text");
  return cbor::ParseTDate(text->text());
}

ByteView MobileSecurityObject::FindDigest(std::string_view name_space, uint64_t digest_id) const {
  const cbor::Value* ids = value_digests.Find(name_space);
  if (ids == nullptr) return {};
  for (const auto& [id, digest] : ids->map()) {
    if (id.is_uint() && id.uint_value() == digest_id) return digest.bytes();
  }
  return {};
}

Result<MobileSecurityObject> ParseMobileSecurityObject(cbor::Value mso) {
  if (!mso.is_map()) return Bad("not a map");
  ASSIGN_OR_RETURN(const cbor::Value* key_info, Member(mso, "deviceKeyInfo", "MSO"));
  if (!key_info->is_map()) return Bad("deviceKeyInfo is not a map");
  ASSIGN_OR_RETURN(const cbor::Value* device_key, Member(*key_info, "deviceKey", "deviceKeyInfo"));
  ASSIGN_OR_RETURN(crypto::PublicKey key, cose::PublicKeyFromCoseKey(*device_key));
  MobileSecurityObject out{.device_key = std::move(key)};
  ASSIGN_OR_RETURN(out.version, TextMember(mso, "version", "MSO"));
  if (out.version != kMsoVersion) return Bad("version \"" + out.version + "\" is not 1.0");
  ASSIGN_OR_RETURN(std::string digest_alg, TextMember(mso, "digestAlgorithm", "MSO"));
  if (digest_alg == "SHA-256") {
    out.digest_algorithm = crypto::HashAlg::kSha256;
  } else if (digest_alg == "SHA-384") {
    out.digest_algorithm = crypto::HashAlg::kSha384;
  } else if (digest_alg == "SHA-512") {
    out.digest_algorithm = crypto::HashAlg::kSha512;
  } else {
    return Error(StatusCode::kUnsupportedAlgorithm, "MSO digestAlgorithm \"" + digest_alg + "\" is not supported");
  }
  const size_t digest_size = crypto::DigestSize(out.digest_algorithm);

  ASSIGN_OR_RETURN(const cbor::Value* digests, Member(mso, "valueDigests", "MSO"));
  if (!digests->is_map()) return Bad("valueDigests is not a map");
  for (const auto& [ns, ids] : digests->map()) {
    if (!ns.is_text() || !ids.is_map()) return Bad("valueDigests entry is mistyped");
    for (const auto& [id, digest] : ids.map()) {
      if (!id.is_uint() || !digest.is_bytes()) return Bad("valueDigests digest entry is mistyped");
      if (digest.bytes().size() != digest_size) return Bad("a value digest has the wrong length");
    }
  }

  if (const cbor::Value* auth = key_info->Find("keyAuthorizations")) {
    RETURN_IF_ERROR(ReadKeyAuthorizations(*auth, out.key_authorizations));
  }

  ASSIGN_OR_RETURN(out.doc_type, TextMember(mso, "docType", "MSO"));
  ASSIGN_OR_RETURN(const cbor::Value* validity, Member(mso, "validityInfo", "MSO"));
  if (!validity->is_map()) return Bad("validityInfo is not a map");
  auto read_date = [&](std::string_view name, int64_t& into) -> Status {
    ASSIGN_OR_RETURN(const cbor::Value* v, Member(*validity, name, "validityInfo"));
    Result<int64_t> t = TDateToUnix(*v);
    if (!t.ok()) return Bad("validityInfo." + std::string(name) + " is not a tdate: " + t.status().message());
    into = *t;
    return OkStatus();
  };
  RETURN_IF_ERROR(read_date("signed", out.validity.signed_at));
  RETURN_IF_ERROR(read_date("validFrom", out.validity.valid_from));
  RETURN_IF_ERROR(read_date("validUntil", out.validity.valid_until));
  if (validity->Find("expectedUpdate") != nullptr) {
    int64_t expected = 0;
    RETURN_IF_ERROR(read_date("expectedUpdate", expected));
    out.validity.expected_update = expected;
  }
  if (out.validity.valid_from < out.validity.signed_at) return Bad("validFrom is before signed");
  if (out.validity.valid_until <= out.validity.valid_from) return Bad("validUntil is not after validFrom");

  if (const cbor::Value* status = mso.Find("status")) {
    Result<status::StatusReference> ref = status::StatusReferenceFromStatusMap(*status);
    if (!ref.ok()) return Bad("status: " + ref.status().message());
    out.status = std::move(*ref);
  }
  for (auto& [member, value] : mso.mutable_map()) {
    if (member.is_text() && member.text() == "valueDigests") {
      out.value_digests = std::move(value);
      break;
    }
  }
  return out;
}

Result<IssuerSignedItem> ParseIssuerSignedItem(const cbor::Value& item_bytes) {
  Result<cbor::Value> decoded = item_bytes.DecodeEmbedded();
  if (!decoded.ok()) {
    return Error(StatusCode::kMalformed, "IssuerSignedItemBytes is not tag 24 over one CBOR item: " +
                                             decoded.status().message());
  }
  const cbor::Value& item = *decoded;
  if (!item.is_map() || item.size() != 4) {
    return Error(StatusCode::kMalformed, "IssuerSignedItem is not a map of four members");
  }
  IssuerSignedItem out;
  const cbor::Value* id = item.Find("digestID");
  const cbor::Value* random = item.Find("random");
  const cbor::Value* name = item.Find("elementIdentifier");
  const cbor::Value* value = item.Find("elementValue");
  if (id == nullptr || !id->is_uint() || random == nullptr || !random->is_bytes() || name == nullptr ||
      !name->is_text() || value == nullptr) {
    return Error(StatusCode::kMalformed, "IssuerSignedItem members are missing or mistyped");
  }
  if (random->bytes().size() < 16) return Error(StatusCode::kMalformed, "IssuerSignedItem random is under 16 bytes");
  out.digest_id = id->uint_value();
  out.random.assign(random->bytes().begin(), random->bytes().end());
  out.element_identifier = std::string(name->text());
  // Move the value out of the decoded item rather than copying it (a portrait is kilobytes).
  for (auto& [member, v] : decoded->mutable_map()) {
    if (member.is_text() && member.text() == "elementValue") out.element_value = std::move(v);
  }
  return out;
}

Bytes ItemDigest(crypto::HashAlg alg, const cbor::Value& item_bytes) {
  if (std::optional<ByteView> original = item_bytes.original_encoding()) return crypto::Digest(alg, *original);
  return crypto::Digest(alg, cbor::Encode(item_bytes));
}

}  // namespace bonafide::mdoc
