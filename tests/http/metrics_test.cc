// Tests for http::Metrics (Prometheus text rendering), http::Logger and the query decoder.
#include "http/metrics.h"

#include <gtest/gtest.h>

#include "http/internal/url.h"
#include "http/logger.h"
#include "http/message.h"

namespace bonafide::http {
namespace {

TEST(MetricsTest, RendersCounterGaugeHistogramExactly) {
  Metrics m;
  auto c = m.AddCounter("credentials_issued_total", "Credentials issued.", {"format"});
  ASSERT_TRUE(c.ok());
  auto g = m.AddGauge("queue_depth", "Queue depth.");
  ASSERT_TRUE(g.ok());
  auto h = m.AddHistogram("op_seconds", "Op time.", {"op"}, {0.1, 1});
  ASSERT_TRUE(h.ok());
  (*c)->Increment({"dc+sd-jwt"});
  (*c)->Increment({"dc+sd-jwt"}, 2);
  (*c)->Increment({"mso_mdoc"});
  (*g)->Set(5);
  (*g)->Add(-1.5);
  (*h)->Observe(0.1, {"sign"});  // boundary: le is inclusive
  (*h)->Observe(0.5, {"sign"});
  (*h)->Observe(3, {"sign"});
  EXPECT_EQ((*c)->Value({"dc+sd-jwt"}), 3u);
  EXPECT_EQ((*c)->Value({"jwt_vc_json"}), 0u);
  EXPECT_EQ((*g)->Value(), 3.5);
  EXPECT_EQ(m.Render(),
            "# HELP credentials_issued_total Credentials issued.\n"
            "# TYPE credentials_issued_total counter\n"
            "credentials_issued_total{format=\"dc+sd-jwt\"} 3\n"
            "credentials_issued_total{format=\"mso_mdoc\"} 1\n"
            "# HELP queue_depth Queue depth.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 3.5\n"
            "# HELP op_seconds Op time.\n"
            "# TYPE op_seconds histogram\n"
            "op_seconds_bucket{op=\"sign\",le=\"0.1\"} 1\n"
            "op_seconds_bucket{op=\"sign\",le=\"1\"} 2\n"
            "op_seconds_bucket{op=\"sign\",le=\"+Inf\"} 3\n"
            "op_seconds_sum{op=\"sign\"} 3.6\n"
            "op_seconds_count{op=\"sign\"} 3\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics m;
  auto c = m.AddCounter("x_total", "line1\nline2 \\ \"q\"", {"v"});
  ASSERT_TRUE(c.ok());
  (*c)->Increment({"a\"b\\c\nd"});
  EXPECT_EQ(m.Render(),
            "# HELP x_total line1\\nline2 \\\\ \"q\"\n"
            "# TYPE x_total counter\n"
            "x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, RejectsBadNamesDuplicatesAndBounds) {
  Metrics m;
  EXPECT_EQ(m.AddCounter("", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddCounter("1abc", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddCounter("a-b", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(m.AddCounter("a:b_1", "h").ok());  // boundary: ':' and digits allowed after the first
  EXPECT_EQ(m.AddCounter("a:b_1", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddGauge("a:b_1", "h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddCounter("c", "h", {"a:b"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddCounter("c", "h", {"__x"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddCounter("c", "h", {"x", "x"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(m.AddCounter("c", "h", {"_x"}).ok());
  EXPECT_EQ(m.AddHistogram("h1", "h", {"le"}, {1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddHistogram("h1", "h", {}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddHistogram("h1", "h", {}, {1, 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.AddHistogram("h1", "h", {}, {1, 1.0 / 0.0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(m.AddHistogram("h1", "h", {}, {1, 2}).ok());
}

TEST(MetricsTest, UnincrementedMetricRendersOnlyHeader) {
  Metrics m;
  ASSERT_TRUE(m.AddCounter("never_total", "Never.").ok());
  EXPECT_EQ(m.Render(), "# HELP never_total Never.\n# TYPE never_total counter\n");
}

TEST(LoggerTest, WritesJsonLinesAndProtectsFixedFields) {
  std::vector<std::string> lines;
  Logger logger("svc", [&](std::string_view l) { lines.emplace_back(l); });
  logger.Info("citizen_imported", {{"rows", 3}, {"service", "forged"}, {"level", "forged"}});
  logger.Warn("w");
  logger.Error("e", Json::array({1}));  // not an object: fields ignored
  ASSERT_EQ(lines.size(), 3u);
  auto j = ParseJsonObject(lines[0]);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["service"], "svc");
  EXPECT_EQ((*j)["level"], "info");
  EXPECT_EQ((*j)["event"], "citizen_imported");
  EXPECT_EQ((*j)["rows"], 3);
  EXPECT_EQ(ParseJsonObject(lines[1]).value()["level"], "warn");
  auto e = ParseJsonObject(lines[2]);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)["level"], "error");
  EXPECT_EQ(e->size(), 4u);
}

TEST(UrlTest, ParseQueryDecodes) {
  auto q = internal::ParseQuery("a=1&b=x%20y+z&&c&d=%zz&e=%4");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"b", "x y z"}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"d", "%zz"}));
  EXPECT_EQ(q[4], (std::pair<std::string, std::string>{"e", "%4"}));
  EXPECT_EQ(internal::PercentDecode("%41%4a", false), "AJ");
  EXPECT_EQ(internal::PercentDecode("a+b", false), "a+b");
  EXPECT_TRUE(internal::ParseQuery("").empty());
}

TEST(MessageTest, HeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(r.Header("CONTENT-TYPE").value_or(""), "a");
  EXPECT_FALSE(r.Header("Content-Typ").has_value());
  EXPECT_FALSE(r.PathParam("x").has_value());
  EXPECT_TRUE(EqualsIgnoreCase("AbC", "aBc"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
}

}  // namespace
}  // namespace bonafide::http
