// http/logger.h: structured JSON-lines logging.
//
// Logger writes one JSON object per line: {"time": RFC 3339 UTC with milliseconds, "level",
// "service", "event", ...fields}. The server logs one line per request through it; other code
// logs events (an issuance, a failed import row) the same way. Callers must never put secrets,
// request bodies or Authorization headers in fields.
//
// Thread safety: Log may be called from any thread; calls to the sink are serialised by the
// Logger, so a sink need not be thread-safe itself.
#ifndef BONAFIDE_HTTP_LOGGER_H_
#define BONAFIDE_HTTP_LOGGER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/json.h"

namespace bonafide::http {

// LogSink receives one complete JSON line (without the trailing newline).
using LogSink = std::function<void(std::string_view line)>;

// StderrSink returns a sink writing each line plus "\n" to standard error.
LogSink StderrSink();

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// LogLevelName returns "debug", "info", "warn" or "error".
std::string_view LogLevelName(LogLevel level);

// Logger formats and emits JSON log lines for one service.
class Logger {
 public:
  // Logger writes to `sink`, or to StderrSink() when `sink` is empty.
  explicit Logger(std::string service, LogSink sink = nullptr);

  // Log emits one line. `fields` must be a JSON object (anything else is ignored); its members
  // are added after the fixed ones, and members named time, level, service or event are dropped
  // so a caller cannot forge them.
  void Log(LogLevel level, std::string_view event, const Json& fields = Json::object()) const;
  void Info(std::string_view event, const Json& fields = Json::object()) const {
    Log(LogLevel::kInfo, event, fields);
  }
  void Warn(std::string_view event, const Json& fields = Json::object()) const {
    Log(LogLevel::kWarn, event, fields);
  }
  void Error(std::string_view event, const Json& fields = Json::object()) const {
    Log(LogLevel::kError, event, fields);
  }

  const std::string& service() const { return service_; }

 private:
  std::string service_;
  LogSink sink_;
  mutable std::mutex mu_;
};

// Rfc3339Now returns the current UTC time as "2026-11-26T20:55:08.123Z".
std::string Rfc3339Now();

}  // namespace bonafide::http

#endif  // BONAFIDE_HTTP_LOGGER_H_
