// Presentation from a third-party wallet (issue 5, section 5): the OpenID4VP 1.0 client of
// @openid4vc/openid4vp 0.4.6 (oid4vc-ts, pinned in package.json) answers a running
// `bonafide verifier serve`, and the verifier decides on what the library sent.
//
// Set-up, all on loopback and stopped in `after`: a bonafide issuer (`issuer init --demo`,
// lib/issuer.mjs); an SD-JWT VC (uk.gov.digital-id.sd-jwt) for the demo citizen demo-0001 obtained
// with @openid4vc/openid4vci's pre-authorized code flow, bound to a P-256 holder key held here; a
// trust registry that lists the issuer and registers "Interop Shop Ltd" for age_over_18 with
// client_id host localhost (`registry add-rp --allow-localhost`); a verifier from that
// registration (lib/verifier.mjs). Sessions are created with POST /sessions {"check":
// "age_over_18", "response_mode": ...}.
//
// What the library does (its own functions, Openid4vpClient):
//   parseOpenid4vpAuthorizationRequest  reads the openid4vp:// URI: a JAR request by reference
//                                       (client_id + request_uri).
//   resolveOpenId4vpAuthorizationRequest  fetches the Request Object from request_uri (GET), checks
//       it is a JWT, takes the signer from the x5c header (x509_san_dns allows only x5c), has the
//       verifyJwt callback check the signature, then checks exp/nbf, typ oauth-authz-req+jwt (for
//       OpenID4VP >= draft 24; it infers 1.0 from verifier_info and vp_formats_supported), that the
//       URI's client_id equals the Request Object's, response_uri present with response_mode
//       direct_post(.jwt), exactly one of dcql_query / presentation_definition / scope, that the
//       leaf certificate's SAN dNSNames contain the client_id's host (via the
//       getX509CertificateMetadata callback) and that the response_uri's host is that name
//       (OpenID4VP 1.0 section 5.9.3, x509_san_dns).
//   createOpenid4vpAuthorizationResponse  adds `state`; for direct_post.jwt picks the encryption
//       JWK from client_metadata.jwks (use "enc"), enc from encrypted_response_enc_values_supported
//       intersected with the wallet's, alg from the JWK (ECDH-ES), checks both against the wallet's
//       capabilities and asks the encryptJwe callback for the JWE of {vp_token, state}, with apv =
//       the request nonce and apu = the wallet nonce it is given.
//   submitOpenid4vpAuthorizationResponse  POSTs the form (response=JWE, or vp_token + state as
//       JSON / string form parameters) to response_uri.
// It does not look at the DCQL query or build presentations: the test builds the SD-JWT VC
// presentation with @sd-jwt/sd-jwt-vc (only age_over_18 disclosed, KB-JWT with aud = the client_id
// the library resolved and the request's nonce).
//
// The test's callbacks: fetch (bounded to 10 s, recorded); hash (node:crypto); verifyJwt (only
// ES256 with an x5c signer: the leaf must be signed by the registry root from the relying party's
// registration directory, be within its validity, and the JWS signature must verify with the leaf's
// public key, node:crypto X509Certificate + verify; every call recorded); getX509CertificateMetadata
// (DNS and URI names of X509Certificate.subjectAltName); encryptJwe (jose CompactEncrypt, ECDH-ES
// with the alg/enc the library chose, kid copied from the JWK, apu/apv as given; jose 4.15 is in
// node_modules through the pinned @auth0/mdl). signJwt and decryptJwe are not needed and throw.
//
// bonafide serves the request_uri and response_uri as http://localhost:PORT; the library accepts
// http URLs only with its named relaxation `setGlobalConfig({ allowInsecureUrls: true })` (as in
// interop_oid4vci_client), set for this process.
import assert from 'node:assert/strict';
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bonafideOk, cryptoNode, decodeDisclosure, jwtHeader, publicOf, randomNonce, scratchDir, sdJwtVc, splitSdJwt } from './lib/common.mjs';
import { fetchBounded, startIssuer } from './lib/issuer.mjs';
import { createSession, makeRegistry, startVerifier, waitForResult } from './lib/verifier.mjs';

for (const pkg of ['@openid4vc/openid4vp', '@openid4vc/openid4vci', '@openid4vc/oauth2', 'jose']) {
  if (!existsSync(join(process.env.BONAFIDE_NODE_MODULES, pkg, 'package.json'))) {
    throw new Error(`${pkg} is not installed in ${process.env.BONAFIDE_NODE_MODULES}; run scripts/setup.sh (npm ci)`);
  }
}
const vp = await import('@openid4vc/openid4vp');
const vci = await import('@openid4vc/openid4vci');
const oauth2 = await import('@openid4vc/oauth2');
const jose = await import('jose');
oauth2.setGlobalConfig({ allowInsecureUrls: true });

const CITIZEN = 'demo-0001';
const SDJWT_CONFIG = 'uk.gov.digital-id.sd-jwt';
const SDJWT_VCT = 'urn:uk:gov:digital-id:1';
const CLIENT_ID = 'x509_san_dns:localhost';
const SDJWT_QUERY_ID = 'digital_id_sdjwt';
// What this wallet supports for encrypted responses (the library checks the verifier's choice
// against it).
const WALLET_JARM = {
  authorization_signing_alg_values_supported: ['ES256'],
  authorization_encryption_alg_values_supported: ['ECDH-ES'],
  authorization_encryption_enc_values_supported: ['A256GCM', 'A128GCM'],
};

const b64u = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function holderKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, privateJwk: privateKey.export({ format: 'jwk' }), publicJwk: publicOf(publicKey.export({ format: 'jwk' })) };
}

function hashCallback(data, alg) {
  const name = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[alg];
  if (!name) throw new Error(`hash callback: unexpected algorithm ${alg}`);
  return new Uint8Array(createHash(name).update(data).digest());
}

// recordingFetch is a fetch bounded to 10 s that appends {method, url, status} to `requests`.
function recordingFetch(requests) {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.url ?? String(input);
    const entry = { method: init.method ?? 'GET', url, contentType: new Headers(init.headers ?? {}).get('content-type'), body: init.body };
    requests.push(entry);
    const response = await fetchBounded(input, init);
    entry.status = response.status;
    return response;
  };
}

// ---------------------------------------------------------------------------------------------
// Getting the credential: @openid4vc/openid4vci's pre-authorized code flow (as interop_oid4vci_client).

async function obtainSdJwtVc(issuer, key) {
  const client = new vci.Openid4vciClient({
    callbacks: {
      hash: hashCallback,
      generateRandom: (n) => new Uint8Array(randomBytes(n)),
      signJwt: async (signer, { header, payload }) => {
        if (signer.method !== 'jwk' || signer.publicJwk.x !== key.publicJwk.x) throw new Error('signJwt callback: unknown signer');
        const input = `${b64u(header)}.${b64u(payload)}`;
        const signature = cryptoSign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
        return { jwt: `${input}.${signature.toString('base64url')}`, signerJwk: signer.publicJwk };
      },
      clientAuthentication: oauth2.clientAuthenticationAnonymous(),
      fetch: recordingFetch([]),
    },
  });
  const made = JSON.parse(
    bonafideOk('issuer', 'offer', '--data-dir', issuer.dataDir, '--citizen', CITIZEN, '--credential', SDJWT_CONFIG).stdout,
  );
  const credentialOffer = await client.resolveCredentialOffer(made.offer_uri);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata });
  const { c_nonce: nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: SDJWT_CONFIG,
    nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: key.publicJwk },
  });
  const retrieved = await client.retrieveCredentials({
    issuerMetadata,
    credentialConfigurationId: SDJWT_CONFIG,
    accessToken: token.accessTokenResponse.access_token,
    proofs: { jwt: [jwt] },
  });
  const { credentials } = retrieved.credentialResponse;
  assert.equal(credentials.length, 1);
  return credentials[0].credential;
}

// ---------------------------------------------------------------------------------------------
// The wallet: an Openid4vpClient with the callbacks described in the header.

function makeWallet(registryRootPem) {
  const registryRoot = new X509Certificate(registryRootPem);
  const requests = [];
  const verifyCalls = [];
  const encryptCalls = [];
  const client = new vp.Openid4vpClient({
    callbacks: {
      fetch: recordingFetch(requests),
      hash: hashCallback,
      verifyJwt: async (signer, { header, compact }) => {
        const call = { method: signer.method, alg: signer.alg, x5c: signer.x5c, typ: header.typ };
        verifyCalls.push(call);
        if (signer.method !== 'x5c' || signer.alg !== 'ES256' || header.alg !== 'ES256') return { verified: false };
        const leaf = new X509Certificate(Buffer.from(signer.x5c[0], 'base64'));
        const t = Date.now();
        call.issuedByRoot = leaf.checkIssued(registryRoot) && leaf.verify(registryRoot.publicKey);
        call.inValidity = Date.parse(leaf.validFrom) <= t && t <= Date.parse(leaf.validTo);
        const [h, p, s] = compact.split('.');
        call.signatureValid = cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
        const verified = call.issuedByRoot && call.inValidity && call.signatureValid;
        return verified ? { verified: true, signerJwk: leaf.publicKey.export({ format: 'jwk' }) } : { verified: false };
      },
      getX509CertificateMetadata: (certificate) => {
        const san = new X509Certificate(Buffer.from(certificate, 'base64')).subjectAltName ?? '';
        const names = san.split(', ').filter(Boolean);
        return {
          sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
          sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
        };
      },
      encryptJwe: async (encryptor, data) => {
        encryptCalls.push({ ...encryptor });
        if (encryptor.method !== 'jwk') throw new Error(`encryptJwe callback: method ${encryptor.method} not used here`);
        const { kid, alg, use, ...jwk } = encryptor.publicJwk;
        const header = { alg: encryptor.alg, enc: encryptor.enc, ...(kid ? { kid } : {}) };
        const parameters = {};
        if (encryptor.apu) parameters.apu = Buffer.from(encryptor.apu, 'base64url');
        if (encryptor.apv) parameters.apv = Buffer.from(encryptor.apv, 'base64url');
        const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(data))
          .setProtectedHeader(header)
          .setKeyManagementParameters(parameters)
          .encrypt(await jose.importJWK(jwk, encryptor.alg));
        return { jwe, encryptionJwk: encryptor.publicJwk };
      },
      signJwt: () => {
        throw new Error('signJwt callback: not used by this wallet');
      },
      decryptJwe: () => {
        throw new Error('decryptJwe callback: not used by this wallet');
      },
    },
  });
  return { client, requests, verifyCalls, encryptCalls };
}

// ---------------------------------------------------------------------------------------------

describe('@openid4vc/openid4vp presents to a running bonafide verifier', () => {
  const dir = scratchDir();
  let issuer;
  let verifier;
  let registry;
  let key;
  let credential;

  before(async () => {
    issuer = await startIssuer(dir);
    key = holderKey();
    credential = await obtainSdJwtVc(issuer, key);
    registry = makeRegistry(dir, { issuerUrl: issuer.url });
    verifier = await startVerifier(dir, { rpDir: registry.rpDir, trustList: registry.trustList });
    assert.equal(verifier.clientId, CLIENT_ID);
  });

  after(async () => {
    // Always stop both servers; a graceful SIGTERM stop exits 0.
    const stops = [];
    if (verifier) stops.push(['verifier', verifier.stop()]);
    if (issuer) stops.push(['issuer', issuer.stop()]);
    for (const [name, stopping] of stops) {
      const { code, signal } = await stopping;
      assert.equal(code, 0, `${name} serve stopped with ${code ?? signal}`);
    }
  });

  // start creates an age_over_18 session and lets the library parse and resolve its request.
  async function start(responseMode) {
    const session = await createSession(verifier, { check: 'age_over_18', response_mode: responseMode });
    const wallet = makeWallet(readFileSync(join(registry.rpDir, 'registry_root.pem'), 'utf8'));
    const parsed = wallet.client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: session.request_uri });
    const resolved = await wallet.client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params });
    return { session, wallet, parsed, resolved };
  }

  // present makes the SD-JWT VC presentation of age_over_18 with a KB-JWT over `kb`.
  async function present(kb) {
    const holder = new sdJwtVc.SDJwtVcInstance({
      hasher: cryptoNode.digest,
      saltGenerator: cryptoNode.generateSalt,
      kbSigner: await cryptoNode.ES256.getSigner(key.privateJwk),
      kbSignAlg: 'ES256',
    });
    return holder.present(credential, { age_over_18: true }, { kb: { payload: { iat: now(), ...kb } } });
  }

  // respond lets the library create and submit the Authorization Response carrying `presentation`
  // for the SD-JWT VC query; returns {created, submitted, answer} (answer = the response_uri's
  // status and body).
  async function respond({ wallet, resolved }, presentation) {
    const request = resolved.authorizationRequestPayload;
    const encrypted = request.response_mode === 'direct_post.jwt';
    const created = await wallet.client.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload: { vp_token: { [SDJWT_QUERY_ID]: [presentation] } },
      ...(encrypted ? { jarm: { encryption: { nonce: randomNonce() }, serverMetadata: WALLET_JARM } } : {}),
    });
    const submitted = await wallet.client.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload: created.authorizationResponsePayload,
      jarm: created.jarm ? { responseJwt: created.jarm.responseJwt } : undefined,
    });
    const answer = { status: submitted.response.status, body: await submitted.response.text() };
    return { created, submitted, answer };
  }

  describe('direct_post.jwt (encrypted response)', () => {
    let s;
    let presentation;
    let sent;

    before(async () => {
      s = await start('direct_post.jwt');
      presentation = await present({ aud: s.resolved.client.effective, nonce: s.resolved.authorizationRequestPayload.nonce });
      sent = await respond(s, presentation);
    });

    it('the library parsed the openid4vp:// URI as a JAR request by reference', () => {
      assert.equal(s.parsed.type, 'jar');
      assert.equal(s.parsed.provided, 'uri');
      assert.equal(s.parsed.params.client_id, CLIENT_ID);
      assert.equal(s.parsed.params.request_uri, new URLSearchParams(s.session.request_uri.split('?')[1]).get('request_uri'));
      assert.ok(s.parsed.params.request_uri.startsWith(`${verifier.verifierUrl}/request/`));
    });

    it('the library fetched the Request Object and accepted its signature by the x5c leaf', () => {
      const fetched = s.wallet.requests[0];
      assert.equal(fetched.url, s.parsed.params.request_uri);
      assert.equal(fetched.method.toLowerCase(), 'get');
      assert.equal(fetched.status, 200);
      // One signature check, by the x5c signer, of a JWT with typ oauth-authz-req+jwt; the callback
      // found the leaf issued by the registry root, valid now, and the signature good.
      assert.equal(s.wallet.verifyCalls.length, 1);
      const [call] = s.wallet.verifyCalls;
      assert.deepEqual(
        { method: call.method, alg: call.alg, typ: call.typ, issuedByRoot: call.issuedByRoot, inValidity: call.inValidity, signatureValid: call.signatureValid },
        { method: 'x5c', alg: 'ES256', typ: 'oauth-authz-req+jwt', issuedByRoot: true, inValidity: true, signatureValid: true },
      );
      assert.equal(call.x5c.length, 1, 'the access certificate alone, without the registry root');
      const leaf = new X509Certificate(Buffer.from(call.x5c[0], 'base64'));
      assert.equal(leaf.subjectAltName, 'DNS:localhost');
      assert.equal(s.resolved.jar.sendBy, 'reference');
      assert.equal(s.resolved.jar.signer.method, 'x5c');
    });

    it('the library resolved client_id, nonce, response_mode, response_uri and the DCQL query', () => {
      const { client, authorizationRequestPayload: request, dcql, pex, version } = s.resolved;
      assert.equal(client.prefix, 'x509_san_dns');
      assert.equal(client.identifier, 'localhost');
      assert.equal(client.effective, CLIENT_ID);
      assert.equal(client.x5c.length, 1);
      assert.equal(version, 100, 'the library read it as OpenID4VP 1.0');
      assert.equal(request.client_id, CLIENT_ID);
      assert.equal(request.response_type, 'vp_token');
      assert.equal(request.response_mode, 'direct_post.jwt');
      assert.ok(request.response_uri.startsWith(`${verifier.verifierUrl}/response/`));
      assert.equal(typeof request.nonce, 'string');
      assert.ok(request.nonce.length >= 16);
      assert.equal(typeof request.state, 'string');
      assert.equal(pex, undefined);
      const sdjwtQuery = dcql.query.credentials.find((c) => c.id === SDJWT_QUERY_ID);
      assert.deepEqual(sdjwtQuery, {
        id: SDJWT_QUERY_ID,
        format: 'dc+sd-jwt',
        meta: { vct_values: [SDJWT_VCT] },
        claims: [{ id: 'age_over_18', path: ['age_over_18'] }],
      });
      // Every credential query of the check asks for age_over_18 and nothing else.
      for (const c of dcql.query.credentials) {
        assert.deepEqual(c.claims.map((claim) => claim.path.at(-1)), ['age_over_18'], JSON.stringify(c));
      }
      // The response encryption key the verifier offers.
      const [encKey] = client.clientMetadata.jwks.keys;
      assert.equal(encKey.use, 'enc');
      assert.equal(encKey.alg, 'ECDH-ES');
      assert.equal(encKey.crv, 'P-256');
    });

    it('the presentation discloses only age_over_18, with a KB-JWT to the client_id and nonce', () => {
      const { disclosures, kbJwt } = splitSdJwt(presentation);
      assert.deepEqual(disclosures.map((d) => decodeDisclosure(d).slice(1)), [['age_over_18', true]]);
      const header = jwtHeader(kbJwt);
      const payload = JSON.parse(Buffer.from(kbJwt.split('.')[1], 'base64url').toString('utf8'));
      assert.equal(header.typ, 'kb+jwt');
      assert.equal(payload.aud, CLIENT_ID);
      assert.equal(payload.nonce, s.resolved.authorizationRequestPayload.nonce);
    });

    it('the library encrypted {vp_token, state} to the verifier key (ECDH-ES, A256GCM, kid) and posted it', () => {
      const encKey = s.resolved.client.clientMetadata.jwks.keys[0];
      assert.equal(s.wallet.encryptCalls.length, 1);
      const [call] = s.wallet.encryptCalls;
      assert.equal(call.alg, 'ECDH-ES');
      assert.equal(call.enc, 'A256GCM');
      assert.equal(call.publicJwk.kid, encKey.kid);
      assert.equal(Buffer.from(call.apv, 'base64url').toString(), s.resolved.authorizationRequestPayload.nonce);
      const header = jwtHeader(sent.created.jarm.responseJwt);
      assert.equal(header.alg, 'ECDH-ES');
      assert.equal(header.enc, 'A256GCM');
      assert.equal(header.kid, encKey.kid);
      assert.equal(sent.created.jarm.responseJwt.split('.').length, 5);
      assert.equal(sent.created.authorizationResponsePayload.state, s.resolved.authorizationRequestPayload.state);
      const posted = s.wallet.requests.at(-1);
      assert.equal(posted.method, 'POST');
      assert.equal(posted.url, s.resolved.authorizationRequestPayload.response_uri);
      assert.equal(posted.contentType, 'application/x-www-form-urlencoded');
      assert.equal(sent.submitted.responseMode, 'direct_post.jwt');
      assert.deepEqual(sent.answer, { status: 200, body: '{}' });
    });

    it('the verifier completed the check: outcome pass, facts exactly {age_over_18: true}', async () => {
      const result = await waitForResult(verifier, s.session.session_id);
      assert.equal(result.status, 'completed', JSON.stringify(result));
      assert.equal(result.outcome, 'pass');
      assert.deepEqual(result.facts, { age_over_18: true });
      assert.equal(result.response_mode, 'direct_post.jwt');
      assert.deepEqual(result.credential, { format: 'dc+sd-jwt', type: SDJWT_VCT });
      assert.equal(result.issuer.id, issuer.url);
      assert.equal(result.credential_status, 'valid');
      assert.equal(result.decision_confirmed, true);
      assert.equal(typeof result.check_record, 'string');
    });
  });

  describe('direct_post (unencrypted response)', () => {
    it('the library sends vp_token and state as form parameters; the verifier passes the check', async () => {
      const s = await start('direct_post');
      const request = s.resolved.authorizationRequestPayload;
      assert.equal(request.response_mode, 'direct_post');
      assert.equal(request.client_metadata?.jwks, undefined, 'no encryption key offered for direct_post');
      const presentation = await present({ aud: s.resolved.client.effective, nonce: request.nonce });
      const sent = await respond(s, presentation);
      assert.equal(sent.created.jarm, undefined);
      assert.equal(s.wallet.encryptCalls.length, 0);
      assert.equal(sent.submitted.responseMode, 'direct_post');
      const form = new URLSearchParams(s.wallet.requests.at(-1).body);
      assert.deepEqual([...form.keys()].sort(), ['state', 'vp_token']);
      assert.equal(form.get('state'), request.state);
      assert.deepEqual(JSON.parse(form.get('vp_token')), { [SDJWT_QUERY_ID]: [presentation] });
      assert.deepEqual(sent.answer, { status: 200, body: '{}' });
      const result = await waitForResult(verifier, s.session.session_id);
      assert.equal(result.status, 'completed', JSON.stringify(result));
      assert.equal(result.outcome, 'pass');
      assert.deepEqual(result.facts, { age_over_18: true });
      assert.equal(result.response_mode, 'direct_post');
    });
  });

  describe('refused presentations (through the library, direct_post.jwt)', () => {
    // refused submits `kb` and returns {answer, result}: the response_uri's answer and the final result.
    async function refused(kbOf) {
      const s = await start('direct_post.jwt');
      const sent = await respond(s, await present(kbOf(s.resolved)));
      return { answer: sent.answer, result: await waitForResult(verifier, s.session.session_id) };
    }

    it('a KB-JWT over another nonce: nonce_mismatch, the check is not passed', async () => {
      const { answer, result } = await refused((r) => ({ aud: r.client.effective, nonce: randomNonce() }));
      assert.equal(answer.status, 400);
      assert.equal(JSON.parse(answer.body).error, 'invalid_request');
      assert.equal(result.status, 'failed', JSON.stringify(result));
      assert.equal(result.error, 'nonce_mismatch');
      assert.equal(result.outcome, undefined);
      assert.equal(result.facts, undefined);
    });

    it('a KB-JWT to the bare host instead of the client_id: audience_mismatch', async () => {
      const { answer, result } = await refused((r) => ({ aud: r.client.identifier, nonce: r.authorizationRequestPayload.nonce }));
      assert.equal(answer.status, 400);
      assert.equal(result.status, 'failed', JSON.stringify(result));
      assert.equal(result.error, 'audience_mismatch');
    });
  });

  describe('the library binds the request to the client_id', () => {
    it('an openid4vp:// URI naming another client_id is refused before anything is sent', async () => {
      const session = await createSession(verifier, { check: 'age_over_18' });
      const uri = new URL(session.request_uri);
      uri.searchParams.set('client_id', 'x509_san_dns:shop.example.co.uk');
      const wallet = makeWallet(readFileSync(join(registry.rpDir, 'registry_root.pem'), 'utf8'));
      const parsed = wallet.client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: uri.toString() });
      await assert.rejects(
        wallet.client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params }),
        (err) => err instanceof oauth2.Oauth2ServerErrorResponseError && /client_id does not match/.test(err.errorResponse.error_description),
      );
      // Boundary: the unchanged URI of the same session resolves.
      const ok = wallet.client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: session.request_uri });
      const resolved = await wallet.client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: ok.params });
      assert.equal(resolved.client.effective, CLIENT_ID);
    });

    it('a Request Object whose signature the callback rejects is refused', async () => {
      const session = await createSession(verifier, { check: 'age_over_18' });
      // Another registry's root: the callback finds the leaf not issued by it.
      const otherReg = join(dir, 'other-registry');
      bonafideOk('registry', 'init', '--data-dir', otherReg);
      const wallet = makeWallet(readFileSync(join(otherReg, 'root.pem'), 'utf8'));
      const parsed = wallet.client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: session.request_uri });
      await assert.rejects(
        wallet.client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params }),
        (err) => err instanceof oauth2.Oauth2JwtVerificationError,
      );
      assert.equal(wallet.verifyCalls.length, 1);
      assert.equal(wallet.verifyCalls[0].issuedByRoot, false);
      assert.equal(wallet.verifyCalls[0].signatureValid, true, 'the signature itself is good; the trust is not');
    });
  });
});
