// Sign in on a phone-sized screen in headless Chromium, after hydration, with no console error.
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

function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

test('a phone signs in, hydrated, and sees who it is', async () => {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
    locale: 'fr-FR',
  });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + '/');
  // Not signed in: sent to the sign-in page.
  await page.waitForURL(server.url + '/login');
  await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await assertAccessible(page, '/login');

  // A wrong password: the reason appears next to the form, without leaving the page.
  await page.fill('#login', server.login);
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error:has-text("incorrect")');
  assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');

  // The right one: the admin's own portal, then the landing page, rendered by the app.
  await page.fill('#password', server.password);
  await page.click('button[type=submit]');
  await page.waitForURL(server.url + '/admin');
  await page.waitForSelector('h1:has-text("Domaines hébergés")');
  await page.click('.account-name');
  await page.waitForURL(server.url + '/');
  await page.waitForSelector('text=Connecté en tant que');
  await assertAccessible(page, 'home');
  const who = await page.textContent('main');
  assert.match(who, /srvadmin/);
  assert.match(who, /administrateur du serveur/);

  // Nothing is wider than the phone.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
  // Touch targets are at least 44px high.
  const h = await page.evaluate(() => document.querySelector('button[type=submit]').getBoundingClientRect().height);
  assert.ok(h >= 44, `sign-out button is ${h}px high`);

  // Sign out, client side.
  await page.click('text=Se déconnecter');
  await page.waitForURL(server.url + '/login');
  assert.deepEqual(errors, [], 'no console errors');
  await ctx.close();
});

test('the language switch works and is remembered', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url + '/login');
  await page.waitForSelector('html[data-hydrated]');
  await page.click('text=English');
  await page.waitForSelector('html[lang=en]');
  await page.waitForSelector('h1:has-text("Sign in")');
  await page.reload();
  await page.waitForSelector('h1:has-text("Sign in")');
  assert.deepEqual(errors, []);
  await ctx.close();
});
