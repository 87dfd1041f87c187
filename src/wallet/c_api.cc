// The C API of include/bonafide/wallet.h over wallet::Wallet. Every entry point catches every
// exception (nothing may unwind into C), checks its pointers, and records the message of a
// failure in the wallet (or, without one, in a thread-local slot).
#include "bonafide/wallet.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/x509.h"
#include "wallet/http_client_transport.h"
#include "wallet/wallet.h"

// The numbers of bf_status are those of StatusCode: stable on both sides.
#define BONAFIDE_CHECK_CODE(c, s) static_assert(static_cast<int>(bonafide::StatusCode::c) == s, #s)
BONAFIDE_CHECK_CODE(kOk, BF_OK);
BONAFIDE_CHECK_CODE(kMalformed, BF_MALFORMED);
BONAFIDE_CHECK_CODE(kInvalidArgument, BF_INVALID_ARGUMENT);
BONAFIDE_CHECK_CODE(kInvalidSignature, BF_INVALID_SIGNATURE);
BONAFIDE_CHECK_CODE(kUntrustedIssuer, BF_UNTRUSTED_ISSUER);
BONAFIDE_CHECK_CODE(kExpired, BF_EXPIRED);
BONAFIDE_CHECK_CODE(kNotYetValid, BF_NOT_YET_VALID);
BONAFIDE_CHECK_CODE(kRevoked, BF_REVOKED);
BONAFIDE_CHECK_CODE(kSuspended, BF_SUSPENDED);
BONAFIDE_CHECK_CODE(kDigestMismatch, BF_DIGEST_MISMATCH);
BONAFIDE_CHECK_CODE(kDuplicateDisclosure, BF_DUPLICATE_DISCLOSURE);
BONAFIDE_CHECK_CODE(kMissingKeyBinding, BF_MISSING_KEY_BINDING);
BONAFIDE_CHECK_CODE(kNonceMismatch, BF_NONCE_MISMATCH);
BONAFIDE_CHECK_CODE(kAudienceMismatch, BF_AUDIENCE_MISMATCH);
BONAFIDE_CHECK_CODE(kUnsupportedAlgorithm, BF_UNSUPPORTED_ALGORITHM);
BONAFIDE_CHECK_CODE(kAlgorithmMismatch, BF_ALGORITHM_MISMATCH);
BONAFIDE_CHECK_CODE(kInvalidKey, BF_INVALID_KEY);
BONAFIDE_CHECK_CODE(kUnknownCritical, BF_UNKNOWN_CRITICAL);
BONAFIDE_CHECK_CODE(kReservedClaimName, BF_RESERVED_CLAIM_NAME);
BONAFIDE_CHECK_CODE(kUnreferencedDisclosure, BF_UNREFERENCED_DISCLOSURE);
BONAFIDE_CHECK_CODE(kStaleKeyBinding, BF_STALE_KEY_BINDING);
BONAFIDE_CHECK_CODE(kInvalidType, BF_INVALID_TYPE);
BONAFIDE_CHECK_CODE(kInvalidCertificate, BF_INVALID_CERTIFICATE);
BONAFIDE_CHECK_CODE(kStatusUnavailable, BF_STATUS_UNAVAILABLE);
BONAFIDE_CHECK_CODE(kLimitExceeded, BF_LIMIT_EXCEEDED);
BONAFIDE_CHECK_CODE(kNotFound, BF_NOT_FOUND);
BONAFIDE_CHECK_CODE(kIoError, BF_IO_ERROR);
BONAFIDE_CHECK_CODE(kInternal, BF_INTERNAL);
BONAFIDE_CHECK_CODE(kInvalidClaims, BF_INVALID_CLAIMS);
BONAFIDE_CHECK_CODE(kPermissionDenied, BF_PERMISSION_DENIED);
#undef BONAFIDE_CHECK_CODE

struct bf_wallet {
  std::unique_ptr<bonafide::wallet::Wallet> wallet;
  bonafide::http::ClientOptions client_options;
  std::string last_error;
};

namespace {

using bonafide::Error;
using bonafide::Json;
using bonafide::Result;
using bonafide::Status;
using bonafide::StatusCode;

constexpr bf_status kLastStatus = BF_PERMISSION_DENIED;

// The message of the calling thread's last failure without a wallet.
thread_local std::string t_last_error;

std::string& ErrorSlot(bf_wallet* w) { return w != nullptr ? w->last_error : t_last_error; }

// Report records `status` for `w` (or the thread) and returns its bf_status.
bf_status Report(bf_wallet* w, const Status& status) {
  ErrorSlot(w) = status.ok() ? std::string() : status.message();
  return static_cast<bf_status>(static_cast<int>(status.code()));
}

bf_status NullArgument(bf_wallet* w, const char* name) {
  return Report(w, Error(StatusCode::kInvalidArgument, std::string(name) + " is NULL"));
}

// Guard runs `body` (returning bf_status) so that no exception escapes into C.
template <typename F>
bf_status Guard(bf_wallet* w, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    try {
      return Report(w, Error(StatusCode::kInternal, "out of memory"));
    } catch (...) {
      return BF_INTERNAL;
    }
  } catch (...) {
    try {
      return Report(w, Error(StatusCode::kInternal, "unexpected exception in the wallet"));
    } catch (...) {
      return BF_INTERNAL;
    }
  }
}

// CopyOut returns a malloc'ed copy of `text` for bf_string_free, or nullptr when out of memory.
char* CopyOut(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

bf_status SetJson(bf_wallet* w, const Json& json, char** json_out) {
  *json_out = CopyOut(bonafide::DumpJson(json));
  if (*json_out == nullptr) return Report(w, Error(StatusCode::kInternal, "out of memory"));
  return Report(w, bonafide::OkStatus());
}

bf_status Adopt(Result<std::unique_ptr<bonafide::wallet::Wallet>> made, bf_wallet** out) {
  if (!made.ok()) return Report(nullptr, made.status());
  auto handle = std::make_unique<bf_wallet>();
  handle->wallet = std::move(made).value();
  *out = handle.release();
  return BF_OK;
}

}  // namespace

extern "C" {

const char* bf_status_name(bf_status status) {
  // C callers may pass any int: read the bits, not the enum (a C++ load of an enum outside its
  // values is undefined; clang's UBSan reports it).
  static_assert(sizeof(bf_status) == sizeof(int));
  int value = 0;
  std::memcpy(&value, &status, sizeof value);
  if (value < 0 || value > static_cast<int>(kLastStatus)) return "unknown";
  return bonafide::StatusCodeName(static_cast<StatusCode>(value)).data();
}

bf_status bf_wallet_init(const char* dir, const char* pin, bf_wallet** out) {
  return Guard(nullptr, [&]() -> bf_status {
    if (out == nullptr) return NullArgument(nullptr, "out");
    *out = nullptr;
    if (dir == nullptr) return NullArgument(nullptr, "dir");
    if (pin == nullptr) return NullArgument(nullptr, "pin");
    return Adopt(bonafide::wallet::Wallet::Init(dir, pin), out);
  });
}

bf_status bf_wallet_open(const char* dir, bf_wallet** out) {
  return Guard(nullptr, [&]() -> bf_status {
    if (out == nullptr) return NullArgument(nullptr, "out");
    *out = nullptr;
    if (dir == nullptr) return NullArgument(nullptr, "dir");
    return Adopt(bonafide::wallet::Wallet::Open(dir), out);
  });
}

bf_status bf_wallet_unlock(bf_wallet* w, const char* pin) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    if (pin == nullptr) return NullArgument(w, "pin");
    Status unlocked = w->wallet->Unlock(pin);
    if (unlocked.ok() || unlocked.code() != StatusCode::kInvalidSignature) return Report(w, unlocked);
    // A wrong PIN that started a lockout is reported as the lockout, as the CLI does.
    Result<bonafide::wallet::PinState> state = w->wallet->GetPinState();
    if (!state.ok()) return Report(w, unlocked);
    const int64_t now = bonafide::SystemClock::Default().NowSeconds();
    if (state->locked_until > now) {
      return Report(w, Error(StatusCode::kLimitExceeded, "wrong PIN; the wallet is locked for " +
                                                             std::to_string(state->locked_until - now) + " s"));
    }
    return Report(w, Error(StatusCode::kInvalidSignature,
                           "wrong PIN (" + std::to_string(state->failed_attempts) + " consecutive; the wallet " +
                               "locks after " + std::to_string(bonafide::wallet::kPinFailuresBeforeLockout) +
                               " and erases itself after " +
                               std::to_string(bonafide::wallet::kPinFailuresBeforeWipe) + ")"));
  });
}

bf_status bf_wallet_lock(bf_wallet* w) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    w->wallet->Lock();
    return Report(w, bonafide::OkStatus());
  });
}

bf_status bf_wallet_set_insecure_http_loopback(bf_wallet* w, int allow) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    bonafide::wallet::ReceiveOptions options = w->wallet->receive_options();
    options.insecure_allow_http_loopback = allow != 0;
    w->wallet->set_receive_options(std::move(options));
    return Report(w, bonafide::OkStatus());
  });
}

bf_status bf_wallet_set_ca_file(bf_wallet* w, const char* path) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    w->client_options.ca_file = path != nullptr ? path : "";
    return Report(w, bonafide::OkStatus());
  });
}

bf_status bf_wallet_add_trusted_iaca_pem(bf_wallet* w, const char* pem) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    if (pem == nullptr) return NullArgument(w, "pem");
    Result<std::vector<bonafide::crypto::Certificate>> certs = bonafide::crypto::Certificate::AllFromPem(pem);
    if (!certs.ok()) return Report(w, certs.status());
    bonafide::wallet::ReceiveOptions options = w->wallet->receive_options();
    for (bonafide::crypto::Certificate& c : *certs) options.iaca_anchors.push_back(std::move(c));
    w->wallet->set_receive_options(std::move(options));
    return Report(w, bonafide::OkStatus());
  });
}

bf_status bf_wallet_receive(bf_wallet* w, const char* offer_uri, const char* tx_code, char** json_out) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    if (json_out == nullptr) return NullArgument(w, "json_out");
    *json_out = nullptr;
    if (offer_uri == nullptr) return NullArgument(w, "offer_uri");
    const std::optional<std::string> given = tx_code != nullptr ? std::optional<std::string>(tx_code) : std::nullopt;
    bonafide::wallet::TxCodeProvider provider = [given](const bonafide::oid4vci::TxCode&) -> Result<std::string> {
      if (!given.has_value()) {
        return Error(StatusCode::kInvalidArgument, "the offer needs a transaction code (tx_code) and none was given");
      }
      return *given;
    };
    bonafide::wallet::HttpClientTransport transport(w->client_options);
    Result<std::vector<std::string>> ids = w->wallet->Receive(offer_uri, provider, transport);
    if (!ids.ok()) return Report(w, ids.status());
    Result<std::vector<bonafide::wallet::CredentialSummary>> list = w->wallet->List();
    if (!list.ok()) return Report(w, list.status());
    Json received = Json::array();
    for (const std::string& id : *ids) {
      for (const auto& s : *list) {
        if (s.id == id) received.push_back(s.ToJson());
      }
    }
    return SetJson(w, Json{{"received", std::move(received)}}, json_out);
  });
}

bf_status bf_wallet_list_json(bf_wallet* w, char** json_out) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    if (json_out == nullptr) return NullArgument(w, "json_out");
    *json_out = nullptr;
    Result<std::vector<bonafide::wallet::CredentialSummary>> list = w->wallet->List();
    if (!list.ok()) return Report(w, list.status());
    Json out = Json::array();
    for (const auto& s : *list) out.push_back(s.ToJson());
    return SetJson(w, out, json_out);
  });
}

bf_status bf_wallet_show_json(bf_wallet* w, const char* id, char** json_out) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    if (json_out == nullptr) return NullArgument(w, "json_out");
    *json_out = nullptr;
    if (id == nullptr) return NullArgument(w, "id");
    Result<Json> shown = w->wallet->Show(id);
    if (!shown.ok()) return Report(w, shown.status());
    return SetJson(w, *shown, json_out);
  });
}

bf_status bf_wallet_delete(bf_wallet* w, const char* id) {
  return Guard(w, [&]() -> bf_status {
    if (w == nullptr) return NullArgument(nullptr, "wallet");
    if (id == nullptr) return NullArgument(w, "id");
    bonafide::wallet::HttpClientTransport transport(w->client_options);
    return Report(w, w->wallet->Delete(id, &transport));
  });
}

const char* bf_wallet_last_error(const bf_wallet* w) {
  return w != nullptr ? w->last_error.c_str() : t_last_error.c_str();
}

void bf_wallet_close(bf_wallet* w) {
  if (w == nullptr) return;
  try {
    w->wallet->Lock();
  } catch (...) {
    // Lock only wipes memory; nothing to report from a destructor-like call.
  }
  delete w;
}

void bf_string_free(char* s) { std::free(s); }

}  // extern "C"
