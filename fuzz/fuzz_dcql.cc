// fuzz_dcql: oid4vp::ParseDcqlQueryText, Match and Select on arbitrary bytes.
//
// Candidates (fixed for the whole run): an SD-JWT VC with nested objects, arrays and values of
// every JSON type, and an mdoc with two namespaces, so paths, wildcards and `values` reach both.
// Invariants: parsing fails only with kMalformed or kLimitExceeded; a parsed query validates, and
// ToJson parses back (as JSON and as text) to an equal query; Match on a parsed query succeeds,
// lists one entry per Credential Query in order, and only reports candidates of the query's format
// whose disclosed paths resolve in the candidate; Select succeeds or fails with kNotFound, and
// plans only Credential Queries of the query, with candidates Match reported.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "base/json.h"
#include "oid4vp/dcql.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::Json;
using bonafide::StatusCode;
namespace oid4vp = bonafide::oid4vp;

const std::vector<oid4vp::CandidateCredential>& Candidates() {
  static const std::vector<oid4vp::CandidateCredential>* candidates = [] {
    auto* list = new std::vector<oid4vp::CandidateCredential>(2);
    oid4vp::CandidateCredential& sd = (*list)[0];
    sd.id = "sd";
    sd.format = std::string(oid4vp::kFormatSdJwtVc);
    sd.vct = "https://credentials.example.com/identity_credential";
    sd.claims = Json::parse(R"({
      "vct": "https://credentials.example.com/identity_credential",
      "given_name": "John", "family_name": "Doe", "age": 42, "big": 18446744073709551615,
      "neg": -1, "ratio": 0.5, "is_over_18": true, "nothing": null,
      "address": {"street_address": "123 Main St", "locality": "Anytown", "postal_code": "90210"},
      "nationalities": ["DE", "FR"], "degrees": [{"type": "BSc"}, {"type": "MSc", "year": 2001}, "x"],
      "matrix": [[1, 2], [3], []]
    })");
    oid4vp::CandidateCredential& mdoc = (*list)[1];
    mdoc.id = "mdoc";
    mdoc.format = std::string(oid4vp::kFormatMsoMdoc);
    mdoc.doctype = "org.iso.18013.5.1.mDL";
    mdoc.holder_binding = false;
    mdoc.claims = Json::parse(R"({
      "org.iso.18013.5.1": {"given_name": "John", "age_over_18": true, "age_in_years": 42,
                            "driving_privileges": [{"vehicle_category_code": "A"}]},
      "org.iso.18013.5.1.aamva": {"DHS_compliance": "F"}
    })");
    return list;
  }();
  return *candidates;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto query = oid4vp::ParseDcqlQueryText(input);
  if (!query.ok()) {
    const StatusCode code = query.status().code();
    Check(code == StatusCode::kMalformed || code == StatusCode::kLimitExceeded,
          "ParseDcqlQueryText fails only with kMalformed or kLimitExceeded");
    return 0;
  }
  Check(oid4vp::ValidateDcqlQuery(*query).ok(), "a parsed query validates");

  const Json json = query->ToJson();
  auto reparsed = oid4vp::ParseDcqlQuery(json);
  Check(reparsed.ok(), "ToJson of a parsed query parses");
  Check(*reparsed == *query, "ToJson round-trips");
  auto from_text = oid4vp::ParseDcqlQueryText(bonafide::DumpJson(json), {.max_bytes = size_t{1} << 20});
  Check(from_text.ok() && *from_text == *query, "DumpJson(ToJson) round-trips");

  const std::vector<oid4vp::CandidateCredential>& candidates = Candidates();
  auto matches = oid4vp::Match(*query, candidates);
  Check(matches.ok(), "Match succeeds on a parsed query");
  Check(matches->queries.size() == query->credentials.size(), "one match entry per credential query");
  for (size_t i = 0; i < query->credentials.size(); ++i) {
    const oid4vp::CredentialQuery& cq = query->credentials[i];
    const oid4vp::CredentialQueryMatch& qm = matches->queries[i];
    Check(qm.query_id == cq.id, "match entries follow the query order");
    for (const oid4vp::CandidateMatch& m : qm.candidates) {
      Check(m.candidate_index < candidates.size(), "candidate index in range");
      const oid4vp::CandidateCredential& c = candidates[m.candidate_index];
      Check(c.id == m.candidate_id && c.format == cq.format, "a match has the query's format");
      Check(!cq.require_cryptographic_holder_binding || c.holder_binding, "holder binding respected");
      Check(cq.claims.has_value() || m.claims.empty(), "no claims requested, none disclosed");
      Check(cq.claim_sets.has_value() == m.claim_set_index.has_value(), "claim set index iff claim_sets");
      for (const oid4vp::ClaimMatch& claim : m.claims) {
        Check(!claim.disclosed_paths.empty(), "a claim match discloses something");
        for (const oid4vp::ClaimsPath& path : claim.disclosed_paths) {
          Check(path.size() == claim.requested_path.size(), "concrete path has the requested length");
          auto selected = oid4vp::ProcessClaimsPath(path, c.claims);
          Check(selected.ok() && selected->size() == 1, "a concrete path selects exactly one value");
        }
      }
    }
  }

  auto selection = oid4vp::Select(*query, *matches);
  if (!selection.ok()) {
    Check(selection.status().code() == StatusCode::kNotFound, "Select fails only with kNotFound");
    return 0;
  }
  for (const oid4vp::PlannedPresentation& p : selection->presentations) {
    const oid4vp::CredentialQueryMatch* qm = matches->Find(p.query_id);
    Check(qm != nullptr, "planned query exists");
    bool reported = false;
    for (const oid4vp::CandidateMatch& m : qm->candidates) reported |= m.candidate_id == p.candidate_id;
    Check(reported, "planned candidate was matched");
  }
  return 0;
}
