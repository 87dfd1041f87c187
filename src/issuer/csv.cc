// issuer/csv.cc: see csv.h.
#include "issuer/csv.h"

#include <charconv>
#include <utility>

#include "base/encoding.h"
#include "base/json.h"

namespace bonafide::issuer {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;

// ValidUtf8 returns whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF; RFC 3629 section 4).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      const unsigned char min = k == 1 ? lo : 0x80;
      const unsigned char max = k == 1 ? hi : 0xBF;
      if (c < min || c > max) return false;
    }
    i += n + 1;
  }
  return true;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, at - start));
    start = at + 1;
  }
}

Status ColumnError(StatusCode code, size_t index, std::string_view header, const std::string& what) {
  return Error(code, "column " + std::to_string(index + 1) + " \"" + std::string(header) + "\": " + what);
}

}  // namespace

CsvReader::CsvReader(std::istream& in, CsvLimits limits) : in_(in), limits_(limits), buf_(kBufferBytes) {}

bool CsvReader::Fill() {
  if (eof_) return false;
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  const std::streamsize got = in_.gcount();
  if (in_.bad()) {
    io_failed_ = true;
    eof_ = true;
    return false;
  }
  pos_ = 0;
  end_ = static_cast<size_t>(got);
  if (!in_) eof_ = true;  // short read: end of file
  return end_ > 0;
}

int CsvReader::Peek() {
  if (pos_ == end_ && !Fill()) return -1;
  return static_cast<unsigned char>(buf_[pos_]);
}

int CsvReader::Get() {
  const int c = Peek();
  if (c >= 0) ++pos_;
  return c;
}

void CsvReader::SkipLine() {
  for (;;) {
    const int c = Get();
    if (c < 0) return;
    if (c == '\n') {
      ++line_;
      return;
    }
  }
}

Status CsvReader::Fail(StatusCode code, int64_t line, const std::string& what, bool final) {
  error_line_ = line;
  Status status = Error(code, "line " + std::to_string(line) + ": " + what);
  if (final) final_error_ = status;
  return status;
}

Result<bool> CsvReader::Next(CsvRecord& record) {
  if (!final_error_.ok()) return final_error_;
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark (EF BB BF) at the very start is not data.
    if (Peek() == 0xEF && pos_ + 3 <= end_ && static_cast<unsigned char>(buf_[pos_ + 1]) == 0xBB &&
        static_cast<unsigned char>(buf_[pos_ + 2]) == 0xBF) {
      pos_ += 3;
    }
  }
  record.fields.clear();
  const int64_t start = line_;
  record.line = start;
  if (Peek() < 0) {
    if (io_failed_) return Fail(StatusCode::kIoError, start, "read failed", true);
    return false;
  }
  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterQuote };
  State state = State::kFieldStart;
  std::string field;
  size_t bytes = 0;
  int64_t quote_line = 0;
  bool too_many_fields = false;
  auto end_field = [&] {
    if (record.fields.size() >= limits_.max_fields) {
      too_many_fields = true;
      return;
    }
    record.fields.push_back(std::move(field));
    field.clear();
  };
  bool done = false;
  while (!done) {
    const int c = Get();
    if (c >= 0 && ++bytes > limits_.max_record_bytes) {
      return Fail(StatusCode::kLimitExceeded, start,
                  "record longer than " + std::to_string(limits_.max_record_bytes) + " bytes", true);
    }
    if (c < 0) {
      if (io_failed_) return Fail(StatusCode::kIoError, start, "read failed", true);
      if (state == State::kQuoted) {
        return Fail(StatusCode::kMalformed, start,
                    "quoted field opened on line " + std::to_string(quote_line) + " is never closed", true);
      }
      end_field();
      break;
    }
    switch (state) {
      case State::kFieldStart:
        if (c == '"') {
          state = State::kQuoted;
          quote_line = line_;
          break;
        }
        state = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted:
        if (c == ',') {
          end_field();
          state = State::kFieldStart;
        } else if (c == '\n') {
          ++line_;
          end_field();
          done = true;
        } else if (c == '\r') {
          if (Peek() != '\n') {
            SkipLine();
            return Fail(StatusCode::kMalformed, start, "CR not followed by LF", false);
          }
          Get();
          ++line_;
          end_field();
          done = true;
        } else if (c == '"') {
          SkipLine();
          return Fail(StatusCode::kMalformed, start, "'\"' inside an unquoted field", false);
        } else {
          field.push_back(static_cast<char>(c));
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            ++bytes;
            field.push_back('"');
          } else {
            state = State::kAfterQuote;
          }
        } else {
          if (c == '\n') ++line_;
          field.push_back(static_cast<char>(c));
        }
        break;
      case State::kAfterQuote:
        if (c == ',') {
          end_field();
          state = State::kFieldStart;
        } else if (c == '\n') {
          ++line_;
          end_field();
          done = true;
        } else if (c == '\r' && Peek() == '\n') {
          Get();
          ++line_;
          end_field();
          done = true;
        } else {
          SkipLine();
          return Fail(StatusCode::kMalformed, start, "character after a closing quote", false);
        }
        break;
    }
    if (too_many_fields) {
      return Fail(StatusCode::kLimitExceeded, start,
                  "more than " + std::to_string(limits_.max_fields) + " fields", true);
    }
  }
  if (too_many_fields) {
    return Fail(StatusCode::kLimitExceeded, start, "more than " + std::to_string(limits_.max_fields) + " fields",
                true);
  }
  if (width_ == 0) {
    width_ = record.fields.size();
  } else if (record.fields.size() != width_) {
    return Fail(StatusCode::kMalformed, start,
                std::to_string(record.fields.size()) + " fields where the header has " + std::to_string(width_),
                false);
  }
  return true;
}

Result<CitizenCsvMapping> CitizenCsvMapping::FromHeader(const std::vector<std::string>& header,
                                                        const Catalogue* catalogue) {
  if (header.empty() || header[0] != "id") {
    return Error(StatusCode::kMalformed, "the first column of the header must be \"id\"");
  }
  CitizenCsvMapping mapping;
  for (size_t i = 1; i < header.size(); ++i) {
    const std::string& name = header[i];
    std::vector<std::string> parts = Split(name, ':');
    if (parts.size() < 2 || parts.size() > 3) {
      return ColumnError(StatusCode::kMalformed, i, name, "expected CONFIGURATION_ID:PATH[:TYPE]");
    }
    CitizenColumn column;
    column.configuration_id = parts[0];
    if (column.configuration_id.empty()) {
      return ColumnError(StatusCode::kMalformed, i, name, "empty configuration id");
    }
    column.path = Split(parts[1], '/');
    for (const std::string& segment : column.path) {
      if (segment.empty()) return ColumnError(StatusCode::kMalformed, i, name, "empty path segment");
    }
    if (parts.size() == 3) {
      const std::string& type = parts[2];
      if (type == "string") {
        column.type = CitizenValueType::kString;
      } else if (type == "bool") {
        column.type = CitizenValueType::kBool;
      } else if (type == "int") {
        column.type = CitizenValueType::kInt;
      } else if (type == "json") {
        column.type = CitizenValueType::kJson;
      } else {
        return ColumnError(StatusCode::kMalformed, i, name, "type must be string, bool, int or json");
      }
    }
    if (catalogue != nullptr) {
      auto it = catalogue->find(column.configuration_id);
      if (it == catalogue->end()) {
        return ColumnError(StatusCode::kNotFound, i, name, "no such credential configuration");
      }
      if (it->second.format() == oid4vci::CredentialFormat::kMsoMdoc && column.path.size() != 2) {
        return ColumnError(StatusCode::kInvalidArgument, i, name, "an mso_mdoc column is NAMESPACE/ELEMENT");
      }
    }
    for (size_t j = 0; j < mapping.columns_.size(); ++j) {
      const CitizenColumn& other = mapping.columns_[j];
      if (other.configuration_id != column.configuration_id) continue;
      const size_t n = std::min(other.path.size(), column.path.size());
      bool prefix = true;
      for (size_t k = 0; k < n && prefix; ++k) prefix = other.path[k] == column.path[k];
      if (prefix) {
        return ColumnError(StatusCode::kMalformed, i, name,
                           "repeats or overlaps column " + std::to_string(j + 2) + " \"" + header[j + 1] + "\"");
      }
    }
    mapping.columns_.push_back(std::move(column));
  }
  return mapping;
}

Result<store::CitizenInput> CitizenCsvMapping::ToCitizen(const std::vector<std::string>& fields) const {
  if (fields.size() != columns_.size() + 1) {
    return Error(StatusCode::kMalformed, "row has " + std::to_string(fields.size()) + " fields, expected " +
                                             std::to_string(columns_.size() + 1));
  }
  const std::string& id = fields[0];
  if (id.empty()) return Error(StatusCode::kInvalidClaims, "column 1 \"id\": empty");
  if (id.size() > store::kMaxIdBytes) {
    return Error(StatusCode::kInvalidArgument, "column 1 \"id\": longer than 256 bytes");
  }
  if (!IsVisibleAscii(id)) {
    return Error(StatusCode::kInvalidArgument, "column 1 \"id\": must be printable ASCII without spaces");
  }
  Json claims = Json::object();
  for (size_t i = 0; i < columns_.size(); ++i) {
    const std::string& cell = fields[i + 1];
    if (cell.empty()) continue;
    const CitizenColumn& column = columns_[i];
    auto column_error = [&](StatusCode code, const std::string& what) {
      std::string name = column.configuration_id + ":";
      for (size_t k = 0; k < column.path.size(); ++k) name += (k == 0 ? "" : "/") + column.path[k];
      return ColumnError(code, i + 1, name, what);
    };
    Json value;
    switch (column.type) {
      case CitizenValueType::kString:
        if (!ValidUtf8(cell)) return column_error(StatusCode::kMalformed, "not valid UTF-8");
        value = cell;
        break;
      case CitizenValueType::kBool:
        if (cell == "true") {
          value = true;
        } else if (cell == "false") {
          value = false;
        } else {
          return column_error(StatusCode::kMalformed, "a bool is true or false");
        }
        break;
      case CitizenValueType::kInt: {
        int64_t n = 0;
        const char* first = cell.data();
        const char* last = cell.data() + cell.size();
        auto [ptr, ec] = std::from_chars(first, last, n);
        if (ec != std::errc() || ptr != last || cell[0] == '+') {
          return column_error(StatusCode::kMalformed, "not a decimal 64-bit integer");
        }
        value = n;
        break;
      }
      case CitizenValueType::kJson: {
        Result<Json> parsed = ParseJson(cell);
        if (!parsed.ok()) return column_error(StatusCode::kMalformed, parsed.status().message());
        value = std::move(*parsed);
        break;
      }
    }
    Json* node = &claims[column.configuration_id];
    for (const std::string& segment : column.path) node = &(*node)[segment];
    *node = std::move(value);
  }
  std::string data;
  AppendJson(data, Json{{"id", id}, {"claims", std::move(claims)}});
  if (data.size() > store::kMaxJsonBytes) {
    return Error(StatusCode::kLimitExceeded, "the citizen record is larger than 64 KiB");
  }
  return store::CitizenInput{id, std::move(data)};
}

}  // namespace bonafide::issuer
