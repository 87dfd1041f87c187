// mdoc/device_request.h: the mdoc reader's request (ISO/IEC 18013-5:2021 clause 8.3.2.1.2.1) and
// mdoc reader authentication (clause 9.1.4).
//
//   DeviceRequest = {"version": "1.0", "docRequests": [+ DocRequest]}
//   DocRequest = {"itemsRequest": ItemsRequestBytes, ? "readerAuth": COSE_Sign1}
//   ItemsRequestBytes = #6.24(bstr .cbor {"docType", "nameSpaces": {+ NS => {+ element => IntentToRetain}},
//                                         ? "requestInfo"})
//   ReaderAuthenticationBytes = #6.24(bstr .cbor ["ReaderAuthentication", SessionTranscript, ItemsRequestBytes])
// readerAuth is an untagged COSE_Sign1 with a nil payload (ReaderAuthenticationBytes is detached)
// and the reader certificate chain in x5chain; the mdoc checks it against its reader trust
// anchors (mdoc/iaca.h, CertificatePurpose::kReaderAuth). ItemsRequestBytes are kept as
// received, so the signature is checked over the exact bytes the reader signed.
//
// Thread safety: values and pure functions.
#ifndef BONAFIDE_MDOC_DEVICE_REQUEST_H_
#define BONAFIDE_MDOC_DEVICE_REQUEST_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "mdoc/iaca.h"

namespace bonafide::mdoc {

// RequestedElement is one element identifier and whether the reader intends to retain it.
struct RequestedElement {
  std::string name;
  bool intent_to_retain = false;
};

// ItemsRequest (clause 8.3.2.1.2.1).
struct ItemsRequest {
  std::string doc_type;
  std::vector<std::pair<std::string, std::vector<RequestedElement>>> name_spaces;
  std::optional<cbor::Value> request_info{};  // a map, when present
};

// DocRequest is one parsed request: the ItemsRequest, its tag-24 bytes as received, and the
// readerAuth message if any.
struct DocRequest {
  ItemsRequest items_request;
  cbor::Value items_request_bytes;
  std::optional<cbor::Value> reader_auth;
};

// ReaderAuthKey is the reader's signing key and its certificate chain (DER, leaf first).
struct ReaderAuthKey {
  const crypto::Signer* signer = nullptr;
  std::vector<Bytes> x5chain;
};

// ReaderAuthenticationBytes returns #6.24(bstr .cbor ["ReaderAuthentication", SessionTranscript,
// ItemsRequestBytes]) for the encoded SessionTranscript and the ItemsRequestBytes item.
Bytes ReaderAuthenticationBytes(ByteView session_transcript, const cbor::Value& items_request_bytes);

// BuildDeviceRequest returns an encoded DeviceRequest for `requests`, each signed with
// `reader_auth` over `session_transcript` when it is given. kInvalidArgument for no request, an
// empty docType or namespace, or a reader key without a certificate; kInternal if signing fails.
Result<Bytes> BuildDeviceRequest(const std::vector<ItemsRequest>& requests, ByteView session_transcript,
                                 const ReaderAuthKey* reader_auth);

// ParseDeviceRequest decodes a DeviceRequest. kMalformed for anything that is not one (version
// other than 1.x, no docRequests, mistyped members, intent values that are not booleans).
Result<std::vector<DocRequest>> ParseDeviceRequest(ByteView device_request);

// VerifyReaderAuth checks `request`'s readerAuth: its x5chain against `reader_roots` at `at` (as
// CertificatePurpose::kReaderAuth) and its signature over ReaderAuthenticationBytes. Returns the
// reader certificate's facts; kNotFound if the request carries no readerAuth; kMalformed if the
// payload is not detached; the trust store's and COSE_Sign1's errors otherwise.
Result<ValidatedSigner> VerifyReaderAuth(const DocRequest& request, ByteView session_transcript,
                                         const IacaTrustStore& reader_roots, int64_t at);

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_DEVICE_REQUEST_H_
