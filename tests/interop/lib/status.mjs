// Helpers for Token Status List (draft-ietf-oauth-status-list) interop: building and signing a
// Status List Token with @sd-jwt/jwt-status-list and @sd-jwt/core, as a peer issuer would.
import { core, es256Signer, statusList } from './common.mjs';

// Status Types (draft-ietf-oauth-status-list section 7.1).
export const VALID = 0;
export const INVALID = 1;
export const SUSPENDED = 2;
export const APPLICATION_SPECIFIC = 3;

// peerStatusList returns a @sd-jwt/jwt-status-list StatusList of `size` entries with `bits` bits
// each, all VALID, then the `entries` ({idx: value}) set.
//
// Peer deviation, minor (@sd-jwt/jwt-status-list 0.19 StatusList constructor): it rejects only
// values > 2^bits, so 2^bits itself (which does not fit) slips through. Not reached here.
export function peerStatusList(size, bits, entries) {
  const list = new statusList.StatusList(new Array(size).fill(VALID), bits);
  for (const [idx, value] of Object.entries(entries)) list.setStatus(Number(idx), value);
  return list;
}

// peerStatusListToken packs `list` into a Status List Token (typ statuslist+jwt) signed ES256
// with `privateJwk`. `claims` must hold sub and iat; exp, ttl and iss are optional.
export async function peerStatusListToken(list, privateJwk, claims) {
  const { header, payload } = statusList.createHeaderAndPayload(list, { ...claims }, { alg: 'ES256', typ: 'statuslist+jwt' });
  const jwt = new core.Jwt({ header, payload });
  await jwt.sign(await es256Signer(privateJwk));
  return jwt.encodeJwt();
}
