// `bonafide status ...`: create, update, sign and read status lists (Token Status List and W3C
// Bitstring Status List).
//
// A list file is JSON: {"kind": "token", "bits": N, "lst": "..."} (the Token Status List JSON
// encoding plus a kind) or {"kind": "bitstring", "encodedList": "u..."}.
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "jose/jws.h"
#include "status/bitstring_status_list.h"
#include "status/status_list_token.h"
#include "status/token_status_list.h"

namespace bonafide::cli {
namespace {

// ListFile is a status list read from / written to a list file.
struct ListFile {
  std::optional<status::StatusList> token;
  std::optional<status::BitstringStatusList> bitstring;
};

Result<ListFile> ReadList(const std::string& path) {
  ASSIGN_OR_RETURN(Json j, ReadJsonFile(path));
  ASSIGN_OR_RETURN(std::string kind, GetString(j, "kind"));
  ListFile out;
  if (kind == "token") {
    Json encoded = {{"bits", j.value("bits", Json())}, {"lst", j.value("lst", Json())}};
    ASSIGN_OR_RETURN(status::StatusList list, status::StatusList::DecodeJson(encoded));
    out.token = std::move(list);
  } else if (kind == "bitstring") {
    ASSIGN_OR_RETURN(std::string encoded, GetString(j, "encodedList"));
    ASSIGN_OR_RETURN(status::BitstringStatusList list, status::BitstringStatusList::DecodeEncodedList(encoded));
    out.bitstring = std::move(list);
  } else {
    return Error(StatusCode::kMalformed, path + ": kind must be token or bitstring");
  }
  return out;
}

Status WriteList(const std::string& path, const ListFile& list) {
  Json j;
  if (list.token) {
    ASSIGN_OR_RETURN(j, list.token->EncodeJson());
    j["kind"] = "token";
  } else {
    ASSIGN_OR_RETURN(std::string encoded, list.bitstring->EncodeEncodedList());
    j = {{"kind", "bitstring"}, {"encodedList", encoded}};
  }
  return WriteFile(path, j.dump(2) + "\n");
}

Result<status::StatusType> ParseValue(const std::string& v) {
  if (v == "valid") return status::StatusType::kValid;
  if (v == "invalid" || v == "revoked") return status::StatusType::kInvalid;
  if (v == "suspended") return status::StatusType::kSuspended;
  return Error(StatusCode::kInvalidArgument, "--value must be valid, invalid or suspended");
}

std::string ValueName(uint32_t v) {
  switch (v) {
    case 0: return "valid";
    case 1: return "invalid";
    case 2: return "suspended";
    default: return "application_specific_" + std::to_string(v);
  }
}

struct CreateArgs {
  std::optional<int> bits;  // default: 2 for token lists (valid/invalid/suspended), 1 for bitstring
  uint64_t size = 0;
  std::string out, kind = "token";
};

int Create(const CreateArgs& a) {
  ListFile list;
  if (a.kind == "token") {
    auto l = status::StatusList::Create(a.bits.value_or(2), a.size);
    if (!l.ok()) return ReportError(l.status());
    list.token = std::move(*l);
  } else if (a.kind == "bitstring") {
    if (a.bits.value_or(1) != 1) return ReportError(Error(StatusCode::kInvalidArgument, "bitstring lists here use 1 bit per entry"));
    auto l = status::BitstringStatusList::Create(std::max<uint64_t>(a.size, status::kMinBitstringBits));
    if (!l.ok()) return ReportError(l.status());
    list.bitstring = std::move(*l);
  } else {
    return ReportError(Error(StatusCode::kInvalidArgument, "--kind must be token or bitstring"));
  }
  Status s = WriteList(a.out, list);
  return s.ok() ? 0 : ReportError(s);
}

int Set(const std::string& file, uint64_t idx, const std::string& value) {
  auto list = ReadList(file);
  if (!list.ok()) return ReportError(list.status());
  auto v = ParseValue(value);
  if (!v.ok()) return ReportError(v.status());
  Status s;
  if (list->token) {
    s = list->token->Set(idx, *v);
  } else {
    if (*v == status::StatusType::kSuspended) {
      return ReportError(Error(StatusCode::kInvalidArgument, "a revocation bitstring has no suspended state"));
    }
    s = list->bitstring->Set(idx, static_cast<uint32_t>(*v));
  }
  if (!s.ok()) return ReportError(s);
  s = WriteList(file, *list);
  return s.ok() ? 0 : ReportError(s);
}

struct TokenArgs {
  std::string file, issuer_key, sub, iss, kid, out;
  std::optional<int64_t> ttl = 43200;
  int64_t valid_days = 1;
  std::optional<int64_t> at;
};

int Token(const TokenArgs& a) {
  if (a.valid_days <= 0 || a.valid_days > 3650) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--valid-days must be between 1 and 3650"));
  }
  auto list = ReadList(a.file);
  if (!list.ok()) return ReportError(list.status());
  auto key = LoadPrivateKey(a.issuer_key);
  if (!key.ok()) return ReportError(key.status());
  auto now_or = ResolveTime(a.at);
  if (!now_or.ok()) return ReportError(now_or.status());
  const int64_t now = *now_or;
  Result<std::string> token = Error(StatusCode::kInternal, "unreachable");
  if (list->token) {
    status::StatusListTokenParams p;
    p.sub = a.sub;
    p.iat = now;
    p.exp = now + a.valid_days * 86400;
    p.ttl = a.ttl;
    if (!a.iss.empty()) p.iss = a.iss;
    if (!a.kid.empty()) p.kid = a.kid;
    token = status::IssueStatusListToken(p, *list->token, *key);
  } else {
    if (a.iss.empty()) return ReportError(Error(StatusCode::kInvalidArgument, "--iss (issuer DID or URL) is required for a bitstring list"));
    status::BitstringStatusListCredentialParams p;
    p.id = a.sub;
    p.issuer = a.iss;
    p.valid_from = now;
    p.valid_until = now + a.valid_days * 86400;
    if (!a.kid.empty()) p.kid = a.kid;
    token = status::IssueBitstringStatusListCredential(p, *list->bitstring, *key);
  }
  if (!token.ok()) return ReportError(token.status());
  return Output(*token, a.out);
}

struct GetArgs {
  std::string file, issuer_key;
  int64_t idx = 0;
  std::optional<int64_t> at;
};

int Get(const GetArgs& a) {
  auto text = ReadTrimmedFile(a.file);
  if (!text.ok()) return ReportError(text.status());
  auto jws = jose::UnverifiedJws::Parse(*text);
  if (!jws.ok()) return ReportError(jws.status());
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status());
  FixedClock clock(*now);
  Json out = {{"idx", a.idx}};
  Result<uint32_t> value = Error(StatusCode::kInternal, "unreachable");
  if (a.issuer_key.empty()) {
    // Reading without a key is for inspection only and says so.
    out["verified"] = false;
    auto payload = ParseJsonObject(AsStringView(jws->unverified_payload()));
    if (!payload.ok()) return ReportError(payload.status());
    if (jws->typ() == "statuslist+jwt" || jws->typ() == "application/statuslist+jwt") {
      const Json* sl = Find(*payload, "status_list");
      if (sl == nullptr) return ReportError(Error(StatusCode::kMalformed, "token has no status_list"));
      auto list = status::StatusList::DecodeJson(*sl);
      if (!list.ok()) return ReportError(list.status());
      auto v = list->Get(static_cast<uint64_t>(a.idx));
      if (!v.ok()) return ReportError(v.status());
      value = static_cast<uint32_t>(*v);
    } else {
      const Json* subject = Find(*payload, "credentialSubject");
      const Json* encoded = subject != nullptr ? Find(*subject, "encodedList") : nullptr;
      if (encoded == nullptr || !encoded->is_string()) return ReportError(Error(StatusCode::kMalformed, "not a status list token or bitstring status list credential"));
      auto list = status::BitstringStatusList::DecodeEncodedList(encoded->get<std::string>());
      if (!list.ok()) return ReportError(list.status());
      value = list->Get(static_cast<uint64_t>(a.idx));
    }
  } else {
    auto key = LoadPublicKey(a.issuer_key);
    if (!key.ok()) return ReportError(key.status());
    out["verified"] = true;
    if (jws->typ() == "statuslist+jwt" || jws->typ() == "application/statuslist+jwt") {
      status::StatusListTokenVerifier verifier(*key, clock);
      verifier.AllowAnySubject();
      auto token = verifier.Verify(*text);
      if (!token.ok()) return ReportError(token.status());
      out["sub"] = token->sub();
      auto v = token->status_list().Get(static_cast<uint64_t>(a.idx));
      if (!v.ok()) return ReportError(v.status());
      value = static_cast<uint32_t>(*v);
    } else {
      status::BitstringStatusListCredentialVerifier verifier(*key, clock);
      verifier.AllowAnyId().ExpectPurpose(status::StatusPurpose::kRevocation);
      auto cred = verifier.Verify(*text);
      if (!cred.ok()) return ReportError(cred.status());
      if (cred->id()) out["sub"] = *cred->id();
      value = cred->status_list().Get(static_cast<uint64_t>(a.idx));
    }
  }
  if (!value.ok()) return ReportError(value.status());
  out["status"] = ValueName(*value);
  return PrintJson(out);
}

}  // namespace

void RegisterStatusCommands(CLI::App& app, int& exit_code) {
  CLI::App* st = app.add_subcommand("status", "Create, update, sign and read status lists");
  st->require_subcommand(1);

  auto ca = std::make_shared<CreateArgs>();
  CLI::App* create = st->add_subcommand("create", "Create an empty status list file (every entry valid)");
  create->add_option("--bits", ca->bits, "Bits per entry: 1, 2, 4 or 8 (token lists; default 2), 1 for bitstring");
  create->add_option("--size", ca->size, "Number of entries")->required();
  create->add_option("--out", ca->out, "List file to write")->required();
  create->add_option("--kind", ca->kind, "token (IETF Token Status List) or bitstring (W3C)")->capture_default_str();
  create->callback([&exit_code, ca] { exit_code = Create(*ca); });

  auto set_file = std::make_shared<std::string>();
  auto set_idx = std::make_shared<int64_t>(0);
  auto set_value = std::make_shared<std::string>();
  CLI::App* set = st->add_subcommand("set", "Set one entry of a list file");
  set->add_option("FILE", *set_file, "List file")->required();
  set->add_option("--idx", *set_idx, "Entry index")->required()->check(CLI::Range(int64_t{0}, kMaxIndex));
  set->add_option("--value", *set_value, "valid, invalid or suspended")->required();
  set->callback([&exit_code, set_file, set_idx, set_value] {
    exit_code = Set(*set_file, static_cast<uint64_t>(*set_idx), *set_value);
  });

  auto ta = std::make_shared<TokenArgs>();
  CLI::App* token = st->add_subcommand("token", "Sign a list file: Status List Token JWT, or Bitstring Status List credential");
  token->add_option("FILE", ta->file, "List file")->required();
  token->add_option("--issuer-key", ta->issuer_key, "Signing key (JWK or PEM)")->required();
  token->add_option("--sub", ta->sub, "URI where the list is published (token sub / credential id)")->required();
  token->add_option("--iss", ta->iss, "Issuer (required for bitstring lists)");
  token->add_option("--kid", ta->kid, "Header kid");
  token->add_option("--ttl", ta->ttl, "Seconds a verifier may cache the token")->capture_default_str();
  token->add_option("--valid-days", ta->valid_days, "Days until exp")->capture_default_str();
  token->add_option("--at", ta->at, "Issue as of this Unix time");
  token->add_option("--out", ta->out, "Write to FILE instead of stdout");
  token->callback([&exit_code, ta] { exit_code = Token(*ta); });

  auto ga = std::make_shared<GetArgs>();
  CLI::App* get = st->add_subcommand("get", "Read one entry of a signed status list");
  get->add_option("TOKEN_FILE", ga->file, "Status List Token or Bitstring Status List credential")->required();
  get->add_option("--idx", ga->idx, "Entry index")->required()->check(CLI::Range(int64_t{0}, kMaxIndex));
  get->add_option("--issuer-key", ga->issuer_key, "Verify the signature with this public key first");
  get->add_option("--at", ga->at, "Verify as of this Unix time");
  get->callback([&exit_code, ga] { exit_code = Get(*ga); });
}

}  // namespace bonafide::cli
