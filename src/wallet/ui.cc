// wallet/ui.cc: the web wallet (wallet/ui.h).
#include "wallet/ui.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"
#include "oid4vp/request.h"
#include "web/assets.h"
#include "web/front_end.h"
#include "web/govuk.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"
#include "wallet/http_client_transport.h"
#include "wallet/present.h"
#include "wallet/wallet.h"

namespace bonafide::wallet {

namespace {

using web::Format;
using web::Html;
using web::Lang;
namespace govuk = web::govuk;

// The web wallet's words. "{}" holes are filled by Fill(), left to right.
constexpr web::Message kMessages[] = {
    {"service", "Your digital wallet", "Eich waled ddigidol"},
    {"nav.cards", "Your cards", "Eich cardiau"},
    {"nav.add", "Add a card", "Ychwanegu cerdyn"},
    {"nav.present", "Share details", "Rhannu manylion"},
    {"nav.history", "What you have shared", "Beth rydych wedi'i rannu"},
    {"lock", "Lock the wallet", "Cloi'r waled"},
    {"unlock.title", "Enter your wallet PIN", "Rhowch PIN eich waled"},
    {"unlock.hint", "The PIN you chose when you set up the wallet.",
     "Y PIN a ddewisoch wrth sefydlu'r waled."},
    {"unlock.button", "Unlock", "Datgloi"},
    {"unlock.missing", "Enter your PIN", "Rhowch eich PIN"},
    {"unlock.wrong", "The PIN is not right. You have {} more attempts before the wallet locks for a while.",
     "Nid yw'r PIN yn gywir. Mae gennych {} ymgais arall cyn i'r waled gloi am ychydig."},
    {"unlock.wrong_wipe",
     "The PIN is not right. The wallet erases itself and every card in it after {} more wrong PINs.",
     "Nid yw'r PIN yn gywir. Bydd y waled yn dileu ei hun a phob cerdyn ynddi ar ôl {} PIN anghywir arall."},
    {"unlock.locked", "Too many wrong PINs. Wait {} seconds, then try again.",
     "Gormod o PINs anghywir. Arhoswch {} eiliad, yna rhowch gynnig arall arni."},
    {"unlock.erased", "The wallet has erased itself", "Mae'r waled wedi dileu ei hun"},
    {"unlock.erased.body", "Too many wrong PINs were entered, so every card was erased. Set up the wallet again.",
     "Rhoddwyd gormod o PINs anghywir, felly cafodd pob cerdyn ei ddileu. Sefydlwch y waled eto."},
    {"locked", "Your wallet is locked", "Mae eich waled wedi'i chloi"},
    {"not_found", "Page not found", "Heb ddod o hyd i'r dudalen"},
    {"not_found.body", "There is nothing at this address in your wallet.",
     "Nid oes dim yn y cyfeiriad hwn yn eich waled."},
    {"problem", "Sorry, there is a problem with the wallet", "Mae'n ddrwg gennym, mae problem gyda'r waled"},
    {"problem.body", "Try again. If it keeps happening, lock the wallet and unlock it again.",
     "Rhowch gynnig arall arni. Os yw'n dal i ddigwydd, cloi'r waled a'i datgloi eto."},
    {"cards.title", "Your cards", "Eich cardiau"},
    {"cards.empty", "There are no cards in your wallet yet.", "Nid oes cardiau yn eich waled eto."},
    {"cards.issuer", "Issued by {}", "Cyhoeddwyd gan {}"},
    {"cards.copies", "{} of {} single-use copies left", "{} o {} copi untro ar ôl"},
    {"cards.photo_alt", "Photo on the card", "Llun ar y cerdyn"},
    {"cards.deleted", "The card was deleted", "Cafodd y cerdyn ei ddileu"},
    {"card.issuer", "Issued by", "Cyhoeddwyd gan"},
    {"card.type", "Type", "Math"},
    {"card.format", "Format", "Fformat"},
    {"card.valid_from", "Valid from", "Dilys o"},
    {"card.valid_until", "Valid until", "Dilys tan"},
    {"card.received", "Added to the wallet", "Ychwanegwyd at y waled"},
    {"card.status", "Can be revoked", "Gellir ei ddirymu"},
    {"card.status_yes", "Yes: the issuer publishes a revocation list for it",
     "Gellir: mae'r cyhoeddwr yn cyhoeddi rhestr dirymu ar ei gyfer"},
    {"card.status_no", "No revocation list", "Dim rhestr dirymu"},
    {"card.copies", "Copies left", "Copïau ar ôl"},
    {"card.copies_value", "{} of {}", "{} o {}"},
    {"card.copies_hint", "Each time you share, a fresh copy is used so organisations cannot link your visits.",
     "Bob tro y byddwch yn rhannu, defnyddir copi newydd fel na all sefydliadau gysylltu eich ymweliadau."},
    {"card.details", "Details on the card", "Manylion ar y cerdyn"},
    {"card.about", "About the card", "Am y cerdyn"},
    {"card.delete", "Delete this card", "Dileu'r cerdyn hwn"},
    {"delete.title", "Are you sure you want to delete {}?", "Ydych chi'n siŵr eich bod am ddileu {}?"},
    {"delete.warning", "You cannot undo this. To get the card back, ask its issuer for a new one.",
     "Ni allwch ddadwneud hyn. I gael y cerdyn yn ôl, gofynnwch i'w gyhoeddwr am un newydd."},
    {"delete.button", "Yes, delete the card", "Ie, dileu'r cerdyn"},
    {"cancel", "Cancel", "Canslo"},
    {"add.title", "Add a card from an offer", "Ychwanegu cerdyn o gynnig"},
    {"add.label", "Paste the offer link", "Gludwch ddolen y cynnig"},
    {"add.hint", "The organisation that issues the card gives you a link that starts with openid-credential-offer://",
     "Mae'r sefydliad sy'n cyhoeddi'r cerdyn yn rhoi dolen i chi sy'n dechrau gydag openid-credential-offer://"},
    {"add.missing", "Enter the offer link", "Rhowch ddolen y cynnig"},
    {"add.not_offer", "Enter an offer link that starts with openid-credential-offer://",
     "Rhowch ddolen cynnig sy'n dechrau gydag openid-credential-offer://"},
    {"add.button", "Continue", "Parhau"},
    {"add.failed.malformed", "This offer link is not valid. Check you copied all of it.",
     "Nid yw'r ddolen gynnig hon yn ddilys. Gwiriwch eich bod wedi copïo'r cyfan."},
    {"add.failed.used", "The offer could not be used. It may have expired or been used already: ask the issuer for a new one.",
     "Nid oedd modd defnyddio'r cynnig. Efallai ei fod wedi dod i ben neu wedi'i ddefnyddio'n barod: gofynnwch i'r cyhoeddwr am un newydd."},
    {"add.failed.io", "The issuer could not be reached. Try again later.",
     "Nid oedd modd cysylltu â'r cyhoeddwr. Rhowch gynnig arall arni yn nes ymlaen."},
    {"add.failed.untrusted", "The card's signature could not be checked, so it was not added.",
     "Nid oedd modd gwirio llofnod y cerdyn, felly ni chafodd ei ychwanegu."},
    {"add.failed.other", "The card could not be added ({}).", "Nid oedd modd ychwanegu'r cerdyn ({})."},
    {"code.title", "Enter the code for this card", "Rhowch y cod ar gyfer y cerdyn hwn"},
    {"code.label", "Transaction code", "Cod trafodiad"},
    {"code.length", "The code has {} characters.", "Mae gan y cod {} nod."},
    {"code.missing", "Enter the code", "Rhowch y cod"},
    {"code.wrong", "The code is not right, or the offer has expired. Check the code and try again.",
     "Nid yw'r cod yn gywir, neu mae'r cynnig wedi dod i ben. Gwiriwch y cod a rhowch gynnig arall arni."},
    {"done.title", "Card added", "Cerdyn wedi'i ychwanegu"},
    {"done.body", "It is now in your wallet.", "Mae nawr yn eich waled."},
    {"done.cards", "Go to your cards", "Mynd i'ch cardiau"},
    {"present.title", "Share details with an organisation", "Rhannu manylion gyda sefydliad"},
    {"present.label", "Paste the request link", "Gludwch ddolen y cais"},
    {"present.hint", "The organisation shows you a QR code or a link that starts with openid4vp://",
     "Mae'r sefydliad yn dangos cod QR neu ddolen sy'n dechrau gydag openid4vp:// i chi"},
    {"present.missing", "Enter the request link", "Rhowch ddolen y cais"},
    {"present.not_request", "Enter a request link that starts with openid4vp://",
     "Rhowch ddolen cais sy'n dechrau gydag openid4vp://"},
    {"present.unreachable", "The organisation's service could not be reached. Try again later.",
     "Nid oedd modd cysylltu â gwasanaeth y sefydliad. Rhowch gynnig arall arni yn nes ymlaen."},
    {"present.no_trust", "This wallet does not know which organisations are registered",
     "Nid yw'r waled hon yn gwybod pa sefydliadau sydd wedi'u cofrestru"},
    {"present.no_trust.body", "Set up the trust registry first with the command: bonafide wallet trust",
     "Sefydlwch y gofrestr ymddiriedaeth yn gyntaf gyda'r gorchymyn: bonafide wallet trust"},
    {"present.failed", "The request could not be read ({}).", "Nid oedd modd darllen y cais ({})."},
    {"consent.title", "Share your details with {}?", "Rhannu eich manylion gyda {}?"},
    {"consent.organisation", "Organisation", "Sefydliad"},
    {"consent.registration", "Registration number", "Rhif cofrestru"},
    {"consent.website", "Website", "Gwefan"},
    {"consent.purpose", "Why they are asking", "Pam maen nhw'n gofyn"},
    {"consent.verified", "Registered in the trust registry", "Wedi'i gofrestru yn y gofrestr ymddiriedaeth"},
    {"consent.shares", "What will be shared", "Beth fydd yn cael ei rannu"},
    {"consent.asks", "What they asked for", "Beth y gofynnon nhw amdano"},
    {"consent.from", "from {}", "o {}"},
    {"consent.whole", "This card cannot share single details: all of {} will be shared.",
     "Ni all y cerdyn hwn rannu manylion unigol: bydd y cyfan o {} yn cael ei rannu."},
    {"consent.stale", "The list of registered organisations has not been updated recently.",
     "Nid yw'r rhestr o sefydliadau cofrestredig wedi'i diweddaru'n ddiweddar."},
    {"consent.share", "Share", "Rhannu"},
    {"consent.decline", "Do not share", "Peidio â rhannu"},
    {"over.title", "{} asked for more than it is allowed to", "Gofynnodd {} am fwy nag y caniateir iddo"},
    {"over.warning", "This request was refused because it asks for details the organisation is not registered to see: {}.",
     "Gwrthodwyd y cais hwn oherwydd ei fod yn gofyn am fanylion nad yw'r sefydliad wedi'i gofrestru i'w gweld: {}."},
    {"refused.nothing", "Nothing was shared.", "Ni rannwyd dim."},
    {"refused.unregistered", "This organisation is not registered", "Nid yw'r sefydliad hwn wedi'i gofrestru"},
    {"refused.unregistered.body",
     "{} is not registered in the trust registry to ask for your details, so the wallet refused the request.",
     "Nid yw {} wedi'i gofrestru yn y gofrestr ymddiriedaeth i ofyn am eich manylion, felly gwrthododd y waled y cais."},
    {"refused.suspended", "This organisation is suspended", "Mae'r sefydliad hwn wedi'i atal"},
    {"refused.suspended.body",
     "{} is registered but its registration is suspended, so the wallet refused the request.",
     "Mae {} wedi'i gofrestru ond mae ei gofrestriad wedi'i atal, felly gwrthododd y waled y cais."},
    {"refused.no_match", "You do not have a card that can answer this request",
     "Nid oes gennych gerdyn a all ateb y cais hwn"},
    {"refused.no_match.body", "{} asked for details from a card that is not in your wallet, or that has no copies left.",
     "Gofynnodd {} am fanylion o gerdyn nad yw yn eich waled, neu nad oes ganddo gopïau ar ôl."},
    {"refused.other", "The wallet refused this request", "Gwrthododd y waled y cais hwn"},
    {"refused.other.body", "The request from {} could not be checked ({}).",
     "Nid oedd modd gwirio'r cais gan {} ({})."},
    {"shared.title", "Details shared", "Manylion wedi'u rhannu"},
    {"shared.body", "You shared these details with {}:", "Rydych wedi rhannu'r manylion hyn gyda {}:"},
    {"shared.return", "Return to {}", "Dychwelyd i {}"},
    {"declined.title", "You did not share your details", "Ni wnaethoch rannu eich manylion"},
    {"declined.body", "{} has been told that you said no.", "Mae {} wedi cael gwybod eich bod wedi dweud na."},
    {"failed.title", "Your details could not be sent", "Nid oedd modd anfon eich manylion"},
    {"failed.body", "The organisation's service did not accept the response ({}). Ask it to start again.",
     "Ni dderbyniodd gwasanaeth y sefydliad yr ymateb ({}). Gofynnwch iddo ddechrau eto."},
    {"history.title", "What you have shared", "Beth rydych wedi'i rannu"},
    {"history.empty", "You have not shared anything from this wallet.",
     "Nid ydych wedi rhannu dim o'r waled hon."},
    {"history.when", "When", "Pryd"},
    {"history.who", "Organisation", "Sefydliad"},
    {"history.what", "Details", "Manylion"},
    {"history.outcome", "Result", "Canlyniad"},
    {"history.caption", "Requests for your details, newest first", "Ceisiadau am eich manylion, y diweddaraf yn gyntaf"},
    {"history.unregistered", "{} (not registered)", "{} (heb ei gofrestru)"},
    {"outcome.shared", "Shared", "Rhannwyd"},
    {"outcome.declined", "You said no", "Dywedoch na"},
    {"outcome.refused", "Refused", "Gwrthodwyd"},
    {"outcome.failed", "Not sent", "Heb ei anfon"},
    {"purpose.right_to_work", "Right to work check", "Gwiriad hawl i weithio"},
    {"purpose.right_to_rent", "Right to rent check", "Gwiriad hawl i rentu"},
    {"purpose.age_over_18", "Checking you are over 18", "Gwirio eich bod dros 18"},
    {"purpose.veteran_status", "Checking veteran status", "Gwirio statws cyn-filwr"},
    {"purpose.driving_entitlement", "Checking what you may drive", "Gwirio beth y cewch ei yrru"},
    {"purpose.dbs_basic", "Basic DBS check", "Gwiriad DBS sylfaenol"},
    {"claim.family_name", "Last name", "Cyfenw"},
    {"claim.given_name", "First names", "Enwau cyntaf"},
    {"claim.birth_date", "Date of birth", "Dyddiad geni"},
    {"claim.birthDate", "Date of birth", "Dyddiad geni"},
    {"claim.portrait", "Photo", "Llun"},
    {"claim.nationality", "Nationality", "Cenedligrwydd"},
    {"claim.residency_status", "Residency status", "Statws preswylio"},
    {"claim.age_over_16", "Over 16", "Dros 16 oed"},
    {"claim.age_over_18", "Over 18", "Dros 18 oed"},
    {"claim.age_over_21", "Over 21", "Dros 21 oed"},
    {"claim.age_over_25", "Over 25", "Dros 25 oed"},
    {"claim.document_number", "Document number", "Rhif y ddogfen"},
    {"claim.issue_date", "Issue date", "Dyddiad cyhoeddi"},
    {"claim.expiry_date", "Expiry date", "Dyddiad dod i ben"},
    {"claim.issuing_authority", "Issued by", "Cyhoeddwyd gan"},
    {"claim.issuing_country", "Issuing country", "Gwlad gyhoeddi"},
    {"claim.address", "Address", "Cyfeiriad"},
    {"claim.driving_privileges", "Driving categories", "Categorïau gyrru"},
    {"claim.un_distinguishing_sign", "Country code", "Cod gwlad"},
};

const web::Catalogue& Words() {
  static const web::Catalogue catalogue = [] {
    auto made = web::Catalogue::Create(kMessages);
    return made.ok() ? std::move(*made) : web::Catalogue();
  }();
  return catalogue;
}

// Fill returns `text` with each "{}" replaced by the next of `args` (plain text, escaped later).
std::string Fill(std::string_view text, std::initializer_list<std::string> args) {
  std::string out;
  auto next = args.begin();
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "{}") == 0 && next != args.end()) {
      out += *next++;
      i += 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string Str(std::string_view s) { return std::string(s); }

// StringMember returns a string member of `json`, or "".
std::string StringMember(const Json& json, std::string_view name) {
  const Json* value = Find(json, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::optional<int64_t> IntMember(const Json& json, std::string_view name) {
  const Json* value = Find(json, name);
  if (value == nullptr || !value->is_number_integer()) return std::nullopt;
  return value->get<int64_t>();
}

// PercentEncode returns `text` percent-encoded for a URL query value (RFC 3986 unreserved kept).
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '.' ||
        u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

// HostOfUrl returns the host of an http(s) URL ("https://a.example:443/x" -> "a.example"), or the
// URL itself when it has none.
std::string HostOfUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t start = scheme + 3;
  const size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!authority.empty() && authority[0] == '[') return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

// HostOfHeader returns the host of a Host header value ("127.0.0.1:8080" -> "127.0.0.1",
// "[::1]:80" -> "::1").
std::string HostOfHeader(std::string_view value) {
  if (!value.empty() && value[0] == '[') {
    const size_t close = value.find(']');
    return close == std::string_view::npos ? std::string(value) : std::string(value.substr(1, close - 1));
  }
  return std::string(value.substr(0, value.find(':')));
}

// PortraitDataUri returns a data: URI of a JPEG or PNG portrait given as base64url (or as a data:
// URI), or "" when `value` is not one. The bytes are decoded and their type sniffed, so nothing
// from the credential reaches the page unchecked.
std::string PortraitDataUri(const Json& value) {
  if (!value.is_string()) return "";
  std::string text = value.get<std::string>();
  Result<Bytes> bytes = Error(StatusCode::kMalformed, "");
  if (text.rfind("data:", 0) == 0) {
    const size_t comma = text.find(";base64,");
    if (comma == std::string::npos) return "";
    bytes = Base64Decode(std::string_view(text).substr(comma + 8));
  } else {
    bytes = Base64UrlDecode(text);
    if (!bytes.ok()) bytes = Base64Decode(text);
  }
  if (!bytes.ok() || bytes->size() < 8) return "";
  const Bytes& b = *bytes;
  std::string type;
  if (b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) type = "image/jpeg";
  if (b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') type = "image/png";
  if (type.empty()) return "";
  return "data:" + type + ";base64," + Base64Encode(b);
}

// SubjectClaims returns the holder's claims of a Show() result: mdoc namespaces flattened, the
// credentialSubject of a jwt_vc_json, the payload of an SD-JWT VC.
Json SubjectClaims(const Json& shown) {
  const Json* claims = Find(shown, "claims");
  if (claims == nullptr || !claims->is_object()) return Json::object();
  const std::string format = StringMember(shown, "format");
  if (format == "mso_mdoc") {
    Json out = Json::object();
    for (const auto& [ns, items] : claims->items()) {
      if (!items.is_object()) continue;
      for (const auto& [name, value] : items.items()) {
        if (!out.contains(name)) out[name] = value;
      }
    }
    return out;
  }
  if (format == "jwt_vc_json") {
    const Json* vc = Find(*claims, "vc");
    if (vc != nullptr && vc->is_object()) {
      const Json* subject = Find(*vc, "credentialSubject");
      if (subject != nullptr && subject->is_object()) return *subject;
    }
    return Json::object();
  }
  return *claims;
}

// IsTechnicalClaim says whether an SD-JWT VC / JWT claim is about the credential rather than the
// holder (shown under "About the card" or not at all).
bool IsTechnicalClaim(std::string_view name) {
  static constexpr std::string_view kNames[] = {"iss", "iat", "exp", "nbf", "vct", "vct#integrity", "cnf", "status",
                                                "_sd_alg", "sub", "jti", "id", "@context", "type", "aud"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// PortraitOf returns the data: URI of the credential's portrait, or "".
std::string PortraitOf(const Json& shown) {
  const Json subject = SubjectClaims(shown);
  for (const char* name : {"portrait", "photo"}) {
    if (const Json* value = Find(subject, name); value != nullptr) {
      std::string uri = PortraitDataUri(*value);
      if (!uri.empty()) return uri;
    }
  }
  return "";
}

// PaletteClass returns the card colour class for a credential type, for a credential whose issuer
// gave no background_color.
std::string PaletteClass(std::string_view type) {
  static constexpr std::string_view kClasses[] = {"", "bonafide-card--green", "bonafide-card--purple",
                                                  "bonafide-card--turquoise", "bonafide-card--dark"};
  uint32_t hash = 2166136261u;
  for (const char c : type) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  return std::string(kClasses[hash % std::size(kClasses)]);
}

// ParseHexColour returns the red, green and blue of a CSS hex colour "#rrggbb" or "#rgb"; nullopt
// for anything else (named colours, rgb(), ...).
std::optional<std::array<int, 3>> ParseHexColour(std::string_view text) {
  if (text.size() != 4 && text.size() != 7) return std::nullopt;
  if (text[0] != '#') return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::array<int, 3> rgb{};
  const size_t width = text.size() == 4 ? 1 : 2;
  for (size_t i = 0; i < 3; ++i) {
    const int high = nibble(text[1 + i * width]);
    const int low = width == 1 ? high : nibble(text[2 + i * width]);
    if (high < 0 || low < 0) return std::nullopt;
    rgb[i] = high * 16 + low;
  }
  return rgb;
}

// ColourClass returns the card colour class for an issuer's background_color: the nearest (in
// RGB) of the fixed card colours, since the CSP forbids inline styles and the issuer's text must
// not reach a style anyway. nullopt when `background_color` is not a hex colour.
std::optional<std::string> ColourClass(std::string_view background_color) {
  struct Swatch {
    std::array<int, 3> rgb;
    std::string_view css_class;
  };
  static constexpr Swatch kSwatches[] = {
      {{0x1d, 0x70, 0xb8}, "bonafide-card--blue"},      {{0x00, 0x70, 0x3c}, "bonafide-card--green"},
      {{0x4c, 0x2c, 0x92}, "bonafide-card--purple"},    {{0x28, 0xa1, 0x97}, "bonafide-card--turquoise"},
      {{0xd4, 0x35, 0x1c}, "bonafide-card--red"},       {{0x0b, 0x0c, 0x0c}, "bonafide-card--dark"},
      {{0xf4, 0x77, 0x38}, "bonafide-card--orange"},    {{0xd5, 0x38, 0x80}, "bonafide-card--pink"},
  };
  const std::optional<std::array<int, 3>> rgb = ParseHexColour(background_color);
  if (!rgb) return std::nullopt;
  const Swatch* best = nullptr;
  int best_distance = 0;
  for (const Swatch& swatch : kSwatches) {
    int distance = 0;
    for (size_t i = 0; i < 3; ++i) distance += ((*rgb)[i] - swatch.rgb[i]) * ((*rgb)[i] - swatch.rgb[i]);
    if (best == nullptr || distance < best_distance) {
      best = &swatch;
      best_distance = distance;
    }
  }
  return std::string(best->css_class);
}

// CardClass returns the colour class of a card: from the issuer's background_color, else per type.
std::string CardClass(const CredentialSummary& s) {
  if (std::optional<std::string> mapped = ColourClass(s.background_color)) return *mapped;
  return PaletteClass(s.type);
}

// Pending is a prepared presentation request, answered once.
struct Pending {
  std::string owner;  // the browser session it belongs to
  std::unique_ptr<registry::TrustListCache> cache;
  std::unique_ptr<InsecureLoopbackTransport> loopback;
  PresentOptions options;
  std::optional<PresentationRequest> request;
  std::optional<PresentOutcome> outcome;
  Status result;  // Respond's error, or the refusal
};

struct Ui {
  WalletUiOptions options;
  std::unique_ptr<HttpClientTransport> own_transport;
  HttpTransport* transport = nullptr;
  std::shared_ptr<web::FrontEnd> fe;

  std::mutex mu;  // guards everything below
  std::unique_ptr<Wallet> wallet;
  std::string owner;  // the browser session the wallet is unlocked for
  int64_t last_seen = 0;
  std::map<std::string, std::unique_ptr<Pending>, std::less<>> pending;

  using Page = web::FrontEndPage;

  // Begin starts a page under `mu`: idle locking, then whether this browser holds the wallet
  // (signed_in: unlocked for this browser session).
  Page Begin(const http::Request& req) {
    Page page = fe->Begin(req);
    const int64_t now = options.clock->NowSeconds();
    if (wallet->unlocked() && now - last_seen > options.idle_timeout_seconds) LockWallet();
    page.user.clear();
    page.signed_in = wallet->unlocked() && !owner.empty() && owner == page.request.session.id;
    if (page.signed_in) last_seen = now;
    return page;
  }

  void LockWallet() {
    wallet->Lock();
    if (!owner.empty()) fe->sessions().End(owner);
    owner.clear();
    pending.clear();
  }

  http::Response Render(const Page& page, int status, const std::string& title, const Html& body,
                        bool has_errors = false, std::string_view nav_current = "") {
    return fe->Render(page, status, title, body, has_errors, nav_current);
  }

  http::Response Message(const Page& page, int status, const std::string& title, const std::string& body) {
    return Render(page, status, title, govuk::Heading(title) + govuk::Paragraph(body));
  }

  http::Response Redirect(const Page& page, std::string_view location) { return fe->Redirect(page, location); }
  http::Response FormExpired(const Page& page) { return fe->FormExpired(page); }
  http::Response NotFound(const Page& page) { return fe->NotFound(page); }
  http::Response Problem(const Page& page) {
    return Message(page, 500, Str(page.t("problem")), Str(page.t("problem.body")));
  }

  // SetValue / TakeValue keep small values in the browser session (server side).
  void SetValues(Page& page, std::initializer_list<std::pair<std::string, std::string>> values) {
    for (const auto& [k, v] : values) page.request.session.values[k] = v;
    (void)fe->sessions().Save(page.request.session);
  }
  std::string TakeValue(Page& page, const std::string& name) {
    auto it = page.request.session.values.find(name);
    if (it == page.request.session.values.end()) return "";
    std::string value = it->second;
    page.request.session.values.erase(it);
    (void)fe->sessions().Save(page.request.session);
    return value;
  }

  // ------------------------------------------------------------------ unlock / lock

  http::Response UnlockForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors) {
    const Lang lang = page.request.lang;
    Html body = govuk::ErrorSummary(lang, errors);
    body += Format("<form method=\"post\" action=\"/unlock\" novalidate>{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::TextInput(lang, {.id = "pin", .name = "pin", .label = Str(page.t("unlock.title")),
                                            .label_is_heading = true, .hint = Str(page.t("unlock.hint")),
                                            .error = govuk::ErrorFor(errors, "pin"), .type = "password",
                                            .autocomplete = "current-password", .input_mode = "numeric",
                                            .width_class = "govuk-input--width-10"}),
                    govuk::Button(page.t("unlock.button"))});
    return Render(page, status, Str(page.t("unlock.title")), body, !errors.empty());
  }

  http::Response GetUnlock(const http::Request& req) {
    Page page = Begin(req);
    if (page.signed_in) return Redirect(page, "/cards");
    return UnlockForm(page, 200, {});
  }

  http::Response PostUnlock(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    const std::string pin = web::Field(*form, "pin");
    if (pin.empty()) return UnlockForm(page, 400, {{"pin", Str(page.t("unlock.missing"))}});
    if (wallet->unlocked() && owner != page.request.session.id) LockWallet();  // another browser's
    Status unlocked = page.signed_in ? OkStatus() : wallet->Unlock(pin);
    if (!unlocked.ok()) {
      const int64_t now = options.clock->NowSeconds();
      Result<PinState> state = wallet->GetPinState();
      if (unlocked.code() == StatusCode::kNotFound || (state.ok() && state->erased)) {
        return Message(page, 410, Str(page.t("unlock.erased")), Str(page.t("unlock.erased.body")));
      }
      if (state.ok() && (unlocked.code() == StatusCode::kLimitExceeded || state->locked_until > now)) {
        const int64_t wait = std::max<int64_t>(state->locked_until - now, 1);
        http::Response response =
            UnlockForm(page, 429, {{"pin", Fill(page.t("unlock.locked"), {std::to_string(wait)})}});
        response.headers.emplace_back("Retry-After", std::to_string(wait));
        return response;
      }
      if (unlocked.code() == StatusCode::kInvalidSignature && state.ok()) {
        const int failures = state->failed_attempts;
        std::string message =
            failures < kPinFailuresBeforeLockout
                ? Fill(page.t("unlock.wrong"), {std::to_string(kPinFailuresBeforeLockout - failures)})
                : Fill(page.t("unlock.wrong_wipe"), {std::to_string(kPinFailuresBeforeWipe - failures)});
        return UnlockForm(page, 401, {{"pin", message}});
      }
      return UnlockForm(page, 401, {{"pin", Str(page.t("unlock.missing"))}});
    }
    // Against session fixation the unlocked wallet belongs to a fresh session id.
    auto rotated = fe->sessions().Rotate(page.request.session);
    if (!rotated.ok()) {
      wallet->Lock();
      return FormExpired(page);
    }
    owner = rotated->id;
    last_seen = options.clock->NowSeconds();
    http::Response response = web::SeeOther("/cards");
    response.headers.emplace_back("Set-Cookie", fe->sessions().CookieFor(*rotated));
    return response;
  }

  http::Response PostLock(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    if (page.signed_in) LockWallet();
    fe->sessions().End(page.request.session.id);
    http::Response response = web::SeeOther("/unlock");
    response.headers.emplace_back("Set-Cookie", fe->sessions().ExpiredCookie());
    return response;
  }

  // ------------------------------------------------------------------ cards

  std::string CardName(const Page& page, const CredentialSummary& s) const {
    if (page.request.lang == Lang::kWelsh && !s.display_name_cy.empty()) return s.display_name_cy;
    if (!s.display_name_en.empty()) return s.display_name_en;
    return s.type;
  }

  // IssuerName returns the issuer's display name in the page's language (English when there is
  // no Welsh one), or the host of its identifier when it gave no name.
  std::string IssuerName(const Page& page, const CredentialSummary& s) const {
    if (page.request.lang == Lang::kWelsh && !s.issuer_name_cy.empty()) return s.issuer_name_cy;
    if (!s.issuer_name_en.empty()) return s.issuer_name_en;
    if (!s.issuer_name_cy.empty()) return s.issuer_name_cy;
    return HostOfUrl(s.issuer);
  }

  // ClaimLabel returns the issuer's label for a claim of the card's subject (a claims path whose
  // last segment is `name`: ["name"], ["credentialSubject", "name"] or [namespace, "name"]) in the
  // page's language, else the wallet's own label.
  std::string ClaimLabel(const Page& page, const CredentialSummary& s, const std::string& name) const {
    for (const wallet::ClaimLabel& label : s.claim_labels) {
      if (label.path.empty() || label.path.size() > 2 || label.path.back() != name) continue;
      if (page.request.lang == Lang::kWelsh && !label.cy.empty()) return label.cy;
      if (!label.en.empty()) return label.en;
    }
    return ClaimLabel(page, name);
  }

  std::string ClaimLabel(const Page& page, const std::string& name) const {
    const std::string key = "claim." + name;
    if (auto text = Words().Find(page.request.lang, key)) return Str(*text);
    std::string label = name;
    std::replace(label.begin(), label.end(), '_', ' ');
    if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    return label;
  }

  Html ClaimValue(const Page& page, const Json& value) const {
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      auto date = web::FormatLongDate(text, page.request.lang);
      return Html::Text(date.ok() ? *date : text);
    }
    if (value.is_boolean()) return Html::Text(value.get<bool>() ? page.t("yes") : page.t("no"));
    if (value.is_array()) {
      std::string joined;
      for (const Json& item : value) {
        if (!joined.empty()) joined += ", ";
        if (item.is_string()) {
          joined += item.get<std::string>();
        } else if (item.is_object()) {
          joined += StringMember(item, "vehicle_category_code").empty() ? DumpJson(item)
                                                                         : StringMember(item, "vehicle_category_code");
        } else {
          joined += DumpJson(item);
        }
      }
      return Html::Text(joined);
    }
    if (value.is_object()) {
      std::string joined;
      for (const auto& [k, v] : value.items()) {
        if (!joined.empty()) joined += ", ";
        joined += v.is_string() ? v.get<std::string>() : DumpJson(v);
      }
      return Html::Text(joined);
    }
    return Html::Text(DumpJson(value));
  }

  http::Response GetCards(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    auto list = wallet->List();
    if (!list.ok()) return Problem(page);
    Html body;
    const std::string flash = TakeValue(page, "flash");
    if (flash == "deleted") {
      body += govuk::NotificationBanner(page.request.lang, page.t("cards.deleted"), Html(), true);
    }
    body += govuk::Heading(page.t("cards.title"));
    if (list->empty()) {
      body += govuk::Paragraph(page.t("cards.empty"));
    } else {
      Html items;
      for (const CredentialSummary& s : *list) {
        std::string portrait;
        if (auto shown = wallet->Show(s.id); shown.ok()) portrait = PortraitOf(*shown);
        Html image;
        if (!portrait.empty()) {
          image = Format("<img class=\"bonafide-card__portrait\" src=\"{}\" alt=\"{}\">",
                         {Html::Text(portrait), Html::Text(page.t("cards.photo_alt"))});
        }
        const std::string palette = CardClass(s);
        items += Format(
            "<li class=\"bonafide-card{}\" data-card-id=\"{}\">{}<div class=\"bonafide-card__body\">"
            "<h2 class=\"govuk-heading-m\"><a class=\"govuk-link\" href=\"{}\">{}</a></h2>"
            "<p class=\"govuk-body-s\">{}</p><p class=\"govuk-body-s\">{}</p></div></li>",
            {Html::Text(palette.empty() ? "" : " " + palette), Html::Text(s.id), image,
             web::SafeHref("/cards/" + s.id), Html::Text(CardName(page, s)),
             Html::Text(Fill(page.t("cards.issuer"), {IssuerName(page, s)})),
             Html::Text(Fill(page.t("cards.copies"), {std::to_string(s.unused_copies), std::to_string(s.copies)}))});
      }
      body += Format("<ul class=\"bonafide-cards\">{}</ul>", {items});
    }
    body += govuk::ButtonLink(page.t("nav.add"), "/add");
    return Render(page, 200, Str(page.t("cards.title")), body, false, "cards");
  }

  // FindSummary returns the summary of credential `id`, or nullopt.
  std::optional<CredentialSummary> FindSummary(const std::string& id) {
    auto list = wallet->List();
    if (!list.ok()) return std::nullopt;
    for (const CredentialSummary& s : *list) {
      if (s.id == id) return s;
    }
    return std::nullopt;
  }

  http::Response GetCard(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string id = req.PathParam("id").value_or("");
    std::optional<CredentialSummary> summary = FindSummary(id);
    if (!summary) return NotFound(page);
    auto shown = wallet->Show(id);
    if (!shown.ok()) return Problem(page);
    const Lang lang = page.request.lang;
    const std::string name = CardName(page, *summary);
    Html body = Format("<span class=\"govuk-caption-l\">{}</span>", {Html::Text(IssuerName(page, *summary))});
    body += govuk::Heading(name);
    const std::string portrait = PortraitOf(*shown);
    if (!portrait.empty()) {
      body += Format("<img class=\"bonafide-portrait govuk-!-margin-bottom-6\" src=\"{}\" alt=\"{}\">",
                     {Html::Text(portrait), Html::Text(page.t("cards.photo_alt"))});
    }
    std::vector<govuk::SummaryRow> claims;
    const Json subject = SubjectClaims(*shown);
    for (const auto& [claim, value] : subject.items()) {
      if (claim == "portrait" || claim == "photo") continue;
      if (summary->format != "mso_mdoc" && IsTechnicalClaim(claim)) continue;
      claims.push_back({ClaimLabel(page, *summary, claim), ClaimValue(page, value)});
    }
    body += Format("<h2 class=\"govuk-heading-m\">{}</h2>", {Html::Text(page.t("card.details"))});
    body += govuk::SummaryList(claims);

    const Json* all = Find(*shown, "claims");
    std::vector<govuk::SummaryRow> about;
    about.push_back({Str(page.t("card.issuer")), Html::Text(summary->issuer)});
    about.push_back({Str(page.t("card.type")), Html::Text(summary->type)});
    if (all != nullptr && summary->format != "mso_mdoc") {
      const std::optional<int64_t> from = IntMember(*all, "nbf").has_value() ? IntMember(*all, "nbf")
                                                                             : IntMember(*all, "iat");
      if (from) about.push_back({Str(page.t("card.valid_from")), Html::Text(web::FormatDateTime(*from, lang))});
      if (auto exp = IntMember(*all, "exp")) {
        about.push_back({Str(page.t("card.valid_until")), Html::Text(web::FormatDateTime(*exp, lang))});
      }
      const bool has_status = Find(*all, "status") != nullptr;
      about.push_back({Str(page.t("card.status")),
                       Html::Text(has_status ? page.t("card.status_yes") : page.t("card.status_no"))});
    }
    about.push_back({Str(page.t("card.copies")),
                     Format("{}<div class=\"govuk-hint govuk-!-margin-bottom-0\">{}</div>",
                            {Html::Text(Fill(page.t("card.copies_value"), {std::to_string(summary->unused_copies),
                                                                          std::to_string(summary->copies)})),
                             Html::Text(page.t("card.copies_hint"))})});
    about.push_back({Str(page.t("card.received")), Html::Text(web::FormatDateTime(summary->received_at, lang))});
    body += Format("<h2 class=\"govuk-heading-m\">{}</h2>", {Html::Text(page.t("card.about"))});
    body += govuk::SummaryList(about);
    body += Format("<a href=\"{}\" role=\"button\" draggable=\"false\" class=\"govuk-button govuk-button--warning\" "
                   "data-module=\"govuk-button\">{}</a>",
                   {web::SafeHref("/cards/" + id + "/delete"), Html::Text(page.t("card.delete"))});
    return Render(page, 200, name, body, false, "cards");
  }

  http::Response GetDelete(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string id = req.PathParam("id").value_or("");
    std::optional<CredentialSummary> summary = FindSummary(id);
    if (!summary) return NotFound(page);
    const std::string title = Fill(page.t("delete.title"), {CardName(page, *summary)});
    Html body = govuk::Heading(title) + govuk::WarningText(page.request.lang, page.t("delete.warning"));
    body += Format(
        "<form method=\"post\" action=\"{}\" novalidate>{}<div class=\"govuk-button-group\">{}{}</div></form>",
        {web::SafeHref("/cards/" + id + "/delete"), web::CsrfField(page.request.session),
         govuk::Button(page.t("delete.button"), govuk::ButtonKind::kWarning),
         govuk::Link(page.t("cancel"), "/cards/" + id)});
    return Render(page, 200, title, body, false, "cards");
  }

  http::Response PostDelete(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string id = req.PathParam("id").value_or("");
    std::optional<Status> notification;
    Status deleted = wallet->Delete(id, transport, &notification);
    if (deleted.code() == StatusCode::kNotFound) return NotFound(page);
    if (!deleted.ok()) return Problem(page);
    SetValues(page, {{"flash", "deleted"}});
    return Redirect(page, "/cards");
  }

  // ------------------------------------------------------------------ add a card

  http::Response AddForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors,
                         const std::string& offer) {
    const Lang lang = page.request.lang;
    Html body = govuk::ErrorSummary(lang, errors);
    body += Format("<form method=\"post\" action=\"/add\" novalidate>{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::TextInput(lang, {.id = "offer", .name = "offer", .label = Str(page.t("add.title")),
                                            .label_is_heading = true, .hint = Str(page.t("add.hint")),
                                            .value = offer, .error = govuk::ErrorFor(errors, "offer"),
                                            .type = "url", .spellcheck_off = true}),
                    govuk::Button(page.t("add.button"))});
    return Render(page, status, Str(page.t("add.title")), body, !errors.empty(), "add");
  }

  http::Response GetAdd(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    return AddForm(page, 200, {}, "");
  }

  // ReceiveError returns the message for a failed Receive.
  std::string ReceiveError(const Page& page, const Status& status) const {
    switch (status.code()) {
      case StatusCode::kMalformed:
      case StatusCode::kLimitExceeded:
        return Str(page.t("add.failed.malformed"));
      case StatusCode::kInvalidArgument:
      case StatusCode::kExpired:
        return Str(page.t("add.failed.used"));
      case StatusCode::kIoError:
        return Str(page.t("add.failed.io"));
      case StatusCode::kUntrustedIssuer:
      case StatusCode::kInvalidSignature:
        return Str(page.t("add.failed.untrusted"));
      default:
        return Fill(page.t("add.failed.other"), {Str(StatusCodeName(status.code()))});
    }
  }

  // TryReceive runs Wallet::Receive with `tx_code` (nullopt: none yet). When the offer needs a
  // code and none was given, *needs_code gets its description and the flow stops before the
  // token request.
  Result<std::vector<std::string>> TryReceive(const std::string& offer, const std::optional<std::string>& tx_code,
                                              std::optional<oid4vci::TxCode>* needs_code) {
    TxCodeProvider provider = [&tx_code, needs_code](const oid4vci::TxCode& tx) -> Result<std::string> {
      if (tx_code.has_value()) return *tx_code;
      *needs_code = tx;
      return Error(StatusCode::kInvalidArgument, "the offer needs a transaction code");
    };
    return wallet->Receive(offer, provider, *transport);
  }

  http::Response PostAdd(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    if (!page.signed_in) return Redirect(page, "/unlock");
    std::string offer = web::Field(*form, "offer");
    offer.erase(0, offer.find_first_not_of(" \t\r\n"));
    offer.erase(offer.find_last_not_of(" \t\r\n") + 1);
    if (offer.empty()) return AddForm(page, 400, {{"offer", Str(page.t("add.missing"))}}, offer);
    if (offer.rfind("openid-credential-offer://", 0) != 0 && offer.rfind("haip://", 0) != 0) {
      return AddForm(page, 400, {{"offer", Str(page.t("add.not_offer"))}}, offer);
    }
    std::optional<oid4vci::TxCode> needs_code;
    auto ids = TryReceive(offer, std::nullopt, &needs_code);
    if (!ids.ok() && needs_code.has_value()) {
      SetValues(page, {{"offer", offer},
                       {"tx_description", needs_code->description.value_or("")},
                       {"tx_length", needs_code->length ? std::to_string(*needs_code->length) : ""},
                       {"tx_text", needs_code->input_mode == oid4vci::TxCodeInputMode::kText ? "1" : ""}});
      return Redirect(page, "/add/code");
    }
    if (!ids.ok()) return AddForm(page, 400, {{"offer", ReceiveError(page, ids.status())}}, offer);
    return Added(page, *ids);
  }

  http::Response Added(Page& page, const std::vector<std::string>& ids) {
    std::string joined;
    for (const std::string& id : ids) joined += (joined.empty() ? "" : ",") + id;
    page.request.session.values.erase("offer");
    SetValues(page, {{"added", joined}});
    return Redirect(page, "/add/done");
  }

  http::Response CodeForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors) {
    const Lang lang = page.request.lang;
    const std::string description = page.request.session.Value("tx_description").value_or("");
    const std::string length = page.request.session.Value("tx_length").value_or("");
    const bool text = !page.request.session.Value("tx_text").value_or("").empty();
    std::string hint = description;
    if (!length.empty()) hint += (hint.empty() ? "" : " ") + Fill(page.t("code.length"), {length});
    Html body = govuk::ErrorSummary(lang, errors);
    body += Format("<form method=\"post\" action=\"/add/code\" novalidate>{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::TextInput(lang, {.id = "tx_code", .name = "tx_code", .label = Str(page.t("code.title")),
                                            .label_is_heading = true, .hint = hint,
                                            .error = govuk::ErrorFor(errors, "tx_code"),
                                            .autocomplete = "one-time-code", .input_mode = text ? "" : "numeric",
                                            .width_class = "govuk-input--width-10", .spellcheck_off = true}),
                    govuk::Button(page.t("add.button"))});
    return Render(page, status, Str(page.t("code.title")), body, !errors.empty(), "add");
  }

  http::Response GetCode(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    if (!page.request.session.Value("offer")) return Redirect(page, "/add");
    return CodeForm(page, 200, {});
  }

  http::Response PostCode(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::optional<std::string> offer = page.request.session.Value("offer");
    if (!offer) return Redirect(page, "/add");
    const std::string code = web::Field(*form, "tx_code");
    if (code.empty()) return CodeForm(page, 400, {{"tx_code", Str(page.t("code.missing"))}});
    std::optional<oid4vci::TxCode> needs_code;
    auto ids = TryReceive(*offer, code, &needs_code);
    if (!ids.ok()) {
      const std::string message = ids.status().code() == StatusCode::kInvalidArgument ? Str(page.t("code.wrong"))
                                                                                       : ReceiveError(page, ids.status());
      return CodeForm(page, 400, {{"tx_code", message}});
    }
    return Added(page, *ids);
  }

  http::Response GetAdded(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string added = page.request.session.Value("added").value_or("");
    if (added.empty()) return Redirect(page, "/cards");
    Html names;
    size_t start = 0;
    while (start <= added.size()) {
      const size_t comma = added.find(',', start);
      const std::string id = added.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (auto s = FindSummary(id)) names += Format("<li>{}</li>", {govuk::Link(CardName(page, *s), "/cards/" + id)});
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    Html body = govuk::Panel(page.t("done.title"), Html::Text(page.t("done.body")));
    body += Format("<ul class=\"govuk-list govuk-list--bullet\">{}</ul>", {names});
    body += govuk::ButtonLink(page.t("done.cards"), "/cards");
    return Render(page, 200, Str(page.t("done.title")), body, false, "add");
  }

  // ------------------------------------------------------------------ presentations

  http::Response PresentForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors,
                             const std::string& link) {
    const Lang lang = page.request.lang;
    Html body = govuk::ErrorSummary(lang, errors);
    body += Format("<form method=\"post\" action=\"/present\" novalidate>{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::TextInput(lang, {.id = "request", .name = "request", .label = Str(page.t("present.title")),
                                            .label_is_heading = true, .hint = Str(page.t("present.hint")),
                                            .value = link, .error = govuk::ErrorFor(errors, "request"),
                                            .type = "url", .spellcheck_off = true}),
                    govuk::Button(page.t("add.button"))});
    return Render(page, status, Str(page.t("present.title")), body, !errors.empty(), "present");
  }

  http::Response GetPresent(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    // A same-device link: /present?client_id=..&request_uri=.. fills the form in (the person still
    // presses Continue, so a link alone never fetches anything).
    std::string link;
    const auto client_id = req.QueryParam("client_id");
    const auto request_uri = req.QueryParam("request_uri");
    if (client_id && request_uri) {
      link = "openid4vp://?client_id=" + PercentEncode(*client_id) + "&request_uri=" + PercentEncode(*request_uri);
      if (auto method = req.QueryParam("request_uri_method")) link += "&request_uri_method=" + PercentEncode(*method);
    }
    return PresentForm(page, 200, {}, link);
  }

  http::Response PostPresent(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    if (!page.signed_in) return Redirect(page, "/unlock");
    std::string link = web::Field(*form, "request");
    link.erase(0, link.find_first_not_of(" \t\r\n"));
    link.erase(link.find_last_not_of(" \t\r\n") + 1);
    if (link.empty()) return PresentForm(page, 400, {{"request", Str(page.t("present.missing"))}}, link);
    oid4vp::RequestUriOptions uri_options;
    uri_options.insecure_allow_http_loopback = options.insecure_http_loopback;
    auto invocation = oid4vp::ParseRequestUri(link, uri_options);
    if (!invocation.ok()) return PresentForm(page, 400, {{"request", Str(page.t("present.not_request"))}}, link);

    auto config = LoadTrustConfig(options.dir);
    if (!config.ok()) {
      return Message(page, 503, Str(page.t("present.no_trust")), Str(page.t("present.no_trust.body")));
    }
    auto item = std::make_unique<Pending>();
    item->owner = page.request.session.id;
    auto cache = OpenTrustListCache(options.dir, *config, options.clock->NowSeconds());
    if (!cache.ok()) return Message(page, 503, Str(page.t("present.no_trust")), Str(page.t("present.no_trust.body")));
    item->cache = std::move(*cache);
    HttpTransport* used = transport;
    if (options.insecure_http_loopback) {
      // A verifier on this machine: requests for its client_id host go to the request_uri's
      // loopback origin over plain http, as `wallet present --insecure-http-loopback`.
      const std::string prefix = std::string(oid4vp::kX509SanDnsPrefix) + ":";
      if (invocation->request_uri && invocation->request_uri->rfind("http://", 0) == 0 &&
          invocation->client_id.rfind(prefix, 0) == 0) {
        const std::string& uri = *invocation->request_uri;
        const size_t end = uri.find_first_of("/?#", 7);
        auto made = InsecureLoopbackTransport::Create(*transport, invocation->client_id.substr(prefix.size()),
                                                      uri.substr(0, end));
        if (!made.ok()) return PresentForm(page, 400, {{"request", Str(page.t("present.not_request"))}}, link);
        item->loopback = std::move(*made);
        used = item->loopback.get();
      }
    }
    item->options.transport = used;
    item->options.trust_list = item->cache.get();
    item->options.clock = options.clock;
    item->options.random = options.random;
    item->options.insecure_allow_http_loopback = options.insecure_http_loopback;
    auto prepared = PreparePresentation(*wallet, link, item->options);
    if (!prepared.ok()) {
      const StatusCode code = prepared.status().code();
      if (code == StatusCode::kIoError) return PresentForm(page, 400, {{"request", Str(page.t("present.unreachable"))}}, link);
      if (code == StatusCode::kMalformed || code == StatusCode::kLimitExceeded) {
        return PresentForm(page, 400, {{"request", Str(page.t("present.not_request"))}}, link);
      }
      return PresentForm(page, 400,
                         {{"request", Fill(page.t("present.failed"), {Str(StatusCodeName(code))})}}, link);
    }
    item->request.emplace(std::move(*prepared));
    if (item->request->refused()) {
      // The wallet refuses whatever the person would say: answer now (logged, and the verifier
      // told when it is authenticated), then explain.
      auto answered = Respond(*wallet, *item->request, Decision::kDecline, item->options);
      item->result = answered.ok() ? item->request->refusal() : answered.status();
    }
    const std::string rid = RandomId();
    // At most a few pending requests per wallet.
    if (pending.size() >= 16) pending.erase(pending.begin());
    pending[rid] = std::move(item);
    return Redirect(page, "/present/" + rid);
  }

  std::string RandomId() {
    Bytes bytes(16);
    options.random->Fill(bytes);
    return Base64UrlEncode(bytes);
  }

  Pending* FindPending(const Page& page, const std::string& rid) {
    auto it = pending.find(rid);
    if (it == pending.end() || it->second->owner != page.request.session.id) return nullptr;
    return it->second.get();
  }

  std::string PurposeText(const Page& page, const ConsentSummary& s) const {
    std::string out;
    for (const std::string& p : s.purposes) {
      if (!out.empty()) out += ", ";
      auto text = Words().Find(page.request.lang, "purpose." + p);
      out += text ? Str(*text) : p;
    }
    return out;
  }

  static std::string Who(const ConsentSummary& s) {
    if (!s.relying_party.empty()) return s.relying_party;
    return s.host.empty() ? s.client_id : s.host;
  }

  // AttributeItem writes one attribute: its label and its technical name.
  Html AttributeItem(const Page& page, const std::string& claim, const std::string& from) {
    Html extra;
    if (!from.empty()) extra = Html::Text(" " + Fill(page.t("consent.from"), {from}));
    return Format("<li>{} <code class=\"bonafide-break\">{}</code>{}</li>",
                  {Html::Text(ClaimLabel(page, claim)), Html::Text(claim), extra});
  }

  std::vector<govuk::SummaryRow> WhoRows(const Page& page, const ConsentSummary& s) {
    std::vector<govuk::SummaryRow> rows;
    Html organisation = Html::Text(Who(s));
    if (s.trusted) {
      organisation += Format("<br>{}", {govuk::Tag(page.t("consent.verified"), govuk::TagColour::kGreen)});
    }
    rows.push_back({Str(page.t("consent.organisation")), organisation});
    if (!s.registration_number.empty()) {
      rows.push_back({Str(page.t("consent.registration")), Html::Text(s.registration_number)});
    }
    rows.push_back({Str(page.t("consent.website")), Html::Text(s.host.empty() ? s.client_id : s.host)});
    if (!s.purposes.empty()) rows.push_back({Str(page.t("consent.purpose")), Html::Text(PurposeText(page, s))});
    return rows;
  }

  http::Response GetConsent(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string rid = req.PathParam("rid").value_or("");
    Pending* item = FindPending(page, rid);
    if (item == nullptr) return NotFound(page);
    const PresentationRequest& request = *item->request;
    const ConsentSummary& s = request.summary();
    const Lang lang = page.request.lang;
    if (request.refused()) {
      const StatusCode code = request.refusal().code();
      std::string title;
      Html body;
      if (code == StatusCode::kInvalidClaims) {
        title = Fill(page.t("over.title"), {Who(s)});
        std::string over;
        for (const std::string& name : s.over_asking) over += (over.empty() ? "" : ", ") + name;
        body = govuk::Heading(title) + govuk::WarningText(lang, Fill(page.t("over.warning"), {over}));
        body += govuk::SummaryList(WhoRows(page, s));
        Html asked;
        for (const std::string& name : s.requested) {
          const size_t slash = name.rfind('/');
          asked += AttributeItem(page, slash == std::string::npos ? name : name.substr(slash + 1), "");
        }
        body += Format("<h2 class=\"govuk-heading-m\">{}</h2><ul class=\"govuk-list govuk-list--bullet\">{}</ul>",
                       {Html::Text(page.t("consent.asks")), asked});
      } else if (code == StatusCode::kSuspended) {
        title = Str(page.t("refused.suspended"));
        body = govuk::Heading(title) + govuk::Paragraph(Fill(page.t("refused.suspended.body"), {Who(s)}));
      } else if (code == StatusCode::kUntrustedIssuer || !s.registered) {
        title = Str(page.t("refused.unregistered"));
        body = govuk::Heading(title) +
               govuk::Paragraph(Fill(page.t("refused.unregistered.body"), {s.host.empty() ? s.client_id : s.host}));
      } else if (code == StatusCode::kNotFound) {
        title = Str(page.t("refused.no_match"));
        body = govuk::Heading(title) + govuk::Paragraph(Fill(page.t("refused.no_match.body"), {Who(s)}));
      } else {
        title = Str(page.t("refused.other"));
        body = govuk::Heading(title) +
               govuk::Paragraph(Fill(page.t("refused.other.body"), {Who(s), Str(StatusCodeName(code))}));
      }
      body += govuk::InsetText(Html::Text(page.t("refused.nothing")));
      body += govuk::ButtonLink(page.t("done.cards"), "/cards");
      return Render(page, 200, title, body, false, "present");
    }
    if (request.answered()) return Redirect(page, "/present/" + rid + "/done");
    const std::string title = Fill(page.t("consent.title"), {Who(s)});
    Html body = govuk::Heading(title) + govuk::SummaryList(WhoRows(page, s));
    Html items;
    for (const ConsentAttribute& a : s.attributes) items += AttributeItem(page, a.claim, a.credential_name);
    body += Format("<h2 class=\"govuk-heading-m\">{}</h2><ul class=\"govuk-list govuk-list--bullet\" id=\"shares\">{}</ul>",
                   {Html::Text(page.t("consent.shares")), items});
    for (const ConsentCredential& c : s.credentials) {
      if (c.whole_credential) body += govuk::WarningText(lang, Fill(page.t("consent.whole"), {c.credential_name}));
    }
    if (s.stale_trust_list) body += govuk::InsetText(Html::Text(page.t("consent.stale")));
    body += Format(
        "<form method=\"post\" action=\"{}\" novalidate>{}<div class=\"govuk-button-group\">"
        "<button type=\"submit\" name=\"decision\" value=\"share\" class=\"govuk-button\" data-module=\"govuk-button\">{}</button>"
        "<button type=\"submit\" name=\"decision\" value=\"decline\" class=\"govuk-button govuk-button--secondary\" "
        "data-module=\"govuk-button\">{}</button></div></form>",
        {web::SafeHref("/present/" + rid), web::CsrfField(page.request.session), Html::Text(page.t("consent.share")),
         Html::Text(page.t("consent.decline"))});
    return Render(page, 200, title, body, false, "present");
  }

  http::Response PostConsent(const http::Request& req) {
    Page page = Begin(req);
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return FormExpired(page);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string rid = req.PathParam("rid").value_or("");
    Pending* item = FindPending(page, rid);
    if (item == nullptr) return NotFound(page);
    if (item->request->refused() || item->request->answered()) return Redirect(page, "/present/" + rid);
    const Decision decision = web::Field(*form, "decision") == "share" ? Decision::kApprove : Decision::kDecline;
    auto outcome = Respond(*wallet, *item->request, decision, item->options);
    if (outcome.ok()) {
      item->outcome = std::move(*outcome);
    } else {
      item->result = outcome.status();
    }
    return Redirect(page, "/present/" + rid + "/done");
  }

  http::Response GetPresented(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    const std::string rid = req.PathParam("rid").value_or("");
    Pending* item = FindPending(page, rid);
    if (item == nullptr) return NotFound(page);
    if (!item->request->answered() || item->request->refused()) return Redirect(page, "/present/" + rid);
    const ConsentSummary& s = item->request->summary();
    std::string title;
    Html body;
    if (item->outcome && item->outcome->outcome == PresentationOutcome::kShared) {
      title = Str(page.t("shared.title"));
      Html items;
      for (const ConsentAttribute& a : s.attributes) items += AttributeItem(page, a.claim, "");
      body = govuk::Panel(title, Html()) + govuk::Paragraph(Fill(page.t("shared.body"), {Who(s)})) +
             Format("<ul class=\"govuk-list govuk-list--bullet\">{}</ul>", {items});
      if (item->outcome->redirect_uri) {
        body += Format("<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{}\">{}</a></p>",
                       {web::SafeHref(*item->outcome->redirect_uri), Html::Text(Fill(page.t("shared.return"), {Who(s)}))});
      }
    } else if (item->outcome) {
      title = Str(page.t("declined.title"));
      body = govuk::Heading(title);
      if (item->outcome->response_sent) body += govuk::Paragraph(Fill(page.t("declined.body"), {Who(s)}));
    } else {
      title = Str(page.t("failed.title"));
      body = govuk::Heading(title) +
             govuk::Paragraph(Fill(page.t("failed.body"), {Str(StatusCodeName(item->result.code()))}));
    }
    body += govuk::ButtonLink(page.t("done.cards"), "/cards");
    return Render(page, 200, title, body, false, "present");
  }

  // ------------------------------------------------------------------ history

  http::Response GetHistory(const http::Request& req) {
    Page page = Begin(req);
    if (!page.signed_in) return Redirect(page, "/unlock");
    auto history = wallet->History();
    if (!history.ok()) return Problem(page);
    const Lang lang = page.request.lang;
    Html body = govuk::Heading(page.t("history.title"));
    if (history->empty()) {
      body += govuk::Paragraph(page.t("history.empty"));
    } else {
      std::vector<std::vector<Html>> rows;
      for (auto it = history->rbegin(); it != history->rend(); ++it) {
        const PresentationRecord& r = *it;
        std::string who = r.relying_party.empty() ? Fill(page.t("history.unregistered"), {r.client_id}) : r.relying_party;
        Html who_cell = Html::Text(who);
        if (!r.purpose.empty()) {
          ConsentSummary s;
          s.purposes = {r.purpose};
          who_cell += Format("<br><span class=\"govuk-body-s\">{}</span>", {Html::Text(PurposeText(page, s))});
        }
        Html what;
        for (const std::string& name : r.attributes) {
          what += Format("<code class=\"bonafide-break\">{}</code> ", {Html::Text(name)});
        }
        govuk::TagColour colour = govuk::TagColour::kGrey;
        if (r.outcome == PresentationOutcome::kShared) colour = govuk::TagColour::kGreen;
        if (r.outcome == PresentationOutcome::kRefused) colour = govuk::TagColour::kRed;
        if (r.outcome == PresentationOutcome::kFailed) colour = govuk::TagColour::kYellow;
        rows.push_back({Html::Text(web::FormatDateTime(r.at, lang)), who_cell, what,
                        govuk::Tag(page.t("outcome." + Str(PresentationOutcomeName(r.outcome))), colour)});
      }
      body += govuk::Table(page.t("history.caption"),
                           {Str(page.t("history.when")), Str(page.t("history.who")), Str(page.t("history.what")),
                            Str(page.t("history.outcome"))},
                           rows);
    }
    return Render(page, 200, Str(page.t("history.title")), body, false, "history");
  }
};

// Guarded wraps a page handler: the Host header must be loopback (a page reached through another
// name is a DNS-rebinding attempt), and the wallet is used under the UI's mutex.
http::Handler Guarded(const std::shared_ptr<Ui>& ui, http::Response (Ui::*handler)(const http::Request&)) {
  return [ui, handler](const http::Request& req) -> http::Response {
    const std::optional<std::string> host = req.Header("Host");
    if (!host || !CheckLoopbackHost(HostOfHeader(*host)).ok()) {
      return http::Response::Text(421, "This wallet answers on localhost only.\n");
    }
    std::lock_guard<std::mutex> lock(ui->mu);
    return ((*ui).*handler)(req);
  };
}

}  // namespace

Status CheckLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return OkStatus();
  // An IPv4 address: four decimal octets (no leading zeros beyond "0"), the first 127.
  int octets[4] = {0, 0, 0, 0};
  size_t part = 0;
  size_t digits = 0;
  bool ok = !host.empty();
  for (size_t i = 0; i < host.size() && ok; ++i) {
    const char c = host[i];
    if (c == '.') {
      ok = digits > 0 && part < 3;
      ++part;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      ok = digits < 3 && !(digits == 1 && octets[part] == 0);
      octets[part] = octets[part] * 10 + (c - '0');
      ok = ok && octets[part] <= 255;
      ++digits;
    } else {
      ok = false;
    }
  }
  if (ok && part == 3 && digits > 0 && octets[0] == 127) return OkStatus();
  return Error(StatusCode::kInvalidArgument,
               "the web wallet listens on a loopback address only (127.0.0.0/8, ::1 or localhost), not '" +
                   std::string(host) + "'");
}

Status RegisterWalletUiRoutes(http::Server& server, WalletUiOptions options) {
  if (options.dir.empty() || options.clock == nullptr || options.random == nullptr || options.idle_timeout_seconds < 1) {
    return Error(StatusCode::kInvalidArgument, "the web wallet needs a wallet directory, a clock and randomness");
  }
  RETURN_IF_ERROR(CheckLoopbackHost(options.listen_host));
  if (Words().size() != std::size(kMessages)) {
    return Error(StatusCode::kInternal, "the web wallet's message table is invalid");
  }
  auto ui = std::make_shared<Ui>();
  WalletOptions wallet_options;
  wallet_options.clock = options.clock;
  wallet_options.random = options.random;
  wallet_options.receive.insecure_allow_http_loopback = options.insecure_http_loopback;
  ASSIGN_OR_RETURN(ui->wallet, Wallet::Open(options.dir, wallet_options));
  if (options.transport == nullptr) {
    http::ClientOptions client_options;
    client_options.ca_file = options.ca_file;
    ui->own_transport = std::make_unique<HttpClientTransport>(client_options);
    ui->transport = ui->own_transport.get();
  } else {
    ui->transport = options.transport;
  }
  ui->fe = std::make_shared<web::FrontEnd>(
      web::FrontEndOptions{.words = &Words(),
                           .home = "/",
                           .nav = {{"/cards", "nav.cards", "cards"},
                                   {"/add", "nav.add", "add"},
                                   {"/present", "nav.present", "present"},
                                   {"/history", "nav.history", "history"}},
                           .footer_action = "/lock",
                           .footer_action_key = "lock",
                           .sessions = {.cookie_name = "bonafide_wallet",
                                        .idle_timeout_seconds = options.idle_timeout_seconds,
                                        .max_sessions = 64,
                                        .secure_cookie = options.secure_cookie}},
      *options.clock, *options.random);
  ui->options = std::move(options);

  RETURN_IF_ERROR(web::ServeAssets(server));
  RETURN_IF_ERROR(server.Get("/", [ui](const http::Request& req) -> http::Response {
    const std::optional<std::string> host = req.Header("Host");
    if (!host || !CheckLoopbackHost(HostOfHeader(*host)).ok()) {
      return http::Response::Text(421, "This wallet answers on localhost only.\n");
    }
    std::lock_guard<std::mutex> lock(ui->mu);
    Ui::Page page = ui->Begin(req);
    return ui->Redirect(page, page.signed_in ? "/cards" : "/unlock");
  }));
  RETURN_IF_ERROR(server.Get("/unlock", Guarded(ui, &Ui::GetUnlock)));
  RETURN_IF_ERROR(server.Post("/unlock", Guarded(ui, &Ui::PostUnlock)));
  RETURN_IF_ERROR(server.Post("/lock", Guarded(ui, &Ui::PostLock)));
  RETURN_IF_ERROR(server.Get("/cards", Guarded(ui, &Ui::GetCards)));
  RETURN_IF_ERROR(server.Get("/cards/{id}", Guarded(ui, &Ui::GetCard)));
  RETURN_IF_ERROR(server.Get("/cards/{id}/delete", Guarded(ui, &Ui::GetDelete)));
  RETURN_IF_ERROR(server.Post("/cards/{id}/delete", Guarded(ui, &Ui::PostDelete)));
  RETURN_IF_ERROR(server.Get("/add", Guarded(ui, &Ui::GetAdd)));
  RETURN_IF_ERROR(server.Post("/add", Guarded(ui, &Ui::PostAdd)));
  RETURN_IF_ERROR(server.Get("/add/code", Guarded(ui, &Ui::GetCode)));
  RETURN_IF_ERROR(server.Post("/add/code", Guarded(ui, &Ui::PostCode)));
  RETURN_IF_ERROR(server.Get("/add/done", Guarded(ui, &Ui::GetAdded)));
  RETURN_IF_ERROR(server.Get("/present", Guarded(ui, &Ui::GetPresent)));
  RETURN_IF_ERROR(server.Post("/present", Guarded(ui, &Ui::PostPresent)));
  RETURN_IF_ERROR(server.Get("/present/{rid}", Guarded(ui, &Ui::GetConsent)));
  RETURN_IF_ERROR(server.Post("/present/{rid}", Guarded(ui, &Ui::PostConsent)));
  RETURN_IF_ERROR(server.Get("/present/{rid}/done", Guarded(ui, &Ui::GetPresented)));
  RETURN_IF_ERROR(server.Get("/history", Guarded(ui, &Ui::GetHistory)));
  return OkStatus();
}

}  // namespace bonafide::wallet
