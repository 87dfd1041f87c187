#include "wallet/wallet.h"

#include <algorithm>
#include <utility>

#include "base/encoding.h"
#include "cbor/cbor.h"
#include "crypto/random.h"
#include "jose/jws.h"
#include "mdoc/doctypes.h"
#include "mdoc/holder.h"
#include "mdoc/mdoc.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::wallet {
namespace {

const Clock& ClockOf(const WalletOptions& options) {
  return options.clock != nullptr ? *options.clock : SystemClock::Default();
}
Random& RandomOf(const WalletOptions& options) {
  return options.random != nullptr ? *options.random : crypto::SystemRandom();
}

// StringMember returns a string member of stored metadata, "" when absent or mistyped.
std::string StringMember(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

// DisplayName returns the display name for a language ("en", "cy"): an exact or regional locale
// match ("en-GB"); for English also an entry without a locale.
std::string DisplayName(const Json& display, std::string_view language) {
  if (!display.is_array()) return "";
  std::string fallback;
  for (const Json& entry : display) {
    const std::string name = StringMember(entry, "name");
    const std::string locale = StringMember(entry, "locale");
    if (locale == language || locale.rfind(std::string(language) + "-", 0) == 0) return name;
    if (locale.empty() && language == "en" && fallback.empty()) fallback = name;
  }
  return fallback;
}

// DisplayEntry returns a stored display entry {"name", "locale"?}.
Json DisplayEntry(const std::string& name, const std::optional<std::string>& locale) {
  Json entry = {{"name", name}};
  if (locale.has_value()) entry["locale"] = *locale;
  return entry;
}

// IsEnglish says whether a display locale is English ("en", "en-GB") or absent.
bool IsEnglish(const std::optional<std::string>& locale) {
  return !locale.has_value() || *locale == "en" || locale->rfind("en-", 0) == 0;
}

// DisplayMetadata returns the members of the credential record that keep the issuer's display
// metadata beyond the credential's names: "issuer_display", "background_color", "text_color"
// and "claim_labels" (see the file comment of wallet.h). Absent parts are left out.
Json DisplayMetadata(const ReceivedBatch& batch) {
  Json out = Json::object();
  Json issuer_display = Json::array();
  for (const oid4vci::IssuerDisplay& d : batch.issuer_display) {
    if (d.name.has_value()) issuer_display.push_back(DisplayEntry(*d.name, d.locale));
  }
  if (!issuer_display.empty()) out["issuer_display"] = std::move(issuer_display);
  // The colours of one entry, so they belong together: the English one, else the first with any.
  const oid4vci::CredentialDisplay* coloured = nullptr;
  for (const oid4vci::CredentialDisplay& d : batch.display) {
    if (!d.background_color.has_value() && !d.text_color.has_value()) continue;
    if (coloured == nullptr || (IsEnglish(d.locale) && !IsEnglish(coloured->locale))) coloured = &d;
  }
  if (coloured != nullptr && coloured->background_color.has_value()) {
    out["background_color"] = *coloured->background_color;
  }
  if (coloured != nullptr && coloured->text_color.has_value()) out["text_color"] = *coloured->text_color;
  Json labels = Json::array();
  for (const oid4vci::ClaimDescription& claim : batch.claims) {
    Json display = Json::array();
    for (const oid4vci::ClaimDisplay& d : claim.display) {
      if (d.name.has_value()) display.push_back(DisplayEntry(*d.name, d.locale));
    }
    if (!display.empty()) labels.push_back(Json{{"path", claim.path}, {"display", std::move(display)}});
  }
  if (!labels.empty()) out["claim_labels"] = std::move(labels);
  return out;
}

// Copies returns the "copies" array of an entry's metadata; kMalformed if missing.
Result<const Json*> CopiesOf(const Json& metadata) {
  const Json* copies = Find(metadata, "copies");
  if (copies == nullptr || !copies->is_array()) return Error(StatusCode::kMalformed, "credential record has no copies");
  return copies;
}

CredentialSummary Summarise(const Record& record) {
  const Json& m = *record.metadata;
  CredentialSummary s;
  s.id = record.id;
  s.configuration_id = StringMember(m, "configuration_id");
  s.format = StringMember(m, "format");
  s.type = StringMember(m, "type");
  s.issuer = StringMember(m, "issuer");
  const Json* display = Find(m, "display");
  if (display != nullptr) {
    s.display_name_en = DisplayName(*display, "en");
    s.display_name_cy = DisplayName(*display, "cy");
  }
  // The issuer's display metadata; records written before it was kept lack these members.
  if (const Json* issuer_display = Find(m, "issuer_display"); issuer_display != nullptr) {
    s.issuer_name_en = DisplayName(*issuer_display, "en");
    s.issuer_name_cy = DisplayName(*issuer_display, "cy");
  }
  s.background_color = StringMember(m, "background_color");
  s.text_color = StringMember(m, "text_color");
  if (const Json* labels = Find(m, "claim_labels"); labels != nullptr && labels->is_array()) {
    for (const Json& entry : *labels) {
      const Json* path = Find(entry, "path");
      const Json* label_display = Find(entry, "display");
      if (path == nullptr || !path->is_array() || path->empty() || label_display == nullptr) continue;
      ClaimLabel label;
      for (const Json& segment : *path) {
        if (segment.is_string()) label.path.push_back(segment.get<std::string>());
      }
      if (label.path.size() != path->size()) continue;
      label.en = DisplayName(*label_display, "en");
      label.cy = DisplayName(*label_display, "cy");
      if (!label.en.empty() || !label.cy.empty()) s.claim_labels.push_back(std::move(label));
    }
  }
  const Json* copies = Find(m, "copies");
  if (copies != nullptr && copies->is_array()) {
    s.copies = copies->size();
    for (const Json& c : *copies) {
      const Json* used = Find(c, "used");
      if (used == nullptr || !used->is_boolean() || !used->get<bool>()) ++s.unused_copies;
    }
  }
  const Json* at = Find(m, "received_at");
  if (at != nullptr) s.received_at = AsInt(*at).value_or(0);
  return s;
}

// ClaimsOf returns the claims of one stored copy as JSON.
Result<Json> ClaimsOf(std::string_view format, std::string_view credential) {
  if (format == "dc+sd-jwt") {
    ASSIGN_OR_RETURN(sdjwt::HeldSdJwt held, sdjwt::HeldSdJwt::FromIssuance(credential));
    return sdjwt::ProcessPayload(held.unverified_payload(), held.sdjwt().disclosures());
  }
  if (format == "mso_mdoc") {
    ASSIGN_OR_RETURN(Bytes bytes, Base64UrlDecode(credential));
    ASSIGN_OR_RETURN(mdoc::HeldMdoc held, mdoc::HeldMdoc::Decode(bytes));
    Json claims = Json::object();
    const cbor::Value* name_spaces = held.issuer_signed().Find("nameSpaces");
    if (name_spaces == nullptr || !name_spaces->is_map()) return claims;
    for (const auto& [ns, items] : name_spaces->map()) {
      if (!ns.is_text() || !items.is_array()) return Error(StatusCode::kMalformed, "IssuerSigned nameSpaces");
      Json& out = claims[std::string(ns.text())];
      out = Json::object();
      for (const cbor::Value& item_bytes : items.array()) {
        ASSIGN_OR_RETURN(mdoc::IssuerSignedItem item, mdoc::ParseIssuerSignedItem(item_bytes));
        out[item.element_identifier] = mdoc::ElementToJson(item.element_value);
      }
    }
    return claims;
  }
  if (format == "jwt_vc_json") {
    ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(credential));
    return ParseJsonObject(AsStringView(jws.unverified_payload()));
  }
  return Error(StatusCode::kMalformed, "stored credential has an unknown format");
}

}  // namespace

Json CredentialSummary::ToJson() const {
  Json labels = Json::array();
  for (const ClaimLabel& label : claim_labels) {
    labels.push_back(Json{{"path", label.path}, {"en", label.en}, {"cy", label.cy}});
  }
  return Json{{"id", id},
              {"configuration_id", configuration_id},
              {"format", format},
              {"type", type},
              {"issuer", issuer},
              {"display_name", {{"en", display_name_en}, {"cy", display_name_cy}}},
              {"copies", copies},
              {"unused_copies", unused_copies},
              {"received_at", received_at},
              {"issuer_name", {{"en", issuer_name_en}, {"cy", issuer_name_cy}}},
              {"background_color", background_color},
              {"text_color", text_color},
              {"claim_labels", labels}};
}

Wallet::Wallet(std::unique_ptr<Vault> vault, const WalletOptions& options, const Clock& clock)
    : vault_(std::move(vault)), key_store_(*vault_), options_(options), clock_(clock) {}

Wallet::~Wallet() = default;

Result<std::unique_ptr<Wallet>> Wallet::Init(const std::filesystem::path& dir, std::string_view pin,
                                             const WalletOptions& options) {
  const Clock& clock = ClockOf(options);
  Random& random = RandomOf(options);
  ASSIGN_OR_RETURN(std::unique_ptr<Vault> vault, Vault::Create(dir, pin, options.vault, clock, random));
  return std::unique_ptr<Wallet>(new Wallet(std::move(vault), options, clock));
}

Result<std::unique_ptr<Wallet>> Wallet::Open(const std::filesystem::path& dir, const WalletOptions& options) {
  const Clock& clock = ClockOf(options);
  Random& random = RandomOf(options);
  ASSIGN_OR_RETURN(std::unique_ptr<Vault> vault, Vault::Open(dir, clock, random));
  return std::unique_ptr<Wallet>(new Wallet(std::move(vault), options, clock));
}

Result<std::string> Wallet::StoreBatch(const ReceivedBatch& batch) {
  Json copies = Json::array();
  std::vector<std::string> copy_ids;
  auto undo = [&]() {
    for (const std::string& copy_id : copy_ids) (void)vault_->Delete(kCopyRecordKind, copy_id);
  };
  for (const ReceivedCopy& copy : batch.copies) {
    Result<std::string> copy_id = vault_->Add(kCopyRecordKind, AsBytes(copy.credential));
    if (!copy_id.ok()) {
      undo();
      return copy_id.status();
    }
    copy_ids.push_back(*copy_id);
    copies.push_back(Json{{"copy", *copy_id}, {"key", copy.key_handle}, {"used", false}});
  }
  Json display = Json::array();
  for (const oid4vci::CredentialDisplay& d : batch.display) {
    Json entry = {{"name", d.name}};
    if (d.locale.has_value()) entry["locale"] = *d.locale;
    display.push_back(std::move(entry));
  }
  Json metadata = {{"configuration_id", batch.configuration_id},
                   {"format", std::string(oid4vci::CredentialFormatName(batch.format))},
                   {"type", batch.type},
                   {"issuer", batch.credential_issuer},
                   {"display", std::move(display)},
                   {"received_at", clock_.NowSeconds()},
                   {"copies", std::move(copies)}};
  Json display_metadata = DisplayMetadata(batch);
  for (auto& [key, value] : display_metadata.items()) metadata[key] = std::move(value);
  if (batch.notification_id.has_value()) metadata["notification_id"] = *batch.notification_id;
  if (batch.notification_endpoint.has_value()) metadata["notification_endpoint"] = *batch.notification_endpoint;
  Result<std::string> id = vault_->Add(kCredentialRecordKind, AsBytes(batch.access_token), metadata);
  if (!id.ok()) {
    undo();
    return id.status();
  }
  return std::move(id).value();
}

Result<std::vector<std::string>> Wallet::Receive(std::string_view offer_uri, const TxCodeProvider& tx_code_provider,
                                                 HttpTransport& transport) {
  if (!vault_->unlocked()) return Error(StatusCode::kInvalidKey, "wallet is locked");
  ASSIGN_OR_RETURN(std::vector<ReceivedBatch> batches,
                   ReceiveOffer(offer_uri, tx_code_provider, transport, key_store_, clock_, options_.receive));
  std::vector<std::string> ids;
  for (const ReceivedBatch& batch : batches) {
    Result<std::string> id = StoreBatch(batch);
    if (!id.ok()) {
      for (const std::string& stored : ids) (void)Delete(stored);
      for (const ReceivedBatch& b : batches) {
        for (const ReceivedCopy& copy : b.copies) {
          if (!copy.key_handle.empty()) (void)key_store_.DeleteKey(copy.key_handle);
        }
      }
      return id.status();
    }
    ids.push_back(*id);
  }
  for (const ReceivedBatch& batch : batches) {
    if (!batch.notification_id.has_value() || !batch.notification_endpoint.has_value()) continue;
    oid4vci::NotificationRequest accepted{*batch.notification_id, oid4vci::NotificationEvent::kCredentialAccepted,
                                          std::nullopt};
    // Best effort (OpenID4VCI 11: the credential has been received whatever the notification's fate).
    (void)SendNotification(transport, *batch.notification_endpoint, batch.access_token, accepted);
  }
  return ids;
}

Result<std::vector<CredentialSummary>> Wallet::List() const {
  ASSIGN_OR_RETURN(std::vector<Record> records, vault_->List(kCredentialRecordKind));
  std::vector<CredentialSummary> out;
  for (const Record& record : records) {
    if (!record.metadata.has_value()) return Error(StatusCode::kMalformed, "credential record has no metadata");
    out.push_back(Summarise(record));
  }
  return out;
}

Result<Json> Wallet::Show(std::string_view id) const {
  ASSIGN_OR_RETURN(Record record, vault_->Get(kCredentialRecordKind, id));
  if (!record.metadata.has_value()) return Error(StatusCode::kMalformed, "credential record has no metadata");
  CredentialSummary summary = Summarise(record);
  ASSIGN_OR_RETURN(const Json* copies, CopiesOf(*record.metadata));
  if (copies->empty()) return Error(StatusCode::kMalformed, "credential record has no copies");
  ASSIGN_OR_RETURN(Record copy, vault_->Get(kCopyRecordKind, StringMember((*copies)[0], "copy")));
  ASSIGN_OR_RETURN(Json claims, ClaimsOf(summary.format, AsStringView(copy.payload.view())));
  Json out = summary.ToJson();
  out["claims"] = std::move(claims);
  return out;
}

Status Wallet::Delete(std::string_view id, HttpTransport* transport, std::optional<Status>* notification) {
  if (notification != nullptr) notification->reset();
  ASSIGN_OR_RETURN(Record record, vault_->Get(kCredentialRecordKind, id));
  if (!record.metadata.has_value()) return Error(StatusCode::kMalformed, "credential record has no metadata");
  const Json& m = *record.metadata;
  const Json* copies = Find(m, "copies");
  if (copies != nullptr && copies->is_array()) {
    for (const Json& c : *copies) {
      const std::string copy_id = StringMember(c, "copy");
      const std::string key = StringMember(c, "key");
      if (!copy_id.empty()) {
        Status s = vault_->Delete(kCopyRecordKind, copy_id);
        if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
      }
      if (!key.empty()) {
        Status s = key_store_.DeleteKey(key);
        if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
      }
    }
  }
  RETURN_IF_ERROR(vault_->Delete(kCredentialRecordKind, id));
  const std::string notification_id = StringMember(m, "notification_id");
  const std::string endpoint = StringMember(m, "notification_endpoint");
  if (transport != nullptr && !notification_id.empty() && !endpoint.empty()) {
    oid4vci::NotificationRequest deleted{notification_id, oid4vci::NotificationEvent::kCredentialDeleted,
                                         std::nullopt};
    // Best effort: the access token may have expired long ago; the wallet forgets either way.
    Status sent = SendNotification(*transport, endpoint, AsStringView(record.payload.view()), deleted);
    if (notification != nullptr) *notification = std::move(sent);
  }
  return OkStatus();
}

Result<CredentialCopy> Wallet::TakeFreshCopy(std::string_view id) {
  ASSIGN_OR_RETURN(Record record, vault_->Get(kCredentialRecordKind, id));
  if (!record.metadata.has_value()) return Error(StatusCode::kMalformed, "credential record has no metadata");
  Json metadata = *record.metadata;
  Json* copies = metadata.contains("copies") ? &metadata["copies"] : nullptr;
  if (copies == nullptr || !copies->is_array()) return Error(StatusCode::kMalformed, "credential record has no copies");
  Json* fresh = nullptr;
  size_t remaining = 0;
  for (Json& c : *copies) {
    const Json* used = Find(c, "used");
    const bool is_used = used != nullptr && used->is_boolean() && used->get<bool>();
    if (is_used) continue;
    if (fresh == nullptr) {
      fresh = &c;
    } else {
      ++remaining;
    }
  }
  if (fresh == nullptr) return Error(StatusCode::kLimitExceeded, "every copy of this credential has been used");
  const std::string copy_id = StringMember(*fresh, "copy");
  const std::string key = StringMember(*fresh, "key");
  ASSIGN_OR_RETURN(Record copy, vault_->Get(kCopyRecordKind, copy_id));
  (*fresh)["used"] = true;
  // Marked used durably before the copy leaves the wallet, so a crash cannot hand it out twice.
  RETURN_IF_ERROR(vault_->Put(kCredentialRecordKind, id, record.payload.view(), metadata));
  return CredentialCopy{std::string(AsStringView(copy.payload.view())), key, StringMember(metadata, "format"),
                        remaining};
}

// ---------------------------------------------------------------------------------------------
// Transaction log.

std::string_view PresentationOutcomeName(PresentationOutcome outcome) {
  switch (outcome) {
    case PresentationOutcome::kShared: return "shared";
    case PresentationOutcome::kDeclined: return "declined";
    case PresentationOutcome::kRefused: return "refused";
    case PresentationOutcome::kFailed: return "failed";
  }
  return "refused";
}

Json PresentationRecord::ToJson() const {
  return Json{{"at", at},
              {"outcome", std::string(PresentationOutcomeName(outcome))},
              {"relying_party", relying_party},
              {"client_id", client_id},
              {"purpose", purpose},
              {"credential_ids", credential_ids},
              {"attributes", attributes},
              {"reason", reason}};
}

namespace {

Result<std::vector<std::string>> StringArray(const Json& json, std::string_view key) {
  const Json* a = Find(json, key);
  if (a == nullptr || !a->is_array()) return Error(StatusCode::kMalformed, std::string(key) + " is not an array");
  std::vector<std::string> out;
  for (const Json& e : *a) {
    if (!e.is_string()) return Error(StatusCode::kMalformed, std::string(key) + " holds a non-string");
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::string> StringField(const Json& json, std::string_view key) {
  const Json* v = Find(json, key);
  if (v == nullptr || !v->is_string()) return Error(StatusCode::kMalformed, std::string(key) + " is not a string");
  return v->get<std::string>();
}

}  // namespace

Result<PresentationRecord> PresentationRecord::FromJson(const Json& json) {
  if (!json.is_object()) return Error(StatusCode::kMalformed, "presentation record is not an object");
  PresentationRecord r;
  const Json* at = Find(json, "at");
  if (at == nullptr || !at->is_number_integer()) return Error(StatusCode::kMalformed, "at is not an integer");
  r.at = at->get<int64_t>();
  ASSIGN_OR_RETURN(std::string outcome, StringField(json, "outcome"));
  bool known = false;
  for (PresentationOutcome o : {PresentationOutcome::kShared, PresentationOutcome::kDeclined,
                                PresentationOutcome::kRefused, PresentationOutcome::kFailed}) {
    if (PresentationOutcomeName(o) == outcome) {
      r.outcome = o;
      known = true;
    }
  }
  if (!known) return Error(StatusCode::kMalformed, "unknown presentation outcome " + outcome);
  ASSIGN_OR_RETURN(r.relying_party, StringField(json, "relying_party"));
  ASSIGN_OR_RETURN(r.client_id, StringField(json, "client_id"));
  ASSIGN_OR_RETURN(r.purpose, StringField(json, "purpose"));
  ASSIGN_OR_RETURN(r.credential_ids, StringArray(json, "credential_ids"));
  ASSIGN_OR_RETURN(r.attributes, StringArray(json, "attributes"));
  ASSIGN_OR_RETURN(r.reason, StringField(json, "reason"));
  return r;
}

Status Wallet::RecordPresentation(const PresentationRecord& record) {
  for (const std::string& a : record.attributes) {
    if (a.empty() || a.size() > 200 || a.find('=') != std::string::npos) {
      return Error(StatusCode::kInvalidArgument, "the transaction log keeps attribute names only");
    }
  }
  const std::string text = DumpJson(record.ToJson());
  return vault_->Add(kPresentationLogKind, AsBytes(text)).status();
}

Result<std::vector<PresentationRecord>> Wallet::History() const {
  ASSIGN_OR_RETURN(std::vector<Record> records, vault_->List(kPresentationLogKind));
  std::vector<std::pair<std::string, PresentationRecord>> entries;
  for (const Record& rec : records) {
    ASSIGN_OR_RETURN(Json json, ParseJsonObject(AsStringView(rec.payload.view())));
    ASSIGN_OR_RETURN(PresentationRecord r, PresentationRecord::FromJson(json));
    entries.emplace_back(rec.id, std::move(r));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second.at != b.second.at ? a.second.at < b.second.at : a.first < b.first;
  });
  std::vector<PresentationRecord> out;
  out.reserve(entries.size());
  for (auto& e : entries) out.push_back(std::move(e.second));
  return out;
}

}  // namespace bonafide::wallet
