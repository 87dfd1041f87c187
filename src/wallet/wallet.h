// wallet/wallet.h: Wallet, the holder's wallet core (issue 4, section 3): receives credentials
// over OpenID4VCI (wallet/receive.h), keeps every batch copy encrypted in the Vault
// (wallet/vault.h) bound to its own device key in the KeyStore (wallet/vault_key_store.h), and
// hands out a fresh copy per presentation.
//
// Storage layout (all inside the Vault, so payloads and metadata are AES-256-GCM encrypted; only
// the record kinds and random ids are in the clear):
//   kind "credential" (kCredentialRecordKind), one per received credential; its id is the
//     credential id users see. Payload: the access token of the issuance (kept for the
//     credential_deleted notification). Metadata: {"configuration_id", "format", "type",
//     "issuer", "display": [{"name", "locale"?}...], "issuer_display": [{"name", "locale"?}...]?,
//     "background_color"?, "text_color"?, "claim_labels": [{"path": [..], "display": [{"name",
//     "locale"?}...]}...]? (the issuer's display metadata; records written before these members
//     existed lack them and load with them empty), "notification_id"?, "notification_endpoint"?,
//     "received_at" (Unix seconds), "copies": [{"copy": <copy record id>, "key": <device key
//     handle or "">, "used": bool}, ...]}.
//   kind "credential_copy" (kCopyRecordKind), one per batch copy. Payload: the credential as
//     issued (SD-JWT issuance form, base64url IssuerSigned, or compact JWT). No metadata.
//   kind "device_key": the VaultKeyStore's keys, one per bound copy.
//   kind "presentation_log" (kPresentationLogKind), one per presentation, refusal or declined
//     request: the transaction log (PresentationRecord). Payload: the record as JSON. Attribute
//     names only, never their values.
//
// Receive verifies every credential's issuer signature before storing it (wallet/issuer_trust.h);
// one that does not verify is not stored and its device keys are deleted.
//
// Errors: the Vault's (kInvalidKey when locked, kInvalidSignature for a wrong PIN,
// kLimitExceeded when locked out, ...), ReceiveOffer's, kNotFound for an unknown credential id.
//
// Thread safety: not thread-safe (the Vault is not). Ownership: the Wallet owns its Vault and key
// store; the Clock and Random of WalletOptions must outlive it.
#ifndef BONAFIDE_WALLET_WALLET_H_
#define BONAFIDE_WALLET_WALLET_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "wallet/receive.h"
#include "wallet/vault.h"
#include "wallet/vault_key_store.h"

namespace bonafide::wallet {

// Record kinds the Wallet uses in the Vault.
inline constexpr std::string_view kCredentialRecordKind = "credential";
inline constexpr std::string_view kCopyRecordKind = "credential_copy";
inline constexpr std::string_view kPresentationLogKind = "presentation_log";

// PresentationOutcome is what became of a presentation request.
enum class PresentationOutcome {
  kShared,    // the user approved and the response was sent
  kDeclined,  // the user said no
  kRefused,   // the wallet refused: unregistered or untrusted verifier, over-asking, bad request,
              // nothing in the wallet matches
  kFailed,    // approved, but sending the response failed
};
std::string_view PresentationOutcomeName(PresentationOutcome outcome);  // "shared", ...

// PresentationRecord is one entry of the wallet's transaction log: when, to whom, for what, and
// which attributes (names such as "org.iso.18013.5.1/age_over_18" or "given_name"; never their
// values).
struct PresentationRecord {
  int64_t at = 0;  // Unix seconds
  PresentationOutcome outcome = PresentationOutcome::kRefused;
  std::string relying_party;  // registered legal name; "" when the verifier is not registered
  std::string client_id;      // as the request gave it
  std::string purpose;        // the registered purpose the request fell under; "" when none
  std::vector<std::string> credential_ids;  // wallet credential ids used
  std::vector<std::string> attributes;      // attribute names shared, or that were asked for
  std::string reason;  // why it was refused, declined or failed; "" when shared
  // ToJson / FromJson: {"at", "outcome", "relying_party", "client_id", "purpose",
  // "credential_ids", "attributes", "reason"}. FromJson: kMalformed for a missing or mistyped
  // member or an unknown outcome.
  Json ToJson() const;
  static Result<PresentationRecord> FromJson(const Json& json);
};

// WalletOptions configures a Wallet. `vault` is used by Init only (Open reads the stored KDF
// parameters). `clock` and `random` default to the system ones when null.
struct WalletOptions {
  VaultOptions vault;
  ReceiveOptions receive;
  const Clock* clock = nullptr;
  Random* random = nullptr;
};

// ClaimLabel is the issuer's label for one claim (credential_metadata.claims[].display,
// OpenID4VCI 1.0 Appendix B.2), kept when the credential was received. `path` is the claims path
// pointer (Appendix C) of the claim; only paths made of strings are kept.
struct ClaimLabel {
  std::vector<std::string> path;
  std::string en;  // "" when the issuer gave none
  std::string cy;  // Welsh; "" when the issuer gave none
};

// CredentialSummary is one line of Wallet::List.
struct CredentialSummary {
  std::string id;
  std::string configuration_id;
  std::string format;  // "dc+sd-jwt", "mso_mdoc" or "jwt_vc_json"
  std::string type;    // vct, doctype or credential type
  std::string issuer;  // Credential Issuer Identifier
  std::string display_name_en;  // "" when the issuer gave none
  std::string display_name_cy;  // Welsh; "" when the issuer gave none
  // The Credential Issuer's display name (issuer metadata `display`, OpenID4VCI 1.0 section
  // 12.2.4); "" when the issuer gave none.
  std::string issuer_name_en;
  std::string issuer_name_cy;
  // The credential's colours as the issuer gave them (credential_metadata.display[]
  // background_color / text_color, taken from the English entry, else the first that has one);
  // "" when absent. Untrusted text: never put into markup or styles unchecked.
  std::string background_color;
  std::string text_color;
  std::vector<ClaimLabel> claim_labels;  // empty when the issuer gave none
  size_t copies = 0;
  size_t unused_copies = 0;
  int64_t received_at = 0;

  // ToJson is the summary as the CLI and the C API print it: {"id", "configuration_id",
  // "format", "type", "issuer", "display_name": {"en", "cy"}, "copies", "unused_copies",
  // "received_at", "issuer_name": {"en", "cy"}, "background_color", "text_color",
  // "claim_labels": [{"path", "en", "cy"}...]}.
  Json ToJson() const;
};

// CredentialCopy is one batch copy handed out by TakeFreshCopy.
struct CredentialCopy {
  std::string credential;  // as issued
  std::string key_handle;  // the device key in key_store() it is bound to ("" if unbound)
  std::string format;
  size_t remaining = 0;    // unused copies left after this one
};

// Wallet is the holder's wallet; see the file comment.
class Wallet {
 public:
  // Init creates a new wallet in `dir` protected by `pin` and returns it unlocked. Errors as
  // Vault::Create (kInvalidArgument for a PIN breaking the rules or an existing wallet).
  static Result<std::unique_ptr<Wallet>> Init(const std::filesystem::path& dir, std::string_view pin,
                                              const WalletOptions& options = {});
  // Open opens the wallet in `dir`, locked. Errors as Vault::Open (kNotFound when there is none).
  static Result<std::unique_ptr<Wallet>> Open(const std::filesystem::path& dir, const WalletOptions& options = {});

  Wallet(const Wallet&) = delete;
  Wallet& operator=(const Wallet&) = delete;
  ~Wallet();

  // Unlock checks `pin` under the Vault's wrong-PIN policy; errors as Vault::Unlock.
  Status Unlock(std::string_view pin) { return vault_->Unlock(pin); }
  // Lock wipes the wallet key from memory.
  void Lock() { vault_->Lock(); }
  bool unlocked() const { return vault_->unlocked(); }
  // GetPinState returns the wrong-PIN counter; errors as Vault::GetPinState.
  Result<PinState> GetPinState() const { return vault_->GetPinState(); }

  // Receive runs ReceiveOffer (wallet/receive.h) with the wallet's key store, stores every copy,
  // then sends credential_accepted for each batch with a notification_id (best effort: a failed
  // notification does not undo the receipt). Returns the new credential ids, one per offered
  // configuration. kInvalidKey when locked (checked before anything is sent); on a storage
  // failure nothing of this call is kept (copies and keys removed) and the error is returned.
  Result<std::vector<std::string>> Receive(std::string_view offer_uri, const TxCodeProvider& tx_code_provider,
                                           HttpTransport& transport);

  // List returns a summary of every stored credential, ordered by id. kInvalidKey when locked.
  Result<std::vector<CredentialSummary>> List() const;

  // Show returns the credential `id` as JSON: the summary members plus "claims" (SD-JWT VC: the
  // payload with every disclosure applied; mdoc: {namespace: {element: value}}; jwt_vc_json: the
  // JWT payload), read from the first copy. kNotFound for an unknown id; the parsers' errors for
  // a stored credential that no longer parses.
  Result<Json> Show(std::string_view id) const;

  // Delete removes the credential `id`, all its copies and their device keys. When `transport`
  // is given and the issuer gave a notification_id and endpoint, sends credential_deleted (best
  // effort: its failure does not undo the deletion). When `notification` is given it receives
  // the outcome of that notification: nullopt when none was sent (no transport, or the issuer
  // asked for none), else SendNotification's Status. kNotFound for an unknown id; kInvalidKey
  // when locked.
  Status Delete(std::string_view id, HttpTransport* transport = nullptr,
                std::optional<Status>* notification = nullptr);

  // TakeFreshCopy returns an unused copy of `id` and marks it used (durably, before returning),
  // so each presentation uses a fresh copy and key. kNotFound for an unknown id;
  // kLimitExceeded when every copy has been used.
  Result<CredentialCopy> TakeFreshCopy(std::string_view id);

  // RecordPresentation appends `record` to the transaction log (durably). kInvalidKey when
  // locked; kInvalidArgument for an attribute that looks like a value (contains '=' or is
  // longer than 200 characters) — names only.
  Status RecordPresentation(const PresentationRecord& record);
  // History returns the transaction log, oldest first (ties by record id). kInvalidKey when
  // locked; kMalformed for a log record that no longer parses.
  Result<std::vector<PresentationRecord>> History() const;

  // key_store returns the device key store (to sign presentations with a copy's key).
  KeyStore& key_store() { return key_store_; }

  // receive_options returns the options Receive uses; set_receive_options replaces them (e.g.
  // the IACA anchors the user configured). Validated by the next Receive.
  const ReceiveOptions& receive_options() const { return options_.receive; }
  void set_receive_options(ReceiveOptions options) { options_.receive = std::move(options); }

 private:
  Wallet(std::unique_ptr<Vault> vault, const WalletOptions& options, const Clock& clock);
  Result<std::string> StoreBatch(const ReceivedBatch& batch);

  std::unique_ptr<Vault> vault_;
  VaultKeyStore key_store_;
  WalletOptions options_;
  const Clock& clock_;
};

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_WALLET_H_
