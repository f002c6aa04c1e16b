// A mailbox user on a phone at /personal: sees her addresses and the last message received,
// sets a forward and sees the responder refused beside it, changes her password (strength
// shown as she types; the old one stops working over POP3), with axe-core on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, pop3Login } from '../support/server.mjs';
import { assertAccessible } from '../support/axe.mjs';

let server;
let browser;
let claire;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  let r = await server.cli(['domain', 'add', 'votredomaine.com', '--webmaster-first', 'Pierre', '--webmaster-last', 'Martin']);
  assert.equal(r.code, 0, r.err);
  r = await server.cli(['user', 'add', 'votredomaine.com', '--first', 'Claire', '--last', 'Dupont', '--alias', 'ventes', '--json']);
  assert.equal(r.code, 0, r.err);
  claire = JSON.parse(r.out);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('Claire helps herself on her phone', async () => {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'fr-FR',
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/login');
  await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
  await page.fill('#login', 'cdupont@votredomaine.com');
  await page.fill('#password', claire.password);
  await page.click('button[type=submit]');
  await page.waitForURL(server.url + '/personal');
  await page.waitForSelector('text=ventes@votredomaine.com');
  await page.waitForSelector('text=Aucun message en attente.');
  await assertAccessible(page, '/personal');

  // A forward; then the responder is refused with the reason.
  await page.fill('#forward-addresses', 'claire@example.net');
  await page.click('text=Enregistrer le renvoi');
  await page.waitForSelector('text=Renvoi actif');
  await page.check('#responder-on');
  await page.fill('#responder-body', 'Absente.');
  await page.click('text=Enregistrer le répondeur');
  await page.waitForSelector('#responder-error:has-text("en même temps")');
  await page.click('text=Arrêter le renvoi');
  await page.waitForSelector('text=Pas de renvoi');

  // The password, with feedback as she types.
  await page.fill('#current', claire.password);
  await page.locator('#new_password').pressSequentially('azerty1234');
  await page.waitForSelector('#strength:has-text("courants")');
  await page.fill('#new_password', 'Un-Nouveau-Secret-2026');
  await page.waitForSelector('#strength:has-text("acceptable")');
  await page.fill('#confirm', 'Un-Nouveau-Secret-2026');
  await page.click('text=Changer mon mot de passe');
  await page.waitForSelector('#pw-title ~ form .notice:has-text("Enregistré")');
  assert.equal(await pop3Login(server.pop3, 'cdupont', claire.password), false);
  assert.equal(await pop3Login(server.pop3, 'cdupont', 'Un-Nouveau-Secret-2026'), true);
  // Still signed in here.
  await page.reload();
  await page.waitForSelector('text=ventes@votredomaine.com');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
  assert.deepEqual(errors, [], 'no console errors');
  await ctx.close();
});
