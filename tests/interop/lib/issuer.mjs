// A running bonafide issuer for the interop tests that talk to it over HTTP (interop_oid4vci_*):
// `bonafide issuer init --demo` into a scratch directory, `bonafide issuer serve` on a loopback
// port in the background, and a stop that always ends the process.
//
// Every wait is bounded: the server must print its JSON line and answer /readyz within
// READY_TIMEOUT_MS, and a stop sends SIGTERM, then SIGKILL after STOP_TIMEOUT_MS. The server also
// runs under coreutils `timeout` (when present), so it ends by itself even if this Node process is
// killed before its `after` hooks run (ctest TIMEOUT, Ctrl-C).
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { BONAFIDE, bonafideOk } from './common.mjs';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
// Upper bound on the server's life when run under `timeout`; above the ctest TIMEOUT of the tests.
const SERVER_LIFETIME_S = 300;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// freePort asks the kernel for a free loopback port and releases it. `issuer init` needs the port
// before `serve` binds it (the offer URI made by the CLI names the configured issuer URL), so there
// is a short window in which another process could take it; startIssuer retries in that case.
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

// fetchBounded is fetch with a timeout (a hung server fails the test instead of hanging it).
export function fetchBounded(input, init = {}, timeoutMs = 10_000) {
  return fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) });
}

export function haveTimeoutCommand() {
  const r = spawnSync('timeout', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

// readFirstLine resolves with the first line the child prints on stdout (rejects on exit/timeout);
// `name` is the command named in the error.
export function readFirstLine(child, timeoutMs, logFile, name = 'issuer serve') {
  return new Promise((resolveLine, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`${name} printed nothing within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl >= 0) finish(null, buffered.slice(0, nl));
    };
    const onExit = (code, signal) => finish(new Error(`${name} exited (${code ?? signal}) before printing its URL`));
    function finish(err, line) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      if (err) {
        let log = '';
        try {
          log = readFileSync(logFile, 'utf8').slice(-4000);
        } catch {
          // no log yet
        }
        err.message += `\nserve log (tail):\n${log}`;
        reject(err);
      } else {
        resolveLine(line);
      }
    }
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  });
}

export async function waitReady(url, deadline) {
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const r = await fetchBounded(`${url}/readyz`, {}, 2_000);
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(100);
  }
  throw new Error(`${url}/readyz did not answer 200 within ${READY_TIMEOUT_MS} ms (last: ${last})`);
}

// stopChild sends SIGTERM, waits (bounded) for the exit, then SIGKILL. Resolves with
// {code, signal} of the exit.
export function stopChild(child) {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveStop({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(killTimer);
      resolveStop({ code, signal });
    });
    child.kill('SIGTERM');
  });
}

// startIssuer makes a data directory under `dir` with `issuer init --demo` and serves it on a free
// loopback port. Returns {url, dataDir, logFile, init, stop()}; stop() is idempotent and resolves
// with the server's {code, signal}. The caller must call stop() (in an `after` hook).
// spawnServer starts `bonafide ...serveArgs` in the background (stdout piped, stderr to logFile; under
// coreutils `timeout` when useTimeout) and returns {child, stop}; stop() ends it once, however often called.
export function spawnServer(serveArgs, logFile, useTimeout = haveTimeoutCommand()) {
  const logFd = openSync(logFile, 'w');
  const [command, args] = useTimeout
    ? ['timeout', ['--kill-after=5', String(SERVER_LIFETIME_S), BONAFIDE, ...serveArgs]]
    : [BONAFIDE, serveArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', logFd] });
  closeSync(logFd);
  let stopped = null;
  const stop = () => {
    stopped ??= stopChild(child);
    return stopped;
  };
  return { child, stop };
}

export async function startIssuer(dir, { attempts = 3 } = {}) {
  const useTimeout = haveTimeoutCommand();
  let lastError;
  for (let attempt = 1; attempt <= attempts; ++attempt) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dataDir = join(dir, `issuer-${attempt}`);
    const init = JSON.parse(bonafideOk('issuer', 'init', '--data-dir', dataDir, '--issuer-url', url, '--demo').stdout);
    const logFile = join(dir, `serve-${attempt}.log`);
    const { child, stop } = spawnServer(
      ['issuer', 'serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], logFile, useTimeout);
    try {
      const line = await readFirstLine(child, READY_TIMEOUT_MS, logFile);
      const printed = JSON.parse(line);
      if (printed.url !== url) throw new Error(`issuer serve printed url ${printed.url}, expected ${url}`);
      if (printed.issuer_url !== url) throw new Error(`issuer serve printed issuer_url ${printed.issuer_url}, expected ${url}`);
      await waitReady(url, Date.now() + READY_TIMEOUT_MS);
      // Keep draining stdout so the pipe never fills.
      child.stdout.resume();
      return { url, dataDir, logFile, init, stop };
    } catch (err) {
      await stop();
      lastError = err;
    }
  }
  throw lastError;
}
