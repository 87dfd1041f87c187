#!/usr/bin/env node
// issue.mjs: @auth0/mdl (the JavaScript mdoc peer) issues an mdoc and, optionally, presents it as a
// DeviceResponse with a deviceSignature (ES256) over a given SessionTranscript.
//
//   node tests/interop/mdl/issue.mjs --config CONFIG.json --out-dir DIR
//        [transcript options, which override config.presentation.transcript:
//         --client-id ID --nonce N --response-uri URI [--jwk-thumbprint B64U | --jwk-thumbprint-of JWKFILE]
//         | --session-transcript FILE | --auth0-mdoc-nonce X --client-id .. --response-uri .. --nonce ..]
//
// Writes into DIR (all raw CBOR, no base64):
//   issued_mdoc.cbor              MDoc([document]).encode(): {version, documents: [{docType, issuerSigned}], status}
//   issuer_signed.cbor            the IssuerSigned of that document alone: {nameSpaces, issuerAuth}
//   issuer_auth.cbor              the issuerAuth COSE_Sign1 alone (untagged array)
//   device_response.cbor          (with a presentation) the DeviceResponse
//   session_transcript_bytes.cbor (with a presentation) #6.24(bstr .cbor SessionTranscript) signed over
// and prints a JSON summary on stdout. The config format is in README.md. Paths inside the config are
// relative to the config file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  cborEncode,
  jsonToElement,
  mdl,
  parseArgs,
  PEER_VERSION,
  readJsonOrText,
  toJwk,
  transcriptFromOptions,
} from './lib.mjs';

// field: inline value at config[name], or a file at config[name + '_file'].
function configValue(config, baseDir, name, { required = true } = {}) {
  if (config[name] !== undefined) return config[name];
  if (config[`${name}_file`] !== undefined) return readJsonOrText(resolve(baseDir, config[`${name}_file`]));
  if (required) throw new Error(`config needs ${name} or ${name}_file`);
  return undefined;
}

function date(value, what) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`config validity.${what}: bad date '${value}'`);
  return d;
}

// issue runs the peer's issuer (and holder, when config.presentation is set).
// Returns { issuedMdoc, issuerSigned, issuerAuth, deviceResponse?, sessionTranscriptBytes?, transcriptKind? }
// as Buffers of raw CBOR.
export async function issue(config, { baseDir = '.', transcriptOptions = {} } = {}) {
  const docType = config.doctype ?? 'org.iso.18013.5.1.mDL';
  const issuerPrivateJwk = toJwk(configValue(config, baseDir, 'issuer_private_key'), 'private');
  const certificatePem = configValue(config, baseDir, 'issuer_certificate');
  const devicePublicJwk = toJwk(configValue(config, baseDir, 'device_public_key'), 'public');
  if (!config.claims || typeof config.claims !== 'object') throw new Error('config needs claims {namespace: {element: value}}');

  const alg = config.alg ?? 'ES256';
  let document = new mdl.Document(docType);
  for (const [ns, elements] of Object.entries(config.claims)) {
    document = document.addIssuerNameSpace(ns, Object.fromEntries(
      Object.entries(elements).map(([k, v]) => [k, jsonToElement(v)])));
  }
  const v = config.validity ?? {};
  const validity = {};
  if (v.signed) validity.signed = date(v.signed, 'signed');
  if (v.valid_from) validity.validFrom = date(v.valid_from, 'valid_from');
  if (v.valid_until) validity.validUntil = date(v.valid_until, 'valid_until');
  if (v.expected_update) validity.expectedUpdate = date(v.expected_update, 'expected_update');
  const signParams = {
    issuerPrivateKey: issuerPrivateJwk,
    // string (PEM, may hold a chain) or array of PEM strings; one cert goes into x5chain as a bstr.
    issuerCertificate: certificatePem,
    alg,
  };
  if (config.issuer_kid !== undefined) signParams.kid = config.issuer_kid;
  const signed = await document
    .useDigestAlgorithm(config.digest_algorithm ?? 'SHA-256')
    .addValidityInfo(validity)
    .addDeviceKeyInfo({ deviceKey: devicePublicJwk })
    .sign(signParams);

  const issuedMdoc = Buffer.from(new mdl.MDoc([signed]).encode());
  const prepared = signed.prepare();
  const out = {
    issuedMdoc,
    issuerSigned: Buffer.from(cborEncode(prepared.get('issuerSigned'))),
    issuerAuth: Buffer.from(cborEncode(prepared.get('issuerSigned').issuerAuth)),
  };

  const p = config.presentation;
  if (!p) return out;
  const devicePrivateJwk = toJwk(configValue(p, baseDir, 'device_private_key'), 'private');
  if (p.device_kid !== undefined) devicePrivateJwk.kid = p.device_kid;
  else delete devicePrivateJwk.kid;
  let transcript = transcriptFromOptions(transcriptOptions, '.');
  if (!transcript && p.transcript) transcript = transcriptFromOptions(p.transcript, baseDir);
  if (!transcript) throw new Error('a presentation needs a transcript (config presentation.transcript or command-line options)');

  // What to disclose, as a Presentation Exchange definition (the only selection API the peer has).
  const disclose = p.disclose ?? Object.fromEntries(Object.entries(config.claims).map(([ns, e]) => [ns, Object.keys(e)]));
  const fields = Object.entries(disclose).flatMap(([ns, elements]) =>
    elements.map((el) => ({ path: [`$['${ns}']['${el}']`], intent_to_retain: false })));
  const pd = {
    id: 'bonafide-interop',
    input_descriptors: [{
      id: docType,
      format: { mso_mdoc: { alg: [alg] } },
      constraints: { limit_disclosure: 'required', fields },
    }],
  };
  const response = await mdl.DeviceResponse.from(issuedMdoc)
    .usingPresentationDefinition(pd)
    .usingSessionTranscriptBytes(transcript.sessionTranscriptBytes)
    .authenticateWithSignature(devicePrivateJwk, p.device_alg ?? 'ES256')
    .sign();
  out.deviceResponse = Buffer.from(response.encode());
  out.sessionTranscriptBytes = transcript.sessionTranscriptBytes;
  out.transcriptKind = transcript.kind;
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.config || !opts['out-dir']) {
    throw new Error('usage: issue.mjs --config CONFIG.json --out-dir DIR [transcript options]');
  }
  const configPath = resolve(opts.config);
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  const { config: _c, 'out-dir': outDirArg, ...transcriptOptions } = opts;
  const result = await issue(config, { baseDir: dirname(configPath), transcriptOptions });
  const outDir = resolve(outDirArg);
  mkdirSync(outDir, { recursive: true });
  const files = {
    issued_mdoc: ['issued_mdoc.cbor', result.issuedMdoc],
    issuer_signed: ['issuer_signed.cbor', result.issuerSigned],
    issuer_auth: ['issuer_auth.cbor', result.issuerAuth],
    device_response: ['device_response.cbor', result.deviceResponse],
    session_transcript_bytes: ['session_transcript_bytes.cbor', result.sessionTranscriptBytes],
  };
  const written = {};
  for (const [key, [name, bytes]] of Object.entries(files)) {
    if (!bytes) continue;
    const path = join(outDir, name);
    writeFileSync(path, bytes);
    written[key] = { path, bytes: bytes.length };
  }
  console.log(JSON.stringify({ peer: `@auth0/mdl@${PEER_VERSION}`, transcript: result.transcriptKind ?? null, written }, null, 2));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`issue.mjs: ${err.stack || err.message}`);
    process.exit(2);
  });
}
