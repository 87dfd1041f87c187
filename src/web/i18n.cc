#include "web/i18n.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>

#include "web/session.h"

namespace bonafide::web {

namespace {

constexpr std::array<std::string_view, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 12> kMonthsCy = {
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai",     "Mehefin",
    "Gorffennaf", "Awst", "Medi",   "Hydref", "Tachwedd", "Rhagfyr"};

std::string LongDate(int year, unsigned month, unsigned day, Lang lang) {
  const auto& months = lang == Lang::kWelsh ? kMonthsCy : kMonthsEn;
  return std::to_string(day) + " " + std::string(months[month - 1]) + " " + std::to_string(year);
}

bool ParseDigits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc();
}

}  // namespace

std::string_view LangCode(Lang lang) { return lang == Lang::kWelsh ? "cy" : "en"; }

std::optional<Lang> ParseLangCode(std::string_view code) {
  if (code == "en") return Lang::kEnglish;
  if (code == "cy") return Lang::kWelsh;
  return std::nullopt;
}

std::optional<Lang> LangChosenNow(const http::Request& request) {
  if (auto query = request.QueryParam("lang")) return ParseLangCode(*query);
  return std::nullopt;
}

Lang RequestLang(const http::Request& request) {
  if (auto chosen = LangChosenNow(request)) return *chosen;
  if (auto cookie = FindCookie(request, kLangCookie)) {
    if (auto lang = ParseLangCode(*cookie)) return *lang;
  }
  if (auto accept = request.Header("Accept-Language")) {
    // The first listed language decides ("cy", "cy-GB"); quality values are not weighed.
    std::string_view first = *accept;
    first = first.substr(0, first.find_first_of(",;"));
    while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
    if (first == "cy" || first.substr(0, 3) == "cy-") return Lang::kWelsh;
  }
  return Lang::kEnglish;
}

Result<Catalogue> Catalogue::Create(std::span<const Message> messages) {
  Catalogue catalogue;
  for (const Message& message : messages) {
    if (message.key.empty() || message.en.empty() || message.cy.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "message '" + std::string(message.key) + "' lacks a key, English or Welsh text");
    }
    if (!catalogue.index_.emplace(message.key, message).second) {
      return Status(StatusCode::kInvalidArgument, "message key '" + std::string(message.key) + "' repeats");
    }
  }
  return catalogue;
}

std::optional<std::string_view> Catalogue::Find(Lang lang, std::string_view key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return lang == Lang::kWelsh ? it->second.cy : it->second.en;
}

std::string_view Translator::operator()(std::string_view key) const {
  if (auto text = catalogue_->Find(lang_, key)) return *text;
  if (fallback_ != nullptr) {
    if (auto text = fallback_->Find(lang_, key)) return *text;
  }
  return key;
}

Result<std::string> FormatLongDate(std::string_view date, Lang lang) {
  int year = 0, month = 0, day = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !ParseDigits(date.substr(0, 4), year) ||
      !ParseDigits(date.substr(5, 2), month) || !ParseDigits(date.substr(8, 2), day)) {
    return Status(StatusCode::kInvalidArgument, "not a YYYY-MM-DD date");
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (year < 1 || !ymd.ok()) return Status(StatusCode::kInvalidArgument, "not a calendar date");
  return LongDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day), lang);
}

std::string FormatDateTime(int64_t unix_seconds, Lang lang) {
  const std::chrono::sys_seconds time{std::chrono::seconds(unix_seconds)};
  const auto days = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{time - days};
  char clock[8];
  std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return LongDate(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), lang) +
         ", " + clock + " UTC";
}

}  // namespace bonafide::web
