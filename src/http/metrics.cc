#include "http/metrics.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <set>

namespace bonafide::http {

namespace {

bool IsMetricName(std::string_view name, bool label) {
  if (name.empty()) return false;
  if (label && name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

std::string FormatNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void AppendEscaped(std::string& out, std::string_view text, bool help) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && !help) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

// AppendLabels writes {a="x",b="y"} (nothing when there are no labels); `extra` is an
// additional already-escaped label such as le="0.5".
void AppendLabels(std::string& out, const std::vector<std::string>& names, const LabelValues& values,
                  std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return;
  out.push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], false);
    out.push_back('"');
  }
  if (!extra.empty()) {
    if (!names.empty()) out.push_back(',');
    out += extra;
  }
  out.push_back('}');
}

}  // namespace

void Counter::Increment(const LabelValues& labels, uint64_t by) {
  assert(labels.size() == label_count_);
  if (labels.size() != label_count_) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] += by;
}

uint64_t Counter::Value(const LabelValues& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void Gauge::Set(double value, const LabelValues& labels) {
  assert(labels.size() == label_count_);
  if (labels.size() != label_count_) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] = value;
}

void Gauge::Add(double delta, const LabelValues& labels) {
  assert(labels.size() == label_count_);
  if (labels.size() != label_count_) return;
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] += delta;
}

double Gauge::Value(const LabelValues& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void Histogram::Observe(double value, const LabelValues& labels) {
  assert(labels.size() == label_count_);
  if (labels.size() != label_count_ || std::isnan(value)) return;
  std::lock_guard<std::mutex> lock(mu_);
  Series& s = series_[labels];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++s.buckets[i];
      break;
    }
  }
  ++s.count;
  s.sum += value;
}

std::vector<double> DefaultDurationBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Status Metrics::CheckNew(const std::string& name, const std::vector<std::string>& label_names) const {
  if (!IsMetricName(name, false)) return Error(StatusCode::kInvalidArgument, "invalid metric name");
  std::set<std::string> seen;
  for (const auto& l : label_names) {
    if (!IsMetricName(l, true)) return Error(StatusCode::kInvalidArgument, "invalid label name");
    if (!seen.insert(l).second) return Error(StatusCode::kInvalidArgument, "duplicate label name");
  }
  for (const auto& e : entries_) {
    if (e->name == name) return Error(StatusCode::kInvalidArgument, "metric already defined: " + name);
  }
  return OkStatus();
}

Result<Counter*> Metrics::AddCounter(std::string name, std::string help,
                                     std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckNew(name, label_names));
  auto e = std::make_unique<Entry>();
  e->counter.reset(new Counter(label_names.size()));
  e->name = std::move(name);
  e->help = std::move(help);
  e->label_names = std::move(label_names);
  Counter* out = e->counter.get();
  entries_.push_back(std::move(e));
  return out;
}

Result<Gauge*> Metrics::AddGauge(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckNew(name, label_names));
  auto e = std::make_unique<Entry>();
  e->gauge.reset(new Gauge(label_names.size()));
  e->name = std::move(name);
  e->help = std::move(help);
  e->label_names = std::move(label_names);
  Gauge* out = e->gauge.get();
  entries_.push_back(std::move(e));
  return out;
}

Result<Histogram*> Metrics::AddHistogram(std::string name, std::string help,
                                         std::vector<std::string> label_names,
                                         std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(CheckNew(name, label_names));
  for (const auto& l : label_names) {
    if (l == "le") return Error(StatusCode::kInvalidArgument, "label name le is reserved");
  }
  if (bounds.empty()) return Error(StatusCode::kInvalidArgument, "histogram needs buckets");
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return Error(StatusCode::kInvalidArgument, "histogram bounds must be finite and increasing");
    }
  }
  auto e = std::make_unique<Entry>();
  e->histogram.reset(new Histogram(label_names.size(), std::move(bounds)));
  e->name = std::move(name);
  e->help = std::move(help);
  e->label_names = std::move(label_names);
  Histogram* out = e->histogram.get();
  entries_.push_back(std::move(e));
  return out;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& e : entries_) {
    out += "# HELP " + e->name + " ";
    AppendEscaped(out, e->help, true);
    out += "\n# TYPE " + e->name + (e->counter ? " counter\n" : e->gauge ? " gauge\n" : " histogram\n");
    if (e->counter) {
      std::lock_guard<std::mutex> l(e->counter->mu_);
      for (const auto& [labels, v] : e->counter->values_) {
        out += e->name;
        AppendLabels(out, e->label_names, labels);
        out += " " + std::to_string(v) + "\n";
      }
    } else if (e->gauge) {
      std::lock_guard<std::mutex> l(e->gauge->mu_);
      for (const auto& [labels, v] : e->gauge->values_) {
        out += e->name;
        AppendLabels(out, e->label_names, labels);
        out += " " + FormatNumber(v) + "\n";
      }
    } else {
      const Histogram& h = *e->histogram;
      std::lock_guard<std::mutex> l(h.mu_);
      for (const auto& [labels, s] : h.series_) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.bounds_.size(); ++i) {
          std::string le = "le=\"";
          if (i < h.bounds_.size()) {
            cumulative += s.buckets[i];
            le += FormatNumber(h.bounds_[i]);
          } else {
            cumulative = s.count;
            le += "+Inf";
          }
          le += "\"";
          out += e->name + "_bucket";
          AppendLabels(out, e->label_names, labels, le);
          out += " " + std::to_string(cumulative) + "\n";
        }
        out += e->name + "_sum";
        AppendLabels(out, e->label_names, labels);
        out += " " + FormatNumber(s.sum) + "\n";
        out += e->name + "_count";
        AppendLabels(out, e->label_names, labels);
        out += " " + std::to_string(s.count) + "\n";
      }
    }
  }
  return out;
}

}  // namespace bonafide::http
