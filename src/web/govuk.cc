#include "web/govuk.h"

namespace bonafide::web::govuk {

namespace {

std::string_view ErrorPrefix(Lang lang) { return lang == Lang::kWelsh ? "Gwall:" : "Error:"; }

Html ErrorMessage(Lang lang, const std::string& id, const std::string& message) {
  return Format("<p id=\"{}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">{} </span>{}</p>",
                {Html::Text(id), Html::Text(ErrorPrefix(lang)), Html::Text(message)});
}

Html Hint(const std::string& id, const std::string& hint) {
  if (hint.empty()) return {};
  return Format("<div id=\"{}-hint\" class=\"govuk-hint\">{}</div>", {Html::Text(id), Html::Text(hint)});
}

std::string DescribedBy(const std::string& id, bool hint, bool error) {
  std::string out;
  if (hint) out += id + "-hint";
  if (error) out += (out.empty() ? "" : " ") + id + "-error";
  return out;
}

Html DescribedByAttribute(const std::string& id, bool hint, bool error) {
  const std::string ids = DescribedBy(id, hint, error);
  if (ids.empty()) return {};
  return Format(" aria-describedby=\"{}\"", {Html::Text(ids)});
}

}  // namespace

Html ErrorSummary(Lang lang, const std::vector<FieldError>& errors) {
  if (errors.empty()) return {};
  Html items;
  for (const FieldError& error : errors) {
    items += Format("<li><a href=\"#{}\">{}</a></li>", {Html::Text(error.field_id), Html::Text(error.message)});
  }
  return Format(
      "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\"><div role=\"alert\">"
      "<h2 class=\"govuk-error-summary__title\">{}</h2><div class=\"govuk-error-summary__body\">"
      "<ul class=\"govuk-list govuk-error-summary__list\">{}</ul></div></div></div>",
      {Html::Text(lang == Lang::kWelsh ? "Mae problem wedi codi" : "There is a problem"), items});
}

std::optional<std::string> ErrorFor(const std::vector<FieldError>& errors, const std::string& field_id) {
  for (const FieldError& error : errors) {
    if (error.field_id == field_id) return error.message;
  }
  return std::nullopt;
}

Html TextInput(Lang lang, const TextInputOptions& o) {
  const bool error = o.error.has_value();
  Html label = Format("<label class=\"govuk-label{}\" for=\"{}\">{}</label>",
                      {Html::Trusted(o.label_is_heading ? " govuk-label--l" : ""), Html::Text(o.id), Html::Text(o.label)});
  if (o.label_is_heading) label = Format("<h1 class=\"govuk-label-wrapper\">{}</h1>", {label});
  Html attributes;
  if (!o.autocomplete.empty()) attributes += Format(" autocomplete=\"{}\"", {Html::Text(o.autocomplete)});
  if (!o.input_mode.empty()) attributes += Format(" inputmode=\"{}\"", {Html::Text(o.input_mode)});
  if (o.spellcheck_off) attributes += Html::Trusted(" spellcheck=\"false\"");
  return Format(
      "<div class=\"govuk-form-group{}\">{}{}{}<input class=\"govuk-input{}{}{}\" id=\"{}\" name=\"{}\" type=\"{}\" "
      "value=\"{}\"{}{}></div>",
      {Html::Trusted(error ? " govuk-form-group--error" : ""), label, Hint(o.id, o.hint),
       error ? ErrorMessage(lang, o.id, *o.error) : Html(), Html::Trusted(error ? " govuk-input--error" : ""),
       Html::Trusted(o.width_class.empty() ? "" : " "), Html::Text(o.width_class), Html::Text(o.id),
       Html::Text(o.name), Html::Text(o.type), Html::Text(o.value), DescribedByAttribute(o.id, !o.hint.empty(), error),
       attributes});
}

Html Textarea(Lang lang, const TextareaOptions& o) {
  const bool error = o.error.has_value();
  return Format(
      "<div class=\"govuk-form-group{}\"><label class=\"govuk-label\" for=\"{}\">{}</label>{}{}"
      "<textarea class=\"govuk-textarea{}\" id=\"{}\" name=\"{}\" rows=\"{}\"{} spellcheck=\"false\">{}</textarea></div>",
      {Html::Trusted(error ? " govuk-form-group--error" : ""), Html::Text(o.id), Html::Text(o.label),
       Hint(o.id, o.hint), error ? ErrorMessage(lang, o.id, *o.error) : Html(),
       Html::Trusted(error ? " govuk-textarea--error" : ""), Html::Text(o.id), Html::Text(o.name),
       Html::Text(std::to_string(o.rows)), DescribedByAttribute(o.id, !o.hint.empty(), error), Html::Text(o.value)});
}

Html Radios(Lang lang, const RadiosOptions& o) {
  const bool error = o.error.has_value();
  Html items;
  for (size_t i = 0; i < o.items.size(); ++i) {
    const RadioItem& item = o.items[i];
    const std::string id = i == 0 ? o.name : o.name + "-" + std::to_string(i + 1);
    Html hint;
    if (!item.hint.empty()) {
      hint = Format("<div id=\"{}-item-hint\" class=\"govuk-hint govuk-radios__hint\">{}</div>",
                    {Html::Text(id), Html::Text(item.hint)});
    }
    items += Format(
        "<div class=\"govuk-radios__item\"><input class=\"govuk-radios__input\" id=\"{}\" name=\"{}\" type=\"radio\" "
        "value=\"{}\"{}{}><label class=\"govuk-label govuk-radios__label\" for=\"{}\">{}</label>{}</div>",
        {Html::Text(id), Html::Text(o.name), Html::Text(item.value),
         Html::Trusted(item.value == o.selected ? " checked" : ""),
         item.hint.empty() ? Html() : Format(" aria-describedby=\"{}-item-hint\"", {Html::Text(id)}), Html::Text(id),
         Html::Text(item.label), hint});
  }
  Html legend = o.legend_is_heading
                    ? Format("<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--l\"><h1 "
                             "class=\"govuk-fieldset__heading\">{}</h1></legend>",
                             {Html::Text(o.legend)})
                    : Format("<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\">{}</legend>",
                             {Html::Text(o.legend)});
  return Format(
      "<div class=\"govuk-form-group{}\"><fieldset class=\"govuk-fieldset\"{}>{}{}{}"
      "<div class=\"govuk-radios\" data-module=\"govuk-radios\">{}</div></fieldset></div>",
      {Html::Trusted(error ? " govuk-form-group--error" : ""), DescribedByAttribute(o.name, !o.hint.empty(), error),
       legend, Hint(o.name, o.hint), error ? ErrorMessage(lang, o.name, *o.error) : Html(), items});
}

Html Button(std::string_view text, ButtonKind kind) {
  const char* modifier = kind == ButtonKind::kSecondary ? " govuk-button--secondary"
                         : kind == ButtonKind::kWarning ? " govuk-button--warning"
                                                        : "";
  return Format("<button type=\"submit\" class=\"govuk-button{}\" data-module=\"govuk-button\" "
                "data-prevent-double-click=\"true\">{}</button>",
                {Html::Trusted(modifier), Html::Text(text)});
}

Html ButtonLink(std::string_view text, std::string_view href, bool start) {
  if (!start) {
    return Format("<a href=\"{}\" role=\"button\" draggable=\"false\" class=\"govuk-button\" data-module=\"govuk-button\">{}</a>",
                  {SafeHref(href), Html::Text(text)});
  }
  return Format(
      "<a href=\"{}\" role=\"button\" draggable=\"false\" class=\"govuk-button govuk-button--start\" "
      "data-module=\"govuk-button\">{}<svg class=\"govuk-button__start-icon\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"17.5\" height=\"19\" viewBox=\"0 0 33 40\" aria-hidden=\"true\" focusable=\"false\">"
      "<path fill=\"currentColor\" d=\"M0 0h13l20 20-20 20H0l20-20z\"/></svg></a>",
      {SafeHref(href), Html::Text(text)});
}

Html SummaryList(const std::vector<SummaryRow>& rows) {
  Html items;
  for (const SummaryRow& row : rows) {
    items += Format("<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">{}</dt>"
                    "<dd class=\"govuk-summary-list__value\">{}</dd></div>",
                    {Html::Text(row.key), row.value});
  }
  return Format("<dl class=\"govuk-summary-list\">{}</dl>", {items});
}

Html Panel(std::string_view title, const Html& body) {
  return Format("<div class=\"govuk-panel govuk-panel--confirmation\"><h1 class=\"govuk-panel__title\">{}</h1>"
                "<div class=\"govuk-panel__body\">{}</div></div>",
                {Html::Text(title), body});
}

Html Tag(std::string_view text, TagColour colour) {
  const char* modifier = "";
  switch (colour) {
    case TagColour::kDefault: break;
    case TagColour::kGreen: modifier = " govuk-tag--green"; break;
    case TagColour::kRed: modifier = " govuk-tag--red"; break;
    case TagColour::kYellow: modifier = " govuk-tag--yellow"; break;
    case TagColour::kGrey: modifier = " govuk-tag--grey"; break;
    case TagColour::kBlue: modifier = " govuk-tag--blue"; break;
  }
  return Format("<strong class=\"govuk-tag{}\">{}</strong>", {Html::Trusted(modifier), Html::Text(text)});
}

Html Table(std::string_view caption, const std::vector<std::string>& head, const std::vector<std::vector<Html>>& rows) {
  Html head_cells;
  for (const std::string& cell : head) {
    head_cells += Format("<th scope=\"col\" class=\"govuk-table__header\">{}</th>", {Html::Text(cell)});
  }
  Html body;
  for (const auto& row : rows) {
    Html cells;
    for (const Html& cell : row) cells += Format("<td class=\"govuk-table__cell\">{}</td>", {cell});
    body += Format("<tr class=\"govuk-table__row\">{}</tr>", {cells});
  }
  return Format("<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">{}</caption>"
                "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">{}</tr></thead>"
                "<tbody class=\"govuk-table__body\">{}</tbody></table>",
                {Html::Text(caption), head_cells, body});
}

Html NotificationBanner(Lang lang, std::string_view heading, const Html& body, bool success) {
  const bool welsh = lang == Lang::kWelsh;
  const std::string_view title = success ? (welsh ? "Llwyddiant" : "Success") : (welsh ? "Pwysig" : "Important");
  return Format(
      "<div class=\"govuk-notification-banner{}\" role=\"{}\" aria-labelledby=\"govuk-notification-banner-title\" "
      "data-module=\"govuk-notification-banner\"><div class=\"govuk-notification-banner__header\">"
      "<h2 class=\"govuk-notification-banner__title\" id=\"govuk-notification-banner-title\">{}</h2></div>"
      "<div class=\"govuk-notification-banner__content\"><p class=\"govuk-notification-banner__heading\">{}</p>{}"
      "</div></div>",
      {Html::Trusted(success ? " govuk-notification-banner--success" : ""), Html::Trusted(success ? "alert" : "region"),
       Html::Text(title), Html::Text(heading), body});
}

Html InsetText(const Html& body) { return Format("<div class=\"govuk-inset-text\">{}</div>", {body}); }

Html WarningText(Lang lang, std::string_view text) {
  return Format("<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
                "<strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">{}</span>{}</strong></div>",
                {Html::Text(lang == Lang::kWelsh ? "Rhybudd" : "Warning"), Html::Text(text)});
}

Html Heading(std::string_view text, std::string_view size) {
  return Format("<h1 class=\"govuk-heading-{}\">{}</h1>", {Html::Text(size == "xl" ? "xl" : "l"), Html::Text(text)});
}

Html Paragraph(std::string_view text) { return Format("<p class=\"govuk-body\">{}</p>", {Html::Text(text)}); }

Html Link(std::string_view text, std::string_view href) {
  return Format("<a class=\"govuk-link\" href=\"{}\">{}</a>", {SafeHref(href), Html::Text(text)});
}

}  // namespace bonafide::web::govuk
