// issuer/csv.h: a strict, streaming RFC 4180 CSV reader and the mapping of a CSV row to an issuer
// citizen record (docs/credentials.md, "CSV import"), for `bonafide issuer import`.
//
// CsvReader reads one record at a time from a std::istream through a fixed buffer: memory is
// bounded by the longest record (CsvLimits), never by the file. RFC 4180 section 2: fields
// separated by ',', records ended by CRLF or LF (the last one may lack it), fields optionally
// enclosed in '"' with '""' for a quote inside; quoted fields may hold ',', CR and LF. A UTF-8
// byte order mark at the very start is skipped (spreadsheets write one). Strict: every record must
// have as many fields as the first (the header); a '"' inside an unquoted field, a character after
// a closing quote, a bare CR outside quotes and a quote left open at the end of input are errors.
//
// CitizenCsvMapping turns a header row into column rules and each later row into a citizen record
// {"id": ..., "claims": {configuration id: {...}}}, the JSON IssuerService::UpsertCitizen takes.
//
// Thread safety: a CsvReader is used by one thread at a time; CitizenCsvMapping is immutable once
// built and may be shared. Ownership: the reader borrows the stream, which must outlive it.
#ifndef BONAFIDE_ISSUER_CSV_H_
#define BONAFIDE_ISSUER_CSV_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "issuer/catalogue.h"
#include "store/store.h"

namespace bonafide::issuer {

// CsvLimits bounds what CsvReader accepts.
struct CsvLimits {
  size_t max_record_bytes = 1 << 20;  // raw bytes of one record, line endings included
  size_t max_fields = 1024;           // fields of one record
};

// CsvRecord is one record and the (1-based, physical) line it starts on.
struct CsvRecord {
  int64_t line = 0;
  std::vector<std::string> fields;
};

// CsvReader is the streaming RFC 4180 reader described in the file comment.
class CsvReader {
 public:
  explicit CsvReader(std::istream& in, CsvLimits limits = {});

  // Next reads the next record into `record` and returns true, or returns false at the end of
  // the input. Errors, whose message starts "line N: " (N: the line the record starts on, also in
  // error_line()):
  //   kMalformed      a record whose field count differs from the first record's (ragged), a
  //                   '"' inside an unquoted field, a character after a closing quote, a bare CR
  //                   outside quotes: recoverable, the reader has skipped to the end of that line
  //                   and the next call continues; a quoted field still open at the end of input:
  //                   final.
  //   kLimitExceeded  a record longer than max_record_bytes or with more than max_fields: final.
  //   kIoError        the stream failed: final.
  // After a final error (failed() is true) every call returns that error again.
  Result<bool> Next(CsvRecord& record);

  // failed returns whether a final error happened.
  bool failed() const { return !final_error_.ok(); }
  // error_line returns the line of the last error (0 before any).
  int64_t error_line() const { return error_line_; }
  // line returns the number of the line the reader is on (1-based).
  int64_t line() const { return line_; }

 private:
  // Get returns the next byte, or -1 at the end of input (or on a read failure: io_failed_).
  int Get();
  int Peek();
  bool Fill();
  void SkipLine();
  Status Fail(StatusCode code, int64_t line, const std::string& what, bool final);

  std::istream& in_;
  CsvLimits limits_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool io_failed_ = false;
  bool started_ = false;
  int64_t line_ = 1;
  int64_t error_line_ = 0;
  size_t width_ = 0;  // field count of the first record (0 until read)
  Status final_error_;
};

// CitizenValueType is how a cell's text becomes a JSON value.
enum class CitizenValueType { kString, kBool, kInt, kJson };

// CitizenColumn is one claim column: `configuration_id:path[:type]`.
struct CitizenColumn {
  std::string configuration_id;
  std::vector<std::string> path;  // object members from the configuration's claims down
  CitizenValueType type = CitizenValueType::kString;
};

// CitizenCsvMapping maps CSV rows to citizen records (docs/credentials.md, "CSV import").
class CitizenCsvMapping {
 public:
  // FromHeader checks the header row: the first column is exactly "id"; every other column is
  // CONFIGURATION_ID ":" PATH [":" TYPE], PATH being member names separated by '/', TYPE one of
  // string (default), bool, int, json. kMalformed for any other form, a repeated column, or a
  // path that is a prefix of another's (both would fill one member); kNotFound for a
  // configuration id that `catalogue` lacks (when `catalogue` is not null); kInvalidArgument for
  // an mso_mdoc configuration column whose path is not exactly namespace/element.
  static Result<CitizenCsvMapping> FromHeader(const std::vector<std::string>& header, const Catalogue* catalogue);

  // ToCitizen builds the record of one row (as many fields as the header). Empty cells are
  // left out; a configuration with no non-empty cell is left out. Errors: kInvalidClaims for an
  // empty id; kInvalidArgument for an id longer than store::kMaxIdBytes or not printable ASCII;
  // kMalformed for a cell that is not valid UTF-8, a bool that is not exactly true/false, an int
  // that is not a decimal int64, a json cell that does not parse strictly (base/json.h);
  // kLimitExceeded for a record larger than store::kMaxJsonBytes. Messages name the column.
  Result<store::CitizenInput> ToCitizen(const std::vector<std::string>& fields) const;

  const std::vector<CitizenColumn>& columns() const { return columns_; }

 private:
  std::vector<CitizenColumn> columns_;  // columns_[i] describes header column i + 1
};

}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_CSV_H_
