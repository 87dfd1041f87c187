// Shared helpers for the bonafide <-> @auth0/mdl (JavaScript mdoc peer) interop tests
// (interop_mdoc_ours_to_theirs, interop_mdoc_theirs_to_ours). The peer itself is driven through
// tests/interop/mdl/ (issue.mjs, verify.mjs, lib.mjs); see tests/interop/mdl/README.md for what it
// puts on the wire and what it requires.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { bonafideOk, now } from './common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..', '..');

export const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
export const MDL_NS = 'org.iso.18013.5.1';
export const GB_NS = 'org.iso.18013.5.1.GB';

// The OpenID4VP 1.0 request both sides build the SessionTranscript from (redirect / response_uri
// flow, OpenID4VP 1.0 appendix B.2.6.1).
export const CLIENT_ID = 'x509_san_dns:verifier.example.org';
export const RESPONSE_URI = 'https://verifier.example.org/response';

// The mDL claims every direction uses: the repository's example DVLA driving licence.
export function exampleMdlClaims() {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'claims', 'mdl.json'), 'utf8'));
}

const FULL_DATE_KEYS = new Set(['birth_date', 'issue_date', 'expiry_date']);

function base64ToBase64Url(b64) {
  return Buffer.from(b64, 'base64').toString('base64url');
}

// peerForm converts one element of examples/claims/mdl.json into the JSON form of tests/interop/mdl
// (lib.mjs jsonToElement / elementToJson): full-dates as {"full_date"}, the portrait as {"bstr"}.
// The same form is the peer's config input and its verifier's output.
export function peerForm(name, value) {
  if (name === 'portrait' && typeof value === 'string') return { bstr: base64ToBase64Url(value) };
  if (FULL_DATE_KEYS.has(name) && typeof value === 'string') return { full_date: value };
  if (Array.isArray(value)) return value.map((v) => peerForm(null, v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, peerForm(k, v)]));
  }
  return value;
}

// bonafideForm is how `bonafide mdoc verify` prints the same element: dates as their ISO strings,
// byte strings as base64url, everything else as JSON.
export function bonafideForm(name, value) {
  if (name === 'portrait' && typeof value === 'string') return base64ToBase64Url(value);
  return value;
}

// select picks {ns: [element, ...]} out of claims {ns: {element: value}}, converted by `form`.
export function select(claims, disclose, form = (_n, v) => v) {
  const out = {};
  for (const [ns, names] of Object.entries(disclose)) {
    out[ns] = {};
    for (const name of names) {
      if (!(name in claims[ns])) throw new Error(`test setup: ${ns}/${name} is not in the claims`);
      out[ns][name] = form(name, claims[ns][name]);
    }
  }
  return out;
}

// discloseArg renders {ns: [element, ...]} as bonafide's --disclose NS/ELEMENT,... list.
export function discloseArg(disclose) {
  return Object.entries(disclose).flatMap(([ns, names]) => names.map((n) => `${ns}/${n}`)).join(',');
}

// bonafidePki makes an IACA (country GB by default) and a document signer with the bonafide CLI,
// backdated by `backdateSeconds` so that an mdoc signed a little in the past still falls inside
// the DS certificate. Returns the file paths and the PEM texts.
export function bonafidePki(dir, { country = 'GB', backdateSeconds = 3600, name = 'interop' } = {}) {
  const at = String(now() - backdateSeconds);
  const iacaDir = join(dir, `${name}-iaca`);
  const dsDir = join(dir, `${name}-ds`);
  bonafideOk('pki', 'create-iaca', '--out-dir', iacaDir, '--country', country, '--name', `bonafide ${name} IACA`, '--at', at);
  bonafideOk('pki', 'create-ds', '--iaca-dir', iacaDir, '--out-dir', dsDir, '--name', `bonafide ${name} DS`, '--at', at);
  const pki = {
    iacaPemFile: join(iacaDir, 'iaca.pem'),
    dsPemFile: join(dsDir, 'ds.pem'),
    dsKeyFile: join(dsDir, 'ds.key.pem'),
  };
  pki.iacaPem = readFileSync(pki.iacaPemFile, 'utf8');
  pki.dsPem = readFileSync(pki.dsPemFile, 'utf8');
  return pki;
}

// flipByteAt returns a copy of `bytes` with byte `index` XORed with `mask`.
export function flipByteAt(bytes, index, mask = 0x01) {
  if (index < 0 || index >= bytes.length) throw new Error(`flipByteAt: index ${index} outside 0..${bytes.length - 1}`);
  const out = Buffer.from(bytes);
  out[index] ^= mask;
  return out;
}

// indexOfUnique returns where `needle` occurs in `haystack`, requiring exactly one occurrence (so a
// test flips the byte it means to).
export function indexOfUnique(haystack, needle, what) {
  const first = haystack.indexOf(needle);
  if (first < 0) throw new Error(`${what} not found`);
  if (haystack.indexOf(needle, first + 1) >= 0) throw new Error(`${what} occurs more than once`);
  return first;
}

export function writeBytes(path, bytes) {
  writeFileSync(path, bytes);
  return path;
}
