// Ours -> theirs (mdoc, ISO/IEC 18013-5): the bonafide CLI makes an IACA and a document signer
// (`bonafide pki`), issues the example DVLA mDL (`bonafide mdoc issue`) and presents some elements
// with a deviceSignature over the OpenID4VP 1.0 SessionTranscript (`bonafide mdoc present
// --transcript oid4vp`); @auth0/mdl's Verifier (tests/interop/mdl/verify.mjs) checks the
// DeviceResponse with the same transcript, passed to it as encoded SessionTranscriptBytes
// (the peer's own OID4VP helper builds the 18013-7 draft form, see tests/interop/mdl/README.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { bonafideOk, publicOf, randomNonce, scratchDir, writeJson } from './lib/common.mjs';
import {
  CLIENT_ID,
  GB_NS,
  MDL_DOCTYPE,
  MDL_NS,
  RESPONSE_URI,
  bonafidePki,
  discloseArg,
  exampleMdlClaims,
  flipByteAt,
  indexOfUnique,
  peerForm,
  select,
} from './lib/mdoc.mjs';
import { cborDecode, diagnostic, jwkThumbprint, openid4vpSessionTranscript } from './mdl/lib.mjs';
import { verifyResponse } from './mdl/verify.mjs';

const DISCLOSE = {
  [MDL_NS]: ['given_name', 'birth_date', 'issuing_country', 'portrait', 'driving_privileges', 'age_over_18'],
  [GB_NS]: ['welsh_licence', 'provisional_driving_privileges'],
};

describe('mDL issued and presented by bonafide, verified by @auth0/mdl', () => {
  const dir = scratchDir();
  const file = (name) => join(dir, name);
  const nonce = randomNonce();
  const claims = exampleMdlClaims();
  let pki;
  let response;
  let responseWithThumbprint;
  let thumbprint;

  // peerVerify runs the peer's Verifier on `bytes` with the OpenID4VP 1.0 transcript of `request`.
  const peerVerify = (bytes, request = {}, iacaPems = [pki.iacaPem]) => {
    const { sessionTranscriptBytes } = openid4vpSessionTranscript({
      clientId: request.clientId ?? CLIENT_ID,
      nonce: request.nonce ?? nonce,
      responseUri: request.responseUri ?? RESPONSE_URI,
      jwkThumbprint: request.jwkThumbprint ?? null,
    });
    return verifyResponse({ iacaPems, response: bytes, sessionTranscriptBytes });
  };

  const present = (out, extra = []) => {
    bonafideOk(
      'mdoc', 'present',
      '--issuer-signed', file('issuer_signed.cbor'),
      '--device-key', file('device.jwk'),
      '--disclose', discloseArg(DISCLOSE),
      '--transcript', 'oid4vp', '--client-id', CLIENT_ID, '--response-uri', RESPONSE_URI, '--nonce', nonce,
      ...extra,
      '--binary', '--out', out,
    );
    return readFileSync(out);
  };

  before(() => {
    pki = bonafidePki(dir, { country: 'GB' });
    bonafideOk('key', 'generate', '--alg', 'ES256', '--out', file('device.jwk'));
    const devicePublic = JSON.parse(bonafideOk('key', 'public', file('device.jwk')).stdout);
    writeJson(file('device.pub.jwk'), devicePublic);
    bonafideOk(
      'mdoc', 'issue',
      '--ds-key', pki.dsKeyFile,
      '--ds-cert', pki.dsPemFile,
      '--doctype', MDL_DOCTYPE,
      '--claims', writeJson(file('claims.json'), claims),
      '--device-key', file('device.pub.jwk'),
      '--binary', '--out', file('issuer_signed.cbor'),
    );
    response = present(file('response.cbor'));
    // An encrypted-response request (direct_post.jwt): the verifier's key thumbprint goes into the
    // handover info on both sides.
    writeJson(file('verifier.pub.jwk'), publicOf(JSON.parse(bonafideOk('key', 'generate', '--alg', 'ES256').stdout)));
    thumbprint = jwkThumbprint(JSON.parse(readFileSync(file('verifier.pub.jwk'), 'utf8')));
    responseWithThumbprint = present(file('response_thumbprint.cbor'), ['--jwk-thumbprint', thumbprint.toString('base64url')]);
  });

  it('the peer accepts the DeviceResponse with exactly the disclosed claims', async () => {
    const r = await peerVerify(response);
    assert.equal(r.ok, true, JSON.stringify(r, null, 2));
    assert.equal(r.doc_type, MDL_DOCTYPE);
    assert.equal(r.device_auth, 'signature');
    assert.equal(r.documents.length, 1);
    assert.deepEqual(r.claims, select(claims, DISCLOSE, peerForm));
  });

  it('bonafide writes what the peer expects: untagged COSE_Sign1, 1004 full-dates, tag-24 items', () => {
    const doc = cborDecode(response).get('documents')[0];
    const issuerAuth = doc.get('issuerSigned').get('issuerAuth');
    assert.ok(Array.isArray(issuerAuth) && issuerAuth.length === 4, 'issuerAuth is an untagged COSE_Sign1 array');
    const sig = doc.get('deviceSigned').get('deviceAuth').get('deviceSignature');
    assert.ok(Array.isArray(sig) && sig.length === 4 && sig[2] === null, 'deviceSignature: untagged, detached payload');
    const text = diagnostic(response);
    assert.match(text, /"nameSpaces": 24\(<<\{\}>>\)/, 'empty device nameSpaces as 24(<<{}>>) (d8 18 41 a0)');
    assert.ok(text.includes('"birth_date"') && text.includes('1004("1990-07-14")'), 'birth_date as a 1004 full-date');
  });

  it('the OpenID4VP 1.0 transcript with a jwk_thumbprint is accepted, and only with that thumbprint', async () => {
    const ok = await peerVerify(responseWithThumbprint, { jwkThumbprint: thumbprint });
    assert.equal(ok.ok, true, JSON.stringify(ok, null, 2));
    assert.deepEqual(ok.claims, select(claims, DISCLOSE, peerForm));
    const none = await peerVerify(responseWithThumbprint);
    assert.equal(none.ok, false);
    assert.equal(none.error_code, 'DEVICE_SIGNATURE_VALIDITY');
    const missing = await peerVerify(response, { jwkThumbprint: thumbprint });
    assert.equal(missing.ok, false);
    assert.equal(missing.error_code, 'DEVICE_SIGNATURE_VALIDITY');
  });

  it('another nonce on the peer side fails the device signature', async () => {
    const r = await peerVerify(response, { nonce: `${nonce}x` });
    assert.equal(r.ok, false);
    assert.equal(r.error_code, 'DEVICE_SIGNATURE_VALIDITY');
    assert.deepEqual(r.claims, {});
  });

  it('another client_id or response_uri fails the device signature', async () => {
    for (const request of [{ clientId: 'x509_san_dns:other.example.org' }, { responseUri: 'https://verifier.example.org/other' }]) {
      const r = await peerVerify(response, request);
      assert.equal(r.ok, false, JSON.stringify(request));
      assert.equal(r.error_code, 'DEVICE_SIGNATURE_VALIDITY', JSON.stringify(request));
    }
  });

  it('another bonafide IACA as trust anchor fails the chain', async () => {
    const other = bonafidePki(dir, { country: 'GB', name: 'other' });
    const r = await peerVerify(response, {}, [other.iacaPem]);
    assert.equal(r.ok, false);
    assert.equal(r.error_code, 'ISSUER_CERTIFICATE_VALIDITY');
  });

  it('a changed element value fails its digest in the peer', async () => {
    // "Bethan Adaeze" -> "Cethan Adaeze" inside the given_name IssuerSignedItem.
    const at = indexOfUnique(response, Buffer.from('Bethan Adaeze'), 'given_name value');
    const r = await peerVerify(flipByteAt(response, at, 0x01));
    assert.equal(r.ok, false);
    assert.equal(r.error_code, 'ATTRIBUTE_DIGEST_MATCH');
  });
});
