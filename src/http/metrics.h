// http/metrics.h: a small Prometheus metrics registry (text exposition format 0.0.4).
//
// A Metrics registry owns counters, gauges and histograms, each with a fixed list of label
// names given at definition. The server records its own request metrics in one and serves
// Render() on /metrics; a service adds its own, e.g.
//   ASSIGN_OR_RETURN(auto* issued, metrics.AddCounter("credentials_issued_total",
//                                                    "Credentials issued.", {"format"}));
//   issued->Increment({"dc+sd-jwt"});
// Label values are escaped on output; keep their cardinality bounded (never ids or paths).
//
// Thread safety: all methods are safe to call concurrently. Metric objects are owned by the
// registry and live as long as it does; pointers returned by Add* stay valid.
#ifndef BONAFIDE_HTTP_METRICS_H_
#define BONAFIDE_HTTP_METRICS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace bonafide::http {

// LabelValues are the values for a metric's label names, in the same order.
using LabelValues = std::vector<std::string>;

// Counter is a monotonically increasing count per label combination.
class Counter {
 public:
  // Increment adds `by`. A call with the wrong number of label values is ignored (and asserts
  // in debug builds): it is a programming error, not input.
  void Increment(const LabelValues& labels = {}, uint64_t by = 1);
  // Value returns the current count for `labels` (0 when never incremented).
  uint64_t Value(const LabelValues& labels = {}) const;

 private:
  friend class Metrics;
  explicit Counter(size_t label_count) : label_count_(label_count) {}
  size_t label_count_;
  mutable std::mutex mu_;
  std::map<LabelValues, uint64_t> values_;
};

// Gauge is a value that goes up and down per label combination.
class Gauge {
 public:
  void Set(double value, const LabelValues& labels = {});
  void Add(double delta, const LabelValues& labels = {});
  double Value(const LabelValues& labels = {}) const;

 private:
  friend class Metrics;
  explicit Gauge(size_t label_count) : label_count_(label_count) {}
  size_t label_count_;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_;
};

// Histogram counts observations into cumulative buckets (upper bounds, plus +Inf) per label
// combination, with their sum and count.
class Histogram {
 public:
  void Observe(double value, const LabelValues& labels = {});

 private:
  friend class Metrics;
  struct Series {
    std::vector<uint64_t> buckets;  // non-cumulative counts per bound; cumulated on output
    uint64_t count = 0;
    double sum = 0;
  };
  Histogram(size_t label_count, std::vector<double> bounds)
      : label_count_(label_count), bounds_(std::move(bounds)) {}
  size_t label_count_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;
};

// DefaultDurationBuckets returns request-duration bounds in seconds:
// 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10.
std::vector<double> DefaultDurationBuckets();

// Metrics is the registry.
class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // AddCounter defines a counter. kInvalidArgument when `name` or a label name is not a valid
  // Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]* for metrics, no ':' and no "__" prefix for
  // labels), a label name repeats, or `name` is already defined.
  Result<Counter*> AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {});
  // AddGauge defines a gauge; failures as for AddCounter.
  Result<Gauge*> AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  // AddHistogram defines a histogram with the given bucket upper bounds (strictly increasing,
  // finite, non-empty; "le" is reserved as a label name). Failures as for AddCounter, and
  // kInvalidArgument for bad bounds.
  Result<Histogram*> AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> label_names,
                                  std::vector<double> bounds);

  // Render returns every metric in the Prometheus text format, in definition order.
  std::string Render() const;

 private:
  struct Entry {
    std::string name;
    std::string help;
    std::vector<std::string> label_names;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  Status CheckNew(const std::string& name, const std::vector<std::string>& label_names) const;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace bonafide::http

#endif  // BONAFIDE_HTTP_METRICS_H_
