// Theirs -> ours: @sd-jwt/jwt-status-list builds a 2-bit Token Status List and packs it into a
// signed Status List Token; `bonafide status get` reads the entries back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { bonafide, bonafideJson, es256KeyPair, jwtHeader, jwtPayload, now, scratchDir, writeJson, writeText } from './lib/common.mjs';
import { APPLICATION_SPECIFIC, INVALID, SUSPENDED, peerStatusList, peerStatusListToken } from './lib/status.mjs';

const SUB = 'https://issuer.example.org/status/7';
// 37 entries: not a multiple of 4 (2-bit entries per byte), so the last byte is partly padding.
const SIZE = 37;
// Entries at byte boundaries on both sides (3|4, 7|8) and the very last index.
const ENTRIES = { 1: INVALID, 3: SUSPENDED, 4: INVALID, 7: APPLICATION_SPECIFIC, 8: SUSPENDED, 36: INVALID };
const EXPECTED = {
  0: 'valid',
  1: 'invalid',
  2: 'valid',
  3: 'suspended',
  4: 'invalid',
  5: 'valid',
  7: 'application_specific_3',
  8: 'suspended',
  9: 'valid',
  35: 'valid',
  36: 'invalid',
};

describe('Status List Token made by @sd-jwt/jwt-status-list, read by bonafide', () => {
  const dir = scratchDir();
  const pubFile = join(dir, 'status-issuer.pub.jwk');
  const tokenFile = join(dir, 'status.jwt');
  let token;
  let keys;

  before(async () => {
    keys = es256KeyPair();
    writeJson(pubFile, keys.publicJwk);
    const iat = now();
    token = await peerStatusListToken(peerStatusList(SIZE, 2, ENTRIES), keys.privateJwk, {
      iss: 'https://issuer.example.org',
      sub: SUB,
      iat,
      exp: iat + 86400,
      ttl: 3600,
    });
    writeText(tokenFile, token);
  });

  it('the peer emitted a 2-bit statuslist+jwt', () => {
    assert.equal(jwtHeader(token).typ, 'statuslist+jwt');
    assert.equal(jwtHeader(token).alg, 'ES256');
    const payload = jwtPayload(token);
    assert.equal(payload.sub, SUB);
    assert.equal(payload.status_list.bits, 2);
    assert.equal(typeof payload.status_list.lst, 'string');
  });

  for (const [idx, status] of Object.entries(EXPECTED)) {
    it(`index ${idx} reads as ${status}`, () => {
      const { code, json } = bonafideJson('status', 'get', tokenFile, '--idx', idx, '--issuer-key', pubFile);
      assert.equal(code, 0, JSON.stringify(json));
      assert.deepEqual(json, { idx: Number(idx), verified: true, sub: SUB, status });
    });
  }

  it('an index past the padded end is status_unavailable', () => {
    // 37 entries of 2 bits fill 10 bytes, so the decoded list has 40 slots (the padding reads as
    // VALID, which the draft allows); 40 is the first index with no bits behind it.
    const { code } = bonafideJson('status', 'get', tokenFile, '--idx', '39', '--issuer-key', pubFile);
    assert.equal(code, 0);
    const r = getError(tokenFile, '40', pubFile);
    assert.equal(r.error, 'status_unavailable');
  });

  it('a token signed by another key is invalid_signature', () => {
    const other = join(dir, 'other.pub.jwk');
    writeJson(other, es256KeyPair().publicJwk);
    const r = getError(tokenFile, '1', other);
    assert.equal(r.error, 'invalid_signature');
  });
});

// getError runs `status get` expecting failure and returns the error object it prints on stderr.
function getError(tokenFile, idx, keyFile) {
  const r = bonafide('status', 'get', tokenFile, '--idx', idx, '--issuer-key', keyFile);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  return JSON.parse(r.stderr);
}
