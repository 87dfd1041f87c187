// Tests of verifier/checks.h: the DCQL query of every check (valid, within the registry's
// permissions, satisfiable by the demo citizens' credentials) and every decision rule with its
// failing and boundary cases.
#include "verifier/checks.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "issuer/config.h"
#include "oid4vp/dcql.h"
#include "registry/purposes.h"

namespace bonafide::verifier {
namespace {

using registry::CredentialType;

const CredentialType kDigitalIdSdJwt{"dc+sd-jwt", "urn:uk:gov:digital-id:1"};
const CredentialType kDigitalIdMdoc{"mso_mdoc", "uk.gov.digital-id.1"};
const CredentialType kEvisa{"mso_mdoc", "uk.gov.homeoffice.evisa.1"};
const CredentialType kMdl{"mso_mdoc", "org.iso.18013.5.1.mDL"};
const CredentialType kVeteran{"jwt_vc_json", "DigitalVeteranCard"};
const CredentialType kDbs{"jwt_vc_json", "BasicDisclosureCredential"};

constexpr char kToday[] = "2026-01-15";
constexpr char kYesterday[] = "2026-01-14";
constexpr char kTomorrow[] = "2026-01-16";

template <typename T>
std::string CodeOf(const Result<T>& r) {
  return r.ok() ? "ok" : std::string(StatusCodeName(r.status().code()));
}

std::string Portrait() { return Base64UrlEncode(Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9}); }

// ---- Presentation builders ----

Json Person() {
  return Json{{"family_name", "Morrison"},
              {"given_name", "Callum James"},
              {"birth_date", "1985-11-02"},
              {"portrait", Portrait()}};
}

VerifiedPresentation DigitalIdSdJwt(const std::string& residency) {
  Json c = Person();
  c["residency_status"] = residency;
  return {kDigitalIdSdJwt, c};
}

VerifiedPresentation DigitalIdMdoc(const std::string& residency) {
  Json c = Person();
  c["residency_status"] = residency;
  return {kDigitalIdMdoc, Json{{"uk.gov.digital-id.1", c}}};
}

// Evisa builds an eVisa presentation; empty strings leave the optional elements out.
VerifiedPresentation Evisa(const std::string& right_to_work, const std::string& valid_until,
                           const std::string& conditions, bool right_to_rent = true) {
  Json c = Person();
  c["right_to_work"] = right_to_work;
  c["right_to_rent"] = right_to_rent;
  // An eVisa without an end date is indefinite leave; with one, time-limited leave.
  c["status_type"] = valid_until.empty() ? "Indefinite leave to remain" : "Skilled Worker";
  if (!valid_until.empty()) c["valid_until"] = valid_until;
  if (!conditions.empty()) c["work_conditions"] = conditions;
  return {kEvisa, Json{{"uk.gov.homeoffice.evisa.1", c}}};
}

Json& EvisaClaims(VerifiedPresentation& p) { return p.claims["uk.gov.homeoffice.evisa.1"]; }

Json NameArray() {
  return Json::array({{{"nameParts", Json::array({{{"type", "GivenName"}, {"value", "Callum"}},
                                                  {{"type", "GivenName"}, {"value", "James"}},
                                                  {{"type", "FamilyName"}, {"value", "Morrison"}}})}}});
}

VerifiedPresentation Veteran(const std::string& expiry) {
  Json card = {{"expiryDate", expiry}, {"serviceBranch", "Royal Navy"}, {"photo", Portrait()}};
  return {kVeteran,
          Json{{"credentialSubject", {{"name", NameArray()}, {"veteranCard", Json::array({card})}}}}};
}

VerifiedPresentation Mdl(const std::string& expiry, const Json& privileges) {
  Json ns = {{"family_name", "Morrison"},
             {"given_name", "Callum James"},
             {"portrait", Portrait()},
             {"expiry_date", expiry},
             {"driving_privileges", privileges}};
  return {kMdl, Json{{"org.iso.18013.5.1", ns}}};
}

Json Privilege(const std::string& code, const std::string& issue, const std::string& expiry) {
  Json p = {{"vehicle_category_code", code}};
  if (!issue.empty()) p["issue_date"] = issue;
  if (!expiry.empty()) p["expiry_date"] = expiry;
  return p;
}

VerifiedPresentation Dbs() {
  Json record = {{"certificateNumber", "00007Q4K2M9X"},
                 {"certificateType", "BASIC"},
                 {"outcome", "NO UNSPENT CONVICTIONS"}};
  return {kDbs, Json{{"credentialSubject",
                      {{"name", NameArray()},
                       {"birthDate", Json::array({{{"value", "1985-11-02"}}})},
                       {"basicCheckRecord", Json::array({record})}}}}};
}

// ---- Queries ----

registry::ClaimPath ToRegistryPath(const oid4vp::ClaimsPath& path) {
  registry::ClaimPath out;
  for (const oid4vp::ClaimsPathElement& e : path) {
    if (const auto* s = std::get_if<std::string>(&e)) {
      out.emplace_back(*s);
    } else if (const auto* i = std::get_if<uint64_t>(&e)) {
      out.emplace_back(*i);
    } else {
      out.emplace_back(nullptr);
    }
  }
  return out;
}

CredentialType TypeOfQuery(const oid4vp::CredentialQuery& q) {
  if (q.meta.vct_values) return {q.format, q.meta.vct_values->front()};
  if (q.meta.doctype_value) return {q.format, *q.meta.doctype_value};
  return {q.format, q.meta.type_values->front().back()};
}

TEST(CheckQueryTest, EveryCheckBuildsAValidQueryWithinItsPermissions) {
  ASSERT_EQ(registry::Purposes().size(), 6u);
  for (const registry::Purpose& purpose : registry::Purposes()) {
    SCOPED_TRACE(purpose.id);
    auto query = BuildCheckQuery(purpose.id);
    ASSERT_TRUE(query.ok()) << query.status().ToString();
    EXPECT_TRUE(oid4vp::ValidateDcqlQuery(*query).ok());
    // What goes on the wire parses back to the same query.
    auto reparsed = oid4vp::ParseDcqlQuery(query->ToJson());
    ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
    EXPECT_EQ(*reparsed, *query);
    // One Credential Query per accepted type, in the table's order; one required set, any one.
    ASSERT_EQ(query->credentials.size(), purpose.accepts.size());
    ASSERT_TRUE(query->credential_sets.has_value());
    ASSERT_EQ(query->credential_sets->size(), 1u);
    const oid4vp::CredentialSetQuery& set = query->credential_sets->front();
    EXPECT_TRUE(set.required);
    ASSERT_EQ(set.options.size(), purpose.accepts.size());
    for (size_t i = 0; i < purpose.accepts.size(); ++i) {
      const oid4vp::CredentialQuery& q = query->credentials[i];
      const registry::AcceptedCredential& accepted = purpose.accepts[i];
      EXPECT_EQ(set.options[i], std::vector<std::string>{q.id});
      EXPECT_EQ(TypeOfQuery(q), accepted.type);
      EXPECT_EQ(*QueryIdForType(accepted.type), q.id);
      ASSERT_TRUE(q.claims.has_value());
      // Every requested claim is permitted, and the query asks for exactly the table's claims.
      std::vector<registry::ClaimPath> requested;
      for (const oid4vp::ClaimsQuery& c : *q.claims) {
        const registry::ClaimPath path = ToRegistryPath(c.path);
        EXPECT_TRUE(registry::IsPermitted(purpose.id, accepted.type, path))
            << oid4vp::ClaimsPathToJson(c.path).dump();
        requested.push_back(path);
      }
      EXPECT_EQ(requested, accepted.claims);
    }
  }
}

TEST(CheckQueryTest, AClaimOutsideThePermissionsWouldBeCaught) {
  // The permission check above can fail: nationality is issued on the Digital ID but not
  // permitted for right_to_work, and no query asks for it.
  EXPECT_FALSE(registry::IsPermitted("right_to_work", kDigitalIdSdJwt,
                                     registry::ClaimPath{std::string("nationality")}));
  auto query = BuildCheckQuery("right_to_work");
  ASSERT_TRUE(query.ok());
  for (const oid4vp::CredentialQuery& q : query->credentials) {
    for (const oid4vp::ClaimsQuery& c : *q.claims) EXPECT_NE(*c.id, "nationality");
  }
}

TEST(CheckQueryTest, UnknownCheckIsNotFound) {
  EXPECT_EQ(CodeOf(BuildCheckQuery("right_to_party")), "not_found");
  EXPECT_EQ(CodeOf(BuildCheckQuery("")), "not_found");
  EXPECT_EQ(CodeOf(BuildCheckQuery("Right_To_Work")), "not_found");
}

TEST(CheckQueryTest, QueryIdsPerCredentialType) {
  EXPECT_EQ(*QueryIdForType(kDigitalIdSdJwt), "digital_id_sdjwt");
  EXPECT_EQ(*QueryIdForType(kDigitalIdMdoc), "digital_id_mdoc");
  EXPECT_EQ(*QueryIdForType(kEvisa), "evisa");
  EXPECT_EQ(*QueryIdForType(kMdl), "mdl");
  EXPECT_EQ(*QueryIdForType(kVeteran), "veteran_card");
  EXPECT_EQ(*QueryIdForType(kDbs), "dbs");
  EXPECT_EQ(CodeOf(QueryIdForType({"mso_mdoc", "uk.gov.gro.marriage.1"})), "not_found");
  EXPECT_EQ(CodeOf(QueryIdForType({"dc+sd-jwt", "uk.gov.digital-id.1"})), "not_found");
}

TEST(CheckQueryTest, EvisaOptionalClaimsAreClaimSetsLargestFirst) {
  auto work = BuildCheckQuery("right_to_work");
  ASSERT_TRUE(work.ok());
  const oid4vp::CredentialQuery* evisa = work->FindCredential("evisa");
  ASSERT_NE(evisa, nullptr);
  const std::vector<std::string> base = {"family_name", "given_name", "birth_date", "portrait", "status_type",
                                         "right_to_work"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> v = base;
    // The table's order: ..., right_to_work, work_conditions, valid_until.
    for (const char* name : {"work_conditions", "valid_until"}) {
      if (std::find(extra.begin(), extra.end(), name) != extra.end()) v.push_back(name);
    }
    return v;
  };
  ASSERT_TRUE(evisa->claim_sets.has_value());
  EXPECT_EQ(*evisa->claim_sets, (std::vector<std::vector<std::string>>{
                                    with({"work_conditions", "valid_until"}),
                                    with({"work_conditions"}),
                                    with({"valid_until"}),
                                    with({}),
                                }));
  // The Digital ID has no optional claims: every claim is required.
  EXPECT_FALSE(work->FindCredential("digital_id_sdjwt")->claim_sets.has_value());
  EXPECT_FALSE(work->FindCredential("digital_id_mdoc")->claim_sets.has_value());

  auto rent = BuildCheckQuery("right_to_rent");
  ASSERT_TRUE(rent.ok());
  const oid4vp::CredentialQuery* rent_evisa = rent->FindCredential("evisa");
  ASSERT_NE(rent_evisa, nullptr);
  ASSERT_TRUE(rent_evisa->claim_sets.has_value());
  EXPECT_EQ(*rent_evisa->claim_sets,
            (std::vector<std::vector<std::string>>{
                {"family_name", "given_name", "birth_date", "portrait", "status_type", "right_to_rent", "valid_until"},
                {"family_name", "given_name", "birth_date", "portrait", "status_type", "right_to_rent"}}));
}

TEST(CheckQueryTest, IntentToRetainOnlyForTheEvidenceOfResidenceChecks) {
  auto work = BuildCheckQuery("right_to_work");
  ASSERT_TRUE(work.ok());
  const std::set<std::string> retained = {"family_name", "given_name",  "birth_date",
                                          "portrait",    "valid_until", "work_conditions"};
  for (const oid4vp::CredentialQuery& q : work->credentials) {
    for (const oid4vp::ClaimsQuery& c : *q.claims) {
      if (q.format == "mso_mdoc") {
        ASSERT_TRUE(c.intent_to_retain.has_value()) << *c.id;
        EXPECT_EQ(*c.intent_to_retain, retained.count(*c.id) == 1) << *c.id;
      } else {
        EXPECT_FALSE(c.intent_to_retain.has_value()) << *c.id;  // mso_mdoc only (B.2.4)
      }
    }
  }
  const oid4vp::CredentialQuery* evisa = work->FindCredential("evisa");
  for (const oid4vp::ClaimsQuery& c : *evisa->claims) {
    if (*c.id == "right_to_work") {
      EXPECT_EQ(c.intent_to_retain, false);
    }
    if (*c.id == "portrait") {
      EXPECT_EQ(c.intent_to_retain, true);
    }
  }
  for (const char* check : {"age_over_18", "driving_entitlement"}) {
    auto q = BuildCheckQuery(check);
    ASSERT_TRUE(q.ok());
    for (const oid4vp::CredentialQuery& cq : q->credentials) {
      for (const oid4vp::ClaimsQuery& c : *cq.claims) {
        if (cq.format == "mso_mdoc") {
          EXPECT_EQ(c.intent_to_retain, false) << check << " " << *c.id;
        }
      }
    }
  }
}

TEST(CheckQueryTest, AgeOver18AsksForAgeOver18Only) {
  auto query = BuildCheckQuery("age_over_18");
  ASSERT_TRUE(query.ok());
  std::vector<std::string> ids;
  for (const oid4vp::CredentialQuery& q : query->credentials) {
    ids.push_back(q.id);
    ASSERT_EQ(q.claims->size(), 1u);
    const oid4vp::ClaimsPath& path = q.claims->front().path;
    EXPECT_EQ(std::get<std::string>(path.back()), "age_over_18");
    EXPECT_FALSE(q.claim_sets.has_value());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"digital_id_sdjwt", "digital_id_mdoc", "mdl"}));
}

TEST(CheckQueryTest, FormatMetaOfEachCredentialQuery) {
  auto vet = BuildCheckQuery("veteran_status");
  ASSERT_TRUE(vet.ok());
  const oid4vp::CredentialQuery& q = vet->credentials.front();
  EXPECT_EQ(q.format, "jwt_vc_json");
  EXPECT_EQ(q.meta.type_values,
            (std::vector<std::vector<std::string>>{{"VerifiableCredential", "DigitalVeteranCard"}}));
  EXPECT_TRUE(q.require_cryptographic_holder_binding);
  auto age = BuildCheckQuery("age_over_18");
  ASSERT_TRUE(age.ok());
  EXPECT_EQ(age->FindCredential("digital_id_sdjwt")->meta.vct_values,
            std::vector<std::string>{"urn:uk:gov:digital-id:1"});
  EXPECT_EQ(age->FindCredential("mdl")->meta.doctype_value, "org.iso.18013.5.1.mDL");
}

// ---- The demo citizens' credentials satisfy the queries (oid4vp::Match) ----

std::vector<oid4vp::CandidateCredential> DemoCandidates(const Json& citizen) {
  const Json& c = citizen["claims"];
  std::vector<oid4vp::CandidateCredential> out;
  out.push_back({.id = "sdjwt",
                 .format = "dc+sd-jwt",
                 .vct = "urn:uk:gov:digital-id:1",
                 .claims = c["uk.gov.digital-id.sd-jwt"]});
  out.push_back({.id = "digital-id-mdoc",
                 .format = "mso_mdoc",
                 .doctype = "uk.gov.digital-id.1",
                 .claims = c["uk.gov.digital-id.mdoc"]});
  out.push_back({.id = "mdl",
                 .format = "mso_mdoc",
                 .doctype = "org.iso.18013.5.1.mDL",
                 .claims = c["org.iso.18013.5.1.mDL"]});
  out.push_back({.id = "evisa",
                 .format = "mso_mdoc",
                 .doctype = "uk.gov.homeoffice.evisa.1",
                 .claims = c["uk.gov.homeoffice.evisa"]});
  out.push_back({.id = "marriage",
                 .format = "mso_mdoc",
                 .doctype = "uk.gov.gro.marriage.1",
                 .claims = c["uk.gov.gro.marriage"]});
  out.push_back({.id = "veteran",
                 .format = "jwt_vc_json",
                 .types = {"VerifiableCredential", "DigitalVeteranCard"},
                 .claims = Json{{"credentialSubject", c["uk.gov.mod.veteran-card"]}}});
  out.push_back({.id = "dbs",
                 .format = "jwt_vc_json",
                 .types = {"VerifiableCredential", "BasicDisclosureCredential"},
                 .claims = Json{{"credentialSubject", c["uk.gov.dbs.basic-check"]}}});
  return out;
}

// Put stores `value` at the concrete `path` of `out`, creating objects and arrays on the way.
void Put(Json& out, const oid4vp::ClaimsPath& path, size_t at, const Json& value) {
  if (at == path.size()) {
    out = value;
    return;
  }
  if (const auto* key = std::get_if<std::string>(&path[at])) {
    if (!out.is_object()) out = Json::object();
    Put(out[*key], path, at + 1, value);
    return;
  }
  const size_t index = static_cast<size_t>(std::get<uint64_t>(path[at]));
  if (!out.is_array()) out = Json::array();
  while (out.size() <= index) out.push_back(nullptr);
  Put(out[index], path, at + 1, value);
}

// Disclose returns what a verifier receives from `candidate` for `match`: only the disclosed
// claims, in place.
Json Disclose(const oid4vp::CandidateCredential& candidate, const oid4vp::CandidateMatch& match) {
  Json out = Json::object();
  for (const oid4vp::ClaimMatch& claim : match.claims) {
    for (const oid4vp::ClaimsPath& path : claim.disclosed_paths) {
      auto selected = oid4vp::ProcessClaimsPath(path, candidate.claims);
      EXPECT_TRUE(selected.ok());
      if (!selected.ok() || selected->size() != 1) continue;
      Put(out, path, 0, selected->front().value);
    }
  }
  return out;
}

CredentialType TypeOfCandidate(const oid4vp::CandidateCredential& c) {
  if (c.format == "dc+sd-jwt") return {c.format, c.vct};
  if (c.format == "mso_mdoc") return {c.format, c.doctype};
  return {c.format, c.types.back()};
}

// MatchAndDecide runs `check`'s query against `candidates` (at most one candidate per Credential
// Query), requires the credential set to be met, and returns the decision on the disclosed claims
// for each Credential Query id that matched (callers check which ids are present).
std::map<std::string, CheckDecision> MatchAndDecide(
    const std::string& check, const std::vector<oid4vp::CandidateCredential>& candidates) {
  std::map<std::string, CheckDecision> out;
  auto query = BuildCheckQuery(check);
  EXPECT_TRUE(query.ok());
  if (!query.ok()) return out;
  auto matches = oid4vp::Match(*query, candidates);
  EXPECT_TRUE(matches.ok()) << matches.status().ToString();
  if (!matches.ok()) return out;
  EXPECT_TRUE(oid4vp::Select(*query, *matches).ok());
  for (const oid4vp::CredentialQueryMatch& qm : matches->queries) {
    EXPECT_LE(qm.candidates.size(), 1u) << check << " " << qm.query_id;
    if (qm.candidates.empty()) continue;
    const oid4vp::CandidateMatch& m = qm.candidates.front();
    const oid4vp::CandidateCredential& candidate = candidates[m.candidate_index];
    VerifiedPresentation presented{TypeOfCandidate(candidate), Disclose(candidate, m)};
    auto decision = Decide(check, presented, kToday);
    EXPECT_TRUE(decision.ok()) << check << " " << qm.query_id << ": " << decision.status().ToString();
    if (decision.ok()) out[qm.query_id] = *decision;
  }
  return out;
}

TEST(DemoCitizenTest, EveryCheckIsSatisfiedByTheDemoCredentials) {
  const std::vector<Json> citizens = issuer::DemoCitizens();
  ASSERT_EQ(citizens.size(), 3u);
  const auto british = DemoCandidates(citizens[0]);

  auto work = MatchAndDecide("right_to_work", british);
  ASSERT_EQ(work.size(), 3u);
  EXPECT_EQ(work["digital_id_sdjwt"].outcome, "unrestricted");
  EXPECT_EQ(work["digital_id_mdoc"].outcome, "unrestricted");
  EXPECT_EQ(work["digital_id_sdjwt"].facts["given_name"], "Callum James");
  // The demo eVisa is a Skilled Worker visa: restricted, with conditions, until 2029-01-31.
  EXPECT_EQ(work["evisa"].outcome, "permitted_until");
  EXPECT_EQ(work["evisa"].until, "2029-01-31");
  EXPECT_EQ(work["evisa"].follow_up_due, "2029-01-31");
  EXPECT_EQ(work["evisa"].conditions, "Work for the sponsoring employer only");

  auto rent = MatchAndDecide("right_to_rent", british);
  ASSERT_EQ(rent.size(), 3u);
  EXPECT_EQ(rent["digital_id_mdoc"].outcome, "unrestricted");
  EXPECT_EQ(rent["evisa"].outcome, "permitted_until");

  auto age = MatchAndDecide("age_over_18", british);
  ASSERT_EQ(age.size(), 3u);
  for (const auto& [id, d] : age) {
    EXPECT_EQ(d.outcome, "pass") << id;
    EXPECT_EQ(d.facts, (Json{{"age_over_18", true}})) << id;
  }

  auto veteran = MatchAndDecide("veteran_status", british);
  ASSERT_EQ(veteran.size(), 1u);
  EXPECT_EQ(veteran["veteran_card"].outcome, "veteran");
  EXPECT_EQ(veteran["veteran_card"].facts["serviceBranch"], "Royal Air Force");

  auto driving = MatchAndDecide("driving_entitlement", british);
  ASSERT_EQ(driving.size(), 1u);
  EXPECT_EQ(driving["mdl"].outcome, "entitled");
  ASSERT_EQ(driving["mdl"].facts["categories"].size(), 1u);
  EXPECT_EQ(driving["mdl"].facts["categories"][0]["vehicle_category_code"], "B");

  auto dbs = MatchAndDecide("dbs_basic", british);
  ASSERT_EQ(dbs.size(), 1u);
  EXPECT_EQ(dbs["dbs"].outcome, "outcome");
  EXPECT_EQ(dbs["dbs"].facts["outcome"], "NO UNSPENT CONVICTIONS");
  EXPECT_EQ(dbs["dbs"].facts["certificateNumber"], "00007Q4K2M9X");

  // The third demo citizen has limited leave: the Digital ID sends the checker to the eVisa.
  auto limited = MatchAndDecide("right_to_work", DemoCandidates(citizens[2]));
  EXPECT_EQ(limited["digital_id_sdjwt"].outcome, "not_permitted");
  EXPECT_EQ(limited["evisa"].outcome, "permitted_until");
}

TEST(DemoCitizenTest, TheDemoEvisaDisclosesItsOptionalClaimsAndIndefiniteLeaveStillMatches) {
  const auto candidates = DemoCandidates(issuer::DemoCitizens()[2]);
  auto query = BuildCheckQuery("right_to_work");
  ASSERT_TRUE(query.ok());
  auto matches = oid4vp::Match(*query, candidates);
  ASSERT_TRUE(matches.ok());
  const oid4vp::CredentialQueryMatch* evisa = matches->Find("evisa");
  ASSERT_NE(evisa, nullptr);
  ASSERT_EQ(evisa->candidates.size(), 1u);
  EXPECT_EQ(evisa->candidates.front().claim_set_index, 0u);  // valid_until and work_conditions too
  EXPECT_EQ(evisa->candidates.front().claims.size(), 8u);

  // Indefinite leave: no valid_until, no work_conditions. The first three options cannot be met;
  // the last one can, and the decision is unrestricted.
  std::vector<oid4vp::CandidateCredential> indefinite = {candidates[3]};
  Json& ns = indefinite[0].claims["uk.gov.homeoffice.evisa.1"];
  ns.erase("valid_until");
  ns.erase("work_conditions");
  ns["right_to_work"] = "unrestricted";
  ns["status_type"] = "Indefinite leave to remain";
  auto indefinite_matches = oid4vp::Match(*query, indefinite);
  ASSERT_TRUE(indefinite_matches.ok());
  const oid4vp::CredentialQueryMatch* m = indefinite_matches->Find("evisa");
  ASSERT_EQ(m->candidates.size(), 1u);
  EXPECT_EQ(m->candidates.front().claim_set_index, 3u);
  auto decisions = MatchAndDecide("right_to_work", indefinite);
  EXPECT_EQ(decisions["evisa"].outcome, "unrestricted");
  EXPECT_FALSE(decisions["evisa"].until.has_value());

  // An eVisa lacking a mandatory claim (portrait) matches no option: the query is not satisfied.
  std::vector<oid4vp::CandidateCredential> no_portrait = {candidates[3]};
  no_portrait[0].claims["uk.gov.homeoffice.evisa.1"].erase("portrait");
  auto none = oid4vp::Match(*query, no_portrait);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->Find("evisa")->candidates.empty());
  EXPECT_EQ(CodeOf(oid4vp::Select(*query, *none)), "not_found");
}

// ---- right_to_work ----

TEST(RightToWorkTest, BritishCitizenIsUnrestricted) {
  auto d = Decide("right_to_work", DigitalIdSdJwt("british_citizen"), kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->check, "right_to_work");
  EXPECT_EQ(d->outcome, "unrestricted");
  EXPECT_FALSE(d->until.has_value());
  EXPECT_FALSE(d->follow_up_due.has_value());
  EXPECT_FALSE(d->conditions.has_value());
  EXPECT_EQ(d->facts, (Json{{"family_name", "Morrison"},
                            {"given_name", "Callum James"},
                            {"birth_date", "1985-11-02"},
                            {"portrait", Portrait()}}));
  ASSERT_FALSE(d->reasons.empty());
  EXPECT_NE(d->reasons.front().find("British"), std::string::npos);
}

TEST(RightToWorkTest, IrishCitizenAndSettledAreUnrestrictedOnBothFormats) {
  for (const char* status : {"irish_citizen", "settled", "british_citizen"}) {
    for (const VerifiedPresentation& p : {DigitalIdSdJwt(status), DigitalIdMdoc(status)}) {
      auto d = Decide("right_to_work", p, kToday);
      ASSERT_TRUE(d.ok()) << status;
      EXPECT_EQ(d->outcome, "unrestricted") << status;
    }
  }
}

TEST(RightToWorkTest, PreSettledOrLimitedLeaveDigitalIdMeansCheckTheEvisa) {
  for (const char* status : {"pre_settled", "limited_leave"}) {
    auto d = Decide("right_to_work", DigitalIdMdoc(status), kToday);
    ASSERT_TRUE(d.ok()) << status;
    EXPECT_EQ(d->outcome, "not_permitted") << status;
    ASSERT_EQ(d->reasons.size(), 1u);
    EXPECT_EQ(d->reasons.front().rfind("check the eVisa", 0), 0u) << d->reasons.front();
  }
}

TEST(RightToWorkTest, UnknownResidencyStatusIsInvalidClaims) {
  EXPECT_EQ(CodeOf(Decide("right_to_work", DigitalIdSdJwt("citizen"), kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("right_to_work", DigitalIdSdJwt("British_Citizen"), kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("right_to_work", DigitalIdSdJwt(""), kToday)), "invalid_claims");
}

TEST(RightToWorkTest, EvisaUnrestrictedWithoutValidUntilIsUnrestricted) {
  auto d = Decide("right_to_work", Evisa("unrestricted", "", ""), kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, "unrestricted");
  EXPECT_FALSE(d->until.has_value());
  EXPECT_FALSE(d->conditions.has_value());
}

TEST(RightToWorkTest, TimeLimitedLeaveWithItsEndDateWithheldIsNotPermitted) {
  // A wallet may answer with a claim set without valid_until; the status type then decides
  // whether that means indefinite leave. Time-limited leave shown without its end is not taken
  // as indefinite.
  VerifiedPresentation withheld = Evisa("unrestricted", "", "");
  EvisaClaims(withheld)["status_type"] = "EU Settlement Scheme: pre-settled";
  auto d = Decide("right_to_work", withheld, kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, "not_permitted");
  EXPECT_NE(d->reasons.front().find("without its end date"), std::string::npos);
  VerifiedPresentation rent = withheld;
  EvisaClaims(rent).erase("right_to_work");
  auto r = Decide("right_to_rent", rent, kToday);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, "not_permitted");
  // Boundary: settled (not pre-settled) status is indefinite.
  EvisaClaims(withheld)["status_type"] = "EU Settlement Scheme: settled";
  auto settled = Decide("right_to_work", withheld, kToday);
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(settled->outcome, "unrestricted");
  // Without valid_until the status type is required.
  EvisaClaims(withheld).erase("status_type");
  EXPECT_EQ(CodeOf(Decide("right_to_work", withheld, kToday)), "invalid_claims");
}

TEST(RightToWorkTest, EvisaUnrestrictedButTimeLimitedIsPermittedUntilWithoutConditions) {
  auto d = Decide("right_to_work", Evisa("unrestricted", "2027-06-30", ""), kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, "permitted_until");
  EXPECT_EQ(d->until, "2027-06-30");
  EXPECT_EQ(d->follow_up_due, "2027-06-30");
  EXPECT_FALSE(d->conditions.has_value());
}

TEST(RightToWorkTest, EvisaRestrictedIsPermittedUntilWithConditions) {
  auto d =
      Decide("right_to_work", Evisa("restricted", kTomorrow, "Maximum 20 hours a week in term time"), kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, "permitted_until");
  EXPECT_EQ(d->until, kTomorrow);
  EXPECT_EQ(d->follow_up_due, kTomorrow);
  EXPECT_EQ(d->conditions, "Maximum 20 hours a week in term time");
  EXPECT_EQ(d->facts["portrait"], Portrait());
}

TEST(RightToWorkTest, EvisaValidUntilBoundaries) {
  // The last day of permission is valid_until itself.
  auto today = Decide("right_to_work", Evisa("restricted", kToday, "Student"), kToday);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->outcome, "permitted_until");
  EXPECT_EQ(today->until, kToday);
  auto yesterday = Decide("right_to_work", Evisa("restricted", kYesterday, "Student"), kToday);
  ASSERT_TRUE(yesterday.ok());
  EXPECT_EQ(yesterday->outcome, "not_permitted");
  EXPECT_FALSE(yesterday->until.has_value());
  EXPECT_FALSE(yesterday->conditions.has_value());
  // Expiry wins over the kind of right: an expired unrestricted permission is not permitted.
  auto expired = Decide("right_to_work", Evisa("unrestricted", kYesterday, ""), kToday);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->outcome, "not_permitted");
  auto tomorrow = Decide("right_to_work", Evisa("unrestricted", kTomorrow, ""), kToday);
  ASSERT_TRUE(tomorrow.ok());
  EXPECT_EQ(tomorrow->outcome, "permitted_until");
}

TEST(RightToWorkTest, EvisaNoneIsNotPermitted) {
  auto d = Decide("right_to_work", Evisa("none", "2028-01-01", ""), kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, "not_permitted");
  auto indefinite = Decide("right_to_work", Evisa("none", "", ""), kToday);
  ASSERT_TRUE(indefinite.ok());
  EXPECT_EQ(indefinite->outcome, "not_permitted");
}

TEST(RightToWorkTest, RestrictedWithoutValidUntilOrConditionsIsInvalidClaims) {
  EXPECT_EQ(CodeOf(Decide("right_to_work", Evisa("restricted", "", "Student"), kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("right_to_work", Evisa("restricted", kTomorrow, ""), kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("right_to_work", Evisa("restricted", kTomorrow, "Student"), kToday)), "ok");
}

TEST(RightToWorkTest, UnknownRightToWorkValueIsInvalidClaims) {
  EXPECT_EQ(CodeOf(Decide("right_to_work", Evisa("partial", kTomorrow, "x"), kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("right_to_work", Evisa("Unrestricted", "", ""), kToday)), "invalid_claims");
}

TEST(RightToWorkTest, MissingClaimsAreInvalidClaims) {
  for (const char* claim : {"family_name", "given_name", "birth_date", "portrait", "residency_status"}) {
    VerifiedPresentation p = DigitalIdSdJwt("british_citizen");
    p.claims.erase(claim);
    EXPECT_EQ(CodeOf(Decide("right_to_work", p, kToday)), "invalid_claims") << claim;
  }
  for (const char* claim : {"family_name", "given_name", "birth_date", "portrait", "right_to_work"}) {
    VerifiedPresentation p = Evisa("unrestricted", "", "");
    EvisaClaims(p).erase(claim);
    EXPECT_EQ(CodeOf(Decide("right_to_work", p, kToday)), "invalid_claims") << claim;
  }
  // The mdoc claims must be under the doctype's namespace.
  VerifiedPresentation wrong_ns = DigitalIdMdoc("british_citizen");
  wrong_ns.claims = Json{{"org.iso.18013.5.1", wrong_ns.claims["uk.gov.digital-id.1"]}};
  EXPECT_EQ(CodeOf(Decide("right_to_work", wrong_ns, kToday)), "invalid_claims");
  VerifiedPresentation not_object = DigitalIdSdJwt("british_citizen");
  not_object.claims = Json::array();
  EXPECT_EQ(CodeOf(Decide("right_to_work", not_object, kToday)), "invalid_claims");
  VerifiedPresentation ns_not_object = DigitalIdMdoc("british_citizen");
  ns_not_object.claims["uk.gov.digital-id.1"] = "british_citizen";
  EXPECT_EQ(CodeOf(Decide("right_to_work", ns_not_object, kToday)), "invalid_claims");
}

TEST(RightToWorkTest, IllTypedClaimsAreInvalidClaims) {
  const std::vector<std::pair<std::string, Json>> bad_digital_id = {
      {"residency_status", 1},
      {"residency_status", true},
      {"family_name", Json::array({"Morrison"})},
      {"birth_date", "02/11/1985"},
      {"birth_date", "1985-02-30"},
      {"birth_date", 19851102},
      {"portrait", 42},
      {"portrait", "not base64!"},
      {"portrait", ""},
  };
  for (const auto& [claim, value] : bad_digital_id) {
    VerifiedPresentation p = DigitalIdSdJwt("british_citizen");
    p.claims[claim] = value;
    EXPECT_EQ(CodeOf(Decide("right_to_work", p, kToday)), "invalid_claims") << claim << " " << value.dump();
  }
  const std::vector<std::pair<std::string, Json>> bad_evisa = {
      {"right_to_work", true},
      {"valid_until", 20290131},
      {"valid_until", "2029-01-31T00:00:00Z"},  // a full-date, not a date-time
      {"work_conditions", true},
  };
  for (const auto& [claim, value] : bad_evisa) {
    VerifiedPresentation p = Evisa("restricted", kTomorrow, "Student");
    EvisaClaims(p)[claim] = value;
    EXPECT_EQ(CodeOf(Decide("right_to_work", p, kToday)), "invalid_claims") << claim << " " << value.dump();
  }
  // An ill-typed optional claim fails even when the rule would not need it.
  VerifiedPresentation none = Evisa("none", "", "");
  EvisaClaims(none)["work_conditions"] = 7;
  EXPECT_EQ(CodeOf(Decide("right_to_work", none, kToday)), "invalid_claims");
}

TEST(RightToWorkTest, PortraitAsBytesOrStandardBase64IsShownAsBase64Url) {
  VerifiedPresentation binary = DigitalIdMdoc("british_citizen");
  binary.claims["uk.gov.digital-id.1"]["portrait"] =
      Json::binary({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9});
  auto d = Decide("right_to_work", binary, kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->facts["portrait"], Portrait());
  VerifiedPresentation standard = DigitalIdSdJwt("british_citizen");
  standard.claims["portrait"] = Base64Encode(Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9});
  ASSERT_NE(standard.claims["portrait"].get<std::string>(), Portrait());  // "/9j/..." vs "_9j_..."
  auto s = Decide("right_to_work", standard, kToday);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->facts["portrait"], Portrait());
}

TEST(RightToWorkTest, WrongCredentialTypeUnknownCheckAndBadToday) {
  EXPECT_EQ(CodeOf(Decide("right_to_work", Mdl("2030-01-01", Json::array()), kToday)), "invalid_type");
  EXPECT_EQ(CodeOf(Decide("right_to_work", Veteran("2030-01-01"), kToday)), "invalid_type");
  VerifiedPresentation unknown = DigitalIdSdJwt("british_citizen");
  unknown.type = {"dc+sd-jwt", "urn:example:other"};
  EXPECT_EQ(CodeOf(Decide("right_to_work", unknown, kToday)), "invalid_type");
  EXPECT_EQ(CodeOf(Decide("right_to_vote", DigitalIdSdJwt("british_citizen"), kToday)), "not_found");
  for (const char* today : {"2026-1-15", "2026-02-30", "", "2026-01-15T00:00:00Z"}) {
    EXPECT_EQ(CodeOf(Decide("right_to_work", DigitalIdSdJwt("british_citizen"), today)), "invalid_argument")
        << today;
  }
}

// ---- right_to_rent ----

TEST(RightToRentTest, DigitalIdCitizenOrSettledIsUnrestrictedOtherwiseCheckTheEvisa) {
  for (const char* status : {"british_citizen", "irish_citizen", "settled"}) {
    auto d = Decide("right_to_rent", DigitalIdSdJwt(status), kToday);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->outcome, "unrestricted") << status;
  }
  for (const char* status : {"pre_settled", "limited_leave"}) {
    auto d = Decide("right_to_rent", DigitalIdMdoc(status), kToday);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->outcome, "not_permitted") << status;
    EXPECT_EQ(d->reasons.front().rfind("check the eVisa", 0), 0u);
  }
}

VerifiedPresentation RentEvisa(const Json& right_to_rent, const std::string& valid_until) {
  VerifiedPresentation p = Evisa("restricted", valid_until, "");
  EvisaClaims(p).erase("right_to_work");
  EvisaClaims(p)["right_to_rent"] = right_to_rent;
  return p;
}

TEST(RightToRentTest, EvisaRightToRent) {
  auto indefinite = Decide("right_to_rent", RentEvisa(true, ""), kToday);
  ASSERT_TRUE(indefinite.ok()) << indefinite.status().ToString();
  EXPECT_EQ(indefinite->outcome, "unrestricted");
  auto refused = Decide("right_to_rent", RentEvisa(false, "2030-01-01"), kToday);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->outcome, "not_permitted");
  EXPECT_EQ(CodeOf(Decide("right_to_rent", RentEvisa("yes", ""), kToday)), "invalid_claims");
  VerifiedPresentation missing = RentEvisa(true, "");
  EvisaClaims(missing).erase("right_to_rent");
  EXPECT_EQ(CodeOf(Decide("right_to_rent", missing, kToday)), "invalid_claims");
}

TEST(RightToRentTest, FollowUpIsTheLaterOfExpiryAndTwelveMonths) {
  // Long permission: follow up at its end.
  auto later = Decide("right_to_rent", RentEvisa(true, "2029-01-31"), kToday);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->outcome, "permitted_until");
  EXPECT_EQ(later->until, "2029-01-31");
  EXPECT_EQ(later->follow_up_due, "2029-01-31");
  // Short permission: twelve months after this check.
  auto sooner = Decide("right_to_rent", RentEvisa(true, "2026-03-31"), kToday);
  ASSERT_TRUE(sooner.ok());
  EXPECT_EQ(sooner->until, "2026-03-31");
  EXPECT_EQ(sooner->follow_up_due, "2027-01-15");
  // Boundary: both the same day.
  auto same = Decide("right_to_rent", RentEvisa(true, "2027-01-15"), kToday);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->follow_up_due, "2027-01-15");
}

TEST(RightToRentTest, ValidUntilBoundaries) {
  auto today = Decide("right_to_rent", RentEvisa(true, kToday), kToday);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->outcome, "permitted_until");
  auto yesterday = Decide("right_to_rent", RentEvisa(true, kYesterday), kToday);
  ASSERT_TRUE(yesterday.ok());
  EXPECT_EQ(yesterday->outcome, "not_permitted");
  auto tomorrow = Decide("right_to_rent", RentEvisa(true, kTomorrow), kToday);
  ASSERT_TRUE(tomorrow.ok());
  EXPECT_EQ(tomorrow->outcome, "permitted_until");
}

TEST(AddYearsTest, CalendarYearsWithLeapDay) {
  EXPECT_EQ(*AddYears("2026-01-15", 1), "2027-01-15");
  EXPECT_EQ(*AddYears("2024-02-29", 1), "2025-02-28");
  EXPECT_EQ(*AddYears("2024-02-29", 4), "2028-02-29");
  EXPECT_EQ(*AddYears("2023-02-28", 1), "2024-02-28");
  EXPECT_EQ(*AddYears("9998-12-31", 1), "9999-12-31");
  EXPECT_EQ(CodeOf(AddYears("9999-01-01", 1)), "invalid_argument");
  EXPECT_EQ(CodeOf(AddYears("2026-13-01", 1)), "invalid_argument");
  EXPECT_EQ(CodeOf(AddYears("26-01-15", 1)), "invalid_argument");
}

// ---- age_over_18 ----

TEST(AgeOver18Test, TrueIsPassFalseIsFailAndFactsHoldOnlyTheAge) {
  VerifiedPresentation sd{kDigitalIdSdJwt, Json{{"age_over_18", true}, {"given_name", "Callum"}}};
  auto pass = Decide("age_over_18", sd, kToday);
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->outcome, "pass");
  EXPECT_EQ(pass->facts, (Json{{"age_over_18", true}}));  // never the name, even if disclosed
  VerifiedPresentation mdoc{kDigitalIdMdoc, Json{{"uk.gov.digital-id.1", {{"age_over_18", false}}}}};
  auto fail = Decide("age_over_18", mdoc, kToday);
  ASSERT_TRUE(fail.ok());
  EXPECT_EQ(fail->outcome, "fail");
  EXPECT_EQ(fail->facts, (Json{{"age_over_18", false}}));
  VerifiedPresentation mdl{kMdl, Json{{"org.iso.18013.5.1", {{"age_over_18", true}}}}};
  auto mdl_pass = Decide("age_over_18", mdl, kToday);
  ASSERT_TRUE(mdl_pass.ok());
  EXPECT_EQ(mdl_pass->outcome, "pass");
}

TEST(AgeOver18Test, MissingOrIllTypedIsInvalidClaims) {
  EXPECT_EQ(CodeOf(Decide("age_over_18", {kDigitalIdSdJwt, Json::object()}, kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("age_over_18", {kDigitalIdSdJwt, Json{{"age_over_21", true}}}, kToday)),
            "invalid_claims");
  for (const Json& v : {Json("true"), Json(1), Json(nullptr)}) {
    EXPECT_EQ(CodeOf(Decide("age_over_18", {kDigitalIdSdJwt, Json{{"age_over_18", v}}}, kToday)),
              "invalid_claims")
        << v.dump();
  }
  // The mDL's age is in the ISO namespace, not the GB one.
  VerifiedPresentation gb{kMdl, Json{{"org.iso.18013.5.1.GB", {{"age_over_18", true}}}}};
  EXPECT_EQ(CodeOf(Decide("age_over_18", gb, kToday)), "invalid_claims");
  EXPECT_EQ(CodeOf(Decide("age_over_18", Evisa("unrestricted", "", ""), kToday)), "invalid_type");
}

// ---- veteran_status ----

TEST(VeteranTest, UnexpiredCardIsVeteranWithBoundaries) {
  auto today = Decide("veteran_status", Veteran(kToday), kToday);
  ASSERT_TRUE(today.ok()) << today.status().ToString();
  EXPECT_EQ(today->outcome, "veteran");
  EXPECT_EQ(today->facts, (Json{{"given_name", "Callum James"},
                                {"family_name", "Morrison"},
                                {"serviceBranch", "Royal Navy"},
                                {"expiryDate", kToday},
                                {"photo", Portrait()}}));
  auto tomorrow = Decide("veteran_status", Veteran(kTomorrow), kToday);
  ASSERT_TRUE(tomorrow.ok());
  EXPECT_EQ(tomorrow->outcome, "veteran");
  auto yesterday = Decide("veteran_status", Veteran(kYesterday), kToday);
  ASSERT_TRUE(yesterday.ok());
  EXPECT_EQ(yesterday->outcome, "not_veteran");
}

TEST(VeteranTest, TheLatestCardIsShown) {
  VerifiedPresentation p = Veteran(kYesterday);
  Json newer = {{"expiryDate", "2031-05-01"}, {"serviceBranch", "British Army"}, {"photo", Portrait()}};
  p.claims["credentialSubject"]["veteranCard"].push_back(newer);
  auto d = Decide("veteran_status", p, kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, "veteran");
  EXPECT_EQ(d->facts["serviceBranch"], "British Army");
  EXPECT_EQ(d->facts["expiryDate"], "2031-05-01");
}

TEST(VeteranTest, MissingOrIllTypedIsInvalidClaims) {
  {
    VerifiedPresentation p = Veteran(kTomorrow);
    p.claims["credentialSubject"].erase("veteranCard");
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims");
  }
  {
    VerifiedPresentation p = Veteran(kTomorrow);
    p.claims["credentialSubject"]["veteranCard"] = Json::array();
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims");
  }
  for (const char* member : {"expiryDate", "serviceBranch", "photo"}) {
    VerifiedPresentation p = Veteran(kTomorrow);
    p.claims["credentialSubject"]["veteranCard"][0].erase(member);
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims") << member;
  }
  {
    VerifiedPresentation p = Veteran("2030");
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims");
  }
  {
    VerifiedPresentation p = Veteran(kTomorrow);
    p.claims["credentialSubject"].erase("name");
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims");
  }
  {
    VerifiedPresentation p = Veteran(kTomorrow);
    p.claims["credentialSubject"]["name"] = "Callum Morrison";
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims");
  }
  {
    VerifiedPresentation p = Veteran(kTomorrow);
    p.claims = Json{{"given_name", "Callum"}};
    EXPECT_EQ(CodeOf(Decide("veteran_status", p, kToday)), "invalid_claims");
  }
}

// ---- driving_entitlement ----

TEST(DrivingTest, ListsTheCategoriesValidToday) {
  const Json privileges = Json::array({
      Privilege("B", "2009-08-20", "2060-07-13"),
      Privilege("C1", "2015-01-01", kToday),     // expires today: still valid
      Privilege("D", "2015-01-01", kYesterday),  // expired
      Privilege("BE", kTomorrow, ""),            // not yet valid
      Privilege("AM", kToday, ""),               // valid from today
      Privilege("A", "", ""),                    // no dates
  });
  auto d = Decide("driving_entitlement", Mdl("2034-02-28", privileges), kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, "entitled");
  std::vector<std::string> codes;
  for (const Json& c : d->facts["categories"]) codes.push_back(c["vehicle_category_code"].get<std::string>());
  EXPECT_EQ(codes, (std::vector<std::string>{"B", "C1", "AM", "A"}));
  EXPECT_EQ(d->facts["categories"][1],
            (Json{{"vehicle_category_code", "C1"}, {"issue_date", "2015-01-01"}, {"expiry_date", kToday}}));
  EXPECT_EQ(d->facts["expiry_date"], "2034-02-28");
  EXPECT_EQ(d->facts["given_name"], "Callum James");
  EXPECT_EQ(d->reasons.size(), 2u);  // D expired, BE not yet valid
}

TEST(DrivingTest, LicenceExpiryBoundaries) {
  const Json privileges = Json::array({Privilege("B", "2009-08-20", "")});
  auto today = Decide("driving_entitlement", Mdl(kToday, privileges), kToday);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->outcome, "entitled");
  auto yesterday = Decide("driving_entitlement", Mdl(kYesterday, privileges), kToday);
  ASSERT_TRUE(yesterday.ok());
  EXPECT_EQ(yesterday->outcome, "not_entitled");
  EXPECT_EQ(yesterday->facts["categories"], Json::array());
  // 18013-5 allows a tdate for the licence expiry; its UTC day counts.
  auto tdate = Decide("driving_entitlement", Mdl("2026-01-15T23:59:59Z", privileges), kToday);
  ASSERT_TRUE(tdate.ok()) << tdate.status().ToString();
  EXPECT_EQ(tdate->outcome, "entitled");
  auto tdate_past = Decide("driving_entitlement", Mdl("2026-01-14T23:59:59Z", privileges), kToday);
  ASSERT_TRUE(tdate_past.ok());
  EXPECT_EQ(tdate_past->outcome, "not_entitled");
}

TEST(DrivingTest, NoValidCategoryIsNotEntitled) {
  auto expired =
      Decide("driving_entitlement", Mdl("2034-02-28", Json::array({Privilege("B", "", kYesterday)})), kToday);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->outcome, "not_entitled");
  auto empty = Decide("driving_entitlement", Mdl("2034-02-28", Json::array()), kToday);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->outcome, "not_entitled");
}

TEST(DrivingTest, MissingOrIllTypedIsInvalidClaims) {
  const Json ok_privileges = Json::array({Privilege("B", "", "")});
  for (const char* claim : {"family_name", "given_name", "portrait", "expiry_date", "driving_privileges"}) {
    VerifiedPresentation p = Mdl("2034-02-28", ok_privileges);
    p.claims["org.iso.18013.5.1"].erase(claim);
    EXPECT_EQ(CodeOf(Decide("driving_entitlement", p, kToday)), "invalid_claims") << claim;
  }
  const std::vector<Json> bad_privileges = {
      Json::object(),
      Json::array({Json::object()}),
      Json::array({"B"}),
      Json::array({{{"vehicle_category_code", 7}}}),
      Json::array({{{"vehicle_category_code", ""}}}),
      Json::array({{{"vehicle_category_code", "B"}, {"expiry_date", "2060-13-01"}}}),
      Json::array({{{"vehicle_category_code", "B"}, {"issue_date", 2009}}}),
      Json::array({{{"vehicle_category_code", "B"}, {"codes", "01"}}}),
      // An ill-formed expired entry fails too.
      Json::array({Privilege("B", "", ""), {{"vehicle_category_code", "D"}, {"expiry_date", "yesterday"}}}),
  };
  for (const Json& privileges : bad_privileges) {
    EXPECT_EQ(CodeOf(Decide("driving_entitlement", Mdl("2034-02-28", privileges), kToday)), "invalid_claims")
        << privileges.dump();
  }
  EXPECT_EQ(CodeOf(Decide("driving_entitlement", Mdl("28/02/2034", ok_privileges), kToday)),
            "invalid_claims");
}

// ---- dbs_basic ----

TEST(DbsTest, ReturnsTheOutcome) {
  auto d = Decide("dbs_basic", Dbs(), kToday);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, "outcome");
  EXPECT_EQ(d->facts, (Json{{"given_name", "Callum James"},
                            {"family_name", "Morrison"},
                            {"birthDate", "1985-11-02"},
                            {"certificateNumber", "00007Q4K2M9X"},
                            {"certificateType", "BASIC"},
                            {"outcome", "NO UNSPENT CONVICTIONS"}}));
}

TEST(DbsTest, MissingOrIllTypedIsInvalidClaims) {
  for (const char* member : {"certificateNumber", "certificateType", "outcome"}) {
    VerifiedPresentation p = Dbs();
    p.claims["credentialSubject"]["basicCheckRecord"][0].erase(member);
    EXPECT_EQ(CodeOf(Decide("dbs_basic", p, kToday)), "invalid_claims") << member;
  }
  for (const char* member : {"name", "birthDate", "basicCheckRecord"}) {
    VerifiedPresentation p = Dbs();
    p.claims["credentialSubject"].erase(member);
    EXPECT_EQ(CodeOf(Decide("dbs_basic", p, kToday)), "invalid_claims") << member;
  }
  {
    VerifiedPresentation p = Dbs();
    p.claims["credentialSubject"]["basicCheckRecord"][0]["outcome"] = Json::array();
    EXPECT_EQ(CodeOf(Decide("dbs_basic", p, kToday)), "invalid_claims");
  }
  {
    VerifiedPresentation p = Dbs();
    p.claims["credentialSubject"]["basicCheckRecord"][0]["certificateType"] = "ENHANCED";
    EXPECT_EQ(CodeOf(Decide("dbs_basic", p, kToday)), "invalid_claims");
  }
  {
    VerifiedPresentation p = Dbs();
    p.claims["credentialSubject"]["basicCheckRecord"] = Json::array();
    EXPECT_EQ(CodeOf(Decide("dbs_basic", p, kToday)), "invalid_claims");
  }
}

// ---- CheckDecision JSON ----

TEST(CheckDecisionTest, JsonRoundTrip) {
  auto d = Decide("right_to_work", Evisa("restricted", kTomorrow, "Student"), kToday);
  ASSERT_TRUE(d.ok());
  const Json j = d->ToJson();
  EXPECT_EQ(j["outcome"], "permitted_until");
  EXPECT_EQ(j["until"], kTomorrow);
  EXPECT_EQ(j["follow_up_due"], kTomorrow);
  EXPECT_EQ(j["conditions"], "Student");
  auto back = CheckDecisionFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *d);
  // Optional members are left out when unset.
  auto unrestricted = Decide("right_to_work", DigitalIdSdJwt("british_citizen"), kToday);
  ASSERT_TRUE(unrestricted.ok());
  EXPECT_FALSE(unrestricted->ToJson().contains("until"));
  EXPECT_FALSE(unrestricted->ToJson().contains("conditions"));
}

TEST(CheckDecisionTest, FromJsonRejectsWrongShapes) {
  const Json good = Json{{"check", "age_over_18"},
                         {"outcome", "pass"},
                         {"reasons", Json::array()},
                         {"facts", {{"age_over_18", true}}}};
  ASSERT_TRUE(CheckDecisionFromJson(good).ok());
  EXPECT_EQ(CodeOf(CheckDecisionFromJson(Json::array())), "invalid_claims");
  for (const char* member : {"check", "outcome", "reasons", "facts"}) {
    Json j = good;
    j.erase(member);
    EXPECT_EQ(CodeOf(CheckDecisionFromJson(j)), "invalid_claims") << member;
  }
  for (const auto& [member, value] : std::vector<std::pair<std::string, Json>>{
           {"reasons", Json::array({1})}, {"facts", "x"}, {"until", 5}, {"outcome", true}}) {
    Json j = good;
    j[member] = value;
    EXPECT_EQ(CodeOf(CheckDecisionFromJson(j)), "invalid_claims") << member;
  }
}

}  // namespace
}  // namespace bonafide::verifier
