// Browser test helpers: Debian's Chromium driven by npm playwright-core, axe-core on every page,
// screenshots under the build directory.
//
//   launchBrowser()          headless Chromium with the flags the issue asks for; no network
//                            beyond loopback is used by the tests
//   watchPage(page)          records console errors and CSP violations (checked by expectClean)
//   checkAccessibility(page) runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) and fails on any
//                            serious or critical violation
//   screenshot(page, name)   saves BONAFIDE_SCREENSHOT_DIR/<name>.png
//   run(args, input)         runs the bonafide CLI with `input` on stdin: {code, stdout, stderr}
//   adminArgs(issuer)        the CLI flags that reach a test issuer's admin API
//   expectSignInThrottled(page, signInUrl, password, shot)
//                            five wrong passwords are refused (401), then even the right one is
//                            locked out (429, Retry-After); locks sign-in from this address
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { BONAFIDE } from '../interop/lib/common.mjs';

const require = createRequire(join(process.env.BONAFIDE_NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.BONAFIDE_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.BONAFIDE_SCREENSHOT_DIR || join(process.cwd(), 'screenshots');

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// watchPage collects console errors (a CSP violation is reported there) and page errors.
export function watchPage(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

// expectClean fails when the page logged errors (CSP violations, script errors) since `from`.
export function expectClean(problems, what) {
  assert.deepEqual(problems, [], `${what}: the browser reported problems`);
}

// checkAccessibility runs axe-core on the current page. The script is evaluated through the
// DevTools protocol, which the page's Content-Security-Policy does not govern, so the policy stays
// on while axe runs.
export async function checkAccessibility(page, what) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: axe-core found serious or critical accessibility violations`);
  return result;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export function run(args, input) {
  const r = spawnSync(BONAFIDE, args, { encoding: 'utf8', input, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function adminArgs(issuer) {
  return ['--url', issuer.url, '--admin-token-file', join(issuer.dataDir, 'admin-token')];
}

// The staff sign-in (web::RegisterStaffSignIn) of the console and the portal alike.
export async function expectSignInThrottled(page, signInUrl, password, shot) {
  const path = new URL(signInUrl).pathname;
  const submit = () => Promise.all([
    page.waitForResponse((r) => r.url().endsWith(path) && r.request().method() === 'POST'),
    page.click('button:has-text("Sign in")')]);
  await page.goto(signInUrl);
  for (let i = 0; i < 5; ++i) {
    await page.fill('#user', 'intruder');
    await page.fill('#password', `wrong password ${i}`);
    const [response] = await submit();
    assert.equal(response.status(), 401);
    assert.match(await page.textContent('.govuk-error-summary'), /Enter a correct user name and password/);
  }
  await checkAccessibility(page, 'sign in with an error');
  await screenshot(page, shot);
  await page.fill('#user', 'intruder');
  await page.fill('#password', password);
  const [locked] = await submit();
  assert.equal(locked.status(), 429);
  assert.ok(Number(locked.headers()['retry-after']) > 0);
  assert.match(await page.textContent('.govuk-error-summary'), /Too many attempts/);
}
