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

  cbor::Value name_spaces = cbor::Value::MakeMap();
  cbor::Value value_digests = cbor::Value::MakeMap();
  std::set<std::string_view> seen_name_spaces;
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
      uint64_t digest_id = 0;
      do {
        digest_id = random.Uniform(uint64_t{1} << 31);
      } while (!used_ids.insert(digest_id).second);
      cbor::Value item = cbor::Value::MakeMap();
      item.Insert("digestID", cbor::Value::Uint(digest_id));
      item.Insert("random", cbor::Value::ByteString(random.Generate(16)));
      item.Insert("elementIdentifier", cbor::Value::Text(name));
      item.Insert("elementValue", value);
      cbor::Value item_bytes = cbor::Value::EmbeddedCbor(item);
      digests.Insert(cbor::Value::Uint(digest_id),
                     cbor::Value::ByteString(crypto::Digest(request.digest_algorithm, cbor::Encode(item_bytes))));
      items.push_back(std::move(item_bytes));
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
