#!/usr/bin/env node
// verify.mjs: @auth0/mdl's Verifier (the JavaScript mdoc peer) checks a DeviceResponse.
//
//   node tests/interop/mdl/verify.mjs --iaca ROOT.pem [--iaca ROOT2.pem ...] --response RESPONSE.cbor
//        (--client-id ID --nonce N --response-uri URI [--jwk-thumbprint B64U | --jwk-thumbprint-of JWKFILE]
//         | --session-transcript FILE | --auth0-mdoc-nonce X --client-id .. --response-uri .. --nonce ..)
//        [--at 2021-01-01T00:00:00Z] [--ephemeral-reader-key JWKFILE] [--hex]
//
// --response is raw CBOR (or one line of hex with --hex). --session-transcript is raw CBOR
// SessionTranscriptBytes (#6.24-wrapped) or a bare SessionTranscript (wrapped here). --at runs the
// verifier with its clock set to that instant (the peer has no verify-at parameter). With
// --ephemeral-reader-key (a private JWK) a deviceMac can be checked.
//
// Prints one JSON object and exits 0 when ok, 1 when not (2 on a usage error):
//   {"ok": true,  "doc_type": "...", "claims": {ns: {element: value}}, "device_auth": "signature"|"mac",
//    "documents": [{doc_type, claims, device_auth}], "checks": [...failed or all, see --all-checks]}
//   {"ok": false, "error": "<peer message>", "error_code": "<VerificationAssessmentId or null>", "claims": {}, ...}
// Values use the JSON wrappers in lib.mjs ({"full_date"}, {"tdate"}, {"bstr"}).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  coseKit,
  elementToJson,
  mdl,
  parseArgs,
  PEER_VERSION,
  toJwk,
  transcriptFromOptions,
  withClock,
} from './lib.mjs';

const { COSEKeyFromJWK } = coseKit;

function claimsOf(document) {
  const claims = {};
  for (const [ns, items] of Object.entries(document.issuerSigned.nameSpaces ?? {})) {
    claims[ns] = Object.fromEntries(items.map((item) => [item.elementIdentifier, elementToJson(item.elementValue)]));
  }
  return claims;
}

// verifyResponse: { iacaPems: string[], response: Buffer, sessionTranscriptBytes?: Buffer, at?: string,
//                   ephemeralReaderJwk?: JWK, allChecks?: bool } -> result object (see header).
export async function verifyResponse({ iacaPems, response, sessionTranscriptBytes, at, ephemeralReaderJwk, allChecks = false }) {
  const checks = [];
  const options = {
    encodedSessionTranscript: sessionTranscriptBytes,
    // Record every check; throw on the first failure like the peer's default callback does.
    onCheck: (check, defaultCallback) => {
      checks.push({ id: check.id, category: check.category, status: check.status, check: check.check, ...(check.reason && check.status === 'FAILED' ? { reason: check.reason } : {}) });
      defaultCallback(check);
    },
  };
  if (ephemeralReaderJwk) options.ephemeralReaderKey = COSEKeyFromJWK(ephemeralReaderJwk);
  const verifier = new mdl.Verifier(iacaPems);
  const result = { ok: false, peer: `@auth0/mdl@${PEER_VERSION}`, at: at ?? null, claims: {} };
  try {
    const dr = await withClock(at, () => verifier.verify(new Uint8Array(response), options));
    result.ok = true;
    result.documents = dr.documents.map((d) => ({
      doc_type: d.docType,
      claims: claimsOf(d),
      device_auth: d.deviceSigned ? (d.deviceSigned.deviceAuth.deviceSignature ? 'signature' : 'mac') : null,
    }));
    result.doc_type = result.documents[0]?.doc_type ?? null;
    result.claims = result.documents[0]?.claims ?? {};
    result.device_auth = result.documents[0]?.device_auth ?? null;
  } catch (err) {
    result.error = err.message;
    result.error_code = err.code ?? null;
    result.error_class = err.name;
  }
  result.checks = allChecks ? checks : checks.filter((c) => c.status === 'FAILED');
  return result;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), { repeatable: ['iaca'], booleans: ['hex', 'all-checks'] });
  if (!opts.iaca || !opts.response) {
    throw new Error('usage: verify.mjs --iaca ROOT.pem --response RESPONSE.cbor (transcript options) [--at DATE]');
  }
  const iacaPems = opts.iaca.map((p) => readFileSync(resolve(p), 'utf8'));
  let response = readFileSync(resolve(opts.response));
  if (opts.hex) response = Buffer.from(response.toString('utf8').trim(), 'hex');
  const transcript = transcriptFromOptions(opts, '.');
  const ephemeralReaderJwk = opts['ephemeral-reader-key']
    ? toJwk(readFileSync(resolve(opts['ephemeral-reader-key']), 'utf8'), 'private')
    : undefined;
  const result = await verifyResponse({
    iacaPems,
    response,
    sessionTranscriptBytes: transcript?.sessionTranscriptBytes,
    at: opts.at,
    ephemeralReaderJwk,
    allChecks: !!opts['all-checks'],
  });
  result.transcript = transcript?.kind ?? null;
  console.log(JSON.stringify(result, null, 2));
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`verify.mjs: ${err.stack || err.message}`);
    process.exit(2);
  });
}
