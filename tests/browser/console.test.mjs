// The issuer console in a real browser (issue 6, part 4): an officer signs in, finds a demo
// citizen, issues an eVisa offer with a transaction code (shown once), the citizen's CLI wallet
// receives it with that code, the officer revokes it, imports a small CSV and watches the job
// reach the end, and verifies the audit log, which names the officer. axe-core runs on every page
// and no page may log a CSP violation or a script error. Everything runs on 127.0.0.1 and stops by
// itself.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { scratchDir } from '../interop/lib/common.mjs';
import { fetchBounded, startIssuer } from '../interop/lib/issuer.mjs';
import { checkAccessibility, expectClean, expectSignInThrottled, launchBrowser, run, screenshot, watchPage } from './lib.mjs';

const PIN = '271828';
const OFFICER = 'officer.jones';
const PASSWORD = 'correct horse battery staple';
const dir = scratchDir();
let issuer;
let browser;
let walletDir;


before(async () => {
  issuer = await startIssuer(dir);
  const added = run(['issuer', 'console-user', '--data-dir', issuer.dataDir, '--user', OFFICER], `${PASSWORD}\n`);
  assert.equal(added.code, 0, added.stderr);
  walletDir = join(dir, 'wallet');
  assert.equal(run(['wallet', 'init', '--dir', walletDir, '--pin-stdin'], `${PIN}\n`).code, 0);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (issuer) await issuer.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page, problems) {
  await page.goto(issuer.url + '/console');
  assert.match(page.url(), /\/console\/sign-in$/);
  await checkAccessibility(page, 'sign in');
  await screenshot(page, 'console-01-sign-in');
  await page.fill('#user', OFFICER);
  await page.fill('#password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/console\/citizens$/);
  expectClean(problems, 'sign in');
}

test('an officer issues an offer, revokes a credential, imports a CSV and verifies the audit log', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchPage(page);
  await signIn(page, problems);
  await checkAccessibility(page, 'citizens');
  await screenshot(page, 'console-02-citizens');

  // Find a demo citizen by name.
  await page.fill('#q', 'santos');
  await page.click('button:has-text("Search")');
  await page.waitForURL(/\/console\/citizens\?q=santos$/);
  await checkAccessibility(page, 'search results');
  await page.click('a[href="/console/citizens/demo-0003"]');
  await page.waitForURL(/\/console\/citizens\/demo-0003$/);
  assert.match(await page.textContent('h1'), /Ana Luisa Santos Ferreira/);
  await checkAccessibility(page, 'citizen');
  await screenshot(page, 'console-03-citizen');

  // Issue an eVisa offer with a transaction code.
  await page.click('a:has-text("Issue a credential")');
  await page.waitForURL(/\/issue$/);
  await checkAccessibility(page, 'issue form');
  await page.check('input[name="configuration"][value="uk.gov.homeoffice.evisa"]');
  await page.check('input[name="tx_code"][value="yes"]');
  await screenshot(page, 'console-04-issue-form');
  await page.click('button:has-text("Create the offer")');
  await page.waitForURL(/\/console\/offers\/[A-Za-z0-9_-]+$/);
  const txCode = (await page.textContent('#tx-code')).trim();
  assert.match(txCode, /^[0-9]{4,}$/);
  const offerUri = (await page.textContent('#offer-uri')).trim();
  assert.match(offerUri, /^openid-credential-offer:\/\//);
  const qr = await page.$('img.bonafide-qr');
  assert.ok(qr && await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image loaded');
  await checkAccessibility(page, 'offer');
  await screenshot(page, 'console-05-offer-with-tx-code');
  // A reload does not show the code again.
  await page.reload();
  assert.equal(await page.$('#tx-code'), null);
  assert.doesNotMatch(await page.textContent('main'), new RegExp(`\\b${txCode}\\b`));
  assert.match(await page.textContent('main'), /cannot be shown again/);
  await screenshot(page, 'console-06-offer-reloaded');

  // The citizen's wallet receives the eVisa with the code.
  const received = run(['wallet', 'receive', '--dir', walletDir, '--pin-stdin', '--insecure-http-loopback', '--tx-code', txCode,
    offerUri], `${PIN}\n`);
  assert.equal(received.code, 0, received.stderr);

  // Revoke it.
  await page.click('a:has-text("Back to the citizen")');
  await page.waitForURL(/\/console\/citizens\/demo-0003$/);
  const valid = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent).filter((t) => /eVisa/.test(t) && /Valid/.test(t)));
  assert.ok(valid.length >= 1, 'the issued eVisa is listed as valid');
  await checkAccessibility(page, 'citizen with credentials');
  await page.click('tbody tr:first-child button:has-text("Revoke")');
  await page.waitForURL(/\/console\/citizens\/demo-0003$/);
  assert.match(await page.textContent('.govuk-notification-banner'), /Credential revoked/);
  assert.match(await page.textContent('tbody tr:first-child'), /Revoked/);
  await checkAccessibility(page, 'after revocation');
  await screenshot(page, 'console-07-revoked');

  // Import a small CSV and watch the job finish.
  await page.click('a:has-text("Import citizens")');
  await page.waitForURL(/\/console\/import$/);
  await checkAccessibility(page, 'import form');
  const header = 'id,uk.gov.homeoffice.evisa:uk.gov.homeoffice.evisa.1/given_name,uk.gov.homeoffice.evisa:uk.gov.homeoffice.evisa.1/family_name';
  const lines = [header];
  // Enough rows (75 chunks of 20, each its own transaction) that the progress page usually shows
  // before the job ends; the form takes up to 64 KiB once encoded.
  const ROWS = 1500;
  for (let i = 1; i <= ROWS; ++i) lines.push(`CSV-${String(i).padStart(4, '0')},Given${i},Family${i}`);
  lines.push(',No,Id');
  await page.fill('#csv', lines.join('\n') + '\n');
  await screenshot(page, 'console-08-import-form');
  await page.click('button:has-text("Import")');
  await page.waitForURL(/\/console\/import\/[A-Za-z0-9_-]+$/);
  if ((await page.textContent('h1')).includes('Importing citizens')) {
    // The job is still running: the page polls its status (app.js) and moves on by itself.
    assert.ok(await page.$('[data-poll-url$="/status"]'), 'the progress page polls');
    assert.match(await page.textContent('[data-poll-label]'), new RegExp(`^\\d+ of ${ROWS + 1} rows done$`));
    try {
      await checkAccessibility(page, 'import progress');
      await screenshot(page, 'console-09-import-progress');
    } catch (error) {
      // The job ended while axe ran and the page moved on to the result by itself (checked
      // below); an accessibility finding is an assertion error and still fails the test.
      if (!String(error.message).includes('Execution context was destroyed')) throw error;
    }
  }
  await page.waitForSelector('h1:has-text("Import complete")', { timeout: 60_000 });
  const summary = await page.textContent('main');
  assert.match(summary, new RegExp(`${ROWS + 1} of ${ROWS + 1} rows done`));
  assert.match(summary, new RegExp(`Citizens imported\\s*${ROWS}`));
  await checkAccessibility(page, 'import result');
  await screenshot(page, 'console-10-import-complete');
  await page.goto(issuer.url + '/console/citizens?q=CSV-1500');
  assert.match(page.url(), /\/console\/citizens\/CSV-1500$/);

  // The audit log names the officer, and verifies.
  await page.click('a:has-text("Audit log")');
  await page.waitForURL(/\/console\/audit$/);
  await checkAccessibility(page, 'audit log');
  await screenshot(page, 'console-11-audit-log');
  // The import's entries are the newest; the revocation and the offer are a few pages older.
  const rows = [];
  for (let pages = 0; pages < 20; ++pages) {
    rows.push(...await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent)));
    const older = await page.$('a:has-text("Older entries")');
    if (!older) break;
    await page.goto(issuer.url + await older.getAttribute('href'));
  }
  assert.ok(rows.some((r) => r.includes(OFFICER) && r.includes('credential.revoke')), 'the revocation names the officer');
  assert.ok(rows.some((r) => r.includes(OFFICER) && r.includes('offer.create')), 'the offer names the officer');
  assert.ok(rows.some((r) => r.includes(OFFICER) && r.includes('citizen.import')), 'the import names the officer');
  await checkAccessibility(page, 'older audit entries');
  await page.click('button:has-text("Verify the audit log")');
  await page.waitForSelector('h1:has-text("The audit log is intact")');
  await checkAccessibility(page, 'audit verified');
  await screenshot(page, 'console-12-audit-verified');

  // Welsh.
  await page.goto(issuer.url + '/console/citizens?lang=cy');
  await page.waitForSelector('html[lang="cy"]');
  assert.match(await page.textContent('h1'), /Dod o hyd i ddinesydd/);
  await checkAccessibility(page, 'citizens in Welsh');
  await screenshot(page, 'console-13-citizens-cy');
  await page.goto(issuer.url + '/console/citizens?lang=en');

  expectClean(problems, 'the whole flow');
  await context.close();
});

test('a form posted without its CSRF token changes nothing', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, watchPage(page));
  const session = (await context.cookies()).find((c) => c.name === 'bonafide_console');
  assert.ok(session && session.httpOnly && !session.secure && session.sameSite === 'Strict');
  for (const body of ['id=FORGED-1&claims=%7B%7D', 'id=FORGED-1&claims=%7B%7D&csrf_token=guess']) {
    const response = await fetchBounded(issuer.url + '/console/citizens/new', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `bonafide_console=${session.value}` },
      body,
      redirect: 'manual',
    });
    assert.equal(response.status, 403);
  }
  await page.goto(issuer.url + '/console/citizens/FORGED-1');
  assert.match(await page.textContent('h1'), /Page not found/);
  await context.close();
});

test('wrong passwords are refused and then rate limited', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watchPage(page);
  await expectSignInThrottled(page, issuer.url + '/console/sign-in', PASSWORD, 'console-14-sign-in-error');
  // 4xx document loads are reported on the console by Chromium; only CSP and script errors count.
  expectClean(problems.filter((p) => !/Failed to load resource/.test(p)), 'sign-in errors');
  await context.close();
});
