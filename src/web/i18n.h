// web/i18n.h: English and Welsh for every page.
//
// Each front end keeps its words in a table of Message rows (key, English, Welsh); a Translator
// looks them up for one request's language. The language of a request is, in order: a `lang`
// query parameter ("en" or "cy", which the language switch links set), the `lang` cookie (set when
// the switch is used), an Accept-Language that prefers Welsh, else English.
//
// Thread safety: Catalogue is immutable after construction; Translator is a value.
#ifndef BONAFIDE_WEB_I18N_H_
#define BONAFIDE_WEB_I18N_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/message.h"

namespace bonafide::web {

// Lang is a page language.
enum class Lang { kEnglish, kWelsh };

// LangCode returns "en" or "cy" (the HTML lang attribute and the cookie value).
std::string_view LangCode(Lang lang);

// ParseLangCode returns the language of "en" or "cy", or nullopt.
std::optional<Lang> ParseLangCode(std::string_view code);

// kLangCookie is the name of the cookie that remembers the language switch.
inline constexpr std::string_view kLangCookie = "lang";

// RequestLang returns the language of `request` (see the file comment).
Lang RequestLang(const http::Request& request);

// LangChosenNow returns the language a `lang` query parameter asks for, or nullopt: the caller
// then sets the kLangCookie so the choice sticks.
std::optional<Lang> LangChosenNow(const http::Request& request);

// Message is one translatable text: a stable key and its English and Welsh words.
struct Message {
  std::string_view key;
  std::string_view en;
  std::string_view cy;
};

// Catalogue is a front end's table of messages.
class Catalogue {
 public:
  // Create indexes `messages`. kInvalidArgument for a repeated or empty key, or an empty English or
  // Welsh text (every page exists in both languages).
  static Result<Catalogue> Create(std::span<const Message> messages);

  // Find returns the text of `key` in `lang`, or nullopt for an unknown key.
  std::optional<std::string_view> Find(Lang lang, std::string_view key) const;
  size_t size() const { return index_.size(); }

 private:
  std::map<std::string_view, Message, std::less<>> index_;
};

// Translator is a Catalogue in one language, with an optional fallback Catalogue for keys the
// first lacks (the messages all front ends share).
class Translator {
 public:
  Translator(const Catalogue& catalogue, Lang lang, const Catalogue* fallback = nullptr)
      : catalogue_(&catalogue), fallback_(fallback), lang_(lang) {}

  // operator() returns the text of `key`; an unknown key returns the key itself (a visible bug
  // that the tests' "no raw keys on any page" checks catch).
  std::string_view operator()(std::string_view key) const;
  Lang lang() const { return lang_; }

 private:
  const Catalogue* catalogue_;
  const Catalogue* fallback_;
  Lang lang_;
};

// FormatLongDate returns a "YYYY-MM-DD" date as GOV.UK writes dates: "31 January 2029" or, in
// Welsh, "31 Ionawr 2029". kInvalidArgument when `date` is not a valid full-date.
Result<std::string> FormatLongDate(std::string_view date, Lang lang);

// FormatDateTime returns Unix seconds as "31 January 2029, 14:05 UTC" (Welsh: "31 Ionawr 2029,
// 14:05 UTC").
std::string FormatDateTime(int64_t unix_seconds, Lang lang);

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_I18N_H_
