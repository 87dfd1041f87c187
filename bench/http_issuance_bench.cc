// bonafide_http_bench: OpenID4VCI issuance throughput over HTTP on loopback (issue 4, section 6).
//
// An in-process `issuer serve` equivalent (IssuerService behind http::Server with --workers
// worker threads, default 2) on a fresh data directory, durable SQLite (WAL, synchronous=FULL)
// or a throwaway PostgreSQL (tests/store/pg_server.h: started with fsync=off, so its figures are
// an upper bound, not durable commits), and --clients load-generator
// threads on the same machine. Each client runs the Pre-Authorized Code flow for one offer at a
// time: Token, Nonce, Credential with one jwt proof (tests/common/issuance_driver.h); offers are
// made beforehand and are not timed, and so are the holder keys (each client reuses its own).
//
// Reported per store and format (SD-JWT VC, mdoc): credentials per second, p50 / p99 latency of
// the whole flow, and ratio_to_floor = rate / floor, where floor = min(workers, cores) / (one
// ES256 proof verify + one ES256 credential signature), both measured on this machine in the same run
// (medians of interleaved rounds, before and after the load). Only ratios are comparable across
// runs: the machines are shared.
// Also reported: CPU time per credential of the issuer (the process minus the client threads)
// and of the clients, and the cpu ratio = the floor's CPU time over the issuer's CPU time per
// credential (what the ratio would be with both cores given to the issuer).
//
// The server is http::Server with --workers worker threads (handlers: proof verification,
// signing), one network thread, and its blocking pool, where /token and the issuance commit wait
// for their durable commits (issuer/http_routes.cc). Clients keep their connection alive across
// a flow's requests unless --keep-alive 0.
//
// Run: build/bench/bonafide_http_bench [--seconds 5] [--clients 4] [--workers 2] [--batch 1]
//                                      [--keep-alive 1] [--store sqlite|postgresql|both]
//                                      [--format sd-jwt-vc|mdoc|both]
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "bench/floor.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "issuer/config.h"
#include "issuer/http_routes.h"
#include "issuer/service.h"
#include "tests/common/issuance_driver.h"
#include "tests/store/pg_server.h"

namespace bonafide {
namespace {

namespace fs = std::filesystem;
using Micros = std::chrono::duration<double, std::micro>;

struct Args {
  double seconds = 5;
  int clients = 4;
  int workers = 2;
  int batch = 1;  // proofs (credentials) per Credential Request; the issuer's batch_size is raised to it
  bool keep_alive = true;  // a client reuses its connection for the flow's requests (as wallets do)
  std::string store = "both";
  std::string format = "both";  // sd-jwt-vc, mdoc or both
};

// FloorMicros is the floor of one unit of work: one ES256 verify + one ES256 sign (bench/floor.h).
double FloorMicros() { return bench::Es256FloorMicros(1, 1); }

struct Row {
  std::string store, format;
  size_t credentials = 0;
  double seconds = 0, rate = 0, p50_ms = 0, p99_ms = 0, floor_rate = 0;
  double server_cpu_us = 0, client_cpu_us = 0;  // CPU time per credential
};

std::string PostgresUrl() {
  Result<store::testing::PgServer*> pg = store::testing::PgServer::Get();
  Result<std::string> url = pg.ok() ? (*pg)->NewDatabaseUrl() : Result<std::string>(pg.status());
  if (!url.ok()) {
    std::fprintf(stderr, "PostgreSQL: %s\n", url.status().ToString().c_str());
    return {};
  }
  return *url;
}

// Run measures one store: both formats, one after the other, on one issuer.
bool Run(const Args& args, const std::string& store_kind, std::vector<Row>& rows) {
  const std::string dir = (fs::temp_directory_path() / ("bonafide-http-bench-" + std::to_string(::getpid()) + "-" +
                                                        store_kind)).string();
  fs::remove_all(dir);
  std::atomic<issuer::IssuerService*> service{nullptr};
  http::ServerOptions options;
  options.worker_threads = args.workers;
  if (std::getenv("BONAFIDE_BENCH_LOG") == nullptr) options.log_sink = [](std::string_view) {};
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(options);
  if (!server.ok()) return false;
  if (!issuer::RegisterIssuerRoutes(**server, [&service] { return service.load(); }).ok()) return false;
  if (!(*server)->Start().ok()) return false;
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());

  issuer::InitOptions init;
  init.issuer_url = url;
  init.demo = true;
  if (store_kind == "postgresql") {
    init.db = PostgresUrl();
    if (init.db.empty()) return false;
  }
  Result<issuer::IssuerConfig> made = issuer::InitDataDir(dir, init, SystemClock::Default());
  if (!made.ok()) {
    std::fprintf(stderr, "init: %s\n", made.status().ToString().c_str());
    return false;
  }
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(dir);
  if (!config.ok()) return false;
  config->batch_size = std::max<int64_t>(config->batch_size, args.batch);
  // One status list of 2^22 entries per format measured: the demo lists (100,000 entries) fill
  // up within a run at large batches.
  for (const char* configuration : {"uk.gov.digital-id.sd-jwt", "org.iso.18013.5.1.mDL"}) {
    issuer::StatusListSpec list;
    list.id = std::string("bench-") + configuration;
    list.size = int64_t{1} << 22;
    config->status_lists.push_back(list);
    config->catalogue.at(configuration).status_list = list.id;
  }
  Result<std::unique_ptr<store::IssuerStore>> st = issuer::OpenIssuerStore(*config);
  if (!st.ok()) return false;
  if (!issuer::EnsureStatusLists(*config, **st, SystemClock::Default().NowSeconds()).ok()) return false;
  // A list's index pool is made on its first allocation, once in its life: not timed.
  for (const issuer::StatusListSpec& list : config->status_lists) {
    if (list.id.rfind("bench-", 0) != 0) continue;
    if (!(*st)->AllocateStatusIndices(list.id, 1, crypto::SystemRandom()).ok()) return false;
  }
  Result<std::unique_ptr<issuer::IssuerService>> svc = issuer::IssuerService::Create(
      std::move(*config), std::move(*st), SystemClock::Default(), crypto::SystemRandom());
  if (!svc.ok()) {
    std::fprintf(stderr, "service: %s\n", svc.status().ToString().c_str());
    return false;
  }
  service.store(svc->get());

  for (const auto& [format, configuration] :
       std::vector<std::pair<std::string, std::string>>{{"sd-jwt-vc", "uk.gov.digital-id.sd-jwt"},
                                                        {"mdoc", "org.iso.18013.5.1.mDL"}}) {
    if (args.format != "both" && args.format != format) continue;
    // Offers up front (not timed): enough for the run at up to ~2,500 flows/s.
    const size_t offers_needed = static_cast<size_t>(args.seconds * 2500) + 200;
    std::vector<std::vector<std::string>> offers(static_cast<size_t>(args.clients));
    for (size_t i = 0; i < offers_needed; ++i) {
      Result<issuer::OfferResult> offer = (*svc)->CreateOffer("demo-0001", configuration, false);
      if (!offer.ok()) {
        std::fprintf(stderr, "offer: %s\n", offer.status().ToString().c_str());
        return false;
      }
      offers[i % offers.size()].push_back(offer->offer_uri);
    }
    // The holder keys too (each client reuses its own for every flow): set-up, not timed or
    // charged to the load generator's CPU.
    std::vector<std::vector<crypto::PrivateKey>> client_keys(offers.size());
    for (std::vector<crypto::PrivateKey>& keys : client_keys) {
      for (int b = 0; b < args.batch; ++b) {
        Result<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
        if (!key.ok()) return false;
        keys.push_back(std::move(*key));
      }
    }
    std::mutex mu;
    std::vector<double> latencies_ms;
    std::atomic<bool> failed{false};
    double client_cpu = 0;  // seconds, summed over the client threads (under mu)
    const double process_cpu_start = bench::CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(args.seconds);
    auto client = [&](size_t k) {
      pthread_setname_np(pthread_self(), "bench-client");
      const double cpu0 = bench::CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
      http::ClientOptions copts;
      copts.keep_alive = args.keep_alive;
      Result<std::unique_ptr<http::Client>> c = http::Client::Create(url, copts);
      std::vector<const crypto::Signer*> signers;
      for (const crypto::PrivateKey& key : client_keys[k]) signers.push_back(&key);
      SystemClock clock;
      std::vector<double> mine;
      for (const std::string& uri : offers[k]) {
        if (std::chrono::steady_clock::now() >= deadline) break;
        const auto t0 = std::chrono::steady_clock::now();
        Result<testing::PreAuthorizedOffer> offer = testing::ParseOffer(uri);
        Result<std::string> access = offer.ok() ? testing::RedeemToken(**c, *offer) : Result<std::string>(offer.status());
        Result<std::vector<std::string>> creds =
            access.ok() ? testing::RequestCredentials(**c, *offer, *access, signers, clock)
                        : Result<std::vector<std::string>>(access.status());
        if (!creds.ok() || creds->size() != static_cast<size_t>(args.batch)) {
          std::fprintf(stderr, "flow: %s\n", creds.ok() ? "wrong count" : creds.status().ToString().c_str());
          failed = true;
          break;
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        for (int b = 0; b < args.batch; ++b) mine.push_back(ms);
      }
      const double cpu = bench::CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
      std::lock_guard lock(mu);
      client_cpu += cpu;
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    };
    std::vector<std::thread> threads;
    for (size_t k = 0; k < offers.size(); ++k) threads.emplace_back(client, k);
    for (std::thread& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Everything in the process that is not a client thread is the issuer: network and worker
    // threads, the blocking pool, SQLite (the PostgreSQL server's own processes are not counted).
    const double process_cpu = bench::CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start;
    if (failed || latencies_ms.empty()) return false;
    std::sort(latencies_ms.begin(), latencies_ms.end());
    Row row;
    row.store = store_kind;
    row.format = format;
    row.credentials = latencies_ms.size();
    row.seconds = elapsed;
    row.rate = static_cast<double>(latencies_ms.size()) / elapsed;
    row.p50_ms = latencies_ms[latencies_ms.size() / 2];
    row.p99_ms = latencies_ms[std::min(latencies_ms.size() - 1, latencies_ms.size() * 99 / 100)];
    row.client_cpu_us = client_cpu * 1e6 / static_cast<double>(latencies_ms.size());
    row.server_cpu_us = (process_cpu - client_cpu) * 1e6 / static_cast<double>(latencies_ms.size());
    rows.push_back(row);
  }
  (*server)->Stop();
  service.store(nullptr);
  svc->reset();
  fs::remove_all(dir);
  return true;
}

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--seconds") args.seconds = std::atof(value.c_str());
    else if (flag == "--clients") args.clients = std::atoi(value.c_str());
    else if (flag == "--workers") args.workers = std::atoi(value.c_str());
    else if (flag == "--store") args.store = value;
    else if (flag == "--batch") args.batch = std::atoi(value.c_str());
    else if (flag == "--keep-alive") args.keep_alive = value != "0";
    else if (flag == "--format") args.format = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (args.seconds <= 0 || args.clients < 1 || args.workers < 1 || args.batch < 1 || args.batch > 100) return 2;
  if (args.format != "both" && args.format != "sd-jwt-vc" && args.format != "mdoc") return 2;
  const double floor_before = FloorMicros();
  const double floor_cpu_before = bench::Es256FloorMicros(1, 1, bench::FloorClock::kThreadCpu);
  std::vector<Row> rows;
  bool ok = true;
  if (args.store == "sqlite" || args.store == "both") ok = Run(args, "sqlite", rows) && ok;
  if (args.store == "postgresql" || args.store == "both") ok = Run(args, "postgresql", rows) && ok;
  const double floor_after = FloorMicros();
  const double floor_cpu_us = (floor_cpu_before + bench::Es256FloorMicros(1, 1, bench::FloorClock::kThreadCpu)) / 2;
  const double floor_us = (floor_before + floor_after) / 2;
  std::printf("floor: one ES256 verify + one ES256 sign = %.1f us (before %.1f, after %.1f); workers %d, clients %d, "
              "credentials per request %d, keep-alive %s\n",
              floor_us, floor_before, floor_after, args.workers, args.clients, args.batch,
              args.keep_alive ? "yes" : "no");
  std::printf("floor CPU time: %.1f us; cpu ratio = that / the issuer's CPU time per credential\n", floor_cpu_us);
  std::printf("%-11s %-10s %8s %10s %9s %9s %12s %8s %11s %11s %10s\n", "store", "format", "creds", "creds/s", "p50 ms",
              "p99 ms", "floor/s", "ratio", "srv cpu us", "cli cpu us", "cpu ratio");
  // The floor: every core signing and verifying (the workers cannot use more cores than exist).
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double parallel = std::min<double>(args.workers, cores);
  for (Row& r : rows) {
    r.floor_rate = parallel * 1e6 / floor_us;
    const double cpu_ratio = r.server_cpu_us > 0 ? floor_cpu_us / r.server_cpu_us : 0;
    std::printf("%-11s %-10s %8zu %10.0f %9.2f %9.2f %12.0f %8.3f %11.1f %11.1f %10.3f\n", r.store.c_str(),
                r.format.c_str(), r.credentials, r.rate, r.p50_ms, r.p99_ms, r.floor_rate, r.rate / r.floor_rate,
                r.server_cpu_us, r.client_cpu_us, cpu_ratio);
  }
  store::testing::PgServer::StopIfRunning();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace bonafide

int main(int argc, char** argv) { return bonafide::Main(argc, argv); }
