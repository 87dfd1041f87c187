#include "http/logger.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace bonafide::http {

LogSink StderrSink() {
  return [](std::string_view line) {
    std::string out(line);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
    std::fflush(stderr);
  };
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string Rfc3339Now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms_total =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms_total / 1000);
  const int ms = static_cast<int>(ms_total % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

Logger::Logger(std::string service, LogSink sink)
    : service_(std::move(service)), sink_(sink ? std::move(sink) : StderrSink()) {}

void Logger::Log(LogLevel level, std::string_view event, const Json& fields) const {
  Json line = Json::object();
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      const std::string& key = it.key();
      if (key == "time" || key == "level" || key == "service" || key == "event") continue;
      line[key] = it.value();
    }
  }
  line["time"] = Rfc3339Now();
  line["level"] = std::string(LogLevelName(level));
  line["service"] = service_;
  line["event"] = std::string(event);
  std::string text = DumpJson(line);
  std::lock_guard<std::mutex> lock(mu_);
  sink_(text);
}

}  // namespace bonafide::http
