// Shared helpers for the @auth0/mdl (JavaScript mdoc peer) scripts in this directory:
// issue.mjs, verify.mjs and selftest.mjs. See README.md here for what the peer does on the wire.
//
// The peer is CommonJS and is loaded from the repository's node_modules (BONAFIDE_NODE_MODULES if
// set, else <repo>/node_modules), so the scripts work from any working directory.
import { createHash, createPublicKey, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..', '..');
export const NODE_MODULES = process.env.BONAFIDE_NODE_MODULES || join(REPO_ROOT, 'node_modules');

if (!existsSync(join(NODE_MODULES, '@auth0', 'mdl', 'package.json'))) {
  const message = `@auth0/mdl is not installed in ${NODE_MODULES}; run scripts/setup.sh (npm ci) in the repository root`;
  console.error(`interop: FAIL: ${message}`);
  throw new Error(message);
}

// Resolve packages the way a file inside node_modules' parent directory would.
const requirePeer = createRequire(join(NODE_MODULES, '..', 'package.json'));
export const mdl = requirePeer('@auth0/mdl');
// Not re-exported by the package index; the deep path is stable within the pinned 3.0.1.
export const mdlCbor = requirePeer('@auth0/mdl/lib/cbor');
export const x509 = requirePeer('@peculiar/x509');
export const coseKit = requirePeer('cose-kit');
export const PEER_VERSION = JSON.parse(readFileSync(join(NODE_MODULES, '@auth0', 'mdl', 'package.json'), 'utf8')).version;

export const { cborEncode, cborDecode, DataItem, DateOnly } = mdlCbor;

// ---------------------------------------------------------------------------------------------
// Command line: --name value pairs; a repeated flag collects into an array.

export function parseArgs(argv, { repeatable = [], booleans = [] } = {}) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const name = arg.slice(2);
    if (booleans.includes(name)) {
      out[name] = true;
      continue;
    }
    if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
    const value = argv[++i];
    if (repeatable.includes(name)) (out[name] ??= []).push(value);
    else if (name in out) throw new Error(`--${name} given twice`);
    else out[name] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Keys and certificates.

// toJwk accepts a JWK object, a JSON string of one, or PEM (PKCS#8 / SEC1 private, SPKI public)
// and returns a JWK. `kind` is 'private' or 'public' (a private key asked for as public is reduced).
export function toJwk(input, kind) {
  let jwk;
  if (typeof input === 'object' && input !== null) {
    jwk = { ...input };
  } else {
    const text = String(input).trim();
    if (text.startsWith('{')) {
      jwk = JSON.parse(text);
    } else if (text.includes('PRIVATE KEY')) {
      jwk = createPrivateKey(text).export({ format: 'jwk' });
    } else if (text.includes('PUBLIC KEY')) {
      jwk = createPublicKey(text).export({ format: 'jwk' });
    } else {
      throw new Error('key is neither a JWK nor PEM');
    }
  }
  if (jwk.kty !== 'EC') throw new Error(`expected an EC key, got kty ${jwk.kty}`);
  if (kind === 'private' && !jwk.d) throw new Error('expected a private key (JWK member d)');
  const { kty, crv, x, y, d, kid } = jwk;
  if (kind === 'public') return { kty, crv, x, y };
  return kid === undefined ? { kty, crv, x, y, d } : { kty, crv, x, y, d, kid };
}

// RFC 7638 JWK SHA-256 thumbprint of an EC public key (bytes).
export function jwkThumbprint(jwk) {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest();
}

// pemCertificates splits PEM text into an array of single-certificate PEM strings.
export function pemCertificates(text) {
  const blocks = String(text).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) throw new Error('no PEM certificate found');
  return blocks.map((b) => b + '\n');
}

// ---------------------------------------------------------------------------------------------
// SessionTranscript. The peer's builder (DeviceResponse.usingSessionTranscriptBytes) and its
// Verifier (options.encodedSessionTranscript) both take SessionTranscriptBytes, i.e.
// #6.24(bstr .cbor SessionTranscript): they decode it and use `.data` of the tag-24 item, so an
// untagged SessionTranscript would silently put `undefined` in DeviceAuthentication.

const sha256 = (bytes) => createHash('sha256').update(bytes).digest();

// wrapTag24 returns #6.24(bstr .cbor item) for the encoded item `inner` (no re-encoding).
export function wrapTag24(inner) {
  return Buffer.from(cborEncode(new DataItem({ buffer: new Uint8Array(inner) })));
}

// The OpenID4VP 1.0 (appendix B.2.6.1, redirect / response_uri flow) transcript:
//   SessionTranscript = [null, null, ["OpenID4VPHandover", sha256(cbor(OpenID4VPHandoverInfo))]]
//   OpenID4VPHandoverInfo = [client_id, nonce, jwk_thumbprint / null, response_uri]
// Returns { sessionTranscript, sessionTranscriptBytes, handoverInfo } (encoded bytes).
export function openid4vpSessionTranscript({ clientId, nonce, responseUri, jwkThumbprint = null }) {
  for (const [k, v] of Object.entries({ clientId, nonce, responseUri })) {
    if (typeof v !== 'string') throw new Error(`OpenID4VP transcript needs ${k} (string)`);
  }
  const info = cborEncode([clientId, nonce, jwkThumbprint === null ? null : new Uint8Array(jwkThumbprint), responseUri]);
  const transcript = cborEncode([null, null, ['OpenID4VPHandover', new Uint8Array(sha256(info))]]);
  return {
    handoverInfo: Buffer.from(info),
    sessionTranscript: Buffer.from(transcript),
    sessionTranscriptBytes: wrapTag24(transcript),
  };
}

// The peer's own OID4VP form (ISO/IEC 18013-7 2023 draft, Annex B), as built by
// DeviceResponse.usingSessionTranscriptForOID4VP(mdocGeneratedNonce, clientId, responseUri, nonce):
//   SessionTranscript = [null, null, [mdocGeneratedNonce, clientId, responseUri, nonce]]
// (four text strings, no hashing). Kept for documentation and the selftest; interop uses the
// OpenID4VP 1.0 form above.
export function auth0Oid4vpSessionTranscript({ mdocGeneratedNonce, clientId, responseUri, nonce }) {
  const transcript = cborEncode([null, null, [mdocGeneratedNonce, clientId, responseUri, nonce]]);
  return { sessionTranscript: Buffer.from(transcript), sessionTranscriptBytes: wrapTag24(transcript) };
}

// transcriptFromOptions picks the transcript from command-line style options (see README):
//   session-transcript FILE (raw CBOR, tag-24 wrapped or not)
//   or client-id + nonce + response-uri [+ jwk-thumbprint base64url | jwk-thumbprint-of FILE]
//   or auth0-mdoc-nonce + client-id + response-uri + nonce (the peer's 18013-7 draft form)
// Returns { kind, sessionTranscriptBytes } or null when no option is given.
export function transcriptFromOptions(opts, baseDir = '.') {
  if (opts['session-transcript']) {
    let bytes = readFileSync(resolve(baseDir, opts['session-transcript']));
    if (!(bytes[0] === 0xd8 && bytes[1] === 0x18)) bytes = wrapTag24(bytes);
    return { kind: 'file', sessionTranscriptBytes: Buffer.from(bytes) };
  }
  if (opts['auth0-mdoc-nonce']) {
    return {
      kind: 'auth0-oid4vp-draft',
      ...auth0Oid4vpSessionTranscript({
        mdocGeneratedNonce: opts['auth0-mdoc-nonce'],
        clientId: opts['client-id'],
        responseUri: opts['response-uri'],
        nonce: opts.nonce,
      }),
    };
  }
  if (opts['client-id'] || opts.nonce || opts['response-uri']) {
    let thumb = null;
    if (opts['jwk-thumbprint']) thumb = Buffer.from(opts['jwk-thumbprint'], 'base64url');
    if (opts['jwk-thumbprint-of']) {
      thumb = jwkThumbprint(toJwk(readFileSync(resolve(baseDir, opts['jwk-thumbprint-of']), 'utf8'), 'public'));
    }
    return {
      kind: 'openid4vp-1.0',
      ...openid4vpSessionTranscript({
        clientId: opts['client-id'],
        nonce: opts.nonce,
        responseUri: opts['response-uri'],
        jwkThumbprint: thumb,
      }),
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Element values between JSON and CBOR. JSON has no dates or byte strings, so these wrappers are
// used in both directions (config claims in, verified claims out):
//   {"full_date": "YYYY-MM-DD"}            <-> 1004("YYYY-MM-DD")      (RFC 8943 full-date)
//   {"tdate": "YYYY-MM-DDThh:mm:ssZ"}      <-> 0("YYYY-MM-DDThh:mm:ssZ") (the peer drops fractions)
//   {"bstr": "<base64url>"}                <-> byte string
// Everything else maps as JSON does (objects become CBOR maps with text keys, in the order given).
// Note: the peer itself turns *string* values of birth_date / issue_date / expiry_date (and those
// inside driving_privileges) in namespace org.iso.18013.5.1 into 1004 full-dates.

function isWrapper(v, key) {
  return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && key in v;
}

export function jsonToElement(v) {
  if (Array.isArray(v)) return v.map(jsonToElement);
  if (v && typeof v === 'object') {
    if (isWrapper(v, 'full_date')) return new DateOnly(v.full_date);
    if (isWrapper(v, 'tdate')) return new Date(v.tdate);
    if (isWrapper(v, 'bstr')) return new Uint8Array(Buffer.from(v.bstr, 'base64url'));
    // A plain object: the peer encodes JS objects as CBOR maps (text keys, insertion order).
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonToElement(x)]));
  }
  return v;
}

export function elementToJson(v) {
  if (v instanceof DateOnly) return { full_date: v.toISOString() };
  if (v instanceof Date) return { tdate: `${v.toISOString().split('.')[0]}Z` };
  if (v instanceof Uint8Array) return { bstr: Buffer.from(v).toString('base64url') };
  if (v instanceof DataItem) return { tag24: elementToJson(v.data) };
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), elementToJson(x)]));
  if (Array.isArray(v)) return v.map(elementToJson);
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object' && v.constructor && v.constructor.name === 'Tag') {
    return { tag: v.tag, value: elementToJson(v.value) };
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, elementToJson(x)]));
  return v === undefined ? null : v;
}

// ---------------------------------------------------------------------------------------------
// Clock. The peer's Verifier has no "verify at" parameter: it uses `new Date()` for the MSO
// validity window and pkijs uses `new Date()` for the certificate chain. withClock replaces the
// global Date for the duration of `fn` so that argument-less `new Date()` and Date.now() return
// `at`; dates built from arguments are unaffected.

export async function withClock(at, fn) {
  if (!at) return fn();
  const RealDate = globalThis.Date;
  const fixed = new RealDate(at).getTime();
  if (Number.isNaN(fixed)) throw new Error(`bad --at date '${at}'`);
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed);
      else super(...args);
    }
    static now() {
      return fixed;
    }
  }
  globalThis.Date = FixedDate;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

export function readJsonOrText(path) {
  const text = readFileSync(path, 'utf8');
  return text.trim().startsWith('{') ? JSON.parse(text) : text;
}

// ---------------------------------------------------------------------------------------------
// diagnostic renders CBOR bytes in RFC 8949 section 8 diagnostic notation without interpreting any
// tag (so 24(<<...>>), 0("..."), 1004("...") and 18([...]) stay visible), for tests and debugging.
// Map keys are shown in the order they are encoded. Throws on malformed or indefinite input.
export function diagnostic(bytes, { expandTag24 = true } = {}) {
  const b = Buffer.from(bytes);
  let pos = 0;
  const head = () => {
    const ib = b[pos++];
    const major = ib >> 5;
    const ai = ib & 31;
    let arg;
    if (ai < 24) arg = ai;
    else if (ai === 24) arg = b.readUInt8(pos), pos += 1;
    else if (ai === 25) arg = b.readUInt16BE(pos), pos += 2;
    else if (ai === 26) arg = b.readUInt32BE(pos), pos += 4;
    else if (ai === 27) arg = b.readBigUInt64BE(pos), pos += 8;
    else throw new Error(`diagnostic: unsupported additional info ${ai} at ${pos - 1}`);
    return { major, ai, arg };
  };
  const item = () => {
    const { major, ai, arg } = head();
    const n = Number(arg);
    switch (major) {
      case 0: return String(arg);
      case 1: return String(-1n - BigInt(arg));
      case 2: { const s = b.subarray(pos, pos + n); pos += n; return `h'${s.toString('hex')}'`; }
      case 3: { const s = b.subarray(pos, pos + n).toString('utf8'); pos += n; return JSON.stringify(s); }
      case 4: { const a = []; for (let i = 0; i < n; i++) a.push(item()); return `[${a.join(', ')}]`; }
      case 5: { const a = []; for (let i = 0; i < n; i++) { const k = item(); a.push(`${k}: ${item()}`); } return `{${a.join(', ')}}`; }
      case 6: {
        if (arg === 24 && expandTag24 && (b[pos] >> 5) === 2) {
          const h = head();
          const inner = b.subarray(pos, pos + Number(h.arg));
          pos += Number(h.arg);
          return `24(<<${diagnostic(inner, { expandTag24 })}>>)`;
        }
        return `${arg}(${item()})`;
      }
      case 7:
        if (ai === 20) return 'false';
        if (ai === 21) return 'true';
        if (ai === 22) return 'null';
        if (ai === 23) return 'undefined';
        if (ai === 25 || ai === 26 || ai === 27) return `float(${ai})`;
        return `simple(${arg})`;
      default: throw new Error('unreachable');
    }
  };
  const out = item();
  if (pos !== b.length) throw new Error(`diagnostic: ${b.length - pos} trailing bytes`);
  return out;
}
