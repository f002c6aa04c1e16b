// The host's portal in headless Chromium on a phone: add a domain with its webmaster (the
// password shown once), grant and revoke relay, look at the queue and the log; axe-core on
// each page; another name and limits for the domain (issue 17); no console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium } from '../support/server.mjs';
import { assertAccessible } from '../support/axe.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the host adds a domain, opens and closes relay, reads the queue and the log', async () => {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
    locale: 'en-GB',
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/login');
  await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
  await page.fill('#login', server.login);
  await page.fill('#password', server.password);
  await page.click('button[type=submit]');
  await page.waitForURL(server.url + '/admin');
  await page.waitForSelector('h1:has-text("Hosted domains")');
  await assertAccessible(page, '/admin');

  await page.fill('#domain-name', 'atelier-dupuis.fr');
  await page.fill('#wm-first', 'Anne');
  await page.fill('#wm-last', 'Dupuis');
  await page.selectOption('#new-style', 'antivirus');
  await page.click('text=Create the domain and its webmaster');
  await page.waitForURL(server.url + '/siteadmin/welcome/adupuis?domain=atelier-dupuis.fr');
  const password = (await page.textContent('#new-password')).trim();
  assert.ok(password.length >= 14);
  await page.waitForSelector('text=mail.atelier-dupuis.fr');

  await page.goto(server.url + '/admin/relay');
  await page.waitForSelector('html[data-hydrated]');
  await assertAccessible(page, '/admin/relay');
  await page.fill('#grant-network', '192.0.2.0/28');
  await page.fill('#grant-domain', 'atelier-dupuis.fr');
  await page.fill('#grant-note', 'bureau de Lyon');
  await page.click('text=Grant relay >> nth=-1');
  await page.waitForSelector('text=bureau de Lyon');
  // Closing asks first, in the browser's own dialog; refused, nothing happens.
  await page.waitForSelector('html[data-hydrated]');
  page.once('dialog', (d) => d.dismiss());
  await page.click('button:has-text("Revoke")');
  assert.equal(await page.locator('.grant.off').count(), 0, 'a dismissed dialog closes nothing');
  page.once('dialog', async (d) => {
    assert.match(d.message(), /Close this relay grant\?/);
    await d.accept();
  });
  await page.click('button:has-text("Revoke")');
  await page.waitForSelector('.grant.off');
  await page.waitForSelector('.notice.banner:has-text("Relay closed.")');

  await page.goto(server.url + '/admin/queue');
  await page.waitForSelector('text=The queue is empty.');
  await assertAccessible(page, '/admin/queue');
  await page.goto(server.url + '/admin/log');
  await page.waitForSelector('text=Relay revoked');
  await page.waitForSelector('text=Domain added');
  await assertAccessible(page, '/admin/log');
  await page.goto(server.url + '/admin/dns');
  await page.waitForSelector('.records .record');
  await assertAccessible(page, '/admin/dns');

  // Issue 17: another name for the domain and the limits it is sold with.
  await page.goto(server.url + '/admin');
  await page.click('a[href="/admin/domain/atelier-dupuis.fr"]');
  await page.waitForURL(server.url + '/admin/domain/atelier-dupuis.fr');
  await page.waitForSelector('html[data-hydrated]');
  await page.waitForSelector('text=No limit on this domain.');
  await assertAccessible(page, '/admin/domain/:name');
  await page.fill('#domain-alias', 'ancien-dupuis.fr');
  await page.click('button:has-text("Add")');
  await page.waitForSelector('.alias-list >> text=ancien-dupuis.fr');
  await page.fill('#max_mailboxes', '3');
  await page.fill('#max_storage_mb', '500');
  await page.fill('#max_quota_mb', 'lots');
  await page.click('text=Save the limits');
  await page.waitForSelector('#max_quota_mb-error:has-text("A number of MB")');
  await page.fill('#max_quota_mb', '200');
  await page.click('text=Save the limits');
  await page.waitForSelector('.limits >> text=Mailboxes');
  await assertAccessible(page, '/admin/domain/:name with limits');
  // The webmaster's page shows the use against them; the DNS page, the other name's records.
  await page.goto(server.url + '/siteadmin?domain=atelier-dupuis.fr');
  await page.waitForSelector('text=Limits set by the host');
  await page.waitForSelector('text=@ancien-dupuis.fr');
  await assertAccessible(page, '/siteadmin with limits');
  await page.goto(server.url + '/siteadmin/dns?domain=atelier-dupuis.fr');
  await page.waitForSelector('h2:has-text("ancien-dupuis.fr")');
  await assertAccessible(page, '/siteadmin/dns with another name');

  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
  assert.deepEqual(errors, [], 'no console errors');
  await ctx.close();
});
