// web/govuk.h: GOV.UK Design System components as safe markup (web/html.h).
//
// Each function writes the component's markup as the Design System documents it (the class
// names of npm govuk-frontend), with the accessibility attributes it requires: labels tied to
// inputs, hints and error messages referenced by aria-describedby, error summaries linking to the
// field in error, visually hidden prefixes ("Error:") in the page's language.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_WEB_GOVUK_H_
#define BONAFIDE_WEB_GOVUK_H_

#include <optional>
#include <string>
#include <vector>

#include "web/html.h"
#include "web/i18n.h"

namespace bonafide::web::govuk {

// FieldError is a validation error of one field: the id of the input to link to, and the message.
struct FieldError {
  std::string field_id{};
  std::string message{};
};

// ErrorSummary returns the error summary for `errors` (nothing when there are none). It takes the
// focus when the page loads (govuk-frontend's ErrorSummary module).
Html ErrorSummary(Lang lang, const std::vector<FieldError>& errors);

// ErrorFor returns the message of the error for `field_id`, if any.
std::optional<std::string> ErrorFor(const std::vector<FieldError>& errors, const std::string& field_id);

// TextInputOptions describes a text input.
struct TextInputOptions {
  std::string id{};
  std::string name{};
  std::string label{};
  bool label_is_heading = false;  // the label is the page's h1 (one-question pages)
  std::string hint{};
  std::string value{};
  std::optional<std::string> error{};
  std::string type = "text";  // "text", "password", "email", "url"
  std::string autocomplete{};
  std::string input_mode{};       // e.g. "numeric"
  std::string width_class{};      // e.g. "govuk-input--width-10"
  bool spellcheck_off = false;
};

// TextInput returns a form group with label, hint, error message and input.
Html TextInput(Lang lang, const TextInputOptions& options);

// TextareaOptions describes a textarea.
struct TextareaOptions {
  std::string id{};
  std::string name{};
  std::string label{};
  std::string hint{};
  std::string value{};
  std::optional<std::string> error{};
  int rows = 5;
};

// Textarea returns a form group with a textarea.
Html Textarea(Lang lang, const TextareaOptions& options);

// RadioItem is one choice of Radios.
struct RadioItem {
  std::string value{};
  std::string label{};
  std::string hint{};
};

// RadiosOptions describes a radios fieldset.
struct RadiosOptions {
  std::string name{};
  std::string legend{};
  bool legend_is_heading = false;
  std::string hint{};
  std::vector<RadioItem> items{};
  std::string selected{};
  std::optional<std::string> error{};
};

// Radios returns a fieldset of radios; the first input's id is `name` (the error summary link).
Html Radios(Lang lang, const RadiosOptions& options);

// ButtonKind selects a button's style.
enum class ButtonKind { kPrimary, kSecondary, kWarning };

// Button returns a submit button.
Html Button(std::string_view text, ButtonKind kind = ButtonKind::kPrimary);

// ButtonLink returns a link styled as a button (a start button when `start`).
Html ButtonLink(std::string_view text, std::string_view href, bool start = false);

// SummaryRow is one row of a summary list; `value` is markup (use Html::Text for text).
struct SummaryRow {
  std::string key{};
  Html value{};
};

// SummaryList returns a summary list.
Html SummaryList(const std::vector<SummaryRow>& rows);

// Panel returns a confirmation panel.
Html Panel(std::string_view title, const Html& body);

// TagColour selects a tag's colour.
enum class TagColour { kDefault, kGreen, kRed, kYellow, kGrey, kBlue };

// Tag returns a tag.
Html Tag(std::string_view text, TagColour colour = TagColour::kDefault);

// Table returns a table with a caption, header cells and rows of markup cells.
Html Table(std::string_view caption, const std::vector<std::string>& head, const std::vector<std::vector<Html>>& rows);

// NotificationBanner returns a notification banner (role alert when `success`).
Html NotificationBanner(Lang lang, std::string_view heading, const Html& body, bool success);

// InsetText and WarningText return those components.
Html InsetText(const Html& body);
Html WarningText(Lang lang, std::string_view text);

// Heading returns an h1 with the given size class ("l" or "xl").
Html Heading(std::string_view text, std::string_view size = "l");

// Paragraph returns a govuk-body paragraph of text.
Html Paragraph(std::string_view text);

// Link returns a govuk-link.
Html Link(std::string_view text, std::string_view href);

}  // namespace bonafide::web::govuk

#endif  // BONAFIDE_WEB_GOVUK_H_
