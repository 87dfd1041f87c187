// Shared helpers for bonafide <-> @sd-jwt/* (TypeScript peer) interoperability tests.
//
// Environment (set by tests/interop/CMakeLists.txt):
//   BONAFIDE_BIN           path of the bonafide CLI (required)
//   BONAFIDE_NODE_MODULES  the repository's node_modules (required; setup.sh runs `npm ci`)
//
// The peer packages are imported dynamically, after checking that node_modules is there, so a
// missing install fails with a clear message instead of a bare ERR_MODULE_NOT_FOUND.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const PEER_PACKAGES = ['@sd-jwt/sd-jwt-vc', '@sd-jwt/crypto-nodejs', '@sd-jwt/jwt-status-list', '@sd-jwt/core'];

function fail(message) {
  // Printed before throwing so it appears at the top of ctest's --output-on-failure.
  console.error(`interop: FAIL: ${message}`);
  throw new Error(message);
}

export const BONAFIDE = process.env.BONAFIDE_BIN;
if (!BONAFIDE) fail('BONAFIDE_BIN is not set (run through ctest, or export BONAFIDE_BIN=<build>/src/cli/bonafide)');
if (!existsSync(BONAFIDE)) fail(`bonafide binary not found at ${BONAFIDE} (build the 'bonafide' target)`);

const NODE_MODULES = process.env.BONAFIDE_NODE_MODULES;
if (!NODE_MODULES) fail('BONAFIDE_NODE_MODULES is not set');
for (const pkg of PEER_PACKAGES) {
  if (!existsSync(join(NODE_MODULES, pkg, 'package.json'))) {
    fail(`${pkg} is not installed in ${NODE_MODULES}; run scripts/setup.sh (npm ci) in the repository root`);
  }
}

export const sdJwtVc = await import('@sd-jwt/sd-jwt-vc');
export const cryptoNode = await import('@sd-jwt/crypto-nodejs');
export const statusList = await import('@sd-jwt/jwt-status-list');
export const core = await import('@sd-jwt/core');

// ---------------------------------------------------------------------------------------------
// Scratch directory, removed when the test file ends.

export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'bonafide-interop-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
  return path;
}

export function writeText(path, text) {
  writeFileSync(path, text.endsWith('\n') ? text : text + '\n');
  return path;
}

export function now() {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// The bonafide CLI.

// bonafide runs the CLI and returns {code, stdout, stderr}. Never throws on a non-zero exit.
export function bonafide(...args) {
  const r = spawnSync(BONAFIDE, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// bonafideOk runs the CLI and throws with its output unless it exits 0.
export function bonafideOk(...args) {
  const r = bonafide(...args);
  if (r.code !== 0) {
    throw new Error(`bonafide ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

// bonafideJson runs the CLI and parses stdout as JSON (exit code returned alongside).
export function bonafideJson(...args) {
  const r = bonafide(...args);
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`bonafide ${args.join(' ')} printed no JSON (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { code: r.code, json };
}

// ---------------------------------------------------------------------------------------------
// Keys. Made with node:crypto and exported as JWK (RFC 7517), the form both sides read.

// es256KeyPair returns {privateJwk, publicJwk} for a fresh P-256 key.
export function es256KeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateJwk: privateKey.export({ format: 'jwk' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
  };
}

// publicOf drops the private part of an EC JWK (and any bonafide extras such as kid/alg).
export function publicOf(jwk) {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

// es256Signer / es256Verifier are the peer's own ES256 callbacks (@sd-jwt/crypto-nodejs, WebCrypto).
export function es256Signer(privateJwk) {
  return cryptoNode.ES256.getSigner(privateJwk);
}

export function es256Verifier(publicJwk) {
  return cryptoNode.ES256.getVerifier(publicOf(publicJwk));
}

export function randomNonce() {
  return randomBytes(16).toString('base64url');
}

// ---------------------------------------------------------------------------------------------
// Compact JWT / SD-JWT inspection (no verification).

export function decodeJwtPart(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

export function jwtHeader(jwt) {
  return decodeJwtPart(jwt.split('.')[0]);
}

export function jwtPayload(jwt) {
  return decodeJwtPart(jwt.split('.')[1]);
}

// splitSdJwt returns {issuerJwt, disclosures, kbJwt} of a compact SD-JWT (RFC 9901 section 4).
export function splitSdJwt(compact) {
  const parts = compact.trim().split('~');
  const issuerJwt = parts[0];
  const kbJwt = parts[parts.length - 1];
  return { issuerJwt, disclosures: parts.slice(1, -1), kbJwt: kbJwt === '' ? null : kbJwt };
}

export function decodeDisclosure(encoded) {
  return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
}
