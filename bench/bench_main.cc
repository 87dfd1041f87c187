// bonafide_bench: credential throughput as a ratio to the raw signature cost measured in the same
// run (the machines are shared and noisy, so only ratios are comparable across runs).
//
// Floors: verify = 1 / (2 x ES256 verify) (an SD-JWT+KB verification needs two signature checks);
// issue and present = 1 / (1 x ES256 sign). ratio_to_floor = rate / floor.
// Single-threaded. Run: build/bench/bonafide_bench [--benchmark_min_time=2]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include "base/clock.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"
#include "status/status_list_token.h"
#include "status/token_status_list.h"

namespace bonafide {
namespace {

constexpr int64_t kNow = 1800000000;
const std::string kStatusUri = "https://gds.example/status/1";

struct Fixture {
  crypto::PrivateKey issuer = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  crypto::PrivateKey holder = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  FixedClock clock{kNow};
  status::StatusList list = *status::StatusList::Create(2, 100000);
  sdjwt::SdJwtVcIssueRequest request;
  std::string issued;
  std::string presentation;
  std::vector<sdjwt::ClaimPath> reveal;

  Fixture() {
    // The UK digital ID (bonafide profile): 12 selectively disclosable claims.
    request.iss = "https://gds.example";
    request.vct = "urn:uk:gov:digital-id:1";
    request.claims = {{"family_name", "Lovelace"},      {"given_name", "Ada"},
                      {"birth_date", "1990-12-10"},     {"nationality", "GB"},
                      {"residency_status", "british_citizen"}, {"age_over_16", true},
                      {"age_over_18", true},            {"age_over_21", true},
                      {"age_over_25", true},            {"document_number", "GBR123456789"},
                      {"issue_date", "2026-01-01"},     {"expiry_date", "2036-01-01"}};
    for (const auto& [name, value] : request.claims.items()) {
      request.disclosure.disclosable.push_back(*sdjwt::ClaimPath::Parse(name));
    }
    request.holder_key = holder.public_key();
    request.status = sdjwt::StatusListReference{4242, kStatusUri};
    request.valid_seconds = 86400 * 365;
    issued = *sdjwt::IssueSdJwtVc(request, issuer, clock, crypto::SystemRandom());
    reveal = {*sdjwt::ClaimPath::Parse("given_name"), *sdjwt::ClaimPath::Parse("family_name"),
              *sdjwt::ClaimPath::Parse("age_over_18")};
    presentation = Present();
  }

  std::string Present() const {
    auto parsed = sdjwt::UnverifiedSdJwt::Parse(issued);
    return *sdjwt::Present(*parsed, reveal, sdjwt::KeyBindingRequest{&holder, "https://shop.example", "nonce-123", kNow});
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_ES256_Sign(benchmark::State& state) {
  const Bytes msg(256, 0x42);
  for (auto _ : state) {
    auto sig = F().issuer.Sign(msg);
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_ES256_Sign);

void BM_ES256_Verify(benchmark::State& state) {
  const Bytes msg(256, 0x42);
  Bytes sig = *F().issuer.Sign(msg);
  const crypto::PublicKey& pub = F().issuer.public_key();
  for (auto _ : state) {
    Status s = pub.Verify(msg, sig);
    if (!s.ok()) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_ES256_Verify);

void BM_SdJwtVc_Issue(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    auto issued = sdjwt::IssueSdJwtVc(f.request, f.issuer, f.clock, crypto::SystemRandom());
    if (!issued.ok()) state.SkipWithError("issue failed");
  }
}
BENCHMARK(BM_SdJwtVc_Issue);

void BM_SdJwtVc_Present(benchmark::State& state) {
  Fixture& f = F();
  for (auto _ : state) {
    auto parsed = sdjwt::UnverifiedSdJwt::Parse(f.issued);
    auto presented = sdjwt::Present(*parsed, f.reveal,
                                    sdjwt::KeyBindingRequest{&f.holder, "https://shop.example", "nonce-123", kNow});
    if (!presented.ok()) state.SkipWithError("present failed");
  }
}
BENCHMARK(BM_SdJwtVc_Present);

void BM_SdJwtVc_Verify(benchmark::State& state) {
  Fixture& f = F();
  sdjwt::SdJwtVcTrust trust;
  trust.issuer_key = f.issuer.public_key();
  sdjwt::VerifyOptions options(f.clock);
  options.ExpectKeyBinding("nonce-123", "https://shop.example");
  // Status from a list the verifier has already fetched and verified.
  const status::StatusList& list = f.list;
  options.CheckStatus([&list](const Json& claim) -> Status {
    ASSIGN_OR_RETURN(status::StatusReference ref, status::StatusReference::FromStatusClaim(claim));
    if (ref.uri != kStatusUri) return Error(StatusCode::kStatusUnavailable, "unknown list");
    return status::CheckStatus(list, ref.idx);
  });
  for (auto _ : state) {
    auto parsed = sdjwt::UnverifiedSdJwt::Parse(f.presentation);
    auto verified = sdjwt::VerifySdJwtVc(*parsed, trust, options);
    if (!verified.ok()) state.SkipWithError(verified.status().ToString().c_str());
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_SdJwtVc_Verify);

// Captures each benchmark's real time per iteration (ns) while printing the usual table.
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) {
        ns_[r.benchmark_name()] = r.GetAdjustedRealTime() * TimeUnitToNs(r.time_unit);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double ns(const std::string& name) const {
    auto it = ns_.find(name);
    return it == ns_.end() ? 0 : it->second;
  }

 private:
  static double TimeUnitToNs(benchmark::TimeUnit u) {
    switch (u) {
      case benchmark::kNanosecond: return 1;
      case benchmark::kMicrosecond: return 1e3;
      case benchmark::kMillisecond: return 1e6;
      case benchmark::kSecond: return 1e9;
    }
    return 1;
  }
  std::map<std::string, double> ns_;
};

}  // namespace
}  // namespace bonafide

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  bonafide::CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  double sign = reporter.ns("BM_ES256_Sign"), verify = reporter.ns("BM_ES256_Verify");
  if (sign <= 0 || verify <= 0) {
    std::fprintf(stderr, "floor benchmarks did not run (filter?)\n");
    return 1;
  }
  const double verify_floor = 1e9 / (2 * verify), sign_floor = 1e9 / sign;
  std::printf("\nfloor: ES256 sign %.0f/s, ES256 verify %.0f/s\n", sign_floor, 1e9 / verify);
  std::printf("%-22s %12s %12s %15s %8s\n", "operation", "rate/s", "floor/s", "ratio_to_floor", "target");
  struct Row { const char* name; const char* bench; double floor; double target; };
  const Row rows[] = {{"sd-jwt-vc issue", "BM_SdJwtVc_Issue", sign_floor, 0.6},
                      {"sd-jwt-vc present", "BM_SdJwtVc_Present", sign_floor, 0.6},
                      {"sd-jwt-vc verify", "BM_SdJwtVc_Verify", verify_floor, 0.85}};
  for (const Row& r : rows) {
    double t = reporter.ns(r.bench);
    if (t <= 0) continue;
    double rate = 1e9 / t;
    std::printf("%-22s %12.0f %12.0f %15.3f %8.2f\n", r.name, rate, r.floor, rate / r.floor, r.target);
  }
  benchmark::Shutdown();
  return 0;
}
