// selftest.mjs: proves the @auth0/mdl peer scripts work before bonafide is wired in.
//   node --test tests/interop/mdl/selftest.mjs
//
// JS to JS: a throwaway IACA + DS (pki.mjs), issue.mjs issues and presents (deviceSignature over an
// OpenID4VP 1.0 SessionTranscript), verify.mjs verifies; run as the CLIs the C++ side will run.
// Negative cases assert the peer's exact check id. Plus the ISO 18013-5 Annex D DeviceResponse
// (deviceMac) through verify.mjs, and the peer's wire-format facts README.md relies on.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  auth0Oid4vpSessionTranscript,
  diagnostic,
  jwkThumbprint,
  mdl,
  openid4vpSessionTranscript,
} from './lib.mjs';
import { makePki } from './pki.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const VECTORS = resolve(HERE, '..', '..', 'vectors', 'mdoc-iso18013-5');
const ANNEX_D = join(VECTORS, 'annex-d');
const MDL_NS = 'org.iso.18013.5.1';

const CLIENT_ID = 'x509_san_dns:verifier.example.org';
const RESPONSE_URI = 'https://verifier.example.org/response';
const NONCE = 'n-0S6_WzA2Mj-interop';

function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'bonafide-mdl-selftest-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function node(script, args) {
  const r = spawnSync(process.execPath, [join(HERE, script), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // leave null; the assertion below shows the output
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

function verifyCli(args) {
  const r = node('verify.mjs', args);
  assert.ok(r.json, `verify.mjs printed no JSON (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.code, r.json.ok ? 0 : 1, 'exit code must follow ok');
  return r.json;
}

function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
  return path;
}

const seconds = (ms) => new Date(Math.floor(ms / 1000) * 1000);

describe('@auth0/mdl issues and presents, @auth0/mdl verifies (JS to JS, through the CLIs)', () => {
  const dir = scratch();
  const out = join(dir, 'out');
  const now = Date.now();
  const signed = seconds(now - 3600_000);
  const validUntil = seconds(now + 3600_000);
  const transcriptArgs = ['--client-id', CLIENT_ID, '--nonce', NONCE, '--response-uri', RESPONSE_URI];
  let pki;
  let iacaFile;
  let responseFile;
  let response;
  let issued;

  before(async () => {
    pki = await makePki({ country: 'US' });
    iacaFile = join(dir, 'iaca.pem');
    writeFileSync(iacaFile, pki.iacaPem);
    writeFileSync(join(dir, 'ds.pem'), pki.dsPem);
    writeJson(join(dir, 'ds.jwk'), pki.dsPrivateJwk);
    const device = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    writeJson(join(dir, 'device.jwk'), device);
    writeJson(join(dir, 'config.json'), {
      doctype: 'org.iso.18013.5.1.mDL',
      issuer_private_key_file: 'ds.jwk',
      issuer_certificate_file: 'ds.pem',
      device_public_key_file: 'device.jwk',
      validity: { signed: signed.toISOString(), valid_from: signed.toISOString(), valid_until: validUntil.toISOString() },
      claims: {
        [MDL_NS]: {
          family_name: 'Mustermann',
          given_name: 'Erika',
          birth_date: '1964-08-12',
          issuing_country: 'US',
          portrait: { bstr: 'AAECAw' },
          age_over_18: true,
          driving_privileges: [{ vehicle_category_code: 'B', issue_date: '2020-01-01' }],
        },
        'org.example.bonafide': { updated: { tdate: '2024-01-02T03:04:05Z' }, since: { full_date: '2024-01-02' }, level: 3 },
      },
      presentation: {
        device_private_key_file: 'device.jwk',
        disclose: { [MDL_NS]: ['given_name', 'birth_date', 'portrait', 'driving_privileges'], 'org.example.bonafide': ['updated', 'since'] },
      },
    });
    const r = node('issue.mjs', ['--config', join(dir, 'config.json'), '--out-dir', out, ...transcriptArgs]);
    assert.equal(r.code, 0, `issue.mjs failed\n${r.stdout}\n${r.stderr}`);
    issued = r.json;
    responseFile = join(out, 'device_response.cbor');
    response = readFileSync(responseFile);
  });

  it('issue.mjs writes the four CBOR files and reports them', () => {
    assert.equal(issued.transcript, 'openid4vp-1.0');
    for (const key of ['issued_mdoc', 'issuer_signed', 'issuer_auth', 'device_response', 'session_transcript_bytes']) {
      assert.ok(issued.written[key], `${key} missing`);
      assert.equal(readFileSync(issued.written[key].path).length, issued.written[key].bytes);
    }
  });

  it('verify.mjs accepts it with exactly the disclosed claims', () => {
    const v = verifyCli(['--iaca', iacaFile, '--response', responseFile, ...transcriptArgs]);
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.equal(v.device_auth, 'signature');
    assert.deepEqual(v.claims, {
      [MDL_NS]: {
        given_name: 'Erika',
        birth_date: { full_date: '1964-08-12' },
        portrait: { bstr: 'AAECAw' },
        driving_privileges: [{ vehicle_category_code: 'B', issue_date: { full_date: '2020-01-01' } }],
      },
      'org.example.bonafide': { updated: { tdate: '2024-01-02T03:04:05Z' }, since: { full_date: '2024-01-02' } },
    });
  });

  it('the transcript file written by issue.mjs is accepted as --session-transcript, tagged or bare', () => {
    const tagged = join(out, 'session_transcript_bytes.cbor');
    assert.equal(verifyCli(['--iaca', iacaFile, '--response', responseFile, '--session-transcript', tagged]).ok, true);
    const bare = join(dir, 'session_transcript.cbor');
    const { sessionTranscript } = openid4vpSessionTranscript({ clientId: CLIENT_ID, nonce: NONCE, responseUri: RESPONSE_URI });
    writeFileSync(bare, sessionTranscript);
    assert.equal(verifyCli(['--iaca', iacaFile, '--response', responseFile, '--session-transcript', bare]).ok, true);
  });

  it('another nonce, client_id or response_uri fails the device signature', () => {
    for (const args of [
      ['--client-id', CLIENT_ID, '--nonce', NONCE + 'x', '--response-uri', RESPONSE_URI],
      ['--client-id', CLIENT_ID + 'x', '--nonce', NONCE, '--response-uri', RESPONSE_URI],
      ['--client-id', CLIENT_ID, '--nonce', NONCE, '--response-uri', RESPONSE_URI + 'x'],
      [...transcriptArgs, '--jwk-thumbprint', Buffer.alloc(32).toString('base64url')],
    ]) {
      const v = verifyCli(['--iaca', iacaFile, '--response', responseFile, ...args]);
      assert.equal(v.ok, false);
      assert.equal(v.error_code, 'DEVICE_SIGNATURE_VALIDITY');
      assert.deepEqual(v.claims, {});
    }
  });

  it('no transcript fails with SESSION_TRANSCRIPT_PROVIDED', () => {
    const v = verifyCli(['--iaca', iacaFile, '--response', responseFile]);
    assert.equal(v.error_code, 'SESSION_TRANSCRIPT_PROVIDED');
  });

  it('another IACA fails the chain', async () => {
    const other = await makePki({ country: 'US' });
    const otherFile = join(dir, 'other-iaca.pem');
    writeFileSync(otherFile, other.iacaPem);
    const v = verifyCli(['--iaca', otherFile, '--response', responseFile, ...transcriptArgs]);
    assert.equal(v.error_code, 'ISSUER_CERTIFICATE_VALIDITY');
    // ...and the right one among several roots is found.
    assert.equal(verifyCli(['--iaca', otherFile, '--iaca', iacaFile, '--response', responseFile, ...transcriptArgs]).ok, true);
  });

  it('--at: the MSO window is inclusive at both ends', () => {
    const at = (d) => verifyCli(['--iaca', iacaFile, '--response', responseFile, ...transcriptArgs, '--at', d.toISOString()]);
    assert.equal(at(validUntil).ok, true);
    assert.equal(at(signed).ok, true);
    assert.equal(at(new Date(validUntil.getTime() + 1000)).error_code, 'MSO_VALIDITY_AT_VERIFICATION_TIME');
    assert.equal(at(new Date(signed.getTime() - 1000)).error_code, 'MSO_VALIDITY_AT_VERIFICATION_TIME');
  });

  it('a changed element value fails its digest', () => {
    const i = response.indexOf(Buffer.from('Erika'));
    assert.ok(i > 0);
    const tampered = Buffer.from(response);
    tampered[i + 4] ^= 0x01;
    const file = join(dir, 'tampered.cbor');
    writeFileSync(file, tampered);
    const v = verifyCli(['--iaca', iacaFile, '--response', file, ...transcriptArgs]);
    assert.equal(v.error_code, 'ATTRIBUTE_DIGEST_MATCH');
  });

  it('the peer\'s own OID4VP transcript (18013-7 draft) is a different form from OpenID4VP 1.0', async () => {
    const mdocNonce = 'mdoc-generated-nonce';
    const ours = auth0Oid4vpSessionTranscript({ mdocGeneratedNonce: mdocNonce, clientId: CLIENT_ID, responseUri: RESPONSE_URI, nonce: NONCE });
    const device = JSON.parse(readFileSync(join(dir, 'device.jwk'), 'utf8'));
    const builder = mdl.DeviceResponse.from(readFileSync(join(out, 'issued_mdoc.cbor')))
      .usingPresentationDefinition({
        id: 'x',
        input_descriptors: [{ id: 'org.iso.18013.5.1.mDL', format: { mso_mdoc: { alg: ['ES256'] } }, constraints: { limit_disclosure: 'required', fields: [{ path: [`$['${MDL_NS}']['given_name']`], intent_to_retain: false }] } }],
      })
      .usingSessionTranscriptForOID4VP(mdocNonce, CLIENT_ID, RESPONSE_URI, NONCE)
      .authenticateWithSignature(device, 'ES256');
    // What the peer builds: 24(<<[null, null, [mdocGeneratedNonce, client_id, response_uri, nonce]]>>).
    assert.equal(Buffer.from(builder.sessionTranscriptBytes).toString('hex'), ours.sessionTranscriptBytes.toString('hex'));
    assert.equal(diagnostic(builder.sessionTranscriptBytes),
      `24(<<[null, null, ["${mdocNonce}", "${CLIENT_ID}", "${RESPONSE_URI}", "${NONCE}"]]>>)`);
    const viaPeerApi = await builder.sign();
    const file = join(dir, 'draft-response.cbor');
    writeFileSync(file, viaPeerApi.encode());
    const draftArgs = ['--auth0-mdoc-nonce', mdocNonce, '--client-id', CLIENT_ID, '--response-uri', RESPONSE_URI, '--nonce', NONCE];
    assert.equal(verifyCli(['--iaca', iacaFile, '--response', file, ...draftArgs]).ok, true);
    assert.equal(verifyCli(['--iaca', iacaFile, '--response', file, ...transcriptArgs]).error_code, 'DEVICE_SIGNATURE_VALIDITY');
  });

  it('wire format facts (README "What the peer puts on the wire")', () => {
    const ia = readFileSync(join(out, 'issuer_auth.cbor'));
    const d = diagnostic(ia);
    assert.equal(ia[0], 0x84, 'issuerAuth is an untagged COSE_Sign1 array (no tag 18)');
    assert.match(d, /^\[h'a10126', \{4: undefined, 33: h'30/, 'protected {1:-7}; unprotected kid=undefined and x5chain as one bstr');
    const payloadHex = d.match(/, h'([0-9a-f]+)', h'[0-9a-f]+'\]$/)[1];
    const mso = diagnostic(Buffer.from(payloadHex, 'hex'));
    assert.match(mso, /^24\(<<\{"version": "1.0", "digestAlgorithm": "SHA-256", "valueDigests": /, 'MSO wrapped in tag 24, keys in insertion order');
    assert.match(mso, /"validityInfo": \{"signed": 0\("\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\), "validFrom": 0\("[^"]+"\), "validUntil": 0\("[^"]+"\)\}/, 'tdate = tag 0, no fraction');
    assert.match(mso, /"deviceKeyInfo": \{"deviceKey": \{1: 2, -1: 1, -2: h'[0-9a-f]{64}', -3: h'[0-9a-f]{64}'\}\}/);
    const dr = diagnostic(response);
    assert.match(dr, /"birth_date", "elementValue": 1004\("1964-08-12"\)/, 'full-date = tag 1004');
    assert.match(dr, /^\{"version": "1.0", "documents": \[\{"docType": "org.iso.18013.5.1.mDL", "issuerSigned": \{"nameSpaces": /);
    assert.match(dr, /\{"digestID": \d+, "elementIdentifier": "given_name", "elementValue": "Erika", "random": h'[0-9a-f]{64}'\}/,
      'IssuerSignedItem key order digestID, elementIdentifier, elementValue, random; 32-byte random');
    assert.match(dr, /"deviceSigned": \{"nameSpaces": 24\(<<\{\}>>\), "deviceAuth": \{"deviceSignature": \[h'a10126', \{4: undefined\}, null, h'[0-9a-f]{128}'\]\}\}\}\], "status": 0\}$/);
  });
});

describe('OpenID4VP 1.0 SessionTranscript (lib.mjs) against the spec example', () => {
  it('reproduces session_transcript_redirect.hex byte for byte', () => {
    const inputs = JSON.parse(readFileSync(join(VECTORS, 'openid4vp-handover', 'inputs.json'), 'utf8'));
    const thumb = jwkThumbprint(inputs.verifier_encryption_jwk);
    assert.equal(thumb.toString('hex'), inputs.jwk_sha256_thumbprint_hex);
    const t = openid4vpSessionTranscript({
      clientId: inputs.redirect_flow.client_id,
      nonce: inputs.redirect_flow.nonce,
      responseUri: inputs.redirect_flow.response_uri,
      jwkThumbprint: thumb,
    });
    const hex = (f) => readFileSync(join(VECTORS, 'openid4vp-handover', f), 'utf8').trim();
    assert.equal(t.handoverInfo.toString('hex'), hex('openid4vp_handover_info.hex'));
    assert.equal(t.sessionTranscript.toString('hex'), hex('session_transcript_redirect.hex'));
    assert.equal(t.sessionTranscriptBytes.subarray(0, 2).toString('hex'), 'd818');
  });
});

describe('ISO 18013-5 Annex D DeviceResponse (deviceMac) through verify.mjs', () => {
  const dir = scratch();
  const iaca = join(ANNEX_D, 'iaca_root_cert.pem');
  const responseHex = join(ANNEX_D, 'device_response.hex');
  const transcript = join(dir, 'session_transcript_bytes.cbor');
  const readerKey = join(dir, 'e_reader.jwk');
  const deviceKey = join(dir, 's_device.jwk');
  const AT = '2021-01-01T00:00:00Z';

  before(() => {
    writeFileSync(transcript, Buffer.from(readFileSync(join(ANNEX_D, 'session_transcript_bytes.hex'), 'utf8').trim(), 'hex'));
    const keys = JSON.parse(readFileSync(join(ANNEX_D, 'keys.json'), 'utf8'));
    const b64u = (h) => Buffer.from(h, 'hex').toString('base64url');
    const jwk = (k) => ({ kty: 'EC', crv: 'P-256', x: b64u(k.x), y: b64u(k.y), d: b64u(k.d) });
    writeJson(readerKey, jwk(keys.ephemeral_reader_key));
    writeJson(deviceKey, jwk(keys.static_device_key));
  });

  const base = () => ['--iaca', iaca, '--response', responseHex, '--hex', '--session-transcript', transcript];

  it('verifies at 2021-01-01 with the reader ephemeral key', () => {
    const v = verifyCli([...base(), '--ephemeral-reader-key', readerKey, '--at', AT]);
    assert.equal(v.ok, true, JSON.stringify(v));
    assert.equal(v.device_auth, 'mac');
    assert.deepEqual(Object.keys(v.claims[MDL_NS]).sort(),
      ['document_number', 'driving_privileges', 'expiry_date', 'family_name', 'issue_date', 'portrait']);
    assert.equal(v.claims[MDL_NS].family_name, 'Doe');
    assert.deepEqual(v.claims[MDL_NS].issue_date, { full_date: '2019-10-20' });
    assert.equal(Buffer.from(v.claims[MDL_NS].portrait.bstr, 'base64url').length, 1042);
  });

  it('fails today: the DS certificate has expired', () => {
    const v = verifyCli([...base(), '--ephemeral-reader-key', readerKey]);
    assert.equal(v.error_code, 'ISSUER_CERTIFICATE_VALIDITY');
  });

  it('without the reader key the MAC cannot be checked', () => {
    const v = verifyCli([...base(), '--at', AT]);
    assert.equal(v.error_code, 'EPHEMERAL_KEY_PRESENCE');
  });

  it('with another reader key the MAC fails', () => {
    const v = verifyCli([...base(), '--ephemeral-reader-key', deviceKey, '--at', AT]);
    assert.equal(v.error_code, 'DEVICE_MAC_VALIDITY');
  });

  it('with the reader root instead of the IACA the chain fails', () => {
    const v = verifyCli(['--iaca', join(ANNEX_D, 'reader_root_cert.pem'), '--response', responseHex, '--hex',
      '--session-transcript', transcript, '--ephemeral-reader-key', readerKey, '--at', AT]);
    assert.equal(v.error_code, 'ISSUER_CERTIFICATE_VALIDITY');
  });
});
