// Tests of issuer/csv.h: the strict streaming RFC 4180 reader and the citizen row mapping.
#include "issuer/csv.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/json.h"
#include "issuer/catalogue.h"

namespace bonafide::issuer {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// ReadAll reads every record of `text`; stops at the first error and returns it.
Result<Rows> ReadAll(const std::string& text, CsvLimits limits = {}) {
  std::istringstream in(text);
  CsvReader reader(in, limits);
  Rows rows;
  CsvRecord record;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(record));
    if (!more) return rows;
    rows.push_back(record.fields);
  }
}

TEST(CsvReaderTest, PlainLfAndCrlf) {
  auto lf = ReadAll("id,a\n1,x\n2,y\n");
  ASSERT_TRUE(lf.ok()) << lf.status().message();
  EXPECT_EQ(*lf, (Rows{{"id", "a"}, {"1", "x"}, {"2", "y"}}));
  auto crlf = ReadAll("id,a\r\n1,x\r\n2,y\r\n");
  ASSERT_TRUE(crlf.ok());
  EXPECT_EQ(*crlf, *lf);
  // Boundary: the last record without a line ending.
  auto last = ReadAll("id,a\r\n1,x\r\n2,y");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, *lf);
}

TEST(CsvReaderTest, QuotedFieldsWithCommasQuotesAndNewlines) {
  auto rows = ReadAll("id,a,b\n\"1\",\"x, y\",\"say \"\"hi\"\"\"\n2,\"line1\r\nline2\nline3\",\"\"\n");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"2", "line1\r\nline2\nline3", ""}));
}

TEST(CsvReaderTest, LineNumbersCountPhysicalLines) {
  std::istringstream in("id,a\n1,\"two\nlines\"\n2,x\n");
  CsvReader reader(in);
  CsvRecord record;
  ASSERT_TRUE(*reader.Next(record));
  EXPECT_EQ(record.line, 1);
  ASSERT_TRUE(*reader.Next(record));
  EXPECT_EQ(record.line, 2);
  ASSERT_TRUE(*reader.Next(record));
  EXPECT_EQ(record.line, 4);
  auto end = reader.Next(record);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(CsvReaderTest, RaggedRowIsRecoverable) {
  std::istringstream in("id,a\n1,x\n2,y,z\n3\n4,w\n");
  CsvReader reader(in);
  CsvRecord record;
  ASSERT_TRUE(*reader.Next(record));
  ASSERT_TRUE(*reader.Next(record));
  auto ragged = reader.Next(record);
  ASSERT_FALSE(ragged.ok());
  EXPECT_EQ(ragged.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(reader.error_line(), 3);
  EXPECT_EQ(ragged.status().message().rfind("line 3: ", 0), 0u) << ragged.status().message();
  EXPECT_FALSE(reader.failed());
  auto short_row = reader.Next(record);
  ASSERT_FALSE(short_row.ok());
  EXPECT_EQ(short_row.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(reader.error_line(), 4);
  auto good = reader.Next(record);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(record.fields, (std::vector<std::string>{"4", "w"}));
  EXPECT_EQ(record.line, 5);
}

TEST(CsvReaderTest, BlankLineIsRagged) {
  auto rows = ReadAll("id,a\n\n1,x\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kMalformed);
  // Boundary: with a one-column header a blank line is an empty field, not ragged.
  auto one = ReadAll("id\n\n1\n");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 3u);
}

TEST(CsvReaderTest, UnterminatedQuoteIsFinal) {
  std::istringstream in("id,a\n1,\"open\n2,x\n");
  CsvReader reader(in);
  CsvRecord record;
  ASSERT_TRUE(*reader.Next(record));
  auto bad = reader.Next(record);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(reader.error_line(), 2);
  EXPECT_TRUE(reader.failed());
  auto again = reader.Next(record);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kMalformed);
}

TEST(CsvReaderTest, StrayQuotesAreRecoverableErrors) {
  std::istringstream in("id,a\n1,ab\"c\n2,\"x\"y\n3,\"ok\"\n");
  CsvReader reader(in);
  CsvRecord record;
  ASSERT_TRUE(*reader.Next(record));
  auto inside = reader.Next(record);
  ASSERT_FALSE(inside.ok());
  EXPECT_EQ(inside.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(reader.error_line(), 2);
  auto after = reader.Next(record);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(reader.error_line(), 3);
  ASSERT_TRUE(*reader.Next(record));
  EXPECT_EQ(record.fields, (std::vector<std::string>{"3", "ok"}));
}

TEST(CsvReaderTest, BareCrIsMalformed) {
  auto rows = ReadAll("id,a\r1,x\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kMalformed);
  // Boundary: a CR inside quotes is data.
  auto quoted = ReadAll("id,a\n1,\"x\ry\"\n");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ((*quoted)[1][1], "x\ry");
}

TEST(CsvReaderTest, ByteOrderMarkIsSkippedOnlyAtTheStart) {
  auto rows = ReadAll("\xEF\xBB\xBFid,a\n1,x\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "id");
  auto later = ReadAll("id,a\n\xEF\xBB\xBF\x31,x\n");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ((*later)[1][0], "\xEF\xBB\xBF\x31");
}

TEST(CsvReaderTest, EmptyFileAndHeaderOnly) {
  auto empty = ReadAll("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto bom_only = ReadAll("\xEF\xBB\xBF");
  ASSERT_TRUE(bom_only.ok());
  EXPECT_TRUE(bom_only->empty());
  auto header = ReadAll("id,a\n");
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->size(), 1u);
}

TEST(CsvReaderTest, RecordLengthIsBounded) {
  CsvLimits limits;
  limits.max_record_bytes = 8;
  auto at_limit = ReadAll("id,a\n1,23456\n", limits);  // "1,23456\n" is 8 bytes
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().message();
  auto over = ReadAll("id,a\n1,234567\n", limits);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kLimitExceeded);
}

TEST(CsvReaderTest, FieldCountIsBounded) {
  CsvLimits limits;
  limits.max_fields = 3;
  auto at_limit = ReadAll("a,b,c\n", limits);
  ASSERT_TRUE(at_limit.ok());
  auto over = ReadAll("a,b,c,d\n", limits);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kLimitExceeded);
}

TEST(CsvReaderTest, LongFileStreamsAcrossBuffers) {
  std::string text = "id,a\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",\"v," + std::to_string(i) + "\"\r\n";
  auto rows = ReadAll(text);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 20001u);
  EXPECT_EQ((*rows)[20000][1], "v,19999");
}

// --- mapping ---

Catalogue UkCatalogue() {
  auto json = EmbeddedUkCatalogueJson();
  EXPECT_TRUE(json.ok());
  auto catalogue = ParseCatalogue(*json);
  EXPECT_TRUE(catalogue.ok());
  return *catalogue;
}

TEST(CitizenCsvMappingTest, BuildsTheCitizenRecord) {
  Catalogue catalogue = UkCatalogue();
  auto mapping = CitizenCsvMapping::FromHeader(
      {"id", "uk.gov.digital-id.sd-jwt:family_name", "uk.gov.digital-id.sd-jwt:age_over_18:bool",
       "org.iso.18013.5.1.mDL:org.iso.18013.5.1/height:int",
       "org.iso.18013.5.1.mDL:org.iso.18013.5.1.GB/welsh_licence:bool",
       "uk.gov.mod.veteran-card:birthDate:json", "uk.gov.gro.marriage:uk.gov.gro.marriage.1/entry_number"},
      &catalogue);
  ASSERT_TRUE(mapping.ok()) << mapping.status().message();
  auto citizen = mapping->ToCitizen(
      {"c-1", "Morrison", "true", "180", "false", "[{\"value\":\"1985-11-02\"}]", ""});
  ASSERT_TRUE(citizen.ok()) << citizen.status().message();
  EXPECT_EQ(citizen->id, "c-1");
  auto parsed = ParseJsonObject(citizen->data_json);
  ASSERT_TRUE(parsed.ok());
  Json expected = ParseJson(R"({"id":"c-1","claims":{
      "uk.gov.digital-id.sd-jwt":{"family_name":"Morrison","age_over_18":true},
      "org.iso.18013.5.1.mDL":{"org.iso.18013.5.1":{"height":180},"org.iso.18013.5.1.GB":{"welsh_licence":false}},
      "uk.gov.mod.veteran-card":{"birthDate":[{"value":"1985-11-02"}]}}})")
                      .value();
  EXPECT_EQ(*parsed, expected);  // the empty marriage cell leaves the configuration out
}

TEST(CitizenCsvMappingTest, HeaderErrors) {
  Catalogue catalogue = UkCatalogue();
  auto code = [&](const std::vector<std::string>& header) {
    auto m = CitizenCsvMapping::FromHeader(header, &catalogue);
    return m.ok() ? StatusCode::kOk : m.status().code();
  };
  EXPECT_EQ(code({"id"}), StatusCode::kOk);  // boundary: no claim columns
  EXPECT_EQ(code({}), StatusCode::kMalformed);
  EXPECT_EQ(code({"ID", "uk.gov.digital-id.sd-jwt:a"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", ":a"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt:a//b"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt:a:date"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt:a:string:x"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt:a", "uk.gov.digital-id.sd-jwt:a:bool"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt:a", "uk.gov.digital-id.sd-jwt:a/b"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.sd-jwt:a/b", "uk.gov.digital-id.sd-jwt:a/c"}), StatusCode::kOk);
  EXPECT_EQ(code({"id", "no.such.config:a"}), StatusCode::kNotFound);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.mdoc:family_name"}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({"id", "uk.gov.digital-id.mdoc:uk.gov.digital-id.1/family_name"}), StatusCode::kOk);
  // Without a catalogue any configuration id passes.
  EXPECT_TRUE(CitizenCsvMapping::FromHeader({"id", "no.such.config:a"}, nullptr).ok());
}

TEST(CitizenCsvMappingTest, RowErrors) {
  auto mapping = CitizenCsvMapping::FromHeader({"id", "c:s", "c:b:bool", "c:n:int", "c:j:json"}, nullptr);
  ASSERT_TRUE(mapping.ok());
  auto code = [&](const std::vector<std::string>& row) {
    auto c = mapping->ToCitizen(row);
    return c.ok() ? StatusCode::kOk : c.status().code();
  };
  EXPECT_EQ(code({"x", "é", "true", "-9223372036854775808", "{\"a\":[1]}"}), StatusCode::kOk);
  EXPECT_EQ(code({"", "a", "", "", ""}), StatusCode::kInvalidClaims);
  EXPECT_EQ(code({"has space", "", "", "", ""}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({std::string(256, 'a'), "", "", "", ""}), StatusCode::kOk);
  EXPECT_EQ(code({std::string(257, 'a'), "", "", "", ""}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({"x", "\xC3", "", "", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "\xC0\x80", "", "", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "", "True", "", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "", "", "9223372036854775808", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "", "", "+1", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "", "", "1.5", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "", "", "", "{\"a\":1,\"a\":2}"}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", "", ""}), StatusCode::kMalformed);
  EXPECT_EQ(code({"x", std::string(70000, 'a'), "", "", ""}), StatusCode::kLimitExceeded);
}

}  // namespace
}  // namespace bonafide::issuer
