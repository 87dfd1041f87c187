// wallet/ui.h: the web wallet (issue 6, part 2), `bonafide wallet ui`: the holder's wallet
// (wallet/wallet.h, wallet/present.h) in a browser, served on this machine only.
//
// Pages (every one in English and Welsh, GOV.UK patterns, the security headers of web/page.h):
//   GET  /                      to /cards, or /unlock when the wallet is locked for this browser
//   GET  /unlock, POST /unlock  the PIN; a wrong PIN says how many attempts remain before a
//                               lockout and before the wallet erases itself (the Vault's policy),
//                               a lockout says how long to wait
//   GET  /cards                 the credentials, drawn as cards (display name in the page's
//                               language, a colour class, the portrait when the credential has one)
//   GET  /cards/{id}            a card's details: claims with labels, issuer, validity, status
//                               list, copies left
//   GET  /cards/{id}/delete, POST /cards/{id}/delete   confirmation, then deletion
//   GET  /add, POST /add        paste an openid-credential-offer:// link
//   GET  /add/code, POST /add/code   the transaction code, when the offer needs one
//   GET  /add/done              what was added
//   GET  /present, POST /present    paste an openid4vp:// request link (GET /present?client_id=
//                               ..&request_uri=.. fills the form in: a same-device link)
//   GET  /present/{rid}         consent: the verified relying party's registered name, the
//                               purpose, each attribute; over-asking is flagged and the Share
//                               button is not offered; an unregistered or suspended verifier is
//                               refused with its own page
//   POST /present/{rid}         Share or Decline; GET /present/{rid}/done the outcome
//   GET  /history               what was shared with whom and when (attribute names only)
//   POST /lock                  locks the wallet and ends the browser session
//   GET  /assets/{name}         web/assets.h
// Every POST carries the session's CSRF token (403 "form expired" page without it).
//
// Locking: the wallet is unlocked for the one browser session that gave the PIN (the session is
// rotated at unlock). Another browser session sees the PIN page; entering the PIN there moves the
// unlocked wallet to it. After `idle_timeout_seconds` without a request from that session the
// wallet locks (checked on every request) and the session ends.
//
// Loopback only: the UI refuses to listen on anything but a loopback address (CheckLoopbackHost),
// and answers 421 to a request whose Host header names another host (DNS rebinding).
//
// Thread safety: handlers run concurrently; the wallet is used under one mutex (requests to the
// issuer or verifier are made while holding it: one person uses a wallet). Ownership: the
// Clock, Random and transport of WalletUiOptions must outlive the server.
#ifndef BONAFIDE_WALLET_UI_H_
#define BONAFIDE_WALLET_UI_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "http/server.h"
#include "wallet/http_transport.h"

namespace bonafide::wallet {

// WalletUiOptions configure the web wallet.
struct WalletUiOptions {
  std::filesystem::path dir{};  // the wallet directory (`wallet init`); required
  // listen_host: the host the server listens on; must be loopback (CheckLoopbackHost).
  std::string listen_host = "127.0.0.1";
  const Clock* clock = nullptr;  // required
  Random* random = nullptr;      // required
  // transport: how the wallet reaches issuers and verifiers. Null: a wallet::HttpClientTransport
  // with `ca_file` (owned by the UI).
  HttpTransport* transport = nullptr;
  std::string ca_file{};  // PEM roots for https issuers and verifiers ("" = the system store)
  // insecure_http_loopback: accept http://127.0.0.1 / localhost issuers and verifiers (tests and
  // local demos only), as `wallet receive|present --insecure-http-loopback`.
  bool insecure_http_loopback = false;
  int64_t idle_timeout_seconds = 5 * 60;  // the wallet locks after this long without a request
  // secure_cookie: mark the session cookie Secure (only when served over https; the UI is plain
  // http on loopback, where browsers drop Secure cookies).
  bool secure_cookie = false;
};

// CheckLoopbackHost returns OK when `host` is a loopback host: "localhost", an IPv4 address in
// 127.0.0.0/8 (four decimal octets), or "::1" (also "[::1]"). kInvalidArgument otherwise.
Status CheckLoopbackHost(std::string_view host);

// RegisterWalletUiRoutes opens the wallet in options.dir (locked) and puts the web wallet on
// `server`. kInvalidArgument for missing options or a listen_host that is not loopback;
// Wallet::Open's errors (kNotFound when `dir` holds no wallet); Server::Handle's errors.
Status RegisterWalletUiRoutes(http::Server& server, WalletUiOptions options);

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_UI_H_
