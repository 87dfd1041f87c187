// Theirs -> ours (mdoc, ISO/IEC 18013-5): with a bonafide-made IACA and document signer (so that
// bonafide's Annex B certificate checks hold), @auth0/mdl (tests/interop/mdl/issue.mjs) issues the
// example DVLA mDL and presents some elements as a DeviceResponse with a deviceSignature over the
// OpenID4VP 1.0 SessionTranscript (passed to the peer as encoded SessionTranscriptBytes; its own
// OID4VP helper builds the 18013-7 draft form). `bonafide mdoc verify --transcript oid4vp` checks
// the DeviceResponse, and `bonafide mdoc verify` without a transcript the IssuerSigned alone.
//
// Peer deviation (kid): unless a kid is configured, the peer writes the COSE unprotected header
// {4: undefined} (CBOR simple value 23, f7) in issuerAuth and in deviceSignature. RFC 9052 section
// 3.1 makes kid a bstr, and bonafide rejects anything else (malformed). The main cases therefore
// configure issuer_kid / device_kid (the peer then writes the kid as a bstr); the default is tested
// below as the deviation it is.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { BONAFIDE, bonafideJson, randomNonce, scratchDir } from './lib/common.mjs';
import {
  CLIENT_ID,
  GB_NS,
  MDL_DOCTYPE,
  MDL_NS,
  RESPONSE_URI,
  bonafideForm,
  bonafidePki,
  exampleMdlClaims,
  flipByteAt,
  indexOfUnique,
  peerForm,
  select,
  writeBytes,
} from './lib/mdoc.mjs';
import { cborDecode, diagnostic } from './mdl/lib.mjs';
import { issue } from './mdl/issue.mjs';

const EXTRA_NS = 'org.example.bonafide.interop';
const ISSUER_KID = 'bonafide-interop-ds';
const DEVICE_KID = 'bonafide-interop-device';

const DISCLOSE = {
  [MDL_NS]: ['family_name', 'given_name', 'birth_date', 'issue_date', 'expiry_date', 'issuing_country',
    'portrait', 'driving_privileges', 'age_over_18'],
  [GB_NS]: ['title', 'provisional_driving_privileges'],
  [EXTRA_NS]: ['updated', 'since'],
};

// Instants with milliseconds: the peer writes tdates without fractional seconds (it cuts them off),
// so bonafide must see (and report) them truncated to the second.
const SECOND = 1000;
function withMillis(ms, millis) {
  return new Date(Math.floor(ms / SECOND) * SECOND + millis);
}
function truncated(date) {
  return `${date.toISOString().split('.')[0]}Z`;
}

describe('mDL issued and presented by @auth0/mdl, verified by bonafide', () => {
  const dir = scratchDir();
  const file = (name) => join(dir, name);
  const nonce = randomNonce();
  const mdlClaims = exampleMdlClaims();
  // The example licence plus a namespace of our own with a tdate (with milliseconds), a full-date
  // and an integer, to see the generic forms cross.
  const extraPeer = { updated: { tdate: '2024-01-02T03:04:05.678Z' }, since: { full_date: '2024-01-02' }, level: 3 };
  const extraOurs = { updated: '2024-01-02T03:04:05Z', since: '2024-01-02', level: 3 };
  const allOurs = { ...mdlClaims, [EXTRA_NS]: extraOurs };
  const t0 = Date.now();
  const signed = withMillis(t0 - 600 * SECOND, 789);
  const validUntil = withMillis(t0 + 86400 * SECOND, 123);
  let pki;
  let out;
  let devicePrivateJwk;

  // peerIssue runs the peer's issuer and holder with the base config changed by `patch`.
  const peerIssue = (patch = {}, presentationPatch = {}) => {
    const config = {
      doctype: MDL_DOCTYPE,
      issuer_private_key: readFileSync(pki.dsKeyFile, 'utf8'),
      issuer_certificate: pki.dsPem,
      device_public_key: devicePrivateJwk,
      issuer_kid: ISSUER_KID,
      validity: { signed: signed.toISOString(), valid_from: signed.toISOString(), valid_until: validUntil.toISOString() },
      claims: {
        [MDL_NS]: Object.fromEntries(Object.entries(mdlClaims[MDL_NS]).map(([k, v]) => [k, peerForm(k, v)])),
        [GB_NS]: Object.fromEntries(Object.entries(mdlClaims[GB_NS]).map(([k, v]) => [k, peerForm(k, v)])),
        [EXTRA_NS]: extraPeer,
      },
      presentation: { device_private_key: devicePrivateJwk, device_kid: DEVICE_KID, disclose: DISCLOSE, ...presentationPatch },
      ...patch,
    };
    for (const [k, v] of Object.entries(config)) if (v === undefined) delete config[k];
    for (const [k, v] of Object.entries(config.presentation)) if (v === undefined) delete config.presentation[k];
    return issue(config, { transcriptOptions: { 'client-id': CLIENT_ID, nonce, 'response-uri': RESPONSE_URI } });
  };

  // ourVerify runs `bonafide mdoc verify` on `bytes`; `request` changes the transcript, null drops it.
  const ourVerify = (name, bytes, request = {}, iacaFile = pki.iacaPemFile) => {
    const path = writeBytes(file(name), bytes);
    const args = ['mdoc', 'verify', '--iaca', iacaFile];
    if (request !== null) {
      args.push('--transcript', 'oid4vp',
        '--client-id', request.clientId ?? CLIENT_ID,
        '--response-uri', request.responseUri ?? RESPONSE_URI,
        '--nonce', request.nonce ?? nonce);
    }
    const r = bonafideJson(...args, path);
    assert.equal(r.code, r.json.valid === true ? 0 : 1, `exit code follows valid: ${JSON.stringify(r.json)}`);
    return r.json;
  };

  const rejects = (result, code, what, message) => {
    assert.equal(result.valid, false, `${what}: expected ${code}, got ${JSON.stringify(result)}`);
    assert.equal(result.error, code, `${what}: ${JSON.stringify(result)}`);
    if (message) assert.match(result.message, message, what);
  };

  before(async () => {
    // Backdated an hour: `signed` (ten minutes ago) must lie inside the DS certificate.
    pki = bonafidePki(dir, { country: 'GB', backdateSeconds: 3600 });
    devicePrivateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    out = await peerIssue();
  });

  it('bonafide accepts the DeviceResponse with exactly the disclosed claims', () => {
    const r = ourVerify('response.cbor', out.deviceResponse);
    assert.equal(r.valid, true, JSON.stringify(r, null, 2));
    assert.equal(r.structure, 'DeviceResponse');
    assert.equal(r.docType, MDL_DOCTYPE);
    assert.equal(r.documents.length, 1);
    assert.equal(r.documents[0].device_auth, 'signature');
    assert.equal(r.documents[0].issuer.country, 'GB');
    assert.deepEqual(r.claims, select(allOurs, DISCLOSE, bonafideForm));
    // Spot checks of the forms: full-dates as "YYYY-MM-DD" strings, the portrait as base64url.
    assert.equal(r.claims[MDL_NS].birth_date, '1990-07-14');
    assert.equal(r.claims[MDL_NS].driving_privileges[1].issue_date, '2009-08-20');
    assert.equal(r.claims[GB_NS].provisional_driving_privileges[0].expiry_date, '2060-07-13');
    assert.equal(r.claims[MDL_NS].portrait, Buffer.from(mdlClaims[MDL_NS].portrait, 'base64').toString('base64url'));
  });

  it('bonafide accepts the peer\'s IssuerSigned alone (no transcript) with every element', () => {
    const r = ourVerify('issuer_signed.cbor', out.issuerSigned, null);
    assert.equal(r.valid, true, JSON.stringify(r, null, 2));
    assert.equal(r.structure, 'IssuerSigned');
    assert.equal(r.documents[0].device_auth, 'none');
    const everything = Object.fromEntries(Object.entries(allOurs).map(([ns, e]) => [ns, Object.keys(e)]));
    assert.deepEqual(r.claims, select(allOurs, everything, bonafideForm));
  });

  it('tdates: the peer cuts off fractional seconds, and bonafide reads what it wrote', () => {
    // On the wire: validityInfo and the element tdate without fractions, tag 0; full-dates tag 1004.
    const issuerAuth = cborDecode(out.issuerAuth);
    const mso = diagnostic(Buffer.from(cborDecode(issuerAuth[2]).buffer));
    assert.ok(mso.includes(`"signed": 0("${truncated(signed)}")`), mso);
    assert.ok(mso.includes(`"validUntil": 0("${truncated(validUntil)}")`), mso);
    assert.doesNotMatch(mso, /0\("[^"]*\.\d+Z"\)/, 'no fractional tdate in the MSO');
    const items = diagnostic(out.issuerSigned);
    assert.ok(items.includes('0("2024-01-02T03:04:05Z")'), 'element tdate truncated');
    assert.ok(items.includes('1004("2024-01-02")'));
    assert.doesNotMatch(items, /0\("[^"]*\.\d+Z"\)/, 'no fractional tdate in any element');
    // bonafide reports them as the peer wrote them.
    const r = ourVerify('issuer_signed_dates.cbor', out.issuerSigned, null);
    assert.equal(r.valid, true, JSON.stringify(r));
    assert.equal(r.documents[0].validity.signed, truncated(signed));
    assert.equal(r.documents[0].validity.validFrom, truncated(signed));
    assert.equal(r.documents[0].validity.validUntil, truncated(validUntil));
    assert.equal(r.claims[EXTRA_NS].updated, '2024-01-02T03:04:05Z');
  });

  it('with issuer_kid / device_kid configured the peer writes kid as a bstr', () => {
    const doc = cborDecode(out.deviceResponse).get('documents')[0];
    const issuerUnprotected = doc.get('issuerSigned').get('issuerAuth')[1];
    assert.deepEqual(Buffer.from(issuerUnprotected.get(4)), Buffer.from(ISSUER_KID));
    const deviceUnprotected = doc.get('deviceSigned').get('deviceAuth').get('deviceSignature')[1];
    assert.deepEqual(Buffer.from(deviceUnprotected.get(4)), Buffer.from(DEVICE_KID));
  });

  it('peer deviation: without a configured kid the peer writes {4: undefined}, which bonafide rejects', async () => {
    // Issuer side: issuerAuth unprotected header {4: undefined, 33: x5chain}.
    const noIssuerKid = await peerIssue({ issuer_kid: undefined });
    const unprotected = diagnostic(noIssuerKid.issuerAuth).split(', ')[1];
    assert.ok(unprotected.startsWith('{4: undefined'), unprotected);
    rejects(ourVerify('no_issuer_kid.cbor', noIssuerKid.issuerSigned, null), 'malformed', 'issuerAuth kid undefined', /kid/);
    rejects(ourVerify('no_issuer_kid_response.cbor', noIssuerKid.deviceResponse), 'malformed', 'issuerAuth kid undefined', /kid/);
    // Device side: deviceSignature [h'a10126', {4: undefined}, null, sig].
    const noDeviceKid = await peerIssue({}, { device_kid: undefined });
    const sig = cborDecode(noDeviceKid.deviceResponse).get('documents')[0].get('deviceSigned').get('deviceAuth').get('deviceSignature');
    assert.ok(sig[1] instanceof Map && sig[1].has(4) && sig[1].get(4) === undefined);
    assert.equal(ourVerify('no_device_kid_issuer_signed.cbor', noDeviceKid.issuerSigned, null).valid, true);
    rejects(ourVerify('no_device_kid_response.cbor', noDeviceKid.deviceResponse), 'malformed', 'deviceSignature kid undefined', /kid/);
  });

  it('another nonce, client_id or response_uri on our side fails the device signature', () => {
    rejects(ourVerify('other_nonce.cbor', out.deviceResponse, { nonce: `${nonce}x` }), 'invalid_signature', 'nonce');
    rejects(ourVerify('other_client.cbor', out.deviceResponse, { clientId: 'x509_san_dns:other.example.org' }),
      'invalid_signature', 'client_id');
    rejects(ourVerify('other_uri.cbor', out.deviceResponse, { responseUri: 'https://verifier.example.org/other' }),
      'invalid_signature', 'response_uri');
  });

  it('another IACA as trust anchor fails the chain', () => {
    const other = bonafidePki(dir, { country: 'GB', name: 'other' });
    rejects(ourVerify('other_iaca.cbor', out.deviceResponse, {}, other.iacaPemFile), 'untrusted_issuer', 'other IACA');
  });

  describe('a tampered byte in the peer\'s DeviceResponse is rejected', () => {
    const doc = () => cborDecode(out.deviceResponse).get('documents')[0];
    const tamper = (name, needle, what, code, offset = 0) => {
      const at = indexOfUnique(out.deviceResponse, Buffer.from(needle), what) + offset;
      rejects(ourVerify(name, flipByteAt(out.deviceResponse, at)), code, what);
    };

    it('an element value: digest_mismatch', () => {
      tamper('t_value.cbor', 'Bethan Adaeze', 'given_name value', 'digest_mismatch');
    });

    it('an element\'s random salt: digest_mismatch', () => {
      const item = cborDecode(Buffer.from(doc().get('issuerSigned').get('nameSpaces').get(MDL_NS)[0].buffer));
      tamper('t_random.cbor', item.get('random'), 'random of the first item', 'digest_mismatch', 7);
    });

    it('the device key inside the MSO: invalid_signature (issuerAuth)', () => {
      tamper('t_mso.cbor', Buffer.from(devicePrivateJwk.x, 'base64url'), 'device key x in the MSO', 'invalid_signature', 5);
    });

    it('the issuerAuth signature: invalid_signature', () => {
      tamper('t_issuer_sig.cbor', doc().get('issuerSigned').get('issuerAuth')[3], 'issuerAuth signature', 'invalid_signature', 10);
    });

    it('the deviceSignature: invalid_signature', () => {
      const sig = doc().get('deviceSigned').get('deviceAuth').get('deviceSignature')[3];
      tamper('t_device_sig.cbor', sig, 'deviceSignature', 'invalid_signature', 40);
    });

    it('the docType of the document: rejected', () => {
      // The Document's docType text comes first in the response; the MSO's is inside issuerAuth.
      const at = out.deviceResponse.indexOf(Buffer.from(MDL_DOCTYPE));
      const r = ourVerify('t_doctype.cbor', flipByteAt(out.deviceResponse, at + MDL_DOCTYPE.length - 1));
      rejects(r, 'invalid_type', 'document docType');
    });
  });

  it('every single-byte change of a small peer DeviceResponse is rejected or leaves the claims unchanged', async () => {
    // A short mDL (four elements, three disclosed) keeps the sweep short: one bonafide run per byte,
    // two at a time.
    const claims = { [MDL_NS]: { given_name: 'Bethan', birth_date: '1990-07-14', issuing_country: 'GB', age_over_18: true } };
    const small = (await peerIssue({ claims }, { disclose: { [MDL_NS]: ['given_name', 'birth_date', 'age_over_18'] } }))
      .deviceResponse;
    const base = ourVerify('sweep_base.cbor', small);
    assert.equal(base.valid, true, JSON.stringify(base));
    assert.deepEqual(base.claims, { [MDL_NS]: { given_name: 'Bethan', birth_date: '1990-07-14', age_over_18: true } });

    // The bytes no signature or digest covers, where a flip may pass: the kid label and value in the
    // unprotected headers of issuerAuth and deviceSignature (4 -> 5 makes it an IV, which a
    // COSE_Sign1 ignores), and the minor digit of the DeviceResponse version (bonafide accepts 1.x).
    const mayPass = new Set();
    for (const kid of [ISSUER_KID, DEVICE_KID]) {
      const needle = Buffer.concat([Buffer.from([0x04, 0x40 + kid.length]), Buffer.from(kid)]);
      const at = indexOfUnique(small, needle, `kid ${kid}`);
      mayPass.add(at);
      for (let i = 0; i < kid.length; i++) mayPass.add(at + 2 + i);
    }
    const version = Buffer.from([0x67, ...Buffer.from('version'), 0x63, ...Buffer.from('1.0')]);
    assert.equal(small.indexOf(version), 1, 'the DeviceResponse starts with version "1.0"');
    mayPass.add(1 + version.length - 1);

    const transcript = ['--transcript', 'oid4vp', '--client-id', CLIENT_ID, '--response-uri', RESPONSE_URI, '--nonce', nonce];
    const run = (path) => new Promise((resolveRun) => {
      execFile(BONAFIDE, ['mdoc', 'verify', '--iaca', pki.iacaPemFile, ...transcript, path], { encoding: 'utf8' },
        (err, stdout) => resolveRun({ code: err ? err.code : 0, stdout }));
    });
    const codes = {};
    const accepted = [];
    let next = 0;
    const worker = async (w) => {
      while (next < small.length) {
        const i = next++;
        const path = writeBytes(file(`sweep_${w}.cbor`), flipByteAt(small, i, 0x01));
        const { code, stdout } = await run(path);
        let json;
        try {
          json = JSON.parse(stdout);
        } catch {
          assert.fail(`byte ${i}: bonafide exited ${code} without a JSON verdict: ${stdout}`);
        }
        assert.equal(code, json.valid === true ? 0 : 1, `byte ${i}: exit code follows valid`);
        if (json.valid) {
          assert.deepEqual(json.claims, base.claims, `byte ${i}: accepted with other claims`);
          accepted.push(i);
        } else {
          codes[json.error] = (codes[json.error] ?? 0) + 1;
        }
      }
    };
    await Promise.all([worker(0), worker(1)]);
    accepted.sort((a, b) => a - b);
    console.log(`# sweep over ${small.length} bytes: ${accepted.length} accepted with unchanged claims ` +
      `(bytes ${accepted.join(',')}); rejected ${JSON.stringify(codes)}`);
    const unexpected = accepted.filter((i) => !mayPass.has(i));
    assert.deepEqual(unexpected, [], 'flips accepted outside the unprotected kid and the version digit');
  });
});
