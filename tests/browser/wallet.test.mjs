// The web wallet (`bonafide wallet ui`, issue 6 part 2) in a real browser: a person unlocks the
// wallet, adds a Digital ID from an offer link with a transaction code, opens the card, answers an
// age check from a registered verifier after reading the consent page, sees it in the history and
// locks the wallet. axe-core runs on every page; the page must log no console errors or CSP
// violations. Everything runs on 127.0.0.1 and stops by itself.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { bonafideOk, scratchDir } from '../interop/lib/common.mjs';
import { readFirstLine, spawnServer, startIssuer, waitReady } from '../interop/lib/issuer.mjs';
import { createSession, makeRegistry, startVerifier, waitForResult } from '../interop/lib/verifier.mjs';
import { adminArgs, checkAccessibility, expectClean, launchBrowser, run, screenshot, watchPage } from './lib.mjs';

const PIN = '314159';
const dir = scratchDir();
let issuer;
let verifier;
let ui;
let browser;
let walletDir;



async function startUi() {
  const logFile = join(dir, 'wallet-ui.log');
  const { child, stop } = spawnServer(['wallet', 'ui', '--dir', walletDir, '--insecure-http-loopback'], logFile);
  try {
    const printed = JSON.parse(await readFirstLine(child, 30_000, logFile, 'wallet ui'));
    assert.match(printed.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(typeof printed.pid, 'number');
    await waitReady(printed.url, Date.now() + 30_000);
    child.stdout.resume();
    return { url: printed.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

before(async () => {
  issuer = await startIssuer(dir);
  walletDir = join(dir, 'wallet');
  assert.equal(run(['wallet', 'init', '--dir', walletDir, '--pin-stdin'], `${PIN}\n`).code, 0);
  const registry = makeRegistry(dir, { issuerUrl: issuer.url, name: 'Acme Employer plc', purposes: ['right_to_work', 'age_over_18'] });
  bonafideOk('wallet', 'trust', '--dir', walletDir, '--trust-list', registry.trustList, '--registry-root',
    join(registry.rpDir, 'registry_root.pem'));
  verifier = await startVerifier(dir, { rpDir: registry.rpDir, trustList: registry.trustList });
  ui = await startUi();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (ui) await ui.stop();
  if (verifier) await verifier.stop();
  if (issuer) await issuer.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the web wallet refuses to listen on a non-loopback address', () => {
  const r = run(['wallet', 'ui', '--dir', walletDir, '--listen', '0.0.0.0:0']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stderr).error, 'invalid_argument');
  assert.equal(r.stdout, '', 'nothing was printed: nothing listens');
});

test('a person adds a card, shares their age with a registered verifier, and locks the wallet', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchPage(page);

  // Unlock: a wrong PIN first.
  await page.goto(ui.url + '/');
  assert.match(page.url(), /\/unlock$/);
  await checkAccessibility(page, 'unlock');
  await screenshot(page, 'wallet-01-unlock');
  await page.fill('#pin', '000000');
  await page.click('button:has-text("Unlock")');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.textContent('.govuk-error-summary'), /4 more attempts/);
  await checkAccessibility(page, 'unlock with an error');
  await screenshot(page, 'wallet-02-wrong-pin');
  // The wrong PIN is answered 401, which Chromium logs; nothing else may be logged.
  assert.deepEqual(problems, ['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
  problems.length = 0;
  await page.fill('#pin', PIN);
  await page.click('button:has-text("Unlock")');
  await page.waitForURL(/\/cards$/);
  assert.match(await page.textContent('main'), /no cards in your wallet/);
  await checkAccessibility(page, 'empty wallet');
  await screenshot(page, 'wallet-03-empty');

  // Add a Digital ID from an offer with a transaction code.
  const offer = JSON.parse(bonafideOk('issuer', 'offer', ...adminArgs(issuer), '--citizen', 'demo-0001', '--credential',
    'uk.gov.digital-id.sd-jwt', '--tx-code').stdout);
  assert.match(offer.offer_uri, /^openid-credential-offer:\/\//);
  assert.ok(offer.tx_code, 'the offer has a transaction code');
  await page.click('a:has-text("Add a card")');
  await page.waitForURL(/\/add$/);
  await checkAccessibility(page, 'add a card');
  await page.fill('#offer', offer.offer_uri);
  await screenshot(page, 'wallet-04-add');
  await page.click('button:has-text("Continue")');
  await page.waitForURL(/\/add\/code$/);
  await checkAccessibility(page, 'transaction code');
  await screenshot(page, 'wallet-05-code');
  await page.fill('#tx_code', offer.tx_code);
  await page.click('button:has-text("Continue")');
  await page.waitForURL(/\/add\/done$/);
  assert.match(await page.textContent('main'), /Card added/);
  assert.match(await page.textContent('main'), /Digital ID/);
  await checkAccessibility(page, 'card added');
  await screenshot(page, 'wallet-06-added');

  // The card, drawn with its portrait, and its details.
  await page.click('a:has-text("Go to your cards")');
  await page.waitForURL(/\/cards$/);
  const card = await page.$('li.bonafide-card');
  assert.ok(card, 'the card is drawn');
  assert.match(await card.textContent(), /Digital ID/);
  const portrait = await page.$('img.bonafide-card__portrait');
  assert.ok(portrait, 'the portrait is on the card');
  assert.ok(await portrait.evaluate((img) => img.complete && img.naturalWidth > 0), 'the portrait loaded (data: URI)');
  await checkAccessibility(page, 'cards');
  await screenshot(page, 'wallet-07-cards');
  await page.click('li.bonafide-card a');
  await page.waitForURL(/\/cards\/[A-Za-z0-9_-]+$/);
  const details = await page.textContent('main');
  assert.match(details, /Morrison/);
  assert.match(details, /Copies left/);
  assert.match(details, /Valid until/);
  await checkAccessibility(page, 'card details');
  await screenshot(page, 'wallet-08-details');

  // The same page in Welsh.
  await page.click('a[hreflang="cy"]');
  await page.waitForSelector('html[lang="cy"]');
  assert.match(await page.textContent('main'), /Copïau ar ôl/);
  await checkAccessibility(page, 'card details in Welsh');
  await screenshot(page, 'wallet-09-details-cy');
  await page.click('a[hreflang="en"]');
  await page.waitForSelector('html[lang="en"]');

  // An age check from the registered verifier: consent, share.
  const session = await createSession(verifier, { check: 'age_over_18' });
  assert.match(session.request_uri, /^openid4vp:\/\//);
  await page.click('a:has-text("Share details")');
  await page.waitForURL(/\/present$/);
  await checkAccessibility(page, 'paste a request');
  await page.fill('#request', session.request_uri);
  await page.click('button:has-text("Continue")');
  await page.waitForURL(/\/present\/[A-Za-z0-9_-]+$/);
  const consent = await page.textContent('main');
  assert.match(consent, /Acme Employer plc/);
  assert.match(consent, /age_over_18/);
  assert.match(consent, /Checking you are over 18/);
  assert.doesNotMatch(consent, /Morrison/, 'the consent page names attributes, not values');
  assert.ok(await page.$('button:has-text("Share")'), 'Share is offered');
  await checkAccessibility(page, 'consent');
  await screenshot(page, 'wallet-10-consent');
  await page.click('button:has-text("Share")');
  await page.waitForURL(/\/done$/);
  assert.match(await page.textContent('main'), /Details shared/);
  await checkAccessibility(page, 'shared');
  await screenshot(page, 'wallet-11-shared');
  const result = await waitForResult(verifier, session.session_id);
  assert.equal(result.status, 'completed', JSON.stringify(result));
  assert.equal(result.outcome, 'pass', JSON.stringify(result));

  // History: the age check, attribute names only.
  await page.click('a:has-text("What you have shared")');
  await page.waitForURL(/\/history$/);
  const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1);
  assert.match(rows[0], /Acme Employer plc/);
  assert.match(rows[0], /age_over_18/);
  assert.match(rows[0], /Shared/);
  await checkAccessibility(page, 'history');
  await screenshot(page, 'wallet-12-history');

  // Lock: the wallet asks for the PIN again.
  await page.click('button:has-text("Lock the wallet")');
  await page.waitForURL(/\/unlock$/);
  await page.goto(ui.url + '/cards');
  assert.match(page.url(), /\/unlock$/);
  await checkAccessibility(page, 'locked');
  await screenshot(page, 'wallet-13-locked');
  expectClean(problems, 'the whole flow');
  await context.close();
});
