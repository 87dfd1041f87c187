#include "mdoc/device_request.h"

#include "cose/cose_sign1.h"

namespace bonafide::mdoc {
namespace {

Status Malformed(const std::string& what) { return Error(StatusCode::kMalformed, "DeviceRequest: " + what); }

Result<ItemsRequest> ParseItemsRequest(const cbor::Value& items_request_bytes) {
  Result<cbor::Value> decoded = items_request_bytes.DecodeEmbedded();
  if (!decoded.ok()) return Malformed("itemsRequest is not #6.24(ItemsRequest): " + decoded.status().message());
  const cbor::Value& v = *decoded;
  if (!v.is_map()) return Malformed("ItemsRequest is not a map");
  const cbor::Value* doc_type = v.Find("docType");
  const cbor::Value* name_spaces = v.Find("nameSpaces");
  if (doc_type == nullptr || !doc_type->is_text() || doc_type->text().empty()) {
    return Malformed("ItemsRequest docType is missing or not text");
  }
  if (name_spaces == nullptr || !name_spaces->is_map()) return Malformed("ItemsRequest nameSpaces is not a map");
  ItemsRequest out;
  out.doc_type = std::string(doc_type->text());
  for (const auto& [ns, elements] : name_spaces->map()) {
    if (!ns.is_text() || !elements.is_map()) return Malformed("ItemsRequest namespace entry is mistyped");
    std::vector<RequestedElement> list;
    for (const auto& [name, intent] : elements.map()) {
      if (!name.is_text() || !intent.is_bool()) return Malformed("DataElements entry is not text => bool");
      list.push_back(RequestedElement{std::string(name.text()), *intent.AsBool()});
    }
    out.name_spaces.emplace_back(std::string(ns.text()), std::move(list));
  }
  if (const cbor::Value* info = v.Find("requestInfo")) {
    if (!info->is_map()) return Malformed("ItemsRequest requestInfo is not a map");
    out.request_info = *info;
  }
  return out;
}

}  // namespace

Bytes ReaderAuthenticationBytes(ByteView session_transcript, const cbor::Value& items_request_bytes) {
  static constexpr std::string_view kContext = "ReaderAuthentication";
  Bytes inner;
  inner.push_back(0x83);
  cbor::AppendTextString(inner, kContext);
  inner.insert(inner.end(), session_transcript.begin(), session_transcript.end());
  cbor::AppendEncode(inner, items_request_bytes);
  Bytes out = {0xd8, 24};
  cbor::AppendByteString(out, inner);
  return out;
}

Result<Bytes> BuildDeviceRequest(const std::vector<ItemsRequest>& requests, ByteView session_transcript,
                                 const ReaderAuthKey* reader_auth) {
  if (requests.empty()) return Error(StatusCode::kInvalidArgument, "DeviceRequest: no document requested");
  if (reader_auth != nullptr && (reader_auth->signer == nullptr || reader_auth->x5chain.empty())) {
    return Error(StatusCode::kInvalidArgument, "DeviceRequest: reader key without a certificate");
  }
  cbor::Array doc_requests;
  for (const ItemsRequest& request : requests) {
    if (request.doc_type.empty() || request.name_spaces.empty()) {
      return Error(StatusCode::kInvalidArgument, "DeviceRequest: empty docType or no namespace");
    }
    cbor::Value name_spaces = cbor::Value::MakeMap();
    for (const auto& [ns, elements] : request.name_spaces) {
      if (ns.empty() || elements.empty()) return Error(StatusCode::kInvalidArgument, "DeviceRequest: empty namespace");
      cbor::Value list = cbor::Value::MakeMap();
      for (const RequestedElement& e : elements) list.Insert(e.name, cbor::Value::Bool(e.intent_to_retain));
      name_spaces.Insert(ns, std::move(list));
    }
    cbor::Value items = cbor::Value::MakeMap();
    items.Insert("docType", cbor::Value::Text(request.doc_type));
    items.Insert("nameSpaces", std::move(name_spaces));
    if (request.request_info) items.Insert("requestInfo", *request.request_info);
    cbor::Value items_bytes = cbor::Value::EmbeddedCbor(items);
    cbor::Value doc_request = cbor::Value::MakeMap();
    if (reader_auth != nullptr) {
      cose::Sign1Headers headers;
      headers.x5chain = reader_auth->x5chain;
      ASSIGN_OR_RETURN(cbor::Value signature,
                       cose::SignSign1Value(headers, ReaderAuthenticationBytes(session_transcript, items_bytes),
                                            *reader_auth->signer, {}, cose::Sign1Form{.tagged = false, .detached = true}));
      doc_request.Insert("itemsRequest", std::move(items_bytes));
      doc_request.Insert("readerAuth", std::move(signature));
    } else {
      doc_request.Insert("itemsRequest", std::move(items_bytes));
    }
    doc_requests.push_back(std::move(doc_request));
  }
  cbor::Value request = cbor::Value::MakeMap();
  request.Insert("version", cbor::Value::Text("1.0"));
  request.Insert("docRequests", cbor::Value::MakeArray(std::move(doc_requests)));
  return cbor::Encode(request);
}

Result<std::vector<DocRequest>> ParseDeviceRequest(ByteView device_request) {
  ASSIGN_OR_RETURN(cbor::Value request, cbor::Decode(device_request));
  if (!request.is_map()) return Malformed("not a map");
  const cbor::Value* version = request.Find("version");
  if (version == nullptr || !version->is_text() || version->text().substr(0, 2) != "1.") {
    return Malformed("version is missing or not 1.x");
  }
  const cbor::Value* doc_requests = request.Find("docRequests");
  if (doc_requests == nullptr || !doc_requests->is_array() || doc_requests->size() == 0) {
    return Malformed("docRequests is not a non-empty array");
  }
  std::vector<DocRequest> out;
  for (const cbor::Value& doc_request : doc_requests->array()) {
    if (!doc_request.is_map()) return Malformed("DocRequest is not a map");
    const cbor::Value* items = doc_request.Find("itemsRequest");
    if (items == nullptr || !items->is_tag(cbor::kTagEncodedCbor)) return Malformed("itemsRequest is not #6.24");
    ASSIGN_OR_RETURN(ItemsRequest parsed, ParseItemsRequest(*items));
    DocRequest entry{std::move(parsed), *items, std::nullopt};
    if (const cbor::Value* auth = doc_request.Find("readerAuth")) entry.reader_auth = *auth;
    out.push_back(std::move(entry));
  }
  return out;
}

Result<ValidatedSigner> VerifyReaderAuth(const DocRequest& request, ByteView session_transcript,
                                         const IacaTrustStore& reader_roots, int64_t at) {
  if (!request.reader_auth) return Error(StatusCode::kNotFound, "DocRequest carries no readerAuth");
  ASSIGN_OR_RETURN(cose::UnverifiedSign1 sign1, cose::UnverifiedSign1::FromValue(*request.reader_auth));
  if (!sign1.detached()) return Malformed("readerAuth payload is not detached (nil)");
  if (sign1.unverified_x5chain().empty()) return Error(StatusCode::kInvalidCertificate, "readerAuth has no x5chain");
  ASSIGN_OR_RETURN(ValidatedSigner reader,
                   reader_roots.ValidateChain(sign1.unverified_x5chain(), CertificatePurpose::kReaderAuth, at));
  const Bytes payload = ReaderAuthenticationBytes(session_transcript, request.items_request_bytes);
  RETURN_IF_ERROR(sign1.Verify(reader.public_key, {}, ByteView(payload)).status());
  return reader;
}

}  // namespace bonafide::mdoc
