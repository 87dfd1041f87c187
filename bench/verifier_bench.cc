// bonafide_verifier_bench: OpenID4VP verifier throughput and memory over HTTP on loopback (issue 5,
// section 6).
//
// Throughput (default). An in-process `verifier serve` equivalent (VerifierService::Open on a fresh
// data directory: durable SQLite sessions, WAL + synchronous=FULL) behind http::Server with
// --workers worker threads (default 2) on 127.0.0.1, a trust list from registry::Registry listing one
// issuer (Digital ID SD-JWT VC keys + an mDL IACA) and the relying party (client_id localhost), and a
// Token Status List served by a second http::Server in this process (the verifier fetches it once
// and uses its cached copy for age_over_18 while fresh: max-age 300 s). --clients load threads
// (default 16) each hold their own credential (issued up front, not timed, with a status
// reference) and holder key, and loop over whole sessions on one keep-alive connection:
//   POST /sessions {"check": "age_over_18", "response_mode"}  -> session_id, request_uri
//   GET  /request/{id}        the wallet verifies the Request Object (oid4vp::VerifyRequestObject)
//   POST /response/{id}       PresentSdJwtVc / PresentMdoc, then EncryptResponse (direct_post.jwt,
//                             default) or EncodeDirectPost (--mode post)
//   GET  /sessions/{session_id}  must be completed, outcome pass, credential_status valid,
//                             decision_confirmed: any other answer aborts the run.
// Reported per format: presentations/s, p50 / p99 of the whole session (create -> result), the
// CPU milliseconds per presentation of the client threads and of the rest of the process (the
// server), ratio = rate / floor, floor = min(workers, cores) / (2 ES256 verify + 1 ES256 sign),
// medians measured before and after the load in the same run, and cpu ratio = the CPU time of
// (2 verify + 1 sign), measured the same way, / server CPU per presentation. The clients run on the same machine, so their CPU (one verify,
// one sign, ECDH for the encrypted response) competes with the server's and caps the rate; the
// cpu ratio does not depend on that (it is what the rate ratio would be with the cores to the
// server alone and no waiting on disks). Only ratios are comparable across runs.
// It also measures the cryptography the protocol itself needs per presentation (ProtocolCrypto:
// server and wallet) and prints the bound that alone sets on both ratios.
//
// Memory (--sessions N). Starts the real `bonafide verifier serve` (--cli, default
// ../src/cli/bonafide next to this binary) on a data directory made with the CLI (`registry init`,
// `registry add-rp --allow-localhost`, `registry publish`, `verifier init`), creates N sessions
// (POST /sessions, then GET /request/{id} so each holds a fetched, signed Request Object) with
// --clients threads, reads VmRSS / VmHWM of the child from /proc/PID/status, and stops it
// (SIGTERM, 10 s, SIGKILL). Target: < 64 MB.
//
// Run: build/bench/bonafide_verifier_bench [--seconds 5] [--clients 16] [--workers 2]
//                                          [--format sdjwt|mdoc|both] [--mode jwt|post]
//      build/bench/bonafide_verifier_bench --sessions 10000 [--clients 16] [--cli PATH]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "bench/floor.h"
#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "mdoc/issuer.h"
#include "mdoc/mdoc.h"
#include "oid4vp/presentation.h"
#include "oid4vp/request.h"
#include "oid4vp/response.h"
#include "registry/registry.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"
#include "status/status_list_token.h"
#include "status/token_status_list.h"
#include "tests/cli/background.h"
#include "verifier/checks.h"
#include "verifier/config.h"
#include "verifier/http_routes.h"
#include "verifier/service.h"

extern char** environ;

namespace bonafide {
namespace {

namespace fs = std::filesystem;
using Micros = std::chrono::duration<double, std::micro>;

constexpr char kIssuerId[] = "https://issuer.bench.gov.uk";
constexpr char kIssuerKid[] = "bench-issuer-1";
constexpr char kDigitalIdVct[] = "urn:uk:gov:digital-id:1";

struct Args {
  double seconds = 5;
  int clients = 16;
  int workers = 2;
  std::string format = "both";  // sdjwt | mdoc | both
  std::string mode = "jwt";     // jwt (direct_post.jwt) | post (direct_post)
  int sessions = 0;             // > 0: memory mode
  std::string cli;              // memory mode: the bonafide executable
};

// FloorMicros is the floor of one unit of work: two ES256 verifies + one ES256 sign (bench/floor.h).
double FloorMicros() { return bench::Es256FloorMicros(2, 1); }

using bench::CpuSeconds;

// FloorCpuMicros is FloorMicros in this thread's CPU time (bench/floor.h).
double FloorCpuMicros() { return bench::Es256FloorMicros(2, 1, bench::FloorClock::kThreadCpu); }

// EphemeralEcdhCpuMicros is the thread CPU time of one P-256 key generation plus one ECDH with
// a fixed peer (what each side of a direct_post.jwt response spends on the key agreement), the
// median of 15 rounds of 100, like bench/floor.h.
double EphemeralEcdhCpuMicros() {
  const crypto::PrivateKey peer = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  std::vector<double> rounds;
  for (int r = 0; r < 15; ++r) {
    constexpr int kOps = 100;
    const double start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < kOps; ++i) {
      Result<crypto::PrivateKey> mine = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
      if (!mine.ok() || !crypto::EcdhP256(*mine, peer.public_key()).ok()) std::abort();
    }
    rounds.push_back((CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - start) * 1e6 / kOps);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

// ProtocolCrypto is the cryptography one presentation cannot do without, in thread CPU µs, as
// this bench runs it (docs/performance.md, "Why 0.5 is out of reach"). The server: the issuer's
// and the holder's signatures (2 verify), the Request Object and the check record (2 sign), and
// for direct_post.jwt an ephemeral key and the ECDH that decrypts. The wallet: the Request
// Object's signature (1 verify; its certificate chain and registration are not counted, a wallet
// could remember them per verifier), the KB-JWT or DeviceSignature (1 sign), and for
// direct_post.jwt its own ephemeral key and ECDH. Counting only these makes the bounds below
// generous: no HTTP, JSON, SQLite or thread switch is in them.
struct ProtocolCrypto {
  double server_us = 0;
  double wallet_us = 0;
};

ProtocolCrypto MeasureProtocolCrypto(bool encrypted) {
  const double verify = bench::Es256FloorMicros(1, 0, bench::FloorClock::kThreadCpu);
  const double sign = bench::Es256FloorMicros(0, 1, bench::FloorClock::kThreadCpu);
  const double agree = encrypted ? EphemeralEcdhCpuMicros() : 0;
  return ProtocolCrypto{.server_us = 2 * verify + 2 * sign + agree, .wallet_us = verify + sign + agree};
}

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// PathOf returns the path (and query) of an absolute http URL: "http://h:p/a/b" -> "/a/b".
std::string PathOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t slash = url.find('/', scheme + 3);
  return slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
}

// ---------------------------------------------------------------------------------------------
// Throughput.

struct Row {
  std::string format;
  size_t sessions = 0;
  double seconds = 0, rate = 0, p50_ms = 0, p99_ms = 0, server_cpu_ms = 0, client_cpu_ms = 0;
};

// ClientCredential is one load thread's wallet: a credential and the key it is bound to.
struct ClientCredential {
  std::unique_ptr<crypto::PrivateKey> key;
  std::unique_ptr<sdjwt::HeldSdJwt> sd;
  std::unique_ptr<mdoc::HeldMdoc> mdoc;
};

// World is the issuer, registry, status host and verifier of a throughput run.
class World {
 public:
  ~World() {
    if (server_) server_->Stop();
    if (status_server_) status_server_->Stop();
    service_.store(nullptr);
    svc_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  Status Setup(const Args& args) {
    const Clock& clock = SystemClock::Default();
    const int64_t now = clock.NowSeconds();
    dir_ = (fs::temp_directory_path() / ("bonafide-verifier-bench-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);

    // Issuer: the SD-JWT VC key (also signs the status list), an IACA and a document signer.
    ASSIGN_OR_RETURN(crypto::PrivateKey sd_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
    sd_issuer_ = std::make_unique<crypto::PrivateKey>(std::move(sd_key));
    mdoc::IacaOptions iaca_options;
    iaca_options.common_name = "Bench IACA";
    iaca_options.issuer_alt_uri = "https://issuer.bench.gov.uk/iaca";
    FixedClock a_day_ago(now - 86400);  // certificates valid before the MSOs they sign
    ASSIGN_OR_RETURN(mdoc::KeyAndCertificate iaca, mdoc::CreateIaca(iaca_options, a_day_ago));
    mdoc::DocumentSignerOptions ds_options;
    ds_options.common_name = "Bench DS";
    ASSIGN_OR_RETURN(mdoc::KeyAndCertificate ds, mdoc::CreateDocumentSigner(iaca.key, iaca.certificate, ds_options, a_day_ago));

    // Status list host: one Token Status List, every entry valid.
    http::ServerOptions status_options;
    status_options.worker_threads = 1;
    status_options.blocking_threads = 1;
    status_options.log_sink = [](std::string_view) {};
    ASSIGN_OR_RETURN(status_server_, http::Server::Create(status_options));
    RETURN_IF_ERROR(status_server_->Get("/status/1", [this](const http::Request&) {
      http::Response r;
      r.content_type = "application/statuslist+jwt";
      std::lock_guard lock(status_mu_);
      r.body = status_token_;
      r.headers.emplace_back("Cache-Control", "max-age=300");
      status_hits_.fetch_add(1);
      return r;
    }));
    RETURN_IF_ERROR(status_server_->Start());
    status_uri_ = "http://127.0.0.1:" + std::to_string(status_server_->port()) + "/status/1";
    ASSIGN_OR_RETURN(status::StatusList list, status::StatusList::Create(1, 1024));
    status::StatusListTokenParams p;
    p.sub = status_uri_;
    p.iat = now;
    p.exp = now + 86400;
    p.ttl = 43200;
    p.iss = kIssuerId;
    p.kid = kIssuerKid;
    ASSIGN_OR_RETURN(std::string token, status::IssueStatusListToken(p, list, *sd_issuer_));
    {
      std::lock_guard lock(status_mu_);
      status_token_ = std::move(token);
    }

    // Registry: the issuer (both credential types) and the relying party on localhost.
    ASSIGN_OR_RETURN(registry::Registry reg,
                     registry::Registry::Init(dir_ + "/registry", registry::InitOptions(), clock));
    registry::TrustedIssuer issuer;
    issuer.id = kIssuerId;
    issuer.name = "Bench issuer";
    Json jwk = sd_issuer_->public_key().ToJwk();
    jwk["kid"] = kIssuerKid;
    issuer.credentials.push_back(registry::IssuerCredential{.type = {"dc+sd-jwt", kDigitalIdVct},
                                                            .iaca_pems = {},
                                                            .jwks = Json{{"keys", Json::array({jwk})}},
                                                            .did_document = Json()});
    issuer.credentials.push_back(registry::IssuerCredential{.type = {"mso_mdoc", mdoc::kMdlDocType},
                                                            .iaca_pems = {iaca.certificate.ToPem()},
                                                            .jwks = Json(),
                                                            .did_document = Json()});
    RETURN_IF_ERROR(reg.AddIssuer(issuer, clock));
    registry::RpRequest rp;
    rp.name = "Bench Employer Ltd";
    rp.client_id = "localhost";
    rp.purposes = {"age_over_18"};
    rp.allow_localhost = true;
    RETURN_IF_ERROR(reg.AddRelyingParty(rp, dir_ + "/rp", clock).status());
    ASSIGN_OR_RETURN(std::string trust_list, reg.Publish(clock));
    WriteFile(dir_ + "/trust_list.jwt", trust_list);

    // The verifier's HTTP server first (its port goes into the url), then the service.
    http::ServerOptions options;
    options.worker_threads = args.workers;
    if (std::getenv("BONAFIDE_BENCH_LOG") == nullptr) options.log_sink = [](std::string_view) {};
    ASSIGN_OR_RETURN(server_, http::Server::Create(options));
    RETURN_IF_ERROR(verifier::RegisterVerifierRoutes(*server_, [this] { return service_.load(); }));
    RETURN_IF_ERROR(server_->Start());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    verifier::InitOptions init;
    init.data_dir = dir_ + "/verifier";
    init.rp_dir = dir_ + "/rp";
    init.trust_list = dir_ + "/trust_list.jwt";
    init.url = "http://localhost:" + std::to_string(server_->port());
    ASSIGN_OR_RETURN(verifier::VerifierConfig config, verifier::InitDataDir(init));
    ASSIGN_OR_RETURN(svc_, verifier::VerifierService::Open(std::move(config), clock, crypto::SystemRandom(), nullptr));
    service_.store(svc_.get());

    // One credential per client, bound to the client's own key, status index = client number.
    for (int k = 0; k < args.clients; ++k) {
      ClientCredential c;
      ASSIGN_OR_RETURN(crypto::PrivateKey holder, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
      c.key = std::make_unique<crypto::PrivateKey>(std::move(holder));
      const uint64_t idx = static_cast<uint64_t>(k);
      sdjwt::SdJwtVcIssueRequest r;
      r.iss = kIssuerId;
      r.vct = kDigitalIdVct;
      r.kid = kIssuerKid;
      r.claims = {{"given_name", "Adaeze"},       {"family_name", "Benchperson"}, {"birth_date", "1987-03-21"},
                  {"residency_status", "british_citizen"}, {"nationality", "GB"}, {"age_over_18", true}};
      r.holder_key = c.key->public_key();
      r.status = sdjwt::StatusListReference{idx, status_uri_};
      r.disclosure.all_disclosable = true;
      ASSIGN_OR_RETURN(std::string sd, sdjwt::IssueSdJwtVc(r, *sd_issuer_, clock, crypto::SystemRandom()));
      ASSIGN_OR_RETURN(sdjwt::HeldSdJwt held_sd, sdjwt::HeldSdJwt::FromIssuance(sd));
      c.sd = std::make_unique<sdjwt::HeldSdJwt>(std::move(held_sd));

      mdoc::NameSpaces ns;
      std::vector<std::pair<std::string, cbor::Value>> e;
      e.emplace_back("family_name", cbor::Value::Text("Benchperson"));
      e.emplace_back("given_name", cbor::Value::Text("Adaeze"));
      e.emplace_back("birth_date", cbor::Value::FullDate("1987-03-21"));
      e.emplace_back("age_over_18", cbor::Value::Bool(true));
      ns.emplace_back(std::string(mdoc::kMdlNameSpace), std::move(e));
      mdoc::IssueRequest m{.doc_type = std::string(mdoc::kMdlDocType), .name_spaces = std::move(ns),
                           .device_key = c.key->public_key()};
      m.validity = {now - 60, now - 60, now + 365 * 86400, std::nullopt};
      m.status = status::StatusReference{idx, status_uri_};
      ASSIGN_OR_RETURN(cbor::Value issued, mdoc::IssueMdoc(m, ds.key, {ds.certificate.der()}, crypto::SystemRandom()));
      ASSIGN_OR_RETURN(mdoc::HeldMdoc held_m, mdoc::HeldMdoc::FromIssuerSigned(std::move(issued)));
      c.mdoc = std::make_unique<mdoc::HeldMdoc>(std::move(held_m));
      credentials_.push_back(std::move(c));
    }
    return OkStatus();
  }

  // Session runs one whole session for client `k` in `format`; any deviation is an error.
  Status Session(http::Client& client, size_t k, bool sdjwt_format, bool encrypted) const {
    const Clock& clock = SystemClock::Default();
    Json create{{"check", "age_over_18"}, {"response_mode", encrypted ? "direct_post.jwt" : "direct_post"}};
    ASSIGN_OR_RETURN(http::ClientResponse created, client.Post("/sessions", create.dump(), "application/json"));
    if (created.status != 201) return Error(StatusCode::kInternal, "POST /sessions: " + std::to_string(created.status));
    ASSIGN_OR_RETURN(Json session, ParseJsonObject(created.body));
    const Json* session_id = Find(session, "session_id");
    const Json* request_uri = Find(session, "request_uri");
    if (session_id == nullptr || !session_id->is_string() || request_uri == nullptr || !request_uri->is_string()) {
      return Error(StatusCode::kInternal, "POST /sessions: no session_id / request_uri");
    }
    ASSIGN_OR_RETURN(oid4vp::WalletInvocation invocation,
                     oid4vp::ParseRequestUri(request_uri->get<std::string>(),
                                             {.max_bytes = 64 * 1024, .insecure_allow_http_loopback = true}));
    if (!invocation.request_uri) return Error(StatusCode::kInternal, "no request_uri");
    ASSIGN_OR_RETURN(http::ClientResponse fetched, client.Get(PathOf(*invocation.request_uri)));
    if (fetched.status != 200) return Error(StatusCode::kInternal, "GET /request: " + std::to_string(fetched.status));
    oid4vp::RequestVerifyOptions vo;
    vo.clock = &clock;
    vo.insecure_allow_http_loopback = true;
    ASSIGN_OR_RETURN(oid4vp::VerifiedRequest request,
                     oid4vp::VerifyRequestObject(fetched.body, invocation.client_id, vo));

    const ClientCredential& cred = credentials_[k];
    const std::string_view query_id = sdjwt_format ? verifier::kQueryIdDigitalIdSdJwt : verifier::kQueryIdMdl;
    const oid4vp::CredentialQuery* cq = request.dcql_query().FindCredential(query_id);
    if (cq == nullptr || !cq->claims) return Error(StatusCode::kInternal, "no credential query");
    std::vector<oid4vp::ClaimsPath> paths;
    for (const oid4vp::ClaimsQuery& c : *cq->claims) paths.push_back(c.path);
    std::string vp;
    if (sdjwt_format) {
      ASSIGN_OR_RETURN(vp, oid4vp::PresentSdJwtVc(*cred.sd, paths, *cred.key, request.binding(), clock));
    } else {
      ASSIGN_OR_RETURN(vp, oid4vp::PresentMdoc(*cred.mdoc, paths, *cred.key, request.binding()));
    }
    ASSIGN_OR_RETURN(Json token, oid4vp::BuildVpToken({{std::string(query_id), {vp}}}));
    std::string body;
    if (encrypted) {
      ASSIGN_OR_RETURN(body, oid4vp::EncryptResponse(token, request, crypto::SystemRandom()));
    } else {
      ASSIGN_OR_RETURN(body, oid4vp::EncodeDirectPost(token, request.state()));
    }
    ASSIGN_OR_RETURN(http::ClientResponse answered,
                     client.Post(PathOf(request.response_uri()), body, oid4vp::kFormContentType));
    if (answered.status != 200) {
      return Error(StatusCode::kInternal, "POST /response: " + std::to_string(answered.status) + " " + answered.body);
    }
    ASSIGN_OR_RETURN(http::ClientResponse result, client.Get("/sessions/" + session_id->get<std::string>()));
    if (result.status != 200) return Error(StatusCode::kInternal, "GET /sessions: " + std::to_string(result.status));
    ASSIGN_OR_RETURN(Json r, ParseJsonObject(result.body));
    auto is = [&r](const char* member, const Json& want) {
      const Json* v = Find(r, member);
      return v != nullptr && *v == want;
    };
    if (!is("status", "completed") || !is("outcome", "pass") || !is("credential_status", "valid") ||
        !is("decision_confirmed", true)) {
      return Error(StatusCode::kInternal, "unexpected result: " + result.body.substr(0, 400));
    }
    return OkStatus();
  }

  const std::string& url() const { return url_; }
  int status_hits() const { return status_hits_.load(); }

 private:
  std::string dir_;
  std::unique_ptr<crypto::PrivateKey> sd_issuer_;
  std::unique_ptr<http::Server> status_server_;
  std::string status_uri_;
  std::mutex status_mu_;
  std::string status_token_;  // guarded by status_mu_
  std::atomic<int> status_hits_{0};
  std::unique_ptr<http::Server> server_;
  std::string url_;
  std::unique_ptr<verifier::VerifierService> svc_;
  std::atomic<verifier::VerifierService*> service_{nullptr};
  std::vector<ClientCredential> credentials_;
};

bool RunFormat(const Args& args, const World& world, bool sdjwt_format, std::vector<Row>& rows) {
  const bool encrypted = args.mode == "jwt";
  std::mutex mu;
  std::vector<double> latencies_ms;
  double client_cpu = 0;
  std::atomic<bool> failed{false};
  const double process_cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  auto client = [&](size_t k) {
    const double cpu0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    http::ClientOptions copts;
    copts.keep_alive = true;
    Result<std::unique_ptr<http::Client>> c = http::Client::Create(world.url(), copts);
    std::vector<double> mine;
    while (c.ok() && !failed && std::chrono::steady_clock::now() < deadline) {
      const auto t0 = std::chrono::steady_clock::now();
      Status s = world.Session(**c, k, sdjwt_format, encrypted);
      if (!s.ok()) {
        std::fprintf(stderr, "session (%s, client %zu): %s\n", sdjwt_format ? "sd-jwt-vc" : "mdoc", k,
                     s.ToString().c_str());
        failed = true;
        break;
      }
      mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    if (!c.ok()) failed = true;
    const double cpu = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    std::lock_guard lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    client_cpu += cpu;
  };
  std::vector<std::thread> threads;
  for (size_t k = 0; k < static_cast<size_t>(args.clients); ++k) threads.emplace_back(client, k);
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double process_cpu = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start;
  if (failed || latencies_ms.empty()) return false;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  Row row;
  row.format = sdjwt_format ? "sd-jwt-vc" : "mdoc";
  row.sessions = latencies_ms.size();
  row.seconds = elapsed;
  row.rate = static_cast<double>(latencies_ms.size()) / elapsed;
  row.p50_ms = latencies_ms[latencies_ms.size() / 2];
  row.p99_ms = latencies_ms[std::min(latencies_ms.size() - 1, latencies_ms.size() * 99 / 100)];
  const double n = static_cast<double>(latencies_ms.size());
  row.client_cpu_ms = client_cpu * 1000 / n;
  row.server_cpu_ms = (process_cpu - client_cpu) * 1000 / n;
  rows.push_back(row);
  return true;
}

int Throughput(const Args& args) {
  const double floor_before = FloorMicros();
  const double floor_cpu_before = FloorCpuMicros();
  std::vector<Row> rows;
  bool ok = true;
  int status_hits = 0;
  {
    World world;
    Status s = world.Setup(args);
    if (!s.ok()) {
      std::fprintf(stderr, "setup: %s\n", s.ToString().c_str());
      return 1;
    }
    if (args.format == "sdjwt" || args.format == "both") ok = RunFormat(args, world, true, rows) && ok;
    if (ok && (args.format == "mdoc" || args.format == "both")) ok = RunFormat(args, world, false, rows) && ok;
    status_hits = world.status_hits();
  }
  const double floor_after = FloorMicros();
  const double floor_cpu_after = FloorCpuMicros();
  const double floor_us = (floor_before + floor_after) / 2;
  const double floor_cpu_us = (floor_cpu_before + floor_cpu_after) / 2;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double parallel = std::min<double>(args.workers, cores);
  const double floor_rate = parallel * 1e6 / floor_us;
  std::printf("floor: 2 ES256 verify + 1 ES256 sign = %.1f us (before %.1f, after %.1f); floor/s = min(workers %d, "
              "cores %u) / that = %.0f\n",
              floor_us, floor_before, floor_after, args.workers, cores, floor_rate);
  std::printf("floor CPU time: %.1f us (before %.1f, after %.1f); cpu ratio = that / server CPU per presentation\n",
              floor_cpu_us, floor_cpu_before, floor_cpu_after);
  // The bounds the protocol's own cryptography sets, measured now: with the wallet on the same
  // cores the rate cannot pass cores / (server + wallet crypto), and the server cannot spend less
  // than its share.
  const ProtocolCrypto protocol = MeasureProtocolCrypto(args.mode == "jwt");
  std::printf("protocol crypto per presentation (CPU): server %.1f us, wallet %.1f us; so ratio <= %.3f, cpu ratio "
              "<= %.3f even if HTTP, JSON and SQLite cost nothing\n",
              protocol.server_us, protocol.wallet_us, floor_cpu_us / (protocol.server_us + protocol.wallet_us),
              floor_cpu_us / protocol.server_us);
  std::printf("clients %d, response mode %s, check age_over_18, status: Token Status List served in-process, "
              "fetched %d time(s) by the verifier and cached (max-age 300 s)\n",
              args.clients, args.mode == "jwt" ? "direct_post.jwt" : "direct_post", status_hits);
  std::printf("%-10s %8s %8s %8s %8s %9s %8s %12s %12s %10s\n", "format", "sessions", "pres/s", "p50 ms", "p99 ms",
              "floor/s", "ratio", "srv cpu ms", "cli cpu ms", "cpu ratio");
  for (const Row& r : rows) {
    // cpu ratio: the floor's CPU per presentation over the server's.
    const double cpu_ratio = r.server_cpu_ms > 0 ? floor_cpu_us / 1000 / r.server_cpu_ms : 0;
    std::printf("%-10s %8zu %8.1f %8.2f %8.2f %9.0f %8.3f %12.2f %12.2f %10.3f\n", r.format.c_str(), r.sessions,
                r.rate, r.p50_ms, r.p99_ms, floor_rate, r.rate / floor_rate, r.server_cpu_ms, r.client_cpu_ms,
                cpu_ratio);
  }
  return ok ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Memory.

// RunChild runs argv to completion with stdout and stderr to `log`; returns the exit code or -1.
int RunChild(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ProcStatusKb returns the value in kB of `field` (e.g. "VmRSS") in /proc/PID/status, or -1.
long ProcStatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

std::string DefaultCli() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (self.parent_path() / ".." / "src" / "cli" / "bonafide").lexically_normal().string();
}

int Memory(const Args& args) {
  const std::string cli = args.cli.empty() ? DefaultCli() : args.cli;
  if (cli.empty() || ::access(cli.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "bonafide CLI not found at '%s' (use --cli)\n", cli.c_str());
    return 1;
  }
  const std::string dir = (fs::temp_directory_path() / ("bonafide-verifier-mem-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string log = dir + "/setup.log";
  const std::vector<std::vector<std::string>> setup = {
      {cli, "registry", "init", "--data-dir", dir + "/registry"},
      {cli, "registry", "add-rp", "--data-dir", dir + "/registry", "--name", "Bench Employer Ltd", "--client-id",
       "localhost", "--allow-localhost", "--purpose", "age_over_18", "--out-dir", dir + "/rp"},
      {cli, "registry", "publish", "--data-dir", dir + "/registry", "--out", dir + "/trust.jwt"},
      {cli, "verifier", "init", "--data-dir", dir + "/verifier", "--rp-dir", dir + "/rp", "--trust-list",
       dir + "/trust.jwt", "--url", "http://localhost:0", "--listen", "127.0.0.1:0"}};
  for (const auto& argv : setup) {
    if (RunChild(argv, log) != 0) {
      std::fprintf(stderr, "setup failed: %s %s (see %s)\n", argv[1].c_str(), argv[2].c_str(), log.c_str());
      return 1;
    }
  }
  int rc = 0;
  {
    clitest::Background serve({cli, "verifier", "serve", "--data-dir", dir + "/verifier"}, dir + "/serve.log");
    Result<Json> line = ParseJsonObject(serve.FirstLine());
    const Json* url = line.ok() ? Find(*line, "url") : nullptr;
    if (serve.pid() <= 0 || url == nullptr || !url->is_string()) {
      std::fprintf(stderr, "verifier serve did not start (see %s/serve.log)\n", dir.c_str());
      return 1;
    }
    const std::string base = url->get<std::string>();
    const long rss_idle = ProcStatusKb(serve.pid(), "VmRSS");

    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    const auto start = std::chrono::steady_clock::now();
    auto client = [&] {
      http::ClientOptions copts;
      copts.keep_alive = true;
      Result<std::unique_ptr<http::Client>> c = http::Client::Create(base, copts);
      if (!c.ok()) {
        failed = true;
        return;
      }
      while (!failed && next.fetch_add(1) < args.sessions) {
        Result<http::ClientResponse> created =
            (*c)->Post("/sessions", R"({"check": "age_over_18"})", "application/json");
        Result<Json> session = created.ok() && created->status == 201 ? ParseJsonObject(created->body)
                                                                       : Result<Json>(Error(StatusCode::kInternal, ""));
        const Json* uri = session.ok() ? Find(*session, "request_uri") : nullptr;
        Result<oid4vp::WalletInvocation> inv =
            uri != nullptr && uri->is_string()
                ? oid4vp::ParseRequestUri(uri->get<std::string>(),
                                          {.max_bytes = 64 * 1024, .insecure_allow_http_loopback = true})
                : Result<oid4vp::WalletInvocation>(Error(StatusCode::kInternal, ""));
        Result<http::ClientResponse> fetched = inv.ok() && inv->request_uri
                                                   ? (*c)->Get(PathOf(*inv->request_uri))
                                                   : Result<http::ClientResponse>(Error(StatusCode::kInternal, ""));
        if (!fetched.ok() || fetched->status != 200) {
          std::fprintf(stderr, "session creation failed: %s\n",
                       created.ok() ? created->body.substr(0, 200).c_str() : created.status().ToString().c_str());
          failed = true;
        }
      }
    };
    std::vector<std::thread> threads;
    for (int k = 0; k < std::max(1, args.clients); ++k) threads.emplace_back(client);
    for (std::thread& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const long rss = ProcStatusKb(serve.pid(), "VmRSS");
    const long hwm = ProcStatusKb(serve.pid(), "VmHWM");
    const int exit_code = serve.Terminate();  // SIGTERM, up to 10 s
    const std::string ended = exit_code >= 0 ? "exited " + std::to_string(exit_code)
                              : serve.Kill()   ? "killed (SIGKILL after 10 s)"
                                               : "died of a signal";
    if (failed) {
      rc = 1;
    } else {
      std::printf("bonafide verifier serve (%s): %d sessions created and their Request Objects fetched by %d "
                  "clients in %.1f s (%.0f sessions/s)\n",
                  cli.c_str(),
                  args.sessions, std::max(1, args.clients), elapsed, args.sessions / elapsed);
      std::printf("/proc/PID/status: VmRSS idle %.1f MB; with %d open sessions VmRSS %.1f MB, VmHWM %.1f MB; "
                  "target VmHWM < 64 MB: %s; child %s\n",
                  static_cast<double>(rss_idle) / 1024, args.sessions, static_cast<double>(rss) / 1024,
                  static_cast<double>(hwm) / 1024, hwm >= 0 && hwm < 64 * 1024 ? "met" : "NOT met", ended.c_str());
    }
  }
  std::error_code ec;
  if (rc == 0) fs::remove_all(dir, ec);
  return rc;
}

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--seconds") args.seconds = std::atof(value.c_str());
    else if (flag == "--clients") args.clients = std::atoi(value.c_str());
    else if (flag == "--workers") args.workers = std::atoi(value.c_str());
    else if (flag == "--format") args.format = value;
    else if (flag == "--mode") args.mode = value;
    else if (flag == "--sessions") args.sessions = std::atoi(value.c_str());
    else if (flag == "--cli") args.cli = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (argc % 2 == 0 || args.seconds <= 0 || args.clients < 1 || args.clients > 1024 || args.workers < 1 ||
      args.sessions < 0 || (args.format != "sdjwt" && args.format != "mdoc" && args.format != "both") ||
      (args.mode != "jwt" && args.mode != "post")) {
    std::fprintf(stderr, "usage: %s [--seconds S] [--clients N] [--workers N] [--format sdjwt|mdoc|both] "
                         "[--mode jwt|post] | --sessions N [--clients N] [--cli PATH]\n", argv[0]);
    return 2;
  }
  return args.sessions > 0 ? Memory(args) : Throughput(args);
}

}  // namespace
}  // namespace bonafide

int main(int argc, char** argv) { return bonafide::Main(argc, argv); }
