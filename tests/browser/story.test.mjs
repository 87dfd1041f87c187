// The whole story in a real browser, on `bonafide up` (issue 6, parts 5 and 6):
//   an officer issues an eVisa from the issuer console; the person adds it in the web wallet; an
//   employer starts a right-to-work check in the portal; the person consents in the web wallet;
//   the portal shows the decision and the check record PDF downloads with the decision in it;
//   then an age check that reveals only the age (the officer issues a Digital ID for it); then
//   the officer revokes both credentials and the employer's next check fails.
// axe-core runs on every page; the browser must log no errors (CSP violations included).
// Screenshots: story-NN-*.png; the README's walk-through uses them.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { BONAFIDE } from '../interop/lib/common.mjs';
import { freePort } from '../interop/lib/issuer.mjs';
import { checkAccessibility, expectClean, launchBrowser, screenshot, watchPage } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'bonafide-story-'));
let up;
let upChild;
let browser;

// startUp runs `bonafide up` and resolves with the JSON line it prints once everything listens.
function startUp(ports) {
  upChild = spawn('timeout', ['-s', 'TERM', '280', BONAFIDE, 'up', '--data-dir', join(dir, 'up'),
    '--issuer-port', String(ports[0]), '--verifier-port', String(ports[1]), '--wallet-port', String(ports[2])],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  upChild.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`bonafide up printed nothing in 120 s\n${stderr}`)), 120_000);
    upChild.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    });
    upChild.on('exit', (code) => { clearTimeout(timer); reject(new Error(`bonafide up exited ${code}\n${stderr}`)); });
  });
}

before(async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  up = await startUp(ports);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (upChild && upChild.exitCode === null) {
    const exited = new Promise((r) => upChild.once('exit', r));
    upChild.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
  rmSync(dir, { recursive: true, force: true });
});

async function page(context) {
  const p = await context.newPage();
  return { p, problems: watchPage(p) };
}

async function officerIssues(officer, configuration) {
  const { p } = officer;
  await p.goto(up.console_url + '/citizens/demo-0003');
  await p.click('a:has-text("Issue a credential")');
  await p.waitForURL(/\/issue$/);
  await p.check(`input[name="configuration"][value="${configuration}"]`);
  await p.check('input[name="tx_code"][value="yes"]');
  await p.click('button:has-text("Create the offer")');
  await p.waitForURL(/\/console\/offers\/[A-Za-z0-9_-]+$/);
  await checkAccessibility(p, 'offer');
  return { txCode: (await p.textContent('#tx-code')).trim(), offerUri: (await p.textContent('#offer-uri')).trim() };
}

async function personAdds(person, offer, shot) {
  const { p } = person;
  await p.goto(up.wallet_url + '/cards');
  await p.click('a:has-text("Add a card")');
  await p.fill('#offer', offer.offerUri);
  await p.click('button:has-text("Continue")');
  await p.waitForURL(/\/add\/code$/);
  await p.fill('#tx_code', offer.txCode);
  await p.click('button:has-text("Continue")');
  await p.waitForURL(/\/add\/done$/);
  assert.match(await p.textContent('main'), /Card added/);
  if (shot) await screenshot(p, shot);
  await checkAccessibility(p, 'card added');
}

async function employerStarts(employer, label, shot) {
  const { p } = employer;
  await p.goto(up.portal_url + '/checks/new');
  await p.check(`label:has-text("${label}")`);
  await p.click('button:has-text("Start the check")');
  await p.waitForURL(/\/checks\/[A-Za-z0-9_-]+$/);
  if (shot) await screenshot(p, shot);
  return (await p.textContent('#request-uri')).trim();
}

async function personConsents(person, requestUri, shot) {
  const { p } = person;
  await p.goto(up.wallet_url + '/present');
  await p.fill('#request', requestUri);
  await p.click('button:has-text("Continue")');
  await p.waitForURL(/\/present\/[A-Za-z0-9_-]+$/);
  const consent = await p.textContent('main');
  assert.match(consent, /Demo Employer Ltd/);
  if (shot) await screenshot(p, shot);
  await checkAccessibility(p, 'consent');
  await p.click('button:has-text("Share")');
  await p.waitForURL(/\/done$/);
  return consent;
}

test('officer issues, person adds and consents, employer checks, revocation ends it', async () => {
  const officerContext = await browser.newContext();
  const personContext = await browser.newContext();
  const employerContext = await browser.newContext({ acceptDownloads: true });
  const officer = await page(officerContext);
  const person = await page(personContext);
  const employer = await page(employerContext);

  // Everyone signs in: officer and employer with their accounts, the person with the wallet PIN.
  await officer.p.goto(up.console_url);
  await officer.p.fill('#user', up.console_user);
  await officer.p.fill('#password', up.console_password);
  await officer.p.click('button:has-text("Sign in")');
  await officer.p.waitForURL(/\/console\/citizens$/);
  await person.p.goto(up.wallet_url + '/');
  await person.p.fill('#pin', up.wallet_pin);
  await person.p.click('button:has-text("Unlock")');
  await person.p.waitForURL(/\/cards$/);
  await employer.p.goto(up.portal_url + '/');
  await employer.p.fill('#user', up.portal_user);
  await employer.p.fill('#password', up.portal_password);
  await employer.p.click('button:has-text("Sign in")');
  await employer.p.waitForURL(/\/checks$/);

  // 1. The officer issues an eVisa to Ana Luisa Santos Ferreira (demo-0003) with a transaction code.
  const evisa = await officerIssues(officer, 'uk.gov.homeoffice.evisa');
  await screenshot(officer.p, 'story-01-officer-issues-evisa');
  // 2. She adds it in her web wallet.
  await personAdds(person, evisa, 'story-02-wallet-card-added');
  await person.p.goto(up.wallet_url + '/cards');
  await screenshot(person.p, 'story-03-wallet-cards');

  // 3. The employer starts a right-to-work check; 4. she consents; 5. the portal decides.
  const rtw = await employerStarts(employer, 'Right to work', 'story-04-portal-qr');
  const consent = await personConsents(person, rtw, 'story-05-wallet-consent');
  assert.match(consent, /right to work|Right to work/);
  await employer.p.waitForSelector('h1:has-text("Permitted to work until 31 January 2029")', { timeout: 20_000 });
  assert.match(await employer.p.textContent('main'), /Work for the sponsoring employer only/);
  await screenshot(employer.p, 'story-06-portal-decision');
  await checkAccessibility(employer.p, 'decision');
  const [download] = await Promise.all([employer.p.waitForEvent('download'),
    employer.p.click('a:has-text("Download the check record")')]);
  const pdfPath = join(dir, 'rtw.pdf');
  await download.saveAs(pdfPath);
  const text = spawnSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Permitted to work until 31 January 2029/);
  assert.match(text.stdout, /Santos Ferreira/);
  assert.equal(readFileSync(pdfPath).subarray(0, 5).toString(), '%PDF-');

  // 6. An age check, with a Digital ID the officer issues now: only the age is shared.
  const digitalId = await officerIssues(officer, 'uk.gov.digital-id.sd-jwt');
  await personAdds(person, digitalId);
  const age = await employerStarts(employer, 'Age (over 18)');
  const ageConsent = await personConsents(person, age);
  assert.match(ageConsent, /age_over_18|Over 18|over 18/);
  await employer.p.waitForSelector('h1:has-text("18")', { timeout: 20_000 });
  const ageText = await employer.p.textContent('main');
  assert.match(ageText, /Over 18/);
  assert.doesNotMatch(ageText, /Santos|Ana Luisa|1998/);
  await screenshot(employer.p, 'story-07-portal-age-only');
  await checkAccessibility(employer.p, 'age decision');

  // 7. The officer revokes both credentials; the employer's next right-to-work check fails.
  await officer.p.goto(up.console_url + '/citizens/demo-0003');
  for (let i = 0; i < 2; ++i) {
    await officer.p.click('tbody tr:not(:has-text("Revoked")) button:has-text("Revoke")');
    await officer.p.waitForURL(/\/console\/citizens\/demo-0003$/);
  }
  assert.doesNotMatch(await officer.p.textContent('tbody'), /Valid/);
  await screenshot(officer.p, 'story-08-officer-revoked');
  await checkAccessibility(officer.p, 'revoked');
  const again = await employerStarts(employer, 'Right to work');
  await personConsents(person, again);
  await employer.p.waitForSelector('h1:has-text("did not succeed")', { timeout: 20_000 });
  assert.match(await employer.p.textContent('main'), /revoked/);
  await screenshot(employer.p, 'story-09-portal-revoked');

  // The person's history shows what was shared with whom.
  await person.p.goto(up.wallet_url + '/history');
  assert.match(await person.p.textContent('main'), /Demo Employer Ltd/);
  await screenshot(person.p, 'story-10-wallet-history');
  await checkAccessibility(person.p, 'history');

  expectClean(officer.problems, 'console');
  expectClean(person.problems, 'wallet');
  expectClean(employer.problems, 'portal');
});

test('the web wallet started by `bonafide up` listens on loopback only', async () => {
  assert.match(up.wallet_url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const refused = spawnSync(BONAFIDE, ['wallet', 'ui', '--dir', join(dir, 'up', 'wallet'), '--listen', '0.0.0.0:0'],
    { encoding: 'utf8', timeout: 30_000 });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /invalid_argument/);
});
