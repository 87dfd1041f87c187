// A trust registry and a running bonafide verifier for the interop tests that present to it over
// HTTP (interop_oid4vp_*), built with the CLI as docs/registry.md and docs/verifier.md describe:
//
//   makeRegistry   `registry init`, `registry add-issuer --metadata-url` (a running issuer),
//                  `registry add-rp --client-id localhost --allow-localhost`, `registry publish`
//   startVerifier  `verifier init --url http://localhost:0 --listen 127.0.0.1:0`, then
//                  `verifier serve` in the background (port 0: the server picks its port, no race)
//   createSession / sessionResult / waitForResult   POST /sessions, GET /sessions/{id}
//
// Every wait is bounded: `serve` must print its JSON line and answer /readyz within
// READY_TIMEOUT_MS, every HTTP call is bounded by fetchBounded, result polling by its timeout,
// and stop() sends SIGTERM, then SIGKILL (lib/issuer.mjs). The server also runs under coreutils
// `timeout` (when present), so it ends by itself even if this Node process is killed first.
import { join } from 'node:path';

import { bonafideOk } from './common.mjs';
import { fetchBounded, readFirstLine, spawnServer, waitReady } from './issuer.mjs';

const READY_TIMEOUT_MS = 20_000;
const FINISHED = new Set(['completed', 'failed', 'expired']);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// makeRegistry makes a registry under `dir` that trusts the issuer running at `issuerUrl` and
// registers one relying party for `client_id` localhost (the test-only relaxation
// --allow-localhost). Returns {dataDir, rpDir, trustList, addIssuer, addRp}: the `add-rp --out-dir`
// directory (access key + certificate, registry root, registration JWT) and the published list.
export function makeRegistry(dir, { issuerUrl, name = 'Interop Shop Ltd', purposes = ['age_over_18'] }) {
  const dataDir = join(dir, 'registry');
  const rpDir = join(dir, 'rp');
  const trustList = join(dir, 'trust.jwt');
  bonafideOk('registry', 'init', '--data-dir', dataDir);
  const addIssuer = JSON.parse(bonafideOk('registry', 'add-issuer', '--data-dir', dataDir, '--metadata-url', issuerUrl).stdout);
  const addRp = JSON.parse(
    bonafideOk('registry', 'add-rp', '--data-dir', dataDir, '--name', name, '--client-id', 'localhost', '--allow-localhost',
      '--purpose', purposes.join(','), '--out-dir', rpDir).stdout,
  );
  bonafideOk('registry', 'publish', '--data-dir', dataDir, '--out', trustList);
  return { dataDir, rpDir, trustList, addIssuer, addRp };
}

// startVerifier makes a verifier data directory under `dir` from the relying party's `rpDir` and
// the `trustList`, and serves it on a loopback port the server picks. Returns {url, verifierUrl,
// clientId, dataDir, logFile, init, stop()}: `url` is what it listens on (http://127.0.0.1:PORT),
// `verifierUrl` the base of its request_uri / response_uri (http://localhost:PORT). stop() is
// idempotent and resolves with the server's {code, signal}; the caller must call it (in `after`).
export async function startVerifier(dir, { rpDir, trustList, name = 'verifier' }) {
  const dataDir = join(dir, name);
  const init = JSON.parse(
    bonafideOk('verifier', 'init', '--data-dir', dataDir, '--rp-dir', rpDir, '--trust-list', trustList,
      '--url', 'http://localhost:0', '--listen', '127.0.0.1:0').stdout,
  );
  const logFile = join(dir, `${name}.log`);
  const { child, stop } = spawnServer(['verifier', 'serve', '--data-dir', dataDir], logFile);
  try {
    const printed = JSON.parse(await readFirstLine(child, READY_TIMEOUT_MS, logFile, 'verifier serve'));
    for (const member of ['url', 'verifier_url', 'client_id']) {
      if (typeof printed[member] !== 'string') throw new Error(`verifier serve printed no ${member}: ${JSON.stringify(printed)}`);
    }
    await waitReady(printed.url, Date.now() + READY_TIMEOUT_MS);
    // Keep draining stdout so the pipe never fills.
    child.stdout.resume();
    return { url: printed.url, verifierUrl: printed.verifier_url, clientId: printed.client_id, dataDir, logFile, init, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

// createSession POSTs `body` ({"check": ...} and options) to /sessions and returns the 201 body
// {session_id, request_uri, expires_at}; throws on any other status.
export async function createSession(verifier, body) {
  const r = await fetchBounded(`${verifier.url}/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status !== 201) throw new Error(`POST /sessions answered ${r.status}: ${text}`);
  return JSON.parse(text);
}

// sessionResult returns the result JSON of GET /sessions/{id}; throws unless 200.
export async function sessionResult(verifier, sessionId) {
  const r = await fetchBounded(`${verifier.url}/sessions/${encodeURIComponent(sessionId)}`);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET /sessions/{id} answered ${r.status}: ${text}`);
  return JSON.parse(text);
}

// waitForResult polls the result until its status is completed, failed or expired, and returns it;
// throws with the last result after `timeoutMs`.
export async function waitForResult(verifier, sessionId, { timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await sessionResult(verifier, sessionId);
    if (FINISHED.has(last.status)) return last;
    if (Date.now() >= deadline) throw new Error(`session not finished within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}
