/* bonafide/wallet.h: the C API of the bonafide wallet core (issue 4, section 3), so that a phone
 * app (Swift, Kotlin/JNI, Dart FFI, ...) can embed the wallet: create or open an encrypted
 * wallet protected by a PIN, receive credentials over OpenID4VCI 1.0 (pre-authorized code flow,
 * every credential's issuer signature verified before it is stored), list, show and delete them.
 * It wraps the C++ class bonafide::wallet::Wallet (src/wallet/wallet.h), which documents the
 * storage, PIN and lockout rules.
 *
 * Language: C99; no C++ type crosses this header. Every function is declared extern "C".
 *
 * Errors: every function that can fail returns a bf_status. BF_OK (0) is success; the other
 * values are the stable error vocabulary of bonafide (src/base/status.h), with the same numbers
 * and the names bf_status_name returns. Numbers are never reused or renumbered; new codes are
 * appended. After a failure, bf_wallet_last_error(w) returns a human-readable message (English,
 * never containing the PIN or credential contents) for the wallet `w` that failed, and
 * bf_wallet_last_error(NULL) the message of the calling thread's last failure that had no wallet
 * (bf_wallet_init, bf_wallet_open, or any call given a NULL wallet). Programs branch on the
 * bf_status, never on the message.
 *
 * NULL arguments: a NULL where a pointer is required returns BF_INVALID_ARGUMENT and changes
 * nothing; no function aborts or throws (C++ exceptions never leave this API; an unexpected one
 * becomes BF_INTERNAL).
 *
 * Ownership: a bf_wallet* returned by bf_wallet_init / bf_wallet_open belongs to the caller and is
 * released with bf_wallet_close. Every char* returned through an out parameter (json_out) is a
 * NUL-terminated UTF-8 string owned by the caller, released with bf_string_free (never with
 * free()); on failure *json_out is set to NULL. The const char* of bf_wallet_last_error and
 * bf_status_name are owned by the library: the first stays valid until the next call on the same
 * wallet (or, for NULL, the next failing call without a wallet on the same thread) or
 * bf_wallet_close; the second forever.
 *
 * Thread safety: a bf_wallet must be used by one thread at a time; distinct wallets (in distinct
 * directories) may be used from distinct threads. Network calls (bf_wallet_receive,
 * bf_wallet_delete) block; call them off the UI thread.
 */
#ifndef BONAFIDE_WALLET_C_API_H_
#define BONAFIDE_WALLET_C_API_H_

#ifdef __cplusplus
extern "C" {
#endif

/* bf_status: the result of every fallible call. Values equal bonafide::StatusCode. */
typedef enum bf_status {
  BF_OK = 0,
  BF_MALFORMED = 1,               /* "malformed": input (offer, response, credential) does not parse */
  BF_INVALID_ARGUMENT = 2,        /* "invalid_argument": NULL or bad argument, PIN breaking the rules,
                                     wallet already exists, tx_code needed and not given,
                                     issuer refused the code (invalid_grant) */
  BF_INVALID_SIGNATURE = 3,       /* "invalid_signature": wrong PIN; or a credential whose issuer
                                     signature does not verify */
  BF_UNTRUSTED_ISSUER = 4,        /* "untrusted_issuer": the credential's signer is not one the
                                     issuer publishes / the wallet trusts */
  BF_EXPIRED = 5,                 /* "expired" */
  BF_NOT_YET_VALID = 6,           /* "not_yet_valid" */
  BF_REVOKED = 7,                 /* "revoked" */
  BF_SUSPENDED = 8,               /* "suspended" */
  BF_DIGEST_MISMATCH = 9,         /* "digest_mismatch" */
  BF_DUPLICATE_DISCLOSURE = 10,   /* "duplicate_disclosure" */
  BF_MISSING_KEY_BINDING = 11,    /* "missing_key_binding" */
  BF_NONCE_MISMATCH = 12,         /* "nonce_mismatch": the issuer refused the proof nonce */
  BF_AUDIENCE_MISMATCH = 13,      /* "audience_mismatch" */
  BF_UNSUPPORTED_ALGORITHM = 14,  /* "unsupported_algorithm" */
  BF_ALGORITHM_MISMATCH = 15,     /* "algorithm_mismatch" */
  BF_INVALID_KEY = 16,            /* "invalid_key": wallet locked; credential bound to no new key */
  BF_UNKNOWN_CRITICAL = 17,       /* "unknown_critical_header" */
  BF_RESERVED_CLAIM_NAME = 18,    /* "reserved_claim_name" */
  BF_UNREFERENCED_DISCLOSURE = 19,/* "unreferenced_disclosure" */
  BF_STALE_KEY_BINDING = 20,      /* "stale_key_binding" */
  BF_INVALID_TYPE = 21,           /* "invalid_type": wrong vct / doctype / type */
  BF_INVALID_CERTIFICATE = 22,    /* "invalid_certificate" */
  BF_STATUS_UNAVAILABLE = 23,     /* "status_unavailable" */
  BF_LIMIT_EXCEEDED = 24,         /* "limit_exceeded": wallet locked out after wrong PINs (wait) */
  BF_NOT_FOUND = 25,              /* "not_found": no wallet in the directory (or it erased itself
                                     after too many wrong PINs); unknown credential id */
  BF_IO_ERROR = 26,               /* "io_error": file or network failure, issuer unreachable */
  BF_INTERNAL = 27,               /* "internal": a bug; report it */
  BF_INVALID_CLAIMS = 28,         /* "invalid_claims" */
  BF_PERMISSION_DENIED = 29       /* "permission_denied" */
} bf_status;

/* bf_wallet: an opened wallet (opaque). */
typedef struct bf_wallet bf_wallet;

/* bf_status_name returns the stable snake_case name of `status` ("ok", "invalid_signature",
 * ...), or "unknown" for a value outside the enum. Never NULL; static storage. */
const char* bf_status_name(bf_status status);

/* bf_wallet_init creates a new wallet in directory `dir` (created if missing) protected by `pin`
 * (6 to 64 digits, not trivial) and returns it unlocked in *out (NULL on failure).
 * BF_INVALID_ARGUMENT for a PIN breaking the rules or an existing wallet; BF_IO_ERROR. */
bf_status bf_wallet_init(const char* dir, const char* pin, bf_wallet** out);

/* bf_wallet_open opens the wallet in `dir`, locked, into *out (NULL on failure).
 * BF_NOT_FOUND when there is none. */
bf_status bf_wallet_open(const char* dir, bf_wallet** out);

/* bf_wallet_unlock checks `pin`. BF_INVALID_SIGNATURE for a wrong PIN; BF_LIMIT_EXCEEDED for the
 * wrong PIN that starts a lockout (the 5th consecutive one; the lockout grows with every further
 * failure) and for every attempt while locked out (the PIN is not even tried); BF_NOT_FOUND when
 * the wallet erased itself (the 10th consecutive wrong PIN). */
bf_status bf_wallet_unlock(bf_wallet* w, const char* pin);

/* bf_wallet_lock wipes the wallet key from memory; later calls need bf_wallet_unlock. */
bf_status bf_wallet_lock(bf_wallet* w);

/* bf_wallet_set_insecure_http_loopback (0 or 1; default 0) lets bf_wallet_receive talk to
 * http://localhost / 127.0.0.1 / [::1] issuers. For tests and local demos only. */
bf_status bf_wallet_set_insecure_http_loopback(bf_wallet* w, int allow);

/* bf_wallet_set_ca_file makes https requests verify servers against the PEM roots in file
 * `path` instead of the system store; NULL or "" restores the system store. */
bf_status bf_wallet_set_ca_file(bf_wallet* w, const char* path);

/* bf_wallet_add_trusted_iaca_pem adds the IACA root certificate(s) in PEM text `pem`. Once any
 * is added, mdocs must chain to one of them (the issuer's own /iacas is no longer consulted).
 * BF_MALFORMED when `pem` holds no certificate. */
bf_status bf_wallet_add_trusted_iaca_pem(bf_wallet* w, const char* pem);

/* bf_wallet_receive receives the credentials of `offer_uri` (openid-credential-offer://...,
 * by value or by reference) over HTTPS, with `tx_code` when the offer needs one (may be NULL
 * otherwise), verifies each credential's issuer signature, stores every batch copy and sends
 * credential_accepted. On success *json_out is {"received": [summary, ...]}, one summary per
 * offered credential: {"id", "configuration_id", "format", "type", "issuer",
 * "display_name": {"en", "cy"}, "copies", "unused_copies", "received_at"}. Needs an unlocked
 * wallet (BF_INVALID_KEY otherwise). Failures store nothing: BF_INVALID_ARGUMENT (tx_code needed
 * and NULL, or refused), BF_UNTRUSTED_ISSUER / BF_INVALID_SIGNATURE (a credential that does not
 * verify), BF_IO_ERROR (issuer unreachable), and the other codes of the flow. */
bf_status bf_wallet_receive(bf_wallet* w, const char* offer_uri, const char* tx_code, char** json_out);

/* bf_wallet_list_json sets *json_out to a JSON array of every credential's summary (as in
 * bf_wallet_receive), ordered by id. BF_INVALID_KEY when locked. */
bf_status bf_wallet_list_json(bf_wallet* w, char** json_out);

/* bf_wallet_show_json sets *json_out to the credential `id` as a JSON object: its summary plus
 * "claims". BF_NOT_FOUND for an unknown id; BF_INVALID_KEY when locked. */
bf_status bf_wallet_show_json(bf_wallet* w, const char* id, char** json_out);

/* bf_wallet_delete deletes the credential `id`, all its copies and device keys, then sends the
 * issuer's credential_deleted notification when it asked for one (best effort: a failed
 * notification does not undo the deletion and is not an error). BF_NOT_FOUND for an unknown
 * id; BF_INVALID_KEY when locked. */
bf_status bf_wallet_delete(bf_wallet* w, const char* id);

/* bf_wallet_last_error returns the message of the last failed call on `w` ("" after a success),
 * or with w == NULL that of the calling thread's last failure without a wallet. Never NULL. */
const char* bf_wallet_last_error(const bf_wallet* w);

/* bf_wallet_close locks and releases `w`. NULL is allowed and does nothing. */
void bf_wallet_close(bf_wallet* w);

/* bf_string_free releases a string returned through a json_out parameter. NULL is allowed. */
void bf_string_free(char* s);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BONAFIDE_WALLET_C_API_H_ */
