// mdoc/issuer.h: issuing an mdoc, i.e. building and signing an IssuerSigned structure (ISO/IEC
// 18013-5:2021 clause 9.1.2.4; issuance itself is out of the standard's scope, OpenID4VCI carries
// the result base64url-encoded as an `mso_mdoc` credential).
//
// Every element becomes an IssuerSignedItem with a fresh 16-byte random salt (from the injected
// Random) and a digestID drawn at random from [0, 2^31) without repeats within a namespace, so
// neither the salt nor the ID says anything about the element or the order of issue. The MSO and
// every item are encoded deterministically (RFC 8949 4.2.1). issuerAuth is an untagged
// COSE_Sign1 with protected {1: alg} only and the document signer certificate chain in the
// unprotected x5chain (label 33), the GOV.UK Wallet profile.
//
// Thread safety: pure function (the Random and Signer must be safe for concurrent use if shared).
#ifndef BONAFIDE_MDOC_ISSUER_H_
#define BONAFIDE_MDOC_ISSUER_H_

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "mdoc/mdoc.h"
#include "status/status_list_token.h"

namespace bonafide::mdoc {

// IssueRequest is one document to issue.
struct IssueRequest {
  std::string doc_type{};
  NameSpaces name_spaces{};  // at least one element
  crypto::PublicKey device_key;
  ValidityInfo validity{};
  std::optional<status::StatusReference> status{};
  KeyAuthorizations key_authorizations{};  // empty: the device key may not sign elements itself
  crypto::HashAlg digest_algorithm = crypto::HashAlg::kSha256;
};

// IssueMdoc returns the IssuerSigned map of `request`, signed by `document_signer` whose
// certificate chain (DER, signer first) is `ds_chain`. kInvalidArgument for an empty doc_type, no
// elements, an empty namespace, an element named twice in a namespace, an empty chain, or
// validity out of order (validFrom before signed, validUntil not after validFrom); kInternal if
// signing fails.
Result<cbor::Value> IssueMdoc(const IssueRequest& request, const crypto::Signer& document_signer,
                              const std::vector<Bytes>& ds_chain, Random& random);

// IssueMdocEncoded is IssueMdoc returning the encoded IssuerSigned, what an issuer sends (the
// fast path: the structure is written straight into bytes; IssueMdoc decodes this).
Result<Bytes> IssueMdocEncoded(const IssueRequest& request, const crypto::Signer& document_signer,
                               const std::vector<Bytes>& ds_chain, Random& random);

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_ISSUER_H_
