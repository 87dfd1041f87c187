#include "tests/store/pg_server.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "store/postgres_store.h"

namespace bonafide::store::testing {

namespace {

std::mutex g_mu;
std::unique_ptr<PgServer> g_server;
Status g_start_error;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<PgServer*> PgServer::Get() {
  std::lock_guard lock(g_mu);
  if (g_server) return g_server.get();
  if (!g_start_error.ok()) return g_start_error;
  auto fail = [](std::string msg) {
    g_start_error = Error(StatusCode::kIoError, std::move(msg));
    return g_start_error;
  };
  auto server = std::make_unique<PgServer>();
  const char* env_bin = std::getenv("BONAFIDE_PG_BIN");
  server->bin_ = env_bin != nullptr ? env_bin : "/usr/lib/postgresql/15/bin";
  if (access((server->bin_ + "/initdb").c_str(), X_OK) != 0 ||
      access((server->bin_ + "/pg_ctl").c_str(), X_OK) != 0) {
    return fail("PostgreSQL binaries not found in " + server->bin_ +
                " (install Debian's postgresql: make setup)");
  }
  char tmpl[] = "/tmp/bonafide-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return fail("mkdtemp failed");
  server->dir_ = tmpl;
  std::string run_as;
  if (geteuid() == 0) {
    passwd* pw = getpwnam("nobody");
    if (pw == nullptr) return fail("running as root and there is no user 'nobody' for postgres");
    if (chown(server->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return fail("chown failed");
    run_as = "runuser -u nobody -- ";
  }
  const std::string& d = server->dir_;
  std::string initdb = run_as + server->bin_ + "/initdb -D " + d + "/data -U postgres -A trust -N" +
                       " -E UTF8 --locale=C --no-instructions > " + d + "/initdb.log 2>&1";
  if (std::system(initdb.c_str()) != 0) {
    std::string log = ReadFile(d + "/initdb.log");
    std::filesystem::remove_all(d);
    return fail("initdb failed: " + log);
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreePort();
    std::string start = run_as + server->bin_ + "/pg_ctl -D " + d + "/data -w -t 60 -l " + d +
                        "/server.log -o \"-h 127.0.0.1 -p " + std::to_string(server->port_) + " -k " + d +
                        " -c fsync=off -c max_connections=200\" start > " + d + "/pg_ctl.log 2>&1";
    if (std::system(start.c_str()) == 0) {
      g_server = std::move(server);
      return g_server.get();
    }
  }
  std::string log = ReadFile(d + "/server.log");
  std::filesystem::remove_all(d);
  return fail("pg_ctl start failed: " + log);
}

Result<std::string> PgServer::NewDatabase() {
  std::string name;
  {
    std::lock_guard lock(g_mu);
    name = "t" + std::to_string(++next_db_);
  }
  std::string base = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres ";
  // The name is generated here from a counter, never from input.
  RETURN_IF_ERROR(PostgresStore::InsecureExecForTesting(base + "dbname=postgres", "CREATE DATABASE " + name));
  return base + "dbname=" + name;
}

Result<std::string> PgServer::NewDatabaseUrl() {
  ASSIGN_OR_RETURN(std::string conninfo, NewDatabase());
  const size_t db = conninfo.find("dbname=");
  if (db == std::string::npos) return Error(StatusCode::kInternal, "conninfo without dbname");
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + conninfo.substr(db + 7);
}

void PgServer::StopIfRunning() {
  std::lock_guard lock(g_mu);
  if (!g_server) return;
  std::string run_as = geteuid() == 0 ? "runuser -u nobody -- " : "";
  std::string stop =
      run_as + g_server->bin_ + "/pg_ctl -D " + g_server->dir_ + "/data -w -m fast stop > /dev/null 2>&1";
  if (std::system(stop.c_str()) != 0) {
    ADD_FAILURE() << "pg_ctl stop failed";
  }
  std::filesystem::remove_all(g_server->dir_);
  g_server.reset();
}

namespace {

class PgEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PgServer::StopIfRunning(); }
};

[[maybe_unused]] ::testing::Environment* const g_env = ::testing::AddGlobalTestEnvironment(new PgEnvironment);

}  // namespace

}  // namespace bonafide::store::testing
