/* tests/wallet/c_api_header_test.c: compiled as C99 (-std=c99 -pedantic-errors) to prove that
 * include/bonafide/wallet.h is a valid C header, and to drive the C API from C itself. The
 * GoogleTest driver (c_api_test.cc) calls bf_c_smoke with a loopback issuer's offer. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bonafide/wallet.h"

/* bf_c_smoke runs init -> NULL-argument checks -> receive -> list -> show -> delete -> close on a
 * new wallet in `dir` and returns 0, or the source line of the first check that failed (with a
 * description in `why`, of `why_size` bytes). */
int bf_c_smoke(const char* dir, const char* offer_uri, char* why, size_t why_size);

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      snprintf(why, why_size, "%s (last error: %s)", #cond, bf_wallet_last_error(w)); \
      if (w != NULL) bf_wallet_close(w);                                               \
      return __LINE__;                                                                 \
    }                                                                                  \
  } while (0)

int bf_c_smoke(const char* dir, const char* offer_uri, char* why, size_t why_size) {
  bf_wallet* w = NULL;
  char* json = NULL;
  char id[64];
  const char* start = NULL;
  size_t len = 0;
  bf_status status = BF_INTERNAL;

  /* NULL arguments never crash and are BF_INVALID_ARGUMENT, with a message. */
  CHECK(bf_wallet_init(NULL, "271828", &w) == BF_INVALID_ARGUMENT && w == NULL);
  CHECK(strstr(bf_wallet_last_error(NULL), "dir") != NULL);
  CHECK(bf_wallet_init(dir, NULL, &w) == BF_INVALID_ARGUMENT);
  CHECK(bf_wallet_init(dir, "271828", NULL) == BF_INVALID_ARGUMENT);
  CHECK(bf_wallet_unlock(NULL, "271828") == BF_INVALID_ARGUMENT);
  CHECK(bf_wallet_list_json(NULL, &json) == BF_INVALID_ARGUMENT);
  bf_wallet_close(NULL);
  bf_string_free(NULL);
  CHECK(strcmp(bf_status_name(BF_UNTRUSTED_ISSUER), "untrusted_issuer") == 0);
  CHECK(strcmp(bf_status_name(BF_OK), "ok") == 0);
  CHECK(strcmp(bf_status_name((bf_status)99), "unknown") == 0);

  status = bf_wallet_init(dir, "271828", &w);
  CHECK(status == BF_OK && w != NULL);
  CHECK(bf_wallet_set_insecure_http_loopback(w, 1) == BF_OK);
  CHECK(bf_wallet_receive(w, offer_uri, NULL, NULL) == BF_INVALID_ARGUMENT);
  CHECK(bf_wallet_receive(w, offer_uri, NULL, &json) == BF_OK && json != NULL);
  CHECK(strstr(json, "\"received\"") != NULL);
  /* The first "id":"..." is the new credential's. */
  start = strstr(json, "\"id\":\"");
  CHECK(start != NULL);
  start += 6;
  len = (size_t)(strchr(start, '"') - start);
  CHECK(len > 0 && len < sizeof id);
  memcpy(id, start, len);
  id[len] = '\0';
  bf_string_free(json);
  json = NULL;

  CHECK(bf_wallet_list_json(w, &json) == BF_OK && json != NULL && strstr(json, id) != NULL);
  bf_string_free(json);
  json = NULL;
  CHECK(bf_wallet_show_json(w, id, &json) == BF_OK && strstr(json, "\"claims\"") != NULL);
  bf_string_free(json);
  json = NULL;
  CHECK(bf_wallet_show_json(w, "AAAAAAAAAAAAAAAAAAAAAA", &json) == BF_NOT_FOUND && json == NULL);
  CHECK(bf_wallet_delete(w, id) == BF_OK);
  CHECK(bf_wallet_delete(w, id) == BF_NOT_FOUND);
  CHECK(bf_wallet_lock(w) == BF_OK);
  CHECK(bf_wallet_list_json(w, &json) == BF_INVALID_KEY && json == NULL);
  bf_wallet_close(w);
  return 0;
}
