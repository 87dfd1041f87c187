// Issuance to a third-party wallet (issue 4, section 5): the OpenID4VCI 1.0 client of
// @openid4vc/openid4vci (oid4vc-ts, pinned in package.json) takes two offers from a running
// `bonafide issuer serve`, for the GDS digital ID as an SD-JWT VC (an offer with a tx_code) and
// for the DVLA mDL as an mdoc, and goes through the whole pre-authorized code flow with its own
// functions: resolveCredentialOffer, resolveIssuerMetadata (credential issuer and authorization
// server metadata), retrievePreAuthorizedCodeAccessTokenFromOffer, requestNonce,
// createCredentialRequestJwtProof, retrieveCredentials, sendNotification. This test only supplies
// the callbacks the library asks for (hash, random, JWT signing with a P-256 key made here, a
// bounded fetch).
//
// What it gets is then checked by the other peers: the SD-JWT VC by @sd-jwt/sd-jwt-vc
// (SDJwtVcInstance.verify with the issuer key from /.well-known/jwt-vc-issuer, picked by kid,
// including the peer's live fetch of the issuer's status list) and the mdoc by @auth0/mdl
// (Verifier with the issuer's IACA from /iacas as the only trust anchor). Claims are compared
// with the citizen record the test added (`bonafide issuer citizen add`), and the holder key in
// each credential (cnf.jwk, MSO deviceKey) must be the client's proof key: the peers present with
// that key (KB-JWT, deviceSignature) and verify the presentation.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign as cryptoSign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bonafideJson, bonafideOk, cryptoNode, jwtHeader, jwtPayload, publicOf, randomNonce, scratchDir, sdJwtVc, splitSdJwt, writeJson } from './lib/common.mjs';
import { fetchBounded, startIssuer } from './lib/issuer.mjs';
import { DataItem, cborDecode, cborEncode, coseKit, elementToJson, mdl, openid4vpSessionTranscript, pemCertificates } from './mdl/lib.mjs';

for (const pkg of ['@openid4vc/openid4vci', '@openid4vc/oauth2']) {
  if (!existsSync(join(process.env.BONAFIDE_NODE_MODULES, pkg, 'package.json'))) {
    throw new Error(`${pkg} is not installed in ${process.env.BONAFIDE_NODE_MODULES}; run scripts/setup.sh (npm ci)`);
  }
}
const vci = await import('@openid4vc/openid4vci');
const oauth2 = await import('@openid4vc/oauth2');
// The issuer runs on http://127.0.0.1 (no TLS in a test). The library refuses http:// URLs unless
// told otherwise, rightly: OpenID4VCI 1.0 (Credential Issuer Metadata) makes the Credential Issuer
// Identifier a case-sensitive https URL. This is the library's named relaxation for that, set for this process only.
vci.setGlobalConfig({ allowInsecureUrls: true });

const CITIZEN = 'interop-vci-0001';
const SDJWT_CONFIG = 'uk.gov.digital-id.sd-jwt';
const SDJWT_VCT = 'urn:uk:gov:digital-id:1';
const MDOC_CONFIG = 'org.iso.18013.5.1.mDL';
const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
const MDL_NS = 'org.iso.18013.5.1';
const GB_NS = 'org.iso.18013.5.1.GB';

// The citizen this test adds with `bonafide issuer citizen add` (docs/credentials.md, "Citizen
// records"), so that the expected claim values are the test's own. (`issuer citizen list --json`
// lists ids and configurations only, not claim values.) A fictional person; the portrait is an
// 8x8 grey baseline JPEG.
const PORTRAIT =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB' +
  'AQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAA' +
  'AAD/2gAIAQEAAD8AP//Z';
const RECORD = {
  id: CITIZEN,
  claims: {
    [SDJWT_CONFIG]: {
      family_name: 'Price-Adeyemi',
      given_name: 'Eluned Mair',
      birth_date: '1979-03-09',
      portrait: PORTRAIT,
      nationality: 'GB',
      residency_status: 'british_citizen',
      age_over_16: true,
      age_over_18: true,
      age_over_21: true,
      age_over_25: true,
      document_number: 'GDSIDVCI0001',
      issue_date: '2025-10-01',
      expiry_date: '2035-09-30',
      issuing_authority: 'Government Digital Service',
      issuing_country: 'GB',
    },
    [MDOC_CONFIG]: {
      [MDL_NS]: {
        family_name: 'Price-Adeyemi',
        given_name: 'Eluned Mair',
        birth_date: '1979-03-09',
        birth_place: 'Aberystwyth',
        issue_date: '2023-05-02',
        expiry_date: '2033-05-01',
        issuing_country: 'GB',
        issuing_authority: 'DVLA',
        document_number: 'PRICE703099EM9AB',
        portrait: PORTRAIT,
        driving_privileges: [
          { vehicle_category_code: 'B', issue_date: '1997-06-11', expiry_date: '2049-03-08' },
          { vehicle_category_code: 'A', issue_date: '2001-09-20', expiry_date: '2049-03-08' },
        ],
        un_distinguishing_sign: 'UK',
        age_over_18: true,
        age_over_21: true,
      },
      [GB_NS]: { welsh_licence: true },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The client's callbacks.

// A holder key: node:crypto P-256, public part as a JWK (what the proof JWT carries in `jwk`).
function holderKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicOf(publicKey.export({ format: 'jwk' })),
  };
}

const b64u = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

// makeClient returns {client, requests, keys, addKey}: an Openid4vciClient whose signJwt signs with any
// key registered in `keys` (by the JWK's x) and whose fetch is bounded and logs every request.
function makeClient() {
  const keys = new Map();
  const requests = [];
  const client = new vci.Openid4vciClient({
    callbacks: {
      hash: (data, alg) => {
        const name = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[alg];
        if (!name) throw new Error(`hash callback: unexpected algorithm ${alg}`);
        return new Uint8Array(createHash(name).update(data).digest());
      },
      generateRandom: (n) => new Uint8Array(randomBytes(n)),
      signJwt: async (signer, { header, payload }) => {
        if (signer.method !== 'jwk') throw new Error(`signJwt callback: signer method ${signer.method} not used here`);
        if (signer.alg !== 'ES256') throw new Error(`signJwt callback: alg ${signer.alg} not used here`);
        const key = keys.get(signer.publicJwk.x);
        if (!key) throw new Error('signJwt callback: unknown key');
        const input = `${b64u(header)}.${b64u(payload)}`;
        const signature = cryptoSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
        return { jwt: `${input}.${signature.toString('base64url')}`, signerJwk: signer.publicJwk };
      },
      clientAuthentication: oauth2.clientAuthenticationAnonymous(),
      fetch: async (input, init = {}) => {
        const url = typeof input === 'string' ? input : input.url ?? String(input);
        const entry = { method: init.method ?? 'GET', url, body: typeof init.body === 'string' ? init.body : init.body?.toString() };
        requests.push(entry);
        const response = await fetchBounded(input, init);
        entry.status = response.status;
        return response;
      },
    },
  });
  return { client, requests, keys, addKey: (k) => keys.set(k.publicJwk.x, k) };
}

// ---------------------------------------------------------------------------------------------

describe('@openid4vc/openid4vci obtains credentials from a running bonafide issuer', () => {
  const dir = scratchDir();
  let issuer;
  let citizen;
  let issuerJwks;
  let iacaPems;

  before(async () => {
    issuer = await startIssuer(dir);
    // Added while the server runs (SQLite in WAL mode; the CLI opens the same store).
    bonafideOk('issuer', 'citizen', 'add', '--data-dir', issuer.dataDir, writeJson(join(dir, 'citizen.json'), RECORD));
    const listed = bonafideJson('issuer', 'citizen', 'list', '--data-dir', issuer.dataDir, '--json');
    assert.equal(listed.code, 0);
    const entry = listed.json.find((r) => r.id === CITIZEN);
    assert.ok(entry, `${CITIZEN} in \`issuer citizen list --json\`: ${JSON.stringify(listed.json)}`);
    assert.deepEqual([...entry.configurations].sort(), [MDOC_CONFIG, SDJWT_CONFIG].sort());
    citizen = RECORD.claims;
    const meta = await (await fetchBounded(`${issuer.url}/.well-known/jwt-vc-issuer`)).json();
    assert.equal(meta.issuer, issuer.url);
    issuerJwks = meta.jwks.keys;
    const iacas = await fetchBounded(`${issuer.url}/iacas`);
    assert.equal(iacas.status, 200);
    iacaPems = pemCertificates(await iacas.text());
    assert.ok(iacaPems.length >= 1);
  });

  after(async () => {
    // Always stop the server; a graceful SIGTERM stop exits 0.
    if (issuer) {
      const { code, signal } = await issuer.stop();
      assert.equal(code, 0, `issuer serve stopped with ${code ?? signal}`);
    }
  });

  const offer = (configuration, { txCode = false } = {}) => {
    const args = ['issuer', 'offer', '--data-dir', issuer.dataDir, '--citizen', CITIZEN, '--credential', configuration];
    if (txCode) args.push('--tx-code');
    return JSON.parse(bonafideOk(...args).stdout);
  };

  // obtain runs the pre-authorized code flow of OpenID4VCI 1.0 (offer, metadata, token, nonce,
  // credential) with the library for one offer and returns every intermediate result.
  async function obtain(made, { keys = [holderKey()], txCode = made.tx_code, c } = {}) {
    c ??= makeClient();
    for (const k of keys) c.addKey(k);
    const [key] = keys;
    const credentialOffer = await c.client.resolveCredentialOffer(made.offer_uri);
    const issuerMetadata = await c.client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const [configurationId] = credentialOffer.credential_configuration_ids;
    const token = await c.client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode });
    const { c_nonce: nonce } = await c.client.requestNonce({ issuerMetadata });
    // One proof per key, all over the same c_nonce (batch issuance: one credential per proof key).
    const proofJwts = [];
    for (const k of keys) {
      const { jwt } = await c.client.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: configurationId,
        nonce,
        signer: { method: 'jwk', alg: 'ES256', publicJwk: k.publicJwk },
      });
      proofJwts.push(jwt);
    }
    const retrieved = await c.client.retrieveCredentials({
      issuerMetadata,
      credentialConfigurationId: configurationId,
      accessToken: token.accessTokenResponse.access_token,
      proofs: { jwt: proofJwts },
    });
    return { c, key, keys, credentialOffer, issuerMetadata, configurationId, token, nonce, proofJwt: proofJwts[0], proofJwts, retrieved };
  }

  describe('SD-JWT VC (GDS digital ID), offer with a tx_code', () => {
    let made;
    let got;
    let credential;

    before(async () => {
      made = offer(SDJWT_CONFIG, { txCode: true });
      assert.equal(typeof made.tx_code, 'string', 'the CLI printed the tx_code');
      got = await obtain(made);
      const { credentials, notification_id: notificationId } = got.retrieved.credentialResponse;
      assert.equal(credentials.length, 1);
      credential = credentials[0].credential;
      got.notificationId = notificationId;
    });

    it('the library resolved the offer, both metadata documents and a token', () => {
      const { credentialOffer, issuerMetadata, token } = got;
      assert.equal(credentialOffer.credential_issuer, issuer.url);
      assert.deepEqual(credentialOffer.credential_configuration_ids, [SDJWT_CONFIG]);
      const grant = credentialOffer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
      assert.equal(typeof grant['pre-authorized_code'], 'string');
      assert.equal(grant.tx_code.input_mode, 'numeric');
      assert.equal(grant.tx_code.length, made.tx_code.length);
      // The library recognised the metadata as OpenID4VCI 1.0 (not a draft).
      assert.equal(issuerMetadata.originalDraftVersion, vci.Openid4vciVersion.V1);
      assert.equal(issuerMetadata.credentialIssuer.credential_issuer, issuer.url);
      assert.equal(issuerMetadata.authorizationServers.length, 1);
      assert.equal(issuerMetadata.authorizationServers[0].issuer, issuer.url);
      assert.equal(issuerMetadata.authorizationServers[0].token_endpoint, `${issuer.url}/token`);
      const fetched = got.c.requests.map((r) => `${r.method} ${r.url.replace(issuer.url, '')} ${r.status}`);
      assert.ok(fetched.includes(`GET /.well-known/openid-credential-issuer 200`), fetched.join('\n'));
      assert.ok(fetched.includes(`GET /.well-known/oauth-authorization-server 200`), fetched.join('\n'));
      assert.ok(fetched.includes(`POST /token 200`), fetched.join('\n'));
      assert.ok(fetched.includes(`POST /nonce 200`), fetched.join('\n'));
      assert.ok(fetched.includes(`POST /credential 200`), fetched.join('\n'));
      assert.equal(token.accessTokenResponse.token_type.toLowerCase(), 'bearer');
      // The token request carried the tx_code the CLI printed.
      const tokenRequest = new URLSearchParams(got.c.requests.find((r) => r.url.endsWith('/token')).body);
      assert.equal(tokenRequest.get('tx_code'), made.tx_code);
    });

    it('the library built the jwt proof of OpenID4VCI 1.0 (Proof Types: jwt)', () => {
      const header = jwtHeader(got.proofJwt);
      const payload = jwtPayload(got.proofJwt);
      assert.equal(header.typ, 'openid4vci-proof+jwt');
      assert.equal(header.alg, 'ES256');
      assert.deepEqual(publicOf(header.jwk), got.key.publicJwk);
      assert.equal(payload.aud, issuer.url);
      assert.equal(payload.nonce, got.nonce);
      assert.equal('iss' in payload, false, 'no iss in the pre-authorized code flow without client_id');
    });

    it('@sd-jwt/sd-jwt-vc verifies it with the key from /.well-known/jwt-vc-issuer (and the live status list)', async () => {
      const { issuerJwt } = splitSdJwt(credential);
      const header = jwtHeader(issuerJwt);
      assert.equal(header.typ, 'dc+sd-jwt');
      const issuerKey = issuerJwks.find((k) => k.kid === header.kid);
      assert.ok(issuerKey, `kid ${header.kid} is in the issuer's JWKS`);
      const fetched = [];
      const peer = new sdJwtVc.SDJwtVcInstance({
        hasher: cryptoNode.digest,
        verifier: await cryptoNode.ES256.getVerifier(publicOf(issuerKey)),
        // The peer's own fetcher (HTTP GET, Accept and content type application/statuslist+jwt,
        // 10 s timeout), wrapped only to record that it ran. The Status List Token is verified
        // with the same issuer key.
        statusListFetcher: (uri) => {
          fetched.push(uri);
          return sdJwtVc.SDJwtVcInstance.prototype.statusListFetcher.call(peer, uri);
        },
      });
      const result = await peer.verify(credential);
      assert.deepEqual(fetched, [`${issuer.url}/status/token-1`], 'the peer checked the live status list');
      const p = result.payload;
      assert.equal(p.iss, issuer.url);
      assert.equal(p.vct, SDJWT_VCT);
      assert.deepEqual(p.cnf, { jwk: got.key.publicJwk }, 'cnf.jwk is the client proof key');
      assert.equal(p.status.status_list.uri, `${issuer.url}/status/token-1`);
      // Every claim of the record, and nothing else besides the issuer's own (all were disclosed).
      const issuerSet = ['iss', 'vct', 'cnf', 'status', 'iat', 'nbf', 'exp'];
      const claims = Object.fromEntries(Object.entries(p).filter(([k]) => !issuerSet.includes(k)));
      assert.deepEqual(claims, citizen[SDJWT_CONFIG]);
      assert.equal(typeof p.iat, 'number');
      assert.ok(Math.abs(p.iat - Math.floor(Date.now() / 1000)) < 300, 'iat is now');
      assert.equal(p.exp - p.iat, 3650 * 86400, 'valid_days 3650 of the catalogue');
    });

    // presentWithKb: the peer (as holder) discloses given_name with a KB-JWT signed by `privateJwk`;
    // the peer (as verifier) checks it against the issuer key and the credential's cnf.jwk. Each
    // KB-JWT signature check's result is pushed to `kbChecks`.
    async function presentWithKb(privateJwk, kbChecks = []) {
      const { issuerJwt } = splitSdJwt(credential);
      const issuerKey = issuerJwks.find((k) => k.kid === jwtHeader(issuerJwt).kid);
      const holder = new sdJwtVc.SDJwtVcInstance({
        hasher: cryptoNode.digest,
        saltGenerator: cryptoNode.generateSalt,
        kbSigner: await cryptoNode.ES256.getSigner(privateJwk),
        kbSignAlg: 'ES256',
      });
      const nonce = randomNonce();
      const presentation = await holder.present(credential, { given_name: true }, {
        kb: { payload: { aud: 'https://verifier.example.org', iat: Math.floor(Date.now() / 1000), nonce } },
      });
      const verifier = new sdJwtVc.SDJwtVcInstance({
        hasher: cryptoNode.digest,
        verifier: await cryptoNode.ES256.getVerifier(publicOf(issuerKey)),
        kbVerifier: async (data, signature, payload) => {
          const ok = await (await cryptoNode.ES256.getVerifier(payload.cnf.jwk))(data, signature);
          kbChecks.push(ok);
          return ok;
        },
        statusListFetcher: (uri) => sdJwtVc.SDJwtVcInstance.prototype.statusListFetcher.call(null, uri),
      });
      return verifier.verify(presentation, { keyBindingNonce: nonce });
    }

    it('the peer presents it with the client key (KB-JWT) and verifies the presentation', async () => {
      const kbChecks = [];
      const result = await presentWithKb(got.key.privateJwk, kbChecks);
      assert.ok(result.kb);
      assert.deepEqual(kbChecks, [true]);
      assert.equal(result.payload.given_name, citizen[SDJWT_CONFIG].given_name);
      assert.equal('family_name' in result.payload, false);
    });

    it('failing cases: a KB-JWT by another key, another issuer key', async () => {
      const other = holderKey();
      const kbChecks = [];
      // The peer reports a bad KB-JWT signature with the same words as a bad issuer signature.
      await assert.rejects(presentWithKb(other.privateJwk, kbChecks), /Invalid JWT Signature/);
      assert.deepEqual(kbChecks, [false], 'the KB-JWT check against cnf.jwk is what failed');
      const wrongIssuer = new sdJwtVc.SDJwtVcInstance({ hasher: cryptoNode.digest, verifier: await cryptoNode.ES256.getVerifier(other.publicJwk) });
      await assert.rejects(wrongIssuer.verify(credential), /Invalid JWT Signature/);
    });

    it('the library sends credential_accepted to the notification endpoint', async () => {
      assert.equal(typeof got.notificationId, 'string');
      const r = await got.c.client.sendNotification({
        issuerMetadata: got.issuerMetadata,
        accessToken: got.token.accessTokenResponse.access_token,
        notification: { notificationId: got.notificationId, event: 'credential_accepted' },
      });
      assert.equal(r.ok, true);
      assert.equal(r.response.status, 204);
    });
  });

  describe('mdoc (DVLA mDL)', () => {
    let got;
    let issuerSigned;

    before(async () => {
      got = await obtain(offer(MDOC_CONFIG));
      const { credentials } = got.retrieved.credentialResponse;
      assert.equal(credentials.length, 1);
      issuerSigned = Buffer.from(credentials[0].credential, 'base64url');
    });

    it('the library resolved an offer without tx_code and requested by configuration id', () => {
      const grant = got.credentialOffer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
      assert.equal(grant.tx_code, undefined);
      const request = JSON.parse(got.c.requests.find((r) => r.url.endsWith('/credential')).body);
      assert.equal(request.credential_configuration_id, MDOC_CONFIG);
      assert.deepEqual(Object.keys(request.proofs), ['jwt']);
    });

    it('@auth0/mdl verifies the IssuerSigned against the IACA from /iacas', async () => {
      const checks = [];
      const dr = await new mdl.Verifier(iacaPems).verify(deviceResponseOf(issuerSigned), {
        onCheck: (check, defaultCallback) => {
          checks.push(check);
          // Not presented yet, so there is no deviceSigned: the only check allowed to fail.
          if (check.id === mdl.VerificationAssessmentId.DEVICE_AUTH.DocumentDeviceSignaturePresence) return;
          defaultCallback(check);
        },
      });
      const failed = checks.filter((c) => c.status === 'FAILED').map((c) => c.id);
      assert.deepEqual(failed, [mdl.VerificationAssessmentId.DEVICE_AUTH.DocumentDeviceSignaturePresence]);
      const doc = dr.documents[0];
      assert.equal(doc.docType, MDL_DOCTYPE);
      checkElements(claimsOf(doc), citizen[MDOC_CONFIG]);
      // The MSO deviceKey is the client's proof key.
      const deviceKey = doc.issuerSigned.issuerAuth.decodedPayload.deviceKeyInfo.deviceKey;
      assert.deepEqual(publicOf(coseKit.COSEKeyToJWK(deviceKey)), got.key.publicJwk);
    });

    it('the peer presents it with the client key (deviceSignature) and its Verifier accepts it', async () => {
      const transcript = openid4vpSessionTranscript({ clientId: 'x509_san_dns:verifier.example.org', nonce: randomNonce(), responseUri: 'https://verifier.example.org/response' });
      const presented = await present(issuerSigned, got.key.privateJwk, transcript);
      const dr = await new mdl.Verifier(iacaPems).verify(presented, { encodedSessionTranscript: transcript.sessionTranscriptBytes });
      assert.equal(dr.documents[0].docType, MDL_DOCTYPE);
      const claims = claimsOf(dr.documents[0]);
      assert.deepEqual(Object.keys(claims[MDL_NS]).sort(), ['birth_date', 'family_name', 'given_name']);
    });

    it('failing cases: another device key, another IACA', async () => {
      const transcript = openid4vpSessionTranscript({ clientId: 'x509_san_dns:verifier.example.org', nonce: randomNonce(), responseUri: 'https://verifier.example.org/response' });
      const byOther = await present(issuerSigned, holderKey().privateJwk, transcript);
      await assert.rejects(
        new mdl.Verifier(iacaPems).verify(byOther, { encodedSessionTranscript: transcript.sessionTranscriptBytes }),
        (err) => err.code === 'DEVICE_SIGNATURE_VALIDITY',
      );
      const otherDir = join(dir, 'other-issuer');
      bonafideOk('issuer', 'init', '--data-dir', otherDir);
      const otherIaca = readFileSync(join(otherDir, 'keys', 'iaca-1.pem'), 'utf8');
      await assert.rejects(
        new mdl.Verifier([otherIaca]).verify(deviceResponseOf(issuerSigned), { onCheck: (c, d) => (c.category === 'DEVICE_AUTH' ? undefined : d(c)) }),
        (err) => err.code === 'ISSUER_CERTIFICATE_VALIDITY',
      );
    });
  });

  describe('batch issuance and credential endpoint errors through the library', () => {
    it('two proofs in one request give two credentials, one bound to each key', async () => {
      const keys = [holderKey(), holderKey()];
      const got = await obtain(offer(SDJWT_CONFIG), { keys });
      assert.ok(got.issuerMetadata.credentialIssuer.batch_credential_issuance.batch_size >= 2);
      const { credentials } = got.retrieved.credentialResponse;
      assert.equal(credentials.length, 2);
      const bound = [];
      for (const { credential } of credentials) {
        const kid = jwtHeader(splitSdJwt(credential).issuerJwt).kid;
        const issuerKey = issuerJwks.find((k) => k.kid === kid);
        assert.ok(issuerKey, `kid ${kid} is in the issuer's JWKS`);
        const peer = new sdJwtVc.SDJwtVcInstance({ hasher: cryptoNode.digest, verifier: await cryptoNode.ES256.getVerifier(publicOf(issuerKey)) });
        bound.push((await peer.verify(credential)).payload.cnf.jwk);
      }
      const byX = (a, b) => a.x.localeCompare(b.x);
      assert.deepEqual(bound.sort(byX), keys.map((k) => k.publicJwk).sort(byX));
    });

    it('a c_nonce used once is invalid_nonce the second time (the library parses the error response)', async () => {
      const got = await obtain(offer(MDOC_CONFIG));
      const again = holderKey();
      got.c.addKey(again);
      const { jwt } = await got.c.client.createCredentialRequestJwtProof({
        issuerMetadata: got.issuerMetadata,
        credentialConfigurationId: MDOC_CONFIG,
        nonce: got.nonce,
        signer: { method: 'jwk', alg: 'ES256', publicJwk: again.publicJwk },
      });
      await assert.rejects(
        got.c.client.retrieveCredentials({
          issuerMetadata: got.issuerMetadata,
          credentialConfigurationId: MDOC_CONFIG,
          accessToken: got.token.accessTokenResponse.access_token,
          proofs: { jwt: [jwt] },
        }),
        (err) => {
          assert.ok(err instanceof vci.Openid4vciRetrieveCredentialsError, String(err));
          assert.equal(err.response.response.status, 400);
          assert.equal(err.response.credentialErrorResponseResult?.success, true, 'a valid OpenID4VCI error response');
          assert.equal(err.response.credentialErrorResponseResult.data.error, 'invalid_nonce');
          return true;
        },
      );
      // Boundary: a fresh c_nonce with the same access token and key is accepted.
      const { c_nonce: fresh } = await got.c.client.requestNonce({ issuerMetadata: got.issuerMetadata });
      const { jwt: ok } = await got.c.client.createCredentialRequestJwtProof({
        issuerMetadata: got.issuerMetadata,
        credentialConfigurationId: MDOC_CONFIG,
        nonce: fresh,
        signer: { method: 'jwk', alg: 'ES256', publicJwk: again.publicJwk },
      });
      const r = await got.c.client.retrieveCredentials({
        issuerMetadata: got.issuerMetadata,
        credentialConfigurationId: MDOC_CONFIG,
        accessToken: got.token.accessTokenResponse.access_token,
        proofs: { jwt: [ok] },
      });
      assert.equal(r.credentialResponse.credentials.length, 1);
    });
  });

  describe('token endpoint errors as the library reports them', () => {
    it('a wrong tx_code is invalid_grant, the right one still works', async () => {
      const made = offer(SDJWT_CONFIG, { txCode: true });
      const wrong = String((Number(made.tx_code[0]) + 1) % 10) + made.tx_code.slice(1);
      const c = makeClient();
      const credentialOffer = await c.client.resolveCredentialOffer(made.offer_uri);
      const issuerMetadata = await c.client.resolveIssuerMetadata(credentialOffer.credential_issuer);
      await assert.rejects(
        c.client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode: wrong }),
        (err) => err instanceof oauth2.Oauth2ClientErrorResponseError && err.errorResponse.error === 'invalid_grant',
      );
      const ok = await c.client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode: made.tx_code });
      assert.equal(typeof ok.accessTokenResponse.access_token, 'string');
      // Used once: a second exchange of the same code is invalid_grant.
      await assert.rejects(
        c.client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode: made.tx_code }),
        (err) => err instanceof oauth2.Oauth2ClientErrorResponseError && err.errorResponse.error === 'invalid_grant',
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers.

// deviceResponseOf wraps the issuer's IssuerSigned bytes, unchanged, in a DeviceResponse
// (ISO/IEC 18013-5 8.3.2.1.2.2) without deviceSigned: {"version": "1.0", "documents": [{"docType":
// ..., "issuerSigned": <the bytes>}], "status": 0}, so @auth0/mdl's parser takes it.
function deviceResponseOf(issuerSignedBytes) {
  const docType = msoOf(issuerSignedBytes).get('docType');
  const tstr = (s) => Buffer.from(cborEncode(s));
  return Buffer.concat([
    Buffer.from([0xa3]), tstr('version'), tstr('1.0'),
    tstr('documents'), Buffer.from([0x81, 0xa2]), tstr('docType'), tstr(docType), tstr('issuerSigned'), issuerSignedBytes,
    tstr('status'), Buffer.from([0x00]),
  ]);
}

// msoOf decodes the MobileSecurityObject inside issuerAuth (payload = bstr of 24(<<MSO>>)).
function msoOf(issuerSignedBytes) {
  const payload = cborDecode(issuerSignedBytes).get('issuerAuth')[2];
  const tagged = cborDecode(Buffer.from(payload));
  if (!(tagged instanceof DataItem)) throw new Error('issuerAuth payload is not 24(<<MSO>>)');
  return tagged.data;
}

// present makes a DeviceResponse with the peer (given_name, family_name, birth_date) signed by
// `devicePrivateJwk` over `transcript`.
async function present(issuerSignedBytes, devicePrivateJwk, transcript) {
  const parsed = mdl.parse(deviceResponseOf(issuerSignedBytes));
  const fields = ['given_name', 'family_name', 'birth_date'].map((e) => ({ path: [`$['${MDL_NS}']['${e}']`], intent_to_retain: false }));
  const pd = {
    id: 'bonafide-oid4vci-interop',
    input_descriptors: [{ id: MDL_DOCTYPE, format: { mso_mdoc: { alg: ['ES256'] } }, constraints: { limit_disclosure: 'required', fields } }],
  };
  // A kid keeps the peer from writing its default unprotected header {4: undefined}
  // (tests/interop/README.md, "kid").
  const response = await mdl.DeviceResponse.from(parsed)
    .usingPresentationDefinition(pd)
    .usingSessionTranscriptBytes(transcript.sessionTranscriptBytes)
    .authenticateWithSignature({ ...devicePrivateJwk, kid: 'client-device-key' }, 'ES256')
    .sign();
  return response.encode();
}

function claimsOf(document) {
  const claims = {};
  for (const [ns, items] of Object.entries(document.issuerSigned.nameSpaces ?? {})) {
    claims[ns] = Object.fromEntries(items.map((item) => [item.elementIdentifier, elementToJson(item.elementValue)]));
  }
  return claims;
}

// peerFormOf converts a record's mdoc claims ({ns: {element: value}}, docs/credentials.md) into
// what the peer's parser yields through elementToJson: full-dates (birth_date, issue_date,
// expiry_date, also inside driving_privileges) as {full_date}, the portrait as {bstr}.
const FULL_DATES = new Set(['birth_date', 'issue_date', 'expiry_date']);
function peerFormOf(name, value) {
  if (name === 'portrait') return { bstr: Buffer.from(value, 'base64').toString('base64url') };
  if (FULL_DATES.has(name)) return { full_date: value };
  if (Array.isArray(value)) return value.map((v) => peerFormOf(null, v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, peerFormOf(k, v)]));
  return value;
}

// checkElements: the IssuerSigned holds exactly the record's elements, with the record's values.
function checkElements(claims, record) {
  assert.deepEqual(claims, peerFormOf(null, record));
}
