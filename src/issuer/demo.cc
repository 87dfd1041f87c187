// The demo citizens of `bonafide issuer init --demo` (fictional people; docs/credentials.md).
#include <string>
#include <vector>

#include "issuer/config.h"

namespace bonafide::issuer {
namespace {

// An 8x8 grey baseline JPEG (FFD8FF ... FFD9), the portrait of every demo citizen.
constexpr char kPortrait[] =
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAA"
    "AAD/2gAIAQEAAD8AP//Z";

struct Person {
  const char* id;
  const char* given;
  const char* family;
  const char* birth_date;
  const char* nationality;
  const char* residency;
  const char* doc;
};

Json Record(const Person& p) {
  const Json digital_id = {{"family_name", p.family},
                           {"given_name", p.given},
                           {"birth_date", p.birth_date},
                           {"portrait", kPortrait},
                           {"nationality", p.nationality},
                           {"residency_status", p.residency},
                           {"age_over_16", true},
                           {"age_over_18", true},
                           {"age_over_21", true},
                           {"age_over_25", true},
                           {"document_number", std::string("GDSID") + p.doc},
                           {"issue_date", "2025-09-01"},
                           {"expiry_date", "2035-08-31"},
                           {"issuing_authority", "Government Digital Service"},
                           {"issuing_country", "GB"}};
  const Json mdl = {
      {"org.iso.18013.5.1",
       {{"family_name", p.family},
        {"given_name", p.given},
        {"birth_date", p.birth_date},
        {"birth_place", "Cardiff"},
        {"issue_date", "2024-03-01"},
        {"expiry_date", "2034-02-28"},
        {"issuing_country", "GB"},
        {"issuing_authority", "DVLA"},
        {"document_number", std::string("DVLA") + p.doc},
        {"portrait", kPortrait},
        {"driving_privileges",
         Json::array({{{"vehicle_category_code", "B"}, {"issue_date", "2009-08-20"}, {"expiry_date", "2060-07-13"}}})},
        {"un_distinguishing_sign", "UK"},
        {"age_over_18", true},
        {"age_over_21", true}}},
      {"org.iso.18013.5.1.GB", {{"welsh_licence", false}}}};
  const Json evisa = {{"uk.gov.homeoffice.evisa.1",
                       {{"family_name", p.family},
                        {"given_name", p.given},
                        {"birth_date", p.birth_date},
                        {"nationality", p.nationality},
                        {"portrait", kPortrait},
                        {"document_number", std::string("UKVI-") + p.doc},
                        {"status_type", "Skilled Worker"},
                        {"valid_from", "2024-09-01"},
                        {"valid_until", "2029-01-31"},
                        {"right_to_work", "restricted"},
                        {"work_conditions", "Work for the sponsoring employer only"},
                        {"right_to_rent", true},
                        {"issue_date", "2024-08-15"},
                        {"expiry_date", "2029-01-31"}}}};
  const Json marriage = {{"uk.gov.gro.marriage.1",
                          {{"party_1_family_name", p.family},
                           {"party_1_given_name", p.given},
                           {"party_2_family_name", "Example"},
                           {"party_2_given_name", "Alex"},
                           {"date_of_marriage", "2019-06-15"},
                           {"place_of_marriage", "The Register Office, Town Hall, Exampleton"},
                           {"registration_district", "Exampleton"},
                           {"entry_number", "142"},
                           {"certificate_number", std::string("MXF ") + p.doc},
                           {"issuing_authority", "General Register Office"}}}};
  const Json name = Json::array(
      {{{"nameParts", Json::array({{{"type", "GivenName"}, {"value", p.given}}, {{"type", "FamilyName"}, {"value", p.family}}})}}});
  const Json veteran = {{"name", name},
                        {"birthDate", Json::array({{{"value", p.birth_date}}})},
                        {"veteranCard", Json::array({{{"expiryDate", "2030-01-01"},
                                                      {"serviceNumber", std::string("25") + p.doc},
                                                      {"serviceBranch", "Royal Air Force"},
                                                      {"photo", kPortrait}}})}};
  const Json dbs = {{"name", name},
                    {"birthDate", Json::array({{{"value", p.birth_date}}})},
                    {"address", Json::array({{{"buildingName", "Flat 2"},
                                              {"streetName", "Example Street"},
                                              {"addressLocality", "Exampleton"},
                                              {"postalCode", "EX1 1AA"},
                                              {"addressCountry", "GB"}}})},
                    {"issuanceDate", "2025-10-01"},
                    {"expiryDate", "2026-10-01"},
                    {"basicCheckRecord", Json::array({{{"certificateNumber", std::string("0000") + p.doc},
                                                       {"applicationNumber", std::string("A") + p.doc},
                                                       {"certificateType", "BASIC"},
                                                       {"outcome", "NO UNSPENT CONVICTIONS"},
                                                       {"policeRecordsCheck", "Clear"}}})}};
  Json digital_id_mdoc = {{"uk.gov.digital-id.1", digital_id}};
  return Json{{"id", p.id},
              {"claims",
               {{"uk.gov.digital-id.sd-jwt", digital_id},
                {"uk.gov.digital-id.mdoc", digital_id_mdoc},
                {"org.iso.18013.5.1.mDL", mdl},
                {"uk.gov.mod.veteran-card", veteran},
                {"uk.gov.dbs.basic-check", dbs},
                {"uk.gov.homeoffice.evisa", evisa},
                {"uk.gov.gro.marriage", marriage}}}};
}

}  // namespace

std::vector<Json> DemoCitizens() {
  static const Person kPeople[] = {
      {"demo-0001", "Callum James", "Morrison", "1985-11-02", "GB", "british_citizen", "7Q4K2M9X"},
      {"demo-0002", "Bethan Adaeze", "Okonkwo-Hughes", "1990-07-14", "GB", "british_citizen", "3B8N5P1R"},
      {"demo-0003", "Ana Luisa", "Santos Ferreira", "1998-04-23", "BR", "limited_leave", "4821773590"},
  };
  std::vector<Json> out;
  for (const Person& p : kPeople) out.push_back(Record(p));
  return out;
}

}  // namespace bonafide::issuer
