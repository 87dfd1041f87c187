#include "mdoc/issuer.h"

#include <set>
#include <utility>

#include "cose/cose_key.h"
#include "cose/cose_sign1.h"

namespace bonafide::mdoc {
namespace {

Status Invalid(const std::string& what) { return Error(StatusCode::kInvalidArgument, "mdoc issue: " + what); }

Result<cbor::Value> TDate(int64_t t) {
  ASSIGN_OR_RETURN(std::string text, cbor::FormatTDate(t));
  return cbor::Value::TDate(text);
}

std::string_view DigestAlgorithmName(crypto::HashAlg alg) {
  switch (alg) {
    case crypto::HashAlg::kSha384: return "SHA-384";
    case crypto::HashAlg::kSha512: return "SHA-512";
    case crypto::HashAlg::kSha256: return "SHA-256";
  }
  return "SHA-256";
}

}  // namespace

Result<cbor::Value> IssueMdoc(const IssueRequest& request, const crypto::Signer& document_signer,
                              const std::vector<Bytes>& ds_chain, Random& random) {
  if (request.doc_type.empty()) return Invalid("docType is empty");
  if (request.name_spaces.empty()) return Invalid("no elements to issue");
  if (ds_chain.empty()) return Invalid("no document signer certificate");
  const ValidityInfo& v = request.validity;
  if (v.valid_from < v.signed_at) return Invalid("validFrom is before signed");
  if (v.valid_until <= v.valid_from) return Invalid("validUntil is not after validFrom");

  // All the randomness in one draw (a CSPRNG call costs more than hashing an item): per element
  // a 16-byte salt and 4 bytes for its digestID.
  size_t element_count = 0;
  for (const auto& [ns, elements] : request.name_spaces) element_count += elements.size();
  constexpr size_t kSaltSize = 16;
  constexpr size_t kPerElement = kSaltSize + 4;
  Bytes entropy(element_count * kPerElement);
  random.Fill(entropy);
  size_t next = 0;

  cbor::Value name_spaces = cbor::Value::MakeMap();
  cbor::Value value_digests = cbor::Value::MakeMap();
  std::set<std::string_view> seen_name_spaces;
  Bytes item;
  Bytes item_bytes;
  for (const auto& [ns, elements] : request.name_spaces) {
    if (ns.empty() || elements.empty()) return Invalid("namespace \"" + ns + "\" is empty");
    if (!seen_name_spaces.insert(ns).second) return Invalid("namespace \"" + ns + "\" given twice");
    std::set<std::string_view> seen_elements;
    std::set<uint64_t> used_ids;
    cbor::Array items;
    items.reserve(elements.size());
    cbor::Value digests = cbor::Value::MakeMap();
    for (const auto& [name, value] : elements) {
      if (name.empty() || !seen_elements.insert(name).second) {
        return Invalid("element \"" + name + "\" of \"" + ns + "\" is empty or given twice");
      }
      const uint8_t* draw = entropy.data() + next * kPerElement;
      ++next;
      // A digestID uniform in [0, 2^31); a repeat within the namespace (about one issuance in
      // 10^7 for 12 elements) draws again.
      uint64_t digest_id = ((uint64_t{draw[kSaltSize]} << 24) | (uint64_t{draw[kSaltSize + 1]} << 16) |
                            (uint64_t{draw[kSaltSize + 2]} << 8) | draw[kSaltSize + 3]) &
                           0x7fffffff;
      while (!used_ids.insert(digest_id).second) digest_id = random.Uniform(uint64_t{1} << 31);

      // IssuerSignedItem, written directly in deterministic order (keys sorted by their
      // encodings: "random" < "digestID" < "elementValue" < "elementIdentifier").
      item.clear();
      item.push_back(0xa4);
      cbor::AppendTextString(item, "random");
      cbor::AppendByteString(item, ByteView(draw, kSaltSize));
      cbor::AppendTextString(item, "digestID");
      cbor::AppendHead(item, 0, digest_id);
      cbor::AppendTextString(item, "elementValue");
      cbor::AppendEncodeDeterministic(item, value);
      cbor::AppendTextString(item, "elementIdentifier");
      cbor::AppendTextString(item, name);
      // IssuerSignedItemBytes = #6.24(bstr), and its digest.
      item_bytes.clear();
      item_bytes.push_back(0xd8);
      item_bytes.push_back(24);
      cbor::AppendByteString(item_bytes, item);
      digests.Insert(cbor::Value::Uint(digest_id),
                     cbor::Value::ByteString(crypto::Digest(request.digest_algorithm, item_bytes)));
      items.push_back(cbor::Value::EmbeddedCborBytes(item));
    }
    name_spaces.Insert(ns, cbor::Value::MakeArray(std::move(items)));
    value_digests.Insert(ns, std::move(digests));
  }

  cbor::Value key_info = cbor::Value::MakeMap();
  key_info.Insert("deviceKey", cose::CoseKeyFromPublicKey(request.device_key));
  const KeyAuthorizations& auth = request.key_authorizations;
  if (!auth.name_spaces.empty() || !auth.data_elements.empty()) {
    cbor::Value a = cbor::Value::MakeMap();
    if (!auth.name_spaces.empty()) {
      cbor::Array list;
      for (const std::string& ns : auth.name_spaces) list.push_back(cbor::Value::Text(ns));
      a.Insert("nameSpaces", cbor::Value::MakeArray(std::move(list)));
    }
    if (!auth.data_elements.empty()) {
      cbor::Value m = cbor::Value::MakeMap();
      for (const auto& [ns, names] : auth.data_elements) {
        cbor::Array list;
        for (const std::string& n : names) list.push_back(cbor::Value::Text(n));
        m.Insert(ns, cbor::Value::MakeArray(std::move(list)));
      }
      a.Insert("dataElements", std::move(m));
    }
    key_info.Insert("keyAuthorizations", std::move(a));
  }

  cbor::Value validity = cbor::Value::MakeMap();
  ASSIGN_OR_RETURN(cbor::Value signed_at, TDate(v.signed_at));
  ASSIGN_OR_RETURN(cbor::Value valid_from, TDate(v.valid_from));
  ASSIGN_OR_RETURN(cbor::Value valid_until, TDate(v.valid_until));
  validity.Insert("signed", std::move(signed_at));
  validity.Insert("validFrom", std::move(valid_from));
  validity.Insert("validUntil", std::move(valid_until));
  if (v.expected_update) {
    ASSIGN_OR_RETURN(cbor::Value expected, TDate(*v.expected_update));
    validity.Insert("expectedUpdate", std::move(expected));
  }

  cbor::Value mso = cbor::Value::MakeMap();
  mso.Insert("version", cbor::Value::Text(kMsoVersion));
  mso.Insert("digestAlgorithm", cbor::Value::Text(DigestAlgorithmName(request.digest_algorithm)));
  mso.Insert("valueDigests", std::move(value_digests));
  mso.Insert("deviceKeyInfo", std::move(key_info));
  mso.Insert("docType", cbor::Value::Text(request.doc_type));
  mso.Insert("validityInfo", std::move(validity));
  if (request.status) {
    cbor::Value ref = cbor::Value::MakeMap();
    ref.Insert("idx", cbor::Value::Uint(request.status->idx));
    ref.Insert("uri", cbor::Value::Text(request.status->uri));
    cbor::Value status = cbor::Value::MakeMap();
    status.Insert("status_list", std::move(ref));
    mso.Insert("status", std::move(status));
  }

  const Bytes payload = cbor::Encode(cbor::Value::EmbeddedCbor(mso));
  cose::Sign1Headers headers;
  headers.x5chain = ds_chain;
  ASSIGN_OR_RETURN(cbor::Value issuer_auth,
                   cose::SignSign1Value(headers, payload, document_signer, {}, cose::Sign1Form{.tagged = false}));

  cbor::Value issuer_signed = cbor::Value::MakeMap();
  issuer_signed.Insert("nameSpaces", std::move(name_spaces));
  issuer_signed.Insert("issuerAuth", std::move(issuer_auth));
  return issuer_signed;
}

}  // namespace bonafide::mdoc
