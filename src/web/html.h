// web/html.h: markup that is safe by construction.
//
// An Html value holds markup built only from escaped text (Html::Text), fixed markup written in
// the source (Html::Trusted, for string literals only) and other Html values, so text that came
// from a person, a credential or a request can never become markup. Format() fills "{}" holes of
// a fixed template with Html values, left to right. Text is escaped for both element content and
// double-quoted attribute values, and invalid UTF-8 becomes U+FFFD.
//
// Thread safety: values; no shared state.
#ifndef BONAFIDE_WEB_HTML_H_
#define BONAFIDE_WEB_HTML_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace bonafide::web {

// EscapeHtml returns `text` with & < > " ' escaped and each invalid UTF-8 sequence (and each NUL
// and C0 control other than tab, LF and CR) replaced by U+FFFD.
std::string EscapeHtml(std::string_view text);

// Html is a fragment of markup that is safe to insert into a page.
class Html {
 public:
  Html() = default;

  // Text returns `text` escaped (EscapeHtml).
  static Html Text(std::string_view text);
  // Trusted returns `markup` unchanged. Only for markup written in bonafide's source code, never
  // for data.
  static Html Trusted(std::string_view markup);

  Html& operator+=(const Html& other) {
    markup_ += other.markup_;
    return *this;
  }
  friend Html operator+(Html left, const Html& right) {
    left += right;
    return left;
  }

  bool empty() const { return markup_.empty(); }
  const std::string& str() const { return markup_; }

 private:
  std::string markup_;
};

// Format returns `trusted_template` (fixed markup from the source) with each "{}" replaced by the
// next of `args`. A "{}" without an argument is left out; arguments without a "{}" are appended.
Html Format(std::string_view trusted_template, std::initializer_list<Html> args);

// Join returns the concatenation of `parts`.
Html Join(const std::vector<Html>& parts);

// SafeHref returns `url` escaped for an href when it is a path on this site ("/...", not "//"),
// an http(s) URL or an openid4vp: / openid-credential-offer: / haip: wallet link; otherwise "#".
// It stops javascript: and data: URLs that came from data.
Html SafeHref(std::string_view url);

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_HTML_H_
