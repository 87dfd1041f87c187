// Tests for mdoc/doctypes.h: the doctype catalogue, JSON claims -> CBOR, validation, CBOR -> JSON.
#include "mdoc/doctypes.h"

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"

namespace bonafide::mdoc {
namespace {

using cbor::Value;

// The 8x8 grey baseline JPEG of the example files (decodes with libjpeg).
const char kPortraitB64[] =
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAA"
    "AAD/2gAIAQEAAD8AP//Z";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Json LoadExample(const std::string& name) {
  const std::string text = ReadText(std::string(BONAFIDE_SOURCE_DIR) + "/examples/claims/" + name);
  Result<Json> j = ParseJsonObject(text);
  EXPECT_TRUE(j.ok()) << name << ": " << j.status().ToString();
  return j.ok() ? *j : Json::object();
}

StatusCode CodeOf(const Result<NameSpaces>& r) { return r.status().code(); }

const Value* FindIn(const NameSpaces& ns, std::string_view name_space, std::string_view element) {
  for (const auto& [n, elements] : ns) {
    if (n != name_space) continue;
    for (const auto& [e, v] : elements) {
      if (e == element) return &v;
    }
  }
  return nullptr;
}

Json Mdl() { return LoadExample("mdl.json"); }
Json DigitalId() { return LoadExample("digital-id.json"); }
Json Evisa() { return LoadExample("evisa.json"); }
Json Marriage() { return LoadExample("marriage.json"); }

// Sets one element of the claims JSON and converts it for `doctype`.
Result<NameSpaces> With(std::string_view doctype, Json claims, const std::string& ns,
                        const std::string& element, Json value) {
  claims[ns][element] = std::move(value);
  return ClaimsFromJson(doctype, claims);
}

Result<NameSpaces> MdlWith(const std::string& element, Json value) {
  return With(kMdlDocType, Mdl(), kMdlNameSpace, element, std::move(value));
}

Bytes PortraitBytes() { return *Base64Decode(kPortraitB64); }

// ---------------------------------------------------------------------------------------------
// Catalogue.

TEST(Doctypes, FindDoctypeKnowsTheFourProfiles) {
  for (const char* d : {kMdlDocType, kDigitalIdDoctype, kEvisaDoctype, kMarriageDoctype}) {
    const DoctypeProfile* p = FindDoctype(d);
    ASSERT_NE(p, nullptr) << d;
    EXPECT_EQ(p->doctype, d);
    EXPECT_FALSE(p->elements.empty());
  }
  EXPECT_EQ(FindDoctype("org.iso.18013.5.1.mdl"), nullptr);  // case matters
  EXPECT_EQ(FindDoctype(""), nullptr);
  EXPECT_EQ(KnownDoctypes().size(), 4u);
  const DoctypeProfile* mdl = FindDoctype(kMdlDocType);
  ASSERT_EQ(mdl->namespaces.size(), 2u);
  EXPECT_EQ(mdl->namespaces[0], kMdlNameSpace);
  EXPECT_EQ(mdl->namespaces[1], kMdlGbNamespace);
  EXPECT_EQ(FindDoctype(kEvisaDoctype)->namespaces.at(0), kEvisaDoctype);
}

TEST(Doctypes, MdlMandatoryElementsAreThoseOfTable5) {
  const DoctypeProfile* p = FindDoctype(kMdlDocType);
  std::vector<std::string> mandatory;
  for (const ElementSpec& e : p->elements) {
    if (e.mandatory) mandatory.emplace_back(e.name);
  }
  EXPECT_EQ(mandatory,
            (std::vector<std::string>{"family_name", "given_name", "birth_date", "issue_date", "expiry_date",
                                      "issuing_country", "issuing_authority", "document_number", "portrait",
                                      "driving_privileges", "un_distinguishing_sign"}));
}

TEST(Doctypes, AgeOverPattern) {
  const DoctypeProfile* mdl = FindDoctype(kMdlDocType);
  const ElementSpec* exact = mdl->FindElement(kMdlNameSpace, "age_over_18");
  ASSERT_NE(exact, nullptr);
  EXPECT_FALSE(exact->is_pattern);
  const ElementSpec* pattern = mdl->FindElement(kMdlNameSpace, "age_over_65");
  ASSERT_NE(pattern, nullptr);
  EXPECT_TRUE(pattern->is_pattern);
  EXPECT_EQ(pattern->type, ElementType::kBool);
  EXPECT_NE(mdl->FindElement(kMdlNameSpace, "age_over_00"), nullptr);  // boundary: two digits
  EXPECT_EQ(mdl->FindElement(kMdlNameSpace, "age_over_6"), nullptr);
  EXPECT_EQ(mdl->FindElement(kMdlNameSpace, "age_over_123"), nullptr);
  EXPECT_EQ(mdl->FindElement(kMdlNameSpace, "age_over_1a"), nullptr);
  EXPECT_EQ(mdl->FindElement(kMdlNameSpace, "age_over_NN"), nullptr);
  EXPECT_EQ(mdl->FindElement(kMdlGbNamespace, "age_over_18"), nullptr);
  EXPECT_NE(FindDoctype(kDigitalIdDoctype)->FindElement(kDigitalIdDoctype, "age_over_70"), nullptr);
  EXPECT_EQ(FindDoctype(kEvisaDoctype)->FindElement(kEvisaDoctype, "age_over_18"), nullptr);

  EXPECT_TRUE(MdlWith("age_over_65", false).ok());
  Result<NameSpaces> bad = MdlWith("age_over_65", "no");
  EXPECT_EQ(CodeOf(bad), StatusCode::kInvalidClaims);
  EXPECT_NE(bad.status().message().find("age_over_65"), std::string::npos) << bad.status().message();
  EXPECT_EQ(CodeOf(MdlWith("age_over_6", true)), StatusCode::kInvalidClaims);
}

// ---------------------------------------------------------------------------------------------
// The example files.

TEST(Doctypes, ExampleMdlConverts) {
  Result<NameSpaces> ns = ClaimsFromJson(kMdlDocType, Mdl());
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  EXPECT_EQ(ns->size(), 2u);
  const Value* birth = FindIn(*ns, kMdlNameSpace, "birth_date");
  ASSERT_NE(birth, nullptr);
  EXPECT_EQ(*birth, Value::FullDate("1990-07-14"));
  const Value* portrait = FindIn(*ns, kMdlNameSpace, "portrait");
  ASSERT_NE(portrait, nullptr);
  ASSERT_TRUE(portrait->is_bytes());
  EXPECT_EQ(Bytes(portrait->bytes().begin(), portrait->bytes().end()), PortraitBytes());
  const Value* privileges = FindIn(*ns, kMdlNameSpace, "driving_privileges");
  ASSERT_NE(privileges, nullptr);
  ASSERT_TRUE(privileges->is_array());
  ASSERT_EQ(privileges->size(), 3u);
  const Value* issue = privileges->array()[0].Find("issue_date");
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(*issue, Value::FullDate("2009-08-20"));
  const Value* welsh = FindIn(*ns, kMdlGbNamespace, "welsh_licence");
  ASSERT_NE(welsh, nullptr);
  EXPECT_EQ(*welsh, Value::Bool(true));
  EXPECT_TRUE(ValidateNameSpaces(kMdlDocType, *ns, /*require_mandatory=*/true).ok());
}

TEST(Doctypes, ExampleDigitalIdConverts) {
  Result<NameSpaces> ns = ClaimsFromJson(kDigitalIdDoctype, DigitalId());
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  const Value* status = FindIn(*ns, kDigitalIdDoctype, "residency_status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(*status, Value::Text("british_citizen"));
  EXPECT_TRUE(ValidateNameSpaces(kDigitalIdDoctype, *ns, true).ok());
}

TEST(Doctypes, ExampleEvisaConverts) {
  Result<NameSpaces> ns = ClaimsFromJson(kEvisaDoctype, Evisa());
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  const Value* until = FindIn(*ns, kEvisaDoctype, "valid_until");
  ASSERT_NE(until, nullptr);
  EXPECT_EQ(*until, Value::FullDate("2027-01-31"));
  const Value* given = FindIn(*ns, kEvisaDoctype, "given_name");
  ASSERT_NE(given, nullptr);
  EXPECT_EQ(*given, Value::Text("Ana Lu\xC3\xADsa"));
  EXPECT_TRUE(ValidateNameSpaces(kEvisaDoctype, *ns, true).ok());
}

TEST(Doctypes, ExampleMarriageConverts) {
  Result<NameSpaces> ns = ClaimsFromJson(kMarriageDoctype, Marriage());
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  ASSERT_EQ(ns->size(), 1u);
  EXPECT_EQ((*ns)[0].second.size(), 10u);
  EXPECT_TRUE(ValidateNameSpaces(kMarriageDoctype, *ns, true).ok());
}

// Removing each element of each example: mandatory ones fail, optional ones do not.
TEST(Doctypes, EveryMandatoryElementIsRequired) {
  const std::vector<std::pair<std::string, Json>> examples = {{kMdlDocType, Mdl()},
                                                              {kDigitalIdDoctype, DigitalId()},
                                                              {kEvisaDoctype, Evisa()},
                                                              {kMarriageDoctype, Marriage()}};
  for (const auto& [doctype, claims] : examples) {
    const DoctypeProfile* p = FindDoctype(doctype);
    for (const ElementSpec& spec : p->elements) {
      const std::string ns(spec.name_space);
      const std::string name(spec.name);
      if (!claims.contains(ns) || !claims[ns].contains(name)) {
        EXPECT_FALSE(spec.mandatory) << doctype << " example lacks " << name;
        continue;
      }
      Json without = claims;
      without[ns].erase(name);
      if (without[ns].empty()) without.erase(ns);
      Result<NameSpaces> r = ClaimsFromJson(doctype, without);
      if (spec.mandatory) {
        EXPECT_EQ(CodeOf(r), StatusCode::kInvalidClaims) << doctype << " without " << name;
      } else {
        EXPECT_TRUE(r.ok()) << doctype << " without " << name << ": " << r.status().ToString();
      }
    }
  }
}

TEST(Doctypes, MissingMandatoryMessageNamesTheElement) {
  Json claims = Mdl();
  claims[kMdlNameSpace].erase("un_distinguishing_sign");
  Result<NameSpaces> r = ClaimsFromJson(kMdlDocType, claims);
  EXPECT_EQ(CodeOf(r), StatusCode::kInvalidClaims);
  EXPECT_NE(r.status().message().find("org.iso.18013.5.1/un_distinguishing_sign"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Rules, each with a failing and a passing (boundary) case.

TEST(Doctypes, UnknownElementAndNamespace) {
  EXPECT_EQ(CodeOf(MdlWith("favourite_colour", "green")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("Family_name", "Smith")), StatusCode::kInvalidClaims);
  // An element of the GB namespace written into the ISO namespace.
  EXPECT_EQ(CodeOf(MdlWith("welsh_licence", true)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kMdlDocType, Mdl(), "org.iso.18013.5.1.US", "organ_donor", true)),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "residency_status", "settled")),
            StatusCode::kInvalidClaims);
  // Boundary: known optional element of the GB namespace.
  EXPECT_TRUE(With(kMdlDocType, Mdl(), kMdlGbNamespace, "title", "Dr").ok());
}

TEST(Doctypes, WrongTypes) {
  EXPECT_EQ(CodeOf(MdlWith("family_name", 42)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("family_name", Json::array({"a"}))), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("family_name", nullptr)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("age_over_18", "true")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("age_over_18", 1)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("height", -5)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("height", 170.5)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("height", "170")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", 19900714)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kMdlDocType, Mdl(), kMdlGbNamespace, "welsh_licence", 1)),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "right_to_rent", "yes")),
            StatusCode::kInvalidClaims);
  // Boundaries.
  EXPECT_TRUE(MdlWith("height", 0).ok());
  EXPECT_TRUE(MdlWith("height", 170).ok());
  EXPECT_TRUE(MdlWith("age_over_18", false).ok());
  EXPECT_TRUE(MdlWith("family_name", "").ok());
  // Text built in code (not by ParseJson) must still be UTF-8.
  EXPECT_EQ(CodeOf(MdlWith("family_name", std::string("O\xC0\x80k"))), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("family_name", std::string("\xED\xA0\x80"))), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("family_name", std::string("\xF4\x90\x80\x80"))), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("family_name", std::string("\xC3"))), StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("family_name", std::string("\xF4\x8F\xBF\xBF\xE2\x82\xAC")).ok());
}

TEST(Doctypes, SexIsIso5218) {
  for (int ok : {0, 1, 2, 9}) EXPECT_TRUE(MdlWith("sex", ok).ok()) << ok;
  for (int bad : {3, 8, 10}) EXPECT_EQ(CodeOf(MdlWith("sex", bad)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("sex", "F")), StatusCode::kInvalidClaims);
}

TEST(Doctypes, BadFullDates) {
  EXPECT_EQ(CodeOf(MdlWith("birth_date", "2023-02-29")), StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("birth_date", "2024-02-29").ok());  // boundary: leap year
  EXPECT_EQ(CodeOf(MdlWith("birth_date", "1990-7-14")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", "1990-07-14T00:00:00Z")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", "1990-13-01")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", "1990-04-31")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", "")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "valid_from", "2023-02-29")),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kMarriageDoctype, Marriage(), kMarriageDoctype, "date_of_marriage", "2019-6-15")),
            StatusCode::kInvalidClaims);
}

TEST(Doctypes, MdlIssueAndExpiryMayBeFullDateOrTDate) {
  Result<NameSpaces> ns = MdlWith("issue_date", "2024-03-01T12:30:00+01:00");
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  EXPECT_EQ(*FindIn(*ns, kMdlNameSpace, "issue_date"), Value::TDate("2024-03-01T11:30:00Z"));
  EXPECT_EQ(CodeOf(MdlWith("issue_date", "2024-03-01T25:00:00Z")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("issue_date", "2024-03-01 12:30:00Z")), StatusCode::kInvalidClaims);
  // The digital ID's issue_date is a full-date only.
  EXPECT_EQ(
      CodeOf(With(kDigitalIdDoctype, DigitalId(), kDigitalIdDoctype, "issue_date", "2025-09-01T00:00:00Z")),
      StatusCode::kInvalidClaims);
}

TEST(Doctypes, TDateIsNormalised) {
  Result<NameSpaces> ns = MdlWith("portrait_capture_date", "2024-02-10T09:15:30.250-05:00");
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  EXPECT_EQ(*FindIn(*ns, kMdlNameSpace, "portrait_capture_date"), Value::TDate("2024-02-10T14:15:30Z"));
  EXPECT_EQ(CodeOf(MdlWith("portrait_capture_date", "2024-02-10")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("portrait_capture_date", "2024-02-30T09:15:30Z")), StatusCode::kInvalidClaims);
}

TEST(Doctypes, Countries) {
  for (const char* bad : {"gb", "GBR", "G", "", "Gb", "G1", "UK "}) {
    EXPECT_EQ(CodeOf(MdlWith("issuing_country", bad)), StatusCode::kInvalidClaims) << bad;
  }
  EXPECT_TRUE(MdlWith("issuing_country", "GB").ok());
  EXPECT_TRUE(MdlWith("issuing_country", "NL").ok());  // ISO mDL is international
  EXPECT_TRUE(MdlWith("nationality", "IE").ok());
  EXPECT_EQ(CodeOf(MdlWith("nationality", "irl")), StatusCode::kInvalidClaims);
  // The digital ID is issued by GB only.
  EXPECT_EQ(CodeOf(With(kDigitalIdDoctype, DigitalId(), kDigitalIdDoctype, "issuing_country", "FR")),
            StatusCode::kInvalidClaims);
  EXPECT_TRUE(With(kDigitalIdDoctype, DigitalId(), kDigitalIdDoctype, "nationality", "FR").ok());
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "nationality", "BRA")),
            StatusCode::kInvalidClaims);
}

TEST(Doctypes, Enums) {
  for (const char* ok : {"british_citizen", "irish_citizen", "settled", "pre_settled", "limited_leave"}) {
    EXPECT_TRUE(With(kDigitalIdDoctype, DigitalId(), kDigitalIdDoctype, "residency_status", ok).ok()) << ok;
  }
  for (const char* bad : {"citizen", "British_citizen", "settled ", ""}) {
    EXPECT_EQ(CodeOf(With(kDigitalIdDoctype, DigitalId(), kDigitalIdDoctype, "residency_status", bad)),
              StatusCode::kInvalidClaims)
        << bad;
  }
  for (const char* ok : {"unrestricted", "restricted", "none"}) {
    EXPECT_TRUE(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "right_to_work", ok).ok()) << ok;
  }
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "right_to_work", "Unrestricted")),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("eye_colour", "violet")), StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("eye_colour", "hazel").ok());
  EXPECT_EQ(CodeOf(MdlWith("hair_colour", "blonde")), StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("hair_colour", "blond").ok());
}

TEST(Doctypes, PortraitMustBeJpeg) {
  Bytes jpeg = PortraitBytes();
  Bytes no_soi = jpeg;
  no_soi[1] = 0xD9;
  EXPECT_EQ(CodeOf(MdlWith("portrait", Base64Encode(no_soi))), StatusCode::kInvalidClaims);
  Bytes png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0xD9};
  EXPECT_EQ(CodeOf(MdlWith("portrait", Base64Encode(png))), StatusCode::kInvalidClaims);
  Bytes no_eoi(jpeg.begin(), jpeg.end() - 1);
  EXPECT_EQ(CodeOf(MdlWith("portrait", Base64Encode(no_eoi))), StatusCode::kInvalidClaims);
  Bytes trailing = jpeg;
  trailing.push_back(0x00);
  EXPECT_EQ(CodeOf(MdlWith("portrait", Base64Encode(trailing))), StatusCode::kInvalidClaims);
  // Boundary: five bytes are the shortest accepted; four (SOI and EOI overlapping) are not.
  EXPECT_TRUE(MdlWith("portrait", Base64Encode(Bytes{0xFF, 0xD8, 0xFF, 0xFF, 0xD9})).ok());
  EXPECT_EQ(CodeOf(MdlWith("portrait", Base64Encode(Bytes{0xFF, 0xD8, 0xFF, 0xD9}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("portrait", "")), StatusCode::kInvalidClaims);
  // Base64url form of the same JPEG is accepted and gives the same bytes.
  Result<NameSpaces> url = MdlWith("portrait", Base64UrlEncode(jpeg));
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(*FindIn(*url, kMdlNameSpace, "portrait"), Value::ByteString(jpeg));
  // Not base64 at all; padded base64url; unpadded standard base64 with '/'.
  EXPECT_EQ(CodeOf(MdlWith("portrait", "not*base64")), StatusCode::kInvalidClaims);
  EXPECT_EQ(
      CodeOf(MdlWith("portrait", Base64UrlEncode(Bytes{0xFF, 0xD8, 0xFF, 0xFF, 0xD9, 0xFF, 0xD9}) + "=")),
      StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("portrait", "/9j//9k")), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("portrait", 5)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "portrait", Base64Encode(no_eoi))),
            StatusCode::kInvalidClaims);
}

Json Privilege(const std::string& category, const std::string& issue, const std::string& expiry) {
  return Json{{"vehicle_category_code", category}, {"issue_date", issue}, {"expiry_date", expiry}};
}

TEST(Doctypes, DrivingPrivileges) {
  EXPECT_TRUE(MdlWith("driving_privileges", Json::array()).ok());  // boundary: no entries
  EXPECT_TRUE(MdlWith("driving_privileges", Json::array({Json{{"vehicle_category_code", "C1"}}})).ok());
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({Privilege("B", "2023-02-29", "2060-01-01")}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({Privilege("B", "2020-01-01", "2060-1-1")}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges",
                           Json::array({Json{{"vehicle_category_code", "B"}, {"issue_date", 2020}}}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({Json{{"issue_date", "2020-01-01"}}}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({Json{{"vehicle_category_code", ""}}}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges",
                           Json::array({Json{{"vehicle_category_code", "B"}, {"restriction", "x"}}}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json{{"vehicle_category_code", "B"}})),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({"B"}))), StatusCode::kInvalidClaims);
  // Codes.
  Json with_codes = Privilege("B", "2020-01-01", "2060-01-01");
  with_codes["codes"] = Json::array({Json{{"code", "01"}, {"sign", "="}, {"value", "x"}}});
  EXPECT_TRUE(MdlWith("driving_privileges", Json::array({with_codes})).ok());
  with_codes["codes"] = Json::array({Json{{"sign", "="}}});
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({with_codes}))), StatusCode::kInvalidClaims);
  with_codes["codes"] = Json::array({Json{{"code", "01"}, {"note", "x"}}});
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({with_codes}))), StatusCode::kInvalidClaims);
  with_codes["codes"] = Json{{"code", "01"}};
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({with_codes}))), StatusCode::kInvalidClaims);
  // The GB namespace's provisional privileges follow the same rules.
  EXPECT_EQ(CodeOf(With(kMdlDocType, Mdl(), kMdlGbNamespace, "provisional_driving_privileges",
                        Json::array({Privilege("A", "2023-02-29", "2060-01-01")}))),
            StatusCode::kInvalidClaims);
  // $full-date form inside an entry.
  Json typed = Json{{"vehicle_category_code", "B"}, {"issue_date", Json{{"$full-date", "2020-01-01"}}}};
  Result<NameSpaces> ns = MdlWith("driving_privileges", Json::array({typed}));
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  EXPECT_EQ(*FindIn(*ns, kMdlNameSpace, "driving_privileges")->array()[0].Find("issue_date"),
            Value::FullDate("2020-01-01"));
}

TEST(Doctypes, ExpiryMustFollowIssue) {
  EXPECT_EQ(CodeOf(MdlWith("expiry_date", "2024-03-01")), StatusCode::kInvalidClaims);  // equal
  EXPECT_EQ(CodeOf(MdlWith("expiry_date", "2020-01-01")), StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("expiry_date", "2024-03-02").ok());  // boundary: the next day
  // Mixed forms compare as instants.
  EXPECT_EQ(CodeOf(MdlWith("expiry_date", "2024-02-29T23:59:59Z")), StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("expiry_date", "2024-03-01T00:00:01Z").ok());
  EXPECT_EQ(CodeOf(With(kDigitalIdDoctype, DigitalId(), kDigitalIdDoctype, "expiry_date", "2025-08-31")),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "expiry_date", "2024-08-15")),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "valid_until", "2024-09-01")),
            StatusCode::kInvalidClaims);
  EXPECT_TRUE(With(kEvisaDoctype, Evisa(), kEvisaDoctype, "valid_until", "2024-09-02").ok());
  // Driving privilege entries.
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({Privilege("B", "2020-01-01", "2019-12-31")}))),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("driving_privileges", Json::array({Privilege("B", "2020-01-01", "2020-01-01")}))),
            StatusCode::kInvalidClaims);
  EXPECT_TRUE(MdlWith("driving_privileges", Json::array({Privilege("B", "2020-01-01", "2020-01-02")})).ok());
  EXPECT_EQ(CodeOf(With(kMdlDocType, Mdl(), kMdlGbNamespace, "provisional_driving_privileges",
                        Json::array({Privilege("A", "2024-03-01", "2024-02-01")}))),
            StatusCode::kInvalidClaims);
}

TEST(Doctypes, TypedFormsForKnownDoctypes) {
  EXPECT_TRUE(MdlWith("birth_date", Json{{"$full-date", "1990-07-14"}}).ok());
  EXPECT_TRUE(MdlWith("portrait", Json{{"$bytes", Base64UrlEncode(PortraitBytes())}}).ok());
  EXPECT_TRUE(MdlWith("portrait_capture_date", Json{{"$tdate", "2024-02-10T09:15:30Z"}}).ok());
  // A typed form of the wrong type for the element.
  EXPECT_EQ(CodeOf(MdlWith("birth_date", Json{{"$tdate", "1990-07-14T00:00:00Z"}})),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("family_name", Json{{"$bytes", "AAAA"}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", Json{{"$full-date", "2023-02-29"}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(MdlWith("birth_date", Json{{"$date", "1990-07-14"}})), StatusCode::kInvalidClaims);
}

TEST(Doctypes, ClaimsShape) {
  EXPECT_EQ(ClaimsFromJson("", Mdl()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(ClaimsFromJson(kMdlDocType, Json::array())), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(ClaimsFromJson(kMdlDocType, Json::object())), StatusCode::kInvalidClaims);
  Json claims = Mdl();
  claims[kMdlGbNamespace] = Json::object();
  EXPECT_EQ(CodeOf(ClaimsFromJson(kMdlDocType, claims)), StatusCode::kInvalidClaims);
  claims[kMdlGbNamespace] = Json::array();
  EXPECT_EQ(CodeOf(ClaimsFromJson(kMdlDocType, claims)), StatusCode::kInvalidClaims);
  claims.erase(kMdlGbNamespace);
  EXPECT_TRUE(ClaimsFromJson(kMdlDocType, claims).ok());  // boundary: the GB namespace is optional
}

// ---------------------------------------------------------------------------------------------
// ValidateElement and ValidateNameSpaces on received values.

TEST(Doctypes, ValidateReceivedValues) {
  const DoctypeProfile* mdl = FindDoctype(kMdlDocType);
  const ElementSpec& birth = *mdl->FindElement(kMdlNameSpace, "birth_date");
  EXPECT_TRUE(ValidateElement(birth, Value::FullDate("1990-07-14")).ok());
  EXPECT_EQ(ValidateElement(birth, Value::Text("1990-07-14")).code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(birth, Value::Tagged(cbor::kTagFullDate, Value::Uint(1))).code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(birth, Value::FullDate("2023-02-29")).code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(birth, Value::TDate("1990-07-14T00:00:00Z")).code(), StatusCode::kInvalidClaims);

  const ElementSpec& captured = *mdl->FindElement(kMdlNameSpace, "portrait_capture_date");
  EXPECT_TRUE(ValidateElement(captured, Value::TDate("2024-02-10T14:15:30Z")).ok());
  EXPECT_EQ(ValidateElement(captured, Value::TDate("2024-02-10T14:15:30.5Z")).code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(captured, Value::TDate("2024-02-10T15:15:30+01:00")).code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(captured, Value::TDate("2024-02-10t14:15:30z")).code(),
            StatusCode::kInvalidClaims);

  const ElementSpec& issue = *mdl->FindElement(kMdlNameSpace, "issue_date");
  EXPECT_TRUE(ValidateElement(issue, Value::FullDate("2024-03-01")).ok());
  EXPECT_TRUE(ValidateElement(issue, Value::TDate("2024-03-01T00:00:00Z")).ok());
  EXPECT_EQ(ValidateElement(issue, Value::Tagged(1, Value::Uint(1709251200))).code(),
            StatusCode::kInvalidClaims);

  const ElementSpec& age = *mdl->FindElement(kMdlNameSpace, "age_over_18");
  EXPECT_TRUE(ValidateElement(age, Value::Bool(true)).ok());
  EXPECT_EQ(ValidateElement(age, Value::Uint(1)).code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(age, Value::Null()).code(), StatusCode::kInvalidClaims);

  const ElementSpec& sex = *mdl->FindElement(kMdlNameSpace, "sex");
  EXPECT_TRUE(ValidateElement(sex, Value::Uint(9)).ok());
  EXPECT_EQ(ValidateElement(sex, Value::Uint(3)).code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateElement(sex, Value::Int(-1)).code(), StatusCode::kInvalidClaims);

  const ElementSpec& portrait = *mdl->FindElement(kMdlNameSpace, "portrait");
  EXPECT_TRUE(ValidateElement(portrait, Value::ByteString(PortraitBytes())).ok());
  EXPECT_EQ(ValidateElement(portrait, Value::Text(kPortraitB64)).code(), StatusCode::kInvalidClaims);

  const ElementSpec& privileges = *mdl->FindElement(kMdlNameSpace, "driving_privileges");
  Value entry = Value::MakeMap();
  entry.Insert("vehicle_category_code", Value::Text("B"));
  EXPECT_TRUE(ValidateElement(privileges, Value::MakeArray({entry})).ok());
  Value int_key = entry;
  int_key.Insert(1, Value::Text("x"));
  EXPECT_EQ(ValidateElement(privileges, Value::MakeArray({int_key})).code(), StatusCode::kInvalidClaims);
  Value text_date = entry;
  text_date.Insert("issue_date", Value::Text("2020-01-01"));
  EXPECT_EQ(ValidateElement(privileges, Value::MakeArray({text_date})).code(), StatusCode::kInvalidClaims);
}

NameSpaces Subset(std::vector<std::pair<std::string, Value>> items, const std::string& ns = kMdlNameSpace) {
  NameSpaces out;
  out.emplace_back(ns, std::move(items));
  return out;
}

TEST(Doctypes, ValidateNameSpacesModes) {
  NameSpaces subset =
      Subset({{"family_name", Value::Text("Okonkwo-Hughes")}, {"age_over_18", Value::Bool(true)}});
  EXPECT_TRUE(ValidateNameSpaces(kMdlDocType, subset, /*require_mandatory=*/false).ok());
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, subset, true).code(), StatusCode::kInvalidClaims);
  // Nothing disclosed is a valid subset, not a valid document.
  EXPECT_TRUE(ValidateNameSpaces(kMdlDocType, {}, false).ok());
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, {}, true).code(), StatusCode::kInvalidClaims);
  // Wrong type is rejected in both modes.
  NameSpaces wrong = Subset({{"age_over_18", Value::Text("yes")}});
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, wrong, false).code(), StatusCode::kInvalidClaims);
  // Elements and namespaces outside the catalogue are the caller's in verify mode only.
  NameSpaces extra = Subset({{"organ_donor", Value::Bool(true)}});
  EXPECT_TRUE(ValidateNameSpaces(kMdlDocType, extra, false).ok());
  NameSpaces domestic = Subset({{"organ_donor", Value::Uint(1)}}, "org.iso.18013.5.1.US");
  EXPECT_TRUE(ValidateNameSpaces(kMdlDocType, domestic, false).ok());
  Result<NameSpaces> full = ClaimsFromJson(kMdlDocType, Mdl());
  ASSERT_TRUE(full.ok());
  NameSpaces full_extra = *full;
  full_extra[0].second.emplace_back("organ_donor", Value::Bool(true));
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, full_extra, true).code(), StatusCode::kInvalidClaims);
  NameSpaces full_domestic = *full;
  full_domestic.push_back(domestic[0]);
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, full_domestic, true).code(), StatusCode::kInvalidClaims);
  // Duplicates and empty namespaces are structural errors in both modes.
  NameSpaces dup = Subset({{"family_name", Value::Text("A")}, {"family_name", Value::Text("B")}});
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, dup, false).code(), StatusCode::kInvalidClaims);
  NameSpaces dup_ns = subset;
  dup_ns.push_back(subset[0]);
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, dup_ns, false).code(), StatusCode::kInvalidClaims);
  NameSpaces empty_ns = Subset({});
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, empty_ns, false).code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ValidateNameSpaces("com.example.unknown", empty_ns, false).code(), StatusCode::kInvalidClaims);
  // Consistency is judged at issuance only.
  NameSpaces inverted = *full;
  for (auto& [name, value] : inverted[0].second) {
    if (name == "expiry_date") value = Value::FullDate("2020-01-01");
  }
  EXPECT_EQ(ValidateNameSpaces(kMdlDocType, inverted, true).code(), StatusCode::kInvalidClaims);
  EXPECT_TRUE(ValidateNameSpaces(kMdlDocType, inverted, false).ok());
}

// ---------------------------------------------------------------------------------------------
// Unknown doctypes: generic conversion.

TEST(Doctypes, GenericConversionForUnknownDoctype) {
  Json claims = Json::parse(R"({
    "com.example.loyalty.1": {
      "member": "Priya Natarajan",
      "points": 1200,
      "balance": -15,
      "ratio": 0.5,
      "gold": true,
      "note": null,
      "joined": {"$full-date": "2021-05-04"},
      "last_visit": {"$tdate": "2024-06-01T10:00:00.9+02:00"},
      "card": {"$bytes": "3q2-7w"},
      "tags": ["a", {"$full-date": "2020-02-29"}],
      "address": {"line": "1 High St", "since": {"$tdate": "2020-01-01T00:00:00Z"}}
    }
  })");
  Result<NameSpaces> ns = ClaimsFromJson("com.example.loyalty.1", claims);
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  const std::string n = "com.example.loyalty.1";
  EXPECT_EQ(*FindIn(*ns, n, "member"), Value::Text("Priya Natarajan"));
  EXPECT_EQ(*FindIn(*ns, n, "points"), Value::Uint(1200));
  EXPECT_EQ(*FindIn(*ns, n, "balance"), Value::Int(-15));
  EXPECT_EQ(*FindIn(*ns, n, "ratio"), Value::Float(0.5));
  EXPECT_EQ(*FindIn(*ns, n, "gold"), Value::Bool(true));
  EXPECT_EQ(*FindIn(*ns, n, "note"), Value::Null());
  EXPECT_EQ(*FindIn(*ns, n, "joined"), Value::FullDate("2021-05-04"));
  EXPECT_EQ(*FindIn(*ns, n, "last_visit"), Value::TDate("2024-06-01T08:00:00Z"));
  EXPECT_EQ(*FindIn(*ns, n, "card"), Value::ByteString(Bytes{0xDE, 0xAD, 0xBE, 0xEF}));
  EXPECT_EQ(*FindIn(*ns, n, "tags"), Value::MakeArray({Value::Text("a"), Value::FullDate("2020-02-29")}));
  Value address = Value::MakeMap();
  address.Insert("line", Value::Text("1 High St"));
  address.Insert("since", Value::TDate("2020-01-01T00:00:00Z"));
  EXPECT_EQ(*FindIn(*ns, n, "address"), address);
  EXPECT_TRUE(ValidateNameSpaces("com.example.loyalty.1", *ns, true).ok());
}

TEST(Doctypes, GenericConversionRejectsBadTypedForms) {
  auto one = [](Json value) {
    Json claims;
    claims["com.example.ns"]["x"] = std::move(value);
    return ClaimsFromJson("com.example.doc", claims);
  };
  EXPECT_TRUE(one(Json{{"$full-date", "2024-02-29"}}).ok());
  EXPECT_EQ(CodeOf(one(Json{{"$full-date", "2023-02-29"}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$full-date", 20230228}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$tdate", "2023-02-28"}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$bytes", "a*b"}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$bytes", "3q2-7w=="}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$bytes", 5}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$foo", "x"}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json{{"$bytes", "AAAA"}, {"other", 1}})), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(one(Json::array({Json{{"$tdate", "nope"}}}))), StatusCode::kInvalidClaims);
  EXPECT_TRUE(one(Json{{"bytes", "AAAA"}}).ok());  // boundary: no '$', an ordinary map
  EXPECT_EQ(*FindIn(*one(Json{{"$bytes", ""}}), "com.example.ns", "x"), Value::ByteString(Bytes{}));
  // Shape errors for unknown doctypes too.
  Json empty_ns;
  empty_ns["com.example.ns"] = Json::object();
  EXPECT_EQ(CodeOf(ClaimsFromJson("com.example.doc", empty_ns)), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(ClaimsFromJson("com.example.doc", Json::object())), StatusCode::kInvalidClaims);
  EXPECT_EQ(CodeOf(ClaimsFromJson("com.example.doc", Json{{"ns", "flat"}})), StatusCode::kInvalidClaims);
}

// ---------------------------------------------------------------------------------------------
// ElementToJson.

TEST(Doctypes, ElementToJsonScalars) {
  EXPECT_EQ(ElementToJson(Value::Text("Ana")), Json("Ana"));
  EXPECT_EQ(ElementToJson(Value::Bool(true)), Json(true));
  EXPECT_EQ(ElementToJson(Value::Bool(false)), Json(false));
  EXPECT_EQ(ElementToJson(Value::Uint(18446744073709551615ULL)), Json(18446744073709551615ULL));
  EXPECT_EQ(ElementToJson(Value::Int(-42)), Json(-42));
  EXPECT_EQ(ElementToJson(Value::Int(INT64_MIN)), Json(INT64_MIN));  // boundary
  EXPECT_EQ(ElementToJson(Value::Negative(9223372036854775808ULL)), Json("-9223372036854775809"));
  EXPECT_EQ(ElementToJson(Value::Null()), Json(nullptr));
  EXPECT_EQ(ElementToJson(Value::Float(1.5)), Json(1.5));
  EXPECT_TRUE(ElementToJson(Value::Float(std::numeric_limits<double>::infinity())).is_string());
  EXPECT_TRUE(ElementToJson(Value::Undefined()).is_string());
  EXPECT_EQ(ElementToJson(Value::ByteString(Bytes{0xDE, 0xAD, 0xBE, 0xEF})), Json("3q2-7w"));
  EXPECT_EQ(ElementToJson(Value::ByteString(Bytes{})), Json(""));
  EXPECT_EQ(ElementToJson(Value::FullDate("1990-07-14")), Json("1990-07-14"));
  EXPECT_EQ(ElementToJson(Value::TDate("2024-02-10T14:15:30Z")), Json("2024-02-10T14:15:30Z"));
  EXPECT_TRUE(ElementToJson(Value::Tagged(1, Value::Uint(0))).is_string());
}

TEST(Doctypes, ElementToJsonContainers) {
  Value map = Value::MakeMap();
  map.Insert("a", Value::MakeArray({Value::Uint(1), Value::FullDate("2020-01-01")}));
  map.Insert(1, Value::Text("int key"));
  map.Insert(Value::Text("1"), Value::Text("text key"));
  Json j = ElementToJson(map);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["a"], Json::array({1, "2020-01-01"}));
  EXPECT_EQ(j["1"], Json("text key"));
  EXPECT_EQ(j["#1"], Json("int key"));
  EXPECT_EQ(j.size(), 3u);
}

// Dates and bytes survive JSON -> CBOR -> JSON.
TEST(Doctypes, ExampleRoundTripsThroughCbor) {
  const Json claims = Mdl();
  Result<NameSpaces> ns = ClaimsFromJson(kMdlDocType, claims);
  ASSERT_TRUE(ns.ok());
  for (const auto& [n, elements] : *ns) {
    for (const auto& [name, value] : elements) {
      const Json back = ElementToJson(value);
      if (name == "portrait") {
        EXPECT_EQ(back, Json(Base64UrlEncode(PortraitBytes())));
      } else {
        EXPECT_EQ(back, claims[n][name]) << n << "/" << name;
      }
      // And the CBOR survives an encode / decode (map order kept by Encode), still valid.
      Result<Value> decoded = cbor::Decode(cbor::Encode(value));
      ASSERT_TRUE(decoded.ok()) << name;
      EXPECT_EQ(*decoded, value) << name;
      const ElementSpec* spec = FindDoctype(kMdlDocType)->FindElement(n, name);
      ASSERT_NE(spec, nullptr) << name;
      EXPECT_TRUE(ValidateElement(*spec, *decoded).ok()) << name;
    }
  }
  // tdate and bytes round trip through ElementFromJson.
  const ElementSpec& captured =
      *FindDoctype(kMdlDocType)->FindElement(kMdlNameSpace, "portrait_capture_date");
  Result<Value> t = ElementFromJson(captured, Json("2024-02-10T14:15:30Z"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ElementToJson(*t), Json("2024-02-10T14:15:30Z"));
  const ElementSpec& mark = *FindDoctype(kMdlDocType)->FindElement(kMdlNameSpace, "signature_usual_mark");
  Result<Value> b = ElementFromJson(mark, ElementToJson(Value::ByteString(Bytes{0, 1, 0xFF})));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, Value::ByteString(Bytes{0, 1, 0xFF}));
}

TEST(Doctypes, ElementTypeNames) {
  EXPECT_EQ(ElementTypeName(ElementType::kFullDate), "full-date");
  EXPECT_EQ(ElementTypeName(ElementType::kDrivingPrivileges), "driving_privileges");
  EXPECT_EQ(ElementTypeName(ElementType::kJpeg), "jpeg");
}

}  // namespace
}  // namespace bonafide::mdoc
