// mdoc/session_transcript.h: the SessionTranscript an mdoc presentation is bound to, in its
// proximity form (ISO/IEC 18013-5:2021 clause 9.1.5.1) and in the two OpenID4VP 1.0 forms
// (Appendix B.2.6.1 redirect / direct_post handover, B.2.6.2 Digital Credentials API handover).
//
//   SessionTranscript      = [DeviceEngagementBytes / null, EReaderKeyBytes / null, Handover]
//   SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript)
//
// DeviceAuthentication and ReaderAuthentication embed the SessionTranscript itself
// (EncodeSessionTranscript); the session key and EMacKey derivations hash SessionTranscriptBytes
// (SessionTranscriptBytes). For proximity transcripts built from received messages, pass the
// tag-24 items those messages were decoded into (ParseDeviceEngagement, ParseSessionEstablishment
// in mdoc/session.h, or cbor::Decode): the encoders write a decoded tag-24 item back as received,
// so the transcript hashes the peer's bytes, never a re-encoding.
//
// Thread safety: pure functions. Ownership: results are owned values; arguments are only read.
#ifndef BONAFIDE_MDOC_SESSION_TRANSCRIPT_H_
#define BONAFIDE_MDOC_SESSION_TRANSCRIPT_H_

#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"

namespace bonafide::mdoc {

// Handover identifiers of OpenID4VP 1.0 Appendix B.2.6.
inline constexpr std::string_view kOpenId4VpHandoverId = "OpenID4VPHandover";
inline constexpr std::string_view kOpenId4VpDcApiHandoverId = "OpenID4VPDCAPIHandover";

// OpenId4VpHandoverInfo returns the encoded OpenID4VPHandoverInfo (OpenID4VP 1.0 B.2.6.1):
// [client_id, nonce, jwkThumbprint / null, response_uri]. `jwk_thumbprint` is the RFC 7638
// SHA-256 thumbprint (raw 32 bytes, not base64url) of the verifier's response encryption key, or
// nullopt when the response is not encrypted. All text arguments must be UTF-8 (they come from
// the JSON authorization request). Cannot fail.
Bytes OpenId4VpHandoverInfo(std::string_view client_id, std::string_view nonce,
                            std::optional<ByteView> jwk_thumbprint, std::string_view response_uri);

// OpenId4VpHandover returns the Handover ["OpenID4VPHandover", SHA-256(OpenId4VpHandoverInfo(...))].
cbor::Value OpenId4VpHandover(std::string_view client_id, std::string_view nonce,
                              std::optional<ByteView> jwk_thumbprint, std::string_view response_uri);

// OpenId4VpRedirectTranscript returns the SessionTranscript [null, null, OpenId4VpHandover(...)]
// of a presentation over OpenID4VP redirects / direct_post (B.2.6.1).
cbor::Value OpenId4VpRedirectTranscript(std::string_view client_id, std::string_view nonce,
                                        std::optional<ByteView> jwk_thumbprint,
                                        std::string_view response_uri);

// OpenId4VpDcApiHandoverInfo returns the encoded OpenID4VPDCAPIHandoverInfo (B.2.6.2):
// [origin, nonce, jwkThumbprint / null], `origin` being the web origin the browser reports
// (e.g. "https://example.com"). Cannot fail.
Bytes OpenId4VpDcApiHandoverInfo(std::string_view origin, std::string_view nonce,
                                 std::optional<ByteView> jwk_thumbprint);

// OpenId4VpDcApiHandover returns ["OpenID4VPDCAPIHandover", SHA-256(OpenId4VpDcApiHandoverInfo(...))].
cbor::Value OpenId4VpDcApiHandover(std::string_view origin, std::string_view nonce,
                                   std::optional<ByteView> jwk_thumbprint);

// OpenId4VpDcApiTranscript returns the SessionTranscript [null, null, OpenId4VpDcApiHandover(...)]
// of a presentation over the W3C Digital Credentials API (B.2.6.2).
cbor::Value OpenId4VpDcApiTranscript(std::string_view origin, std::string_view nonce,
                                     std::optional<ByteView> jwk_thumbprint);

// QrHandover returns the Handover of a QR-code device engagement: null (18013-5 9.1.5.1).
cbor::Value QrHandover();

// NfcHandover returns the Handover of an NFC negotiated / static handover (18013-5 9.1.5.1):
// [HandoverSelect message bytes, HandoverRequest message bytes / null].
cbor::Value NfcHandover(ByteView handover_select, std::optional<ByteView> handover_request);

// ProximityTranscript returns the SessionTranscript [DeviceEngagementBytes, EReaderKeyBytes,
// Handover] of a proximity presentation (18013-5 9.1.5.1). `device_engagement_bytes` and
// `e_reader_key_bytes` must be tag-24 items over a byte string (keep the received encodings:
// items from Decode / the Parse functions, or cbor::Value::EmbeddedCborBytes over the exact
// received bytes); `handover` must be null (QR) or an array (NFC). kInvalidArgument otherwise.
Result<cbor::Value> ProximityTranscript(const cbor::Value& device_engagement_bytes,
                                        const cbor::Value& e_reader_key_bytes, cbor::Value handover);

// EncodeSessionTranscript returns the plain (untagged) encoding of `session_transcript`, the form
// DeviceAuthentication and ReaderAuthentication embed. Tag-24 items inside are written as received.
Bytes EncodeSessionTranscript(const cbor::Value& session_transcript);

// SessionTranscriptBytes returns #6.24(bstr .cbor SessionTranscript), the bytes whose SHA-256 is
// the HKDF salt of SKReader, SKDevice and EMacKey (18013-5 9.1.5.2, 9.1.3.5).
Bytes SessionTranscriptBytes(const cbor::Value& session_transcript);

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_SESSION_TRANSCRIPT_H_
