// bonafide_bench: credential throughput as a ratio to the raw signature cost measured in the same
// run (the machines are shared and noisy, so only ratios are comparable across runs).
//
// Floors: verify = 1 / (2 x ES256 verify) (an SD-JWT+KB verification needs two signature checks);
// issue and present = 1 / (1 x ES256 sign). ratio_to_floor = rate / floor.
// present is measured on a credential the wallet parsed once on receipt (HeldSdJwt), as a wallet
// presents; "parse+present" also re-parses the credential string each time and has no target.
// Single-threaded. Run: build/bench/bonafide_bench [--benchmark_min_time=2]
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>
#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "mdoc/issuer.h"
#include "mdoc/session_transcript.h"
#include "mdoc/verifier.h"
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
    held = *sdjwt::HeldSdJwt::FromIssuance(issued);
    presentation = *PresentHeld();
    trust.issuer_key = issuer.public_key();
    verify_options.ExpectKeyBinding("nonce-123", "https://shop.example");
    // Status from a list the verifier has already fetched and verified.
    verify_options.CheckStatus([this](const Json& claim) -> Status {
      ASSIGN_OR_RETURN(status::StatusReference ref, status::StatusReference::FromStatusClaim(claim));
      if (ref.uri != kStatusUri) return Error(StatusCode::kStatusUnavailable, "unknown list");
      return status::CheckStatus(list, ref.idx);
    });
  }

  // The operations measured, shared by the Google Benchmark table and the ratio harness.
  Status Issue() const { return sdjwt::IssueSdJwtVc(request, issuer, clock, crypto::SystemRandom()).status(); }
  Result<std::string> PresentHeld() const { return held->Present(reveal, KeyBinding()); }
  Result<std::string> ParseAndPresent() const {
    ASSIGN_OR_RETURN(sdjwt::UnverifiedSdJwt parsed, sdjwt::UnverifiedSdJwt::Parse(issued));
    return sdjwt::Present(parsed, reveal, KeyBinding());
  }
  Status Verify() const {
    ASSIGN_OR_RETURN(sdjwt::UnverifiedSdJwt parsed, sdjwt::UnverifiedSdJwt::Parse(presentation));
    return sdjwt::VerifySdJwtVc(parsed, trust, verify_options).status();
  }

  sdjwt::KeyBindingRequest KeyBinding() const { return {&holder, "https://shop.example", "nonce-123", kNow}; }

  std::optional<sdjwt::HeldSdJwt> held;
  sdjwt::SdJwtVcTrust trust;
  sdjwt::VerifyOptions verify_options{clock};
};

Fixture& F() {
  static Fixture f;
  return f;
}

// MdocFixture: the UK digital ID as an mdoc (12 elements, a 2 KiB portrait), its IACA and
// document signer, a holder device key, and a DeviceResponse releasing three elements over an
// OpenID4VP 1.0 transcript. The verifier's trust store caches the validated DS chain, as a
// running verifier does after the first credential from a signer.
struct MdocFixture {
  FixedClock clock{kNow};
  mdoc::KeyAndCertificate iaca = Iaca();
  mdoc::KeyAndCertificate ds = *mdoc::CreateDocumentSigner(iaca.key, iaca.certificate, {"bench DS", {}, 365},
                                                           FixedClock(kNow - 86400));
  crypto::PrivateKey device = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  status::StatusList list = *status::StatusList::Create(2, 100000);
  mdoc::IssueRequest request{.doc_type = "uk.gov.digital-id.1", .name_spaces = {}, .device_key = device.public_key()};
  std::vector<Bytes> x5chain{ds.certificate.der()};
  std::optional<mdoc::HeldMdoc> held;
  mdoc::Disclosure reveal{{"uk.gov.digital-id.1", {"given_name", "family_name", "age_over_18"}}};
  Bytes transcript = mdoc::EncodeSessionTranscript(mdoc::OpenId4VpRedirectTranscript(
      "x509_san_dns:shop.example", "nonce-123", std::nullopt, "https://shop.example/post"));
  std::unique_ptr<mdoc::IacaTrustStore> trust = std::move(*mdoc::IacaTrustStore::Create({iaca.certificate}));
  std::optional<mdoc::DeviceResponseVerifier> verifier;
  // The same verifier without the chain cache: every verification validates the DS chain.
  std::unique_ptr<mdoc::IacaTrustStore> uncached_trust =
      std::move(*mdoc::IacaTrustStore::Create({iaca.certificate}, {.max_cache_entries = 0}));
  std::optional<mdoc::DeviceResponseVerifier> uncached_verifier;
  Bytes response;

  static mdoc::KeyAndCertificate Iaca() {
    mdoc::IacaOptions options;
    options.common_name = "bench IACA";
    options.issuer_alt_uri = "https://gds.example/iaca";
    return *mdoc::CreateIaca(options, FixedClock(kNow - 86400));
  }

  MdocFixture() {
    Bytes portrait(2048, 0x5a);
    portrait[0] = 0xff, portrait[1] = 0xd8, portrait[2] = 0xff, portrait[2046] = 0xff, portrait[2047] = 0xd9;
    std::vector<std::pair<std::string, cbor::Value>> e;
    e.emplace_back("family_name", cbor::Value::Text("Lovelace"));
    e.emplace_back("given_name", cbor::Value::Text("Ada"));
    e.emplace_back("birth_date", cbor::Value::FullDate("1990-12-10"));
    e.emplace_back("portrait", cbor::Value::ByteString(portrait));
    e.emplace_back("nationality", cbor::Value::Text("GB"));
    e.emplace_back("residency_status", cbor::Value::Text("british_citizen"));
    e.emplace_back("age_over_18", cbor::Value::Bool(true));
    e.emplace_back("age_over_21", cbor::Value::Bool(true));
    e.emplace_back("document_number", cbor::Value::Text("GBR123456789"));
    e.emplace_back("issue_date", cbor::Value::FullDate("2026-01-01"));
    e.emplace_back("expiry_date", cbor::Value::FullDate("2036-01-01"));
    e.emplace_back("issuing_country", cbor::Value::Text("GB"));
    request.name_spaces.emplace_back("uk.gov.digital-id.1", std::move(e));
    request.validity = {kNow - 3600, kNow - 3600, kNow + 86400 * 365, std::nullopt};
    request.status = status::StatusReference{4242, kStatusUri};
    held = *mdoc::HeldMdoc::FromIssuerSigned(*mdoc::IssueMdoc(request, ds.key, x5chain, crypto::SystemRandom()));
    response = *Present();
    verifier.emplace(*trust, clock);
    verifier->WithStatusCheck([this](const status::StatusReference& ref) -> Status {
      if (ref.uri != kStatusUri) return Error(StatusCode::kStatusUnavailable, "unknown list");
      return status::CheckStatus(list, ref.idx);
    });
    uncached_verifier.emplace(*uncached_trust, clock);
    uncached_verifier->SkipStatusCheck();
    if (!Verify().ok() || !VerifyUncached().ok()) std::abort();
  }

  // Issue: build, sign and encode the IssuerSigned.
  Result<Bytes> Issue() const { return mdoc::IssueMdocEncoded(request, ds.key, x5chain, crypto::SystemRandom()); }
  // Present: three elements with deviceSignature, encoded as a DeviceResponse.
  Result<Bytes> Present() const {
    ASSIGN_OR_RETURN(cbor::Value document,
                     held->Present(reveal, transcript, mdoc::DeviceAuthOptions{.device_key = &device}));
    std::vector<cbor::Value> documents;
    documents.push_back(std::move(document));
    return mdoc::BuildDeviceResponse(std::move(documents));
  }
  // Verify: decode, chain (cached), issuerAuth, MSO, digests, deviceSignature, status lookup.
  Status Verify() const { return verifier->Verify(response, transcript).status(); }
  Status VerifyUncached() const { return uncached_verifier->Verify(response, transcript).status(); }
};

MdocFixture& M() {
  static MdocFixture m;
  return m;
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
  for (auto _ : state) {
    if (!F().Issue().ok()) state.SkipWithError("issue failed");
  }
}
BENCHMARK(BM_SdJwtVc_Issue);

// Present as a wallet does it: the credential was parsed and mapped once, on receipt.
void BM_SdJwtVc_Present(benchmark::State& state) {
  for (auto _ : state) {
    if (!F().PresentHeld().ok()) state.SkipWithError("present failed");
  }
}
BENCHMARK(BM_SdJwtVc_Present);

// Present from the raw credential string, parsing and mapping it first each time.
void BM_SdJwtVc_ParseAndPresent(benchmark::State& state) {
  for (auto _ : state) {
    if (!F().ParseAndPresent().ok()) state.SkipWithError("present failed");
  }
}
BENCHMARK(BM_SdJwtVc_ParseAndPresent);

void BM_SdJwtVc_Verify(benchmark::State& state) {
  for (auto _ : state) {
    Status s = F().Verify();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_SdJwtVc_Verify);

void BM_Mdoc_Issue(benchmark::State& state) {
  for (auto _ : state) {
    if (!M().Issue().ok()) state.SkipWithError("issue failed");
  }
}
BENCHMARK(BM_Mdoc_Issue);

void BM_Mdoc_Present(benchmark::State& state) {
  for (auto _ : state) {
    if (!M().Present().ok()) state.SkipWithError("present failed");
  }
}
BENCHMARK(BM_Mdoc_Present);

void BM_Mdoc_Verify(benchmark::State& state) {
  for (auto _ : state) {
    Status s = M().Verify();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_Mdoc_Verify);

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

// ThreadCpuNs reads this thread's CPU clock: other processes on the shared machine do not count.
int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// NsPerOp runs `op` for about `budget_ns` of thread CPU time and returns CPU ns per call.
double NsPerOp(const std::function<void()>& op, int64_t budget_ns) {
  int64_t start = ThreadCpuNs(), now = start;
  int64_t n = 0;
  while (now - start < budget_ns) {
    for (int i = 0; i < 16; ++i) op();
    n += 16;
    now = ThreadCpuNs();
  }
  return static_cast<double>(now - start) / static_cast<double>(n);
}

struct Ratio {
  double median, low, high, rate;
};

// InterleavedRatio alternates short slices of the floor and the operation for `rounds` rounds
// and returns the median (and range) of floor_time * floor_ops / op_time, so slow drifts in
// machine load hit both sides of each ratio alike.
Ratio InterleavedRatio(const std::function<void()>& floor_op, double floor_ops_per_op,
                       const std::function<void()>& op, int rounds) {
  std::vector<double> ratios, op_ns;
  for (int r = 0; r < rounds; ++r) {
    double f = NsPerOp(floor_op, 40'000'000);
    double o = NsPerOp(op, 40'000'000);
    ratios.push_back(f * floor_ops_per_op / o);
    op_ns.push_back(o);
  }
  std::sort(ratios.begin(), ratios.end());
  std::sort(op_ns.begin(), op_ns.end());
  return Ratio{ratios[ratios.size() / 2], ratios.front(), ratios.back(), 1e9 / op_ns[op_ns.size() / 2]};
}

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
  using namespace bonafide;
  // ratio_to_floor, measured by interleaving floor and operation (thread CPU time, median of
  // 15 rounds). The floor for verify is 1/(2 x ES256 verify); for issue and present 1/(ES256 sign).
  Fixture& f = F();
  const Bytes msg(256, 0x42);
  const Bytes sig = *f.issuer.Sign(msg);
  auto sign_op = [&] { benchmark::DoNotOptimize(f.issuer.Sign(msg)); };
  auto verify_op = [&] { benchmark::DoNotOptimize(f.issuer.public_key().Verify(msg, sig)); };
  auto issue_op = [&] { benchmark::DoNotOptimize(f.Issue()); };
  auto present_op = [&] { benchmark::DoNotOptimize(f.PresentHeld()); };
  auto parse_present_op = [&] { benchmark::DoNotOptimize(f.ParseAndPresent()); };
  auto verify_sd_op = [&] {
    if (!f.Verify().ok()) std::abort();
  };
  MdocFixture& m = M();
  auto mdoc_issue_op = [&] { benchmark::DoNotOptimize(m.Issue()); };
  auto mdoc_present_op = [&] { benchmark::DoNotOptimize(m.Present()); };
  auto mdoc_verify_op = [&] {
    if (!m.Verify().ok()) std::abort();
  };
  auto mdoc_verify_uncached_op = [&] {
    if (!m.VerifyUncached().ok()) std::abort();
  };
  constexpr int kRounds = 15;
  struct Row { const char* name; std::function<void()> floor; double floor_ops; std::function<void()> op; double target; };
  const Row rows[] = {{"sd-jwt-vc issue", sign_op, 1, issue_op, 0.6},
                      {"sd-jwt-vc present", sign_op, 1, present_op, 0.6},
                      {"  parse+present", sign_op, 1, parse_present_op, 0.0},
                      {"sd-jwt-vc verify", verify_op, 2, verify_sd_op, 0.85},
                      {"mdoc issue", sign_op, 1, mdoc_issue_op, 0.6},
                      {"mdoc present", sign_op, 1, mdoc_present_op, 0.6},
                      {"mdoc verify", verify_op, 2, mdoc_verify_op, 0.85},
                      {"  chain uncached", verify_op, 2, mdoc_verify_uncached_op, 0.0}};
  std::printf("\nratio_to_floor (interleaved, thread CPU time, median of %d rounds)\n", kRounds);
  std::printf("%-20s %10s %15s %16s %7s\n", "operation", "rate/s", "ratio_to_floor", "range", "target");
  for (const Row& r : rows) {
    Ratio q = InterleavedRatio(r.floor, r.floor_ops, r.op, kRounds);
    if (r.target > 0) {
      std::printf("%-20s %10.0f %15.3f %7.3f..%-7.3f %7.2f\n", r.name, q.rate, q.median, q.low, q.high, r.target);
    } else {
      std::printf("%-20s %10.0f %15.3f %7.3f..%-7.3f %7s\n", r.name, q.rate, q.median, q.low, q.high, "-");
    }
  }
  std::printf("floor rates (same run, Google Benchmark): ES256 sign %.0f/s, ES256 verify %.0f/s\n", 1e9 / sign, 1e9 / verify);
  benchmark::Shutdown();
  return 0;
}
