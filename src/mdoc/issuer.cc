#include "mdoc/issuer.h"

#include <algorithm>
#include <array>
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

Result<Bytes> IssueMdocEncoded(const IssueRequest& request, const crypto::Signer& document_signer,
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

  // Per namespace: the IssuerSignedItemBytes (whole tag-24 items) and their digests by ID.
  struct ItemDigest {
    uint64_t id;
    std::array<uint8_t, crypto::kMaxDigestSize> bytes;
    size_t size;
  };
  struct NameSpaceOut {
    std::string_view name;
    std::vector<Bytes> items;
    std::vector<ItemDigest> digests;
  };
  std::vector<NameSpaceOut> out_name_spaces;
  out_name_spaces.reserve(request.name_spaces.size());
  Bytes item;
  for (const auto& [ns, elements] : request.name_spaces) {
    if (ns.empty() || elements.empty()) return Invalid("namespace \"" + ns + "\" is empty");
    for (const NameSpaceOut& done : out_name_spaces) {
      if (done.name == ns) return Invalid("namespace \"" + ns + "\" given twice");
    }
    NameSpaceOut out{ns, {}, {}};
    out.items.reserve(elements.size());
    out.digests.reserve(elements.size());
    for (size_t e = 0; e < elements.size(); ++e) {
      const auto& [name, value] = elements[e];
      bool repeated = name.empty();
      for (size_t earlier = 0; earlier < e && !repeated; ++earlier) repeated = elements[earlier].first == name;
      if (repeated) return Invalid("element \"" + name + "\" of \"" + ns + "\" is empty or given twice");
      const uint8_t* draw = entropy.data() + next * kPerElement;
      ++next;
      // A digestID uniform in [0, 2^31); a repeat within the namespace (about one issuance in
      // 10^7 for 12 elements) draws again.
      uint64_t digest_id = ((uint64_t{draw[kSaltSize]} << 24) | (uint64_t{draw[kSaltSize + 1]} << 16) |
                            (uint64_t{draw[kSaltSize + 2]} << 8) | draw[kSaltSize + 3]) &
                           0x7fffffff;
      auto used = [&out](uint64_t id) {
        for (const ItemDigest& other : out.digests) {
          if (other.id == id) return true;
        }
        return false;
      };
      while (used(digest_id)) digest_id = random.Uniform(uint64_t{1} << 31);

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
      // IssuerSignedItemBytes = #6.24(bstr .cbor IssuerSignedItem), and its digest.
      Bytes item_bytes;
      item_bytes.reserve(item.size() + 8);
      item_bytes.push_back(0xd8);
      item_bytes.push_back(24);
      cbor::AppendByteString(item_bytes, item);
      ItemDigest& digest = out.digests.emplace_back();
      digest.id = digest_id;
      digest.size = crypto::DigestInto(request.digest_algorithm, item_bytes, digest.bytes);
      out.items.push_back(std::move(item_bytes));
    }
    out_name_spaces.push_back(std::move(out));
  }

  // The MSO, deterministically encoded (RFC 8949 4.2.1: map keys in the bytewise order of their
  // encodings). Its small members are built as values; valueDigests, the large one, is written
  // directly: namespaces sorted by their encoded names, digest IDs ascending (for unsigned
  // integers numeric order is encoding order).
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

  Bytes mso;
  mso.reserve(256 + element_count * 48);
  cbor::AppendHead(mso, 5, request.status ? 7 : 6);
  // Keys in encoding order: "status" < "docType" < "version" < "validityInfo" < "valueDigests"
  // < "deviceKeyInfo" < "digestAlgorithm" (shorter first, then bytewise).
  if (request.status) {
    cbor::Value ref = cbor::Value::MakeMap();
    ref.Insert("idx", cbor::Value::Uint(request.status->idx));
    ref.Insert("uri", cbor::Value::Text(request.status->uri));
    cbor::Value status = cbor::Value::MakeMap();
    status.Insert("status_list", std::move(ref));
    cbor::AppendTextString(mso, "status");
    cbor::AppendEncodeDeterministic(mso, status);
  }
  cbor::AppendTextString(mso, "docType");
  cbor::AppendTextString(mso, request.doc_type);
  cbor::AppendTextString(mso, "version");
  cbor::AppendTextString(mso, kMsoVersion);
  cbor::AppendTextString(mso, "validityInfo");
  cbor::AppendEncodeDeterministic(mso, validity);
  cbor::AppendTextString(mso, "valueDigests");
  {
    std::vector<std::pair<Bytes, const NameSpaceOut*>> sorted;
    for (const NameSpaceOut& ns : out_name_spaces) {
      Bytes key;
      cbor::AppendTextString(key, ns.name);
      sorted.emplace_back(std::move(key), &ns);
    }
    // string_view compares like memcmp (unsigned bytes), the order RFC 8949 4.2.1 asks for.
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return AsStringView(a.first) < AsStringView(b.first); });
    cbor::AppendHead(mso, 5, sorted.size());
    for (auto& [key, ns] : sorted) {
      mso.insert(mso.end(), key.begin(), key.end());
      std::vector<const ItemDigest*> ids;
      ids.reserve(ns->digests.size());
      for (const ItemDigest& digest : ns->digests) ids.push_back(&digest);
      std::sort(ids.begin(), ids.end(), [](const ItemDigest* a, const ItemDigest* b) { return a->id < b->id; });
      cbor::AppendHead(mso, 5, ids.size());
      for (const ItemDigest* digest : ids) {
        cbor::AppendHead(mso, 0, digest->id);
        cbor::AppendByteString(mso, ByteView(digest->bytes.data(), digest->size));
      }
    }
  }
  cbor::AppendTextString(mso, "deviceKeyInfo");
  cbor::AppendEncodeDeterministic(mso, key_info);
  cbor::AppendTextString(mso, "digestAlgorithm");
  cbor::AppendTextString(mso, DigestAlgorithmName(request.digest_algorithm));

  // issuerAuth: payload #6.24(bstr .cbor MSO), untagged COSE_Sign1, DS chain in x5chain.
  Bytes payload;
  payload.reserve(mso.size() + 8);
  payload.push_back(0xd8);
  payload.push_back(24);
  cbor::AppendByteString(payload, mso);
  cose::Sign1Headers headers;
  headers.x5chain = ds_chain;
  ASSIGN_OR_RETURN(cbor::Value issuer_auth,
                   cose::SignSign1Value(headers, payload, document_signer, {}, cose::Sign1Form{.tagged = false}));

  // IssuerSigned {"nameSpaces": {ns: [IssuerSignedItemBytes...]}, "issuerAuth": COSE_Sign1}.
  Bytes out;
  size_t total = payload.size() + 1024;
  for (const NameSpaceOut& ns : out_name_spaces) {
    for (const Bytes& b : ns.items) total += b.size();
  }
  out.reserve(total);
  out.push_back(0xa2);
  cbor::AppendTextString(out, "nameSpaces");
  cbor::AppendHead(out, 5, out_name_spaces.size());
  for (const NameSpaceOut& ns : out_name_spaces) {
    cbor::AppendTextString(out, ns.name);
    cbor::AppendHead(out, 4, ns.items.size());
    for (const Bytes& b : ns.items) out.insert(out.end(), b.begin(), b.end());
  }
  cbor::AppendTextString(out, "issuerAuth");
  cbor::AppendEncode(out, issuer_auth);
  return out;
}

Result<cbor::Value> IssueMdoc(const IssueRequest& request, const crypto::Signer& document_signer,
                              const std::vector<Bytes>& ds_chain, Random& random) {
  ASSIGN_OR_RETURN(Bytes encoded, IssueMdocEncoded(request, document_signer, ds_chain, random));
  return cbor::Decode(encoded);
}

}  // namespace bonafide::mdoc
