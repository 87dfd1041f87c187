// Browser test helpers: Debian's Chromium driven by npm playwright-core, axe-core on every page,
// screenshots under the build directory.
//
//   launchBrowser()          headless Chromium with the flags the issue asks for; no network
//                            beyond loopback is used by the tests
//   watchPage(page)          records console errors and CSP violations (checked by expectClean)
//   checkAccessibility(page) runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) and fails on any
//                            serious or critical violation
//   screenshot(page, name)   saves BONAFIDE_SCREENSHOT_DIR/<name>.png
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

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
