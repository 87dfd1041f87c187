// Ours -> theirs: `bonafide status create / set / token` builds and signs a 2-bit Token Status
// List; @sd-jwt/jwt-status-list decodes it and @sd-jwt/core verifies the signature.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { bonafideOk, core, es256Verifier, jwtHeader, jwtPayload, now, scratchDir, statusList } from './lib/common.mjs';
import { INVALID, SUSPENDED, VALID } from './lib/status.mjs';

const SUB = 'https://issuer.example.org/status/9';
const SIZE = 37;
const SET = [
  [1, 'invalid'],
  [3, 'suspended'],
  [4, 'revoked'], // bonafide's alias of invalid
  [8, 'suspended'],
  [36, 'invalid'],
];
const EXPECTED = { 0: VALID, 1: INVALID, 2: VALID, 3: SUSPENDED, 4: INVALID, 5: VALID, 8: SUSPENDED, 35: VALID, 36: INVALID };

describe('Status List Token made by bonafide, read by @sd-jwt/jwt-status-list', () => {
  const dir = scratchDir();
  const file = (name) => join(dir, name);
  let token;
  let publicJwk;
  let issuedAfter;

  before(() => {
    bonafideOk('key', 'generate', '--out', file('status-issuer.jwk'));
    publicJwk = JSON.parse(bonafideOk('key', 'public', file('status-issuer.jwk')).stdout);
    bonafideOk('status', 'create', '--bits', '2', '--size', String(SIZE), '--out', file('list.json'));
    for (const [idx, value] of SET) bonafideOk('status', 'set', file('list.json'), '--idx', String(idx), '--value', value);
    issuedAfter = now();
    bonafideOk(
      'status', 'token', file('list.json'),
      '--issuer-key', file('status-issuer.jwk'),
      '--sub', SUB,
      '--iss', 'https://issuer.example.org',
      '--ttl', '3600',
      '--out', file('status.jwt'),
    );
    token = readFileSync(file('status.jwt'), 'utf8').trim();
  });

  it('the header and claims are what the draft asks for', () => {
    assert.equal(jwtHeader(token).typ, 'statuslist+jwt');
    assert.equal(jwtHeader(token).alg, 'ES256');
    const payload = jwtPayload(token);
    assert.equal(payload.sub, SUB);
    assert.equal(payload.iss, 'https://issuer.example.org');
    assert.equal(payload.ttl, 3600);
    assert.ok(payload.iat >= issuedAfter && payload.iat <= now());
    assert.equal(payload.exp, payload.iat + 86400);
    assert.equal(payload.status_list.bits, 2);
  });

  it('the peer verifies the signature', async () => {
    const jwt = core.Jwt.fromEncode(token);
    const verified = await jwt.verify(await es256Verifier(publicJwk));
    assert.equal(verified.payload.sub, SUB);
  });

  it('the peer rejects the signature under another key (the check above can fail)', async () => {
    const other = JSON.parse(bonafideOk('key', 'generate').stdout);
    await assert.rejects(core.Jwt.fromEncode(token).verify(await es256Verifier(other)), /Invalid JWT Signature/);
  });

  it('the peer reads the same statuses', () => {
    const list = statusList.getListFromStatusListJWT(token);
    assert.equal(list.getBitsPerStatus(), 2);
    // The peer decodes every slot of the (padded) byte array: ceil(37 * 2 / 8) = 10 bytes.
    assert.equal(list.statusList.length, 40);
    for (const [idx, value] of Object.entries(EXPECTED)) assert.equal(list.getStatus(Number(idx)), value, `index ${idx}`);
    const others = list.statusList.map((v, i) => [i, v]).filter(([i, v]) => !(i in EXPECTED) && v !== VALID);
    assert.deepEqual(others, [], 'every entry not set is VALID');
  });
});
