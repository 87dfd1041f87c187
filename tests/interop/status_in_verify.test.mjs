// Status lists inside credential verification, both directions:
//  - a @sd-jwt/sd-jwt-vc credential whose status points into a @sd-jwt/jwt-status-list token:
//    `bonafide sdjwt verify --status-list` must say revoked / suspended / valid per entry;
//  - a bonafide credential whose status points into a bonafide token: the peer's
//    SDJwtVcInstance.verify must accept the valid entry and reject the revoked one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import {
  bonafideJson,
  bonafideOk,
  cryptoNode,
  es256KeyPair,
  es256Signer,
  es256Verifier,
  now,
  randomNonce,
  scratchDir,
  sdJwtVc,
  writeJson,
  writeText,
} from './lib/common.mjs';
import { INVALID, SUSPENDED, peerStatusList, peerStatusListToken } from './lib/status.mjs';

const AUD = 'https://verifier.example.org';
const ISS = 'https://issuer.example.org';
const VCT = 'https://credentials.example.org/identity_credential';
const STATUS_URI = 'https://issuer.example.org/status/3';
const IDX_VALID = 10;
const IDX_REVOKED = 11;
const IDX_SUSPENDED = 12;

describe('their Status List Token in bonafide sdjwt verify', () => {
  const dir = scratchDir();
  const file = (name) => join(dir, name);
  const nonce = randomNonce();
  let issuer;
  let holder;
  let instance;

  before(async () => {
    issuer = es256KeyPair();
    holder = es256KeyPair();
    writeJson(file('issuer.pub.jwk'), issuer.publicJwk);
    instance = new sdJwtVc.SDJwtVcInstance({
      signer: await es256Signer(issuer.privateJwk),
      signAlg: 'ES256',
      kbSigner: await es256Signer(holder.privateJwk),
      kbSignAlg: 'ES256',
      hasher: cryptoNode.digest,
      hashAlg: 'sha-256',
      saltGenerator: cryptoNode.generateSalt,
    });
    const iat = now();
    const list = peerStatusList(64, 2, { [IDX_REVOKED]: INVALID, [IDX_SUSPENDED]: SUSPENDED });
    writeText(file('status.jwt'), await peerStatusListToken(list, issuer.privateJwk, { sub: STATUS_URI, iat, exp: iat + 3600 }));
    // The same list under another subject: it is not the list the credential points at.
    writeText(file('status-other-sub.jwt'), await peerStatusListToken(list, issuer.privateJwk, {
      sub: 'https://issuer.example.org/status/4', iat, exp: iat + 3600,
    }));
    // The same list signed by a dedicated status key.
    const statusKey = es256KeyPair();
    writeJson(file('status-key.pub.jwk'), statusKey.publicJwk);
    writeText(file('status-own-key.jwt'), await peerStatusListToken(list, statusKey.privateJwk, { sub: STATUS_URI, iat, exp: iat + 3600 }));
  });

  // presentationAt issues (peer) a credential pointing at `idx`, presents it with a KB-JWT and
  // writes it to a file.
  async function presentationAt(idx) {
    const iat = now();
    const credential = await instance.issue(
      {
        iss: ISS, iat, exp: iat + 3600, vct: VCT,
        cnf: { jwk: holder.publicJwk },
        status: { status_list: { idx, uri: STATUS_URI } },
        given_name: 'Erika', family_name: 'Mustermann',
      },
      { _sd: ['given_name', 'family_name'] },
      { header: { typ: 'dc+sd-jwt' } },
    );
    const presentation = await instance.present(credential, { given_name: true }, { kb: { payload: { iat: now(), aud: AUD, nonce } } });
    return writeText(file(`presentation-${idx}.txt`), presentation);
  }

  function verify(presentationFile, statusFile, extra = []) {
    return bonafideJson(
      'sdjwt', 'verify', presentationFile,
      '--issuer-key', file('issuer.pub.jwk'),
      '--nonce', nonce, '--aud', AUD,
      '--status-list', statusFile,
      ...extra,
    );
  }

  it('a credential at a revoked index gives revoked', async () => {
    const { code, json } = verify(await presentationAt(IDX_REVOKED), file('status.jwt'));
    assert.equal(code, 1);
    assert.deepEqual({ valid: json.valid, error: json.error }, { valid: false, error: 'revoked' });
  });

  it('a credential at a suspended index gives suspended', async () => {
    const { code, json } = verify(await presentationAt(IDX_SUSPENDED), file('status.jwt'));
    assert.equal(code, 1);
    assert.deepEqual({ valid: json.valid, error: json.error }, { valid: false, error: 'suspended' });
  });

  it('a credential at a valid index is valid, with status checked', async () => {
    const { code, json } = verify(await presentationAt(IDX_VALID), file('status.jwt'));
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.valid, true);
    assert.equal(json.status_checked, true);
    assert.deepEqual(json.claims.status, { status_list: { idx: IDX_VALID, uri: STATUS_URI } });
    assert.equal(json.claims.given_name, 'Erika');
    assert.ok(!('family_name' in json.claims));
  });

  it('a list signed by a dedicated key is accepted with --status-key, refused without', async () => {
    const p = await presentationAt(IDX_REVOKED);
    const withKey = verify(p, file('status-own-key.jwt'), ['--status-key', file('status-key.pub.jwk')]);
    assert.deepEqual({ valid: withKey.json.valid, error: withKey.json.error }, { valid: false, error: 'revoked' });
    const withoutKey = verify(p, file('status-own-key.jwt'));
    assert.deepEqual({ valid: withoutKey.json.valid, error: withoutKey.json.error }, { valid: false, error: 'invalid_signature' });
  });

  it('a list whose sub is not the credential\'s status uri gives status_unavailable', async () => {
    const { code, json } = verify(await presentationAt(IDX_VALID), file('status-other-sub.jwt'));
    assert.equal(code, 1);
    assert.deepEqual({ valid: json.valid, error: json.error }, { valid: false, error: 'status_unavailable' });
  });
});

describe('our Status List Token in @sd-jwt/sd-jwt-vc verify', () => {
  const dir = scratchDir();
  const file = (name) => join(dir, name);
  const nonce = randomNonce();
  let issuerPublicJwk;
  let token;

  before(() => {
    bonafideOk('key', 'generate', '--out', file('issuer.jwk'));
    bonafideOk('key', 'generate', '--out', file('holder.jwk'));
    issuerPublicJwk = JSON.parse(bonafideOk('key', 'public', file('issuer.jwk')).stdout);
    writeJson(file('holder.pub.jwk'), JSON.parse(bonafideOk('key', 'public', file('holder.jwk')).stdout));
    writeJson(file('claims.json'), { given_name: 'Erika' });
    bonafideOk('status', 'create', '--bits', '2', '--size', '64', '--out', file('list.json'));
    bonafideOk('status', 'set', file('list.json'), '--idx', String(IDX_REVOKED), '--value', 'invalid');
    bonafideOk('status', 'set', file('list.json'), '--idx', String(IDX_SUSPENDED), '--value', 'suspended');
    bonafideOk('status', 'token', file('list.json'), '--issuer-key', file('issuer.jwk'), '--sub', STATUS_URI, '--out', file('status.jwt'));
    token = readFileSync(file('status.jwt'), 'utf8').trim();
  });

  function presentationAt(idx) {
    bonafideOk(
      'sdjwt', 'issue', '--issuer-key', file('issuer.jwk'), '--iss', ISS, '--vct', VCT,
      '--claims', file('claims.json'), '--holder-key', file('holder.pub.jwk'), '--all-disclosable',
      '--status-uri', STATUS_URI, '--status-idx', String(idx), '--out', file(`cred-${idx}.txt`),
    );
    bonafideOk(
      'sdjwt', 'present', '--credential', file(`cred-${idx}.txt`), '--holder-key', file('holder.jwk'),
      '--disclose', 'given_name', '--nonce', nonce, '--aud', AUD, '--out', file(`pres-${idx}.txt`),
    );
    return readFileSync(file(`pres-${idx}.txt`), 'utf8').trim();
  }

  // Peer deviation (@sd-jwt/sd-jwt-vc 0.19 verifyStatus): the fetched Status List Token's
  // signature and exp are checked, but neither its typ (statuslist+jwt) nor that its sub equals
  // status.status_list.uri (draft-ietf-oauth-status-list section 8.3, steps 3 and 5): a signed
  // list published for another URI is accepted. bonafide checks both (status_unavailable above).
  async function peer() {
    return new sdJwtVc.SDJwtVcInstance({
      hasher: cryptoNode.digest,
      verifier: await es256Verifier(issuerPublicJwk),
      kbVerifier: async (data, sig, payload) => (await es256Verifier(payload.cnf.jwk))(data, sig),
      statusListFetcher: async (uri) => {
        assert.equal(uri, STATUS_URI);
        return token;
      },
    });
  }

  it('the peer accepts the credential at a valid index', async () => {
    const result = await (await peer()).verify(presentationAt(IDX_VALID), { keyBindingNonce: nonce });
    assert.equal(result.payload.given_name, 'Erika');
  });

  it('the peer rejects the credential at a revoked index', async () => {
    await assert.rejects((await peer()).verify(presentationAt(IDX_REVOKED), { keyBindingNonce: nonce }), /Status is not valid/);
  });

  it('the peer rejects the credential at a suspended index', async () => {
    await assert.rejects((await peer()).verify(presentationAt(IDX_SUSPENDED), { keyBindingNonce: nonce }), /Status is not valid/);
  });
});
