// Claire secures her account from her phone (issue 16): turns on two-step sign-in with the
// QR code's secret (the test computes the codes, RFC 6238), keeps her recovery codes, makes
// an app password for her mail program (POP3 takes it, not the main password any more); signs
// in on a second phone with JavaScript off, password then code; sees both sessions and signs
// the other one out (it loses its session); axe-core on the new pages. And Pierre, her
// webmaster, makes her a webmaster of the domain and takes it back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, launchChromium, pop3Login } from '../support/server.mjs';
import { assertAccessible } from '../support/axe.mjs';

let server;
let browser;
let claire;
let pierre;

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'fr-FR' };

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = ((value << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// The code an authenticator app shows at Unix time `t` (HMAC-SHA-1, 6 digits, 30 s).
function totp(secret, t) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  let r = await server.cli(['domain', 'add', 'votredomaine.com', '--webmaster-first', 'Pierre', '--webmaster-last', 'Martin', '--json']);
  assert.equal(r.code, 0, r.err);
  pierre = JSON.parse(r.out).webmaster;
  r = await server.cli(['user', 'add', 'votredomaine.com', '--first', 'Claire', '--last', 'Dupont', '--json']);
  assert.equal(r.code, 0, r.err);
  claire = JSON.parse(r.out);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signInWithPassword(page) {
  await page.goto(server.url + '/login');
  await page.fill('#login', 'cdupont@votredomaine.com');
  await page.fill('#password', claire.password);
  await page.click('button[type=submit]');
}

test('Claire turns on two-step sign-in and keeps her mail program working', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await signInWithPassword(page);
  await page.waitForURL(server.url + '/personal');
  await page.click('a:has-text("Sécurité")');
  await page.waitForURL(server.url + '/personal/security');
  await page.waitForSelector('.qr svg');
  await assertAccessible(page, '/personal/security (enrolment)');
  const secret = (await page.textContent('#totp-secret')).replace(/\s/g, '');

  // A wrong code is refused beside the field; the right one (with her password) turns it on.
  await page.fill('#code', '000000');
  await page.fill('#enrol-current', claire.password);
  await page.click('button:has-text("Activer")');
  await page.waitForSelector('#code-error:has-text("pas le bon")');
  await page.fill('#code', totp(secret, now()));
  await page.fill('#enrol-current', claire.password);
  await page.click('button:has-text("Activer")');
  await page.waitForSelector('#recovery-codes');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await assertAccessible(page, '/personal/security (on)');

  // Her mail program: the main password is refused now; an app password works.
  assert.equal(await pop3Login(server.pop3, 'cdupont', claire.password), false);
  await page.fill('#name', 'Thunderbird au bureau');
  await page.fill('#app-current', claire.password);
  await page.click('button:has-text("Créer")');
  await page.waitForSelector('#app-password');
  const appPassword = (await page.textContent('#app-password')).trim();
  assert.match(appPassword, /^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/);
  assert.equal(await pop3Login(server.pop3, 'cdupont', appPassword), true);

  // A second phone, JavaScript off: password, then a code (the next one: each serves once).
  const other = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const second = await other.newPage();
  await signInWithPassword(second);
  await second.waitForURL(server.url + '/login/code');
  await second.fill('#code', '123456');
  await second.click('button[type=submit]');
  await second.waitForSelector('#code-error:has-text("pas le bon")');
  await second.fill('#code', totp(secret, now() + 30));
  await second.click('button[type=submit]');
  await second.waitForURL(server.url + '/personal');

  // Both sessions listed here; she signs the other out, which loses its session.
  await page.goto(server.url + '/personal/security');
  await page.waitForSelector('.sessions li >> nth=1');
  assert.equal(await page.locator('.sessions li').count(), 2);
  await page.click('.sessions button:has-text("Fermer")');
  await page.waitForSelector('text=Session fermée.');
  assert.equal(await page.locator('.sessions li').count(), 1);
  await second.goto(server.url + '/personal');
  await second.waitForURL(/\/login/);
  // The history lists the POP3 sign-in with the app password's name.
  await page.waitForSelector('.sign-ins li:has-text("Thunderbird au bureau")');

  // A recovery code on the code page (checked with axe), once.
  const third = await ctx.browser().newContext(PHONE);
  const p3 = await third.newPage();
  await signInWithPassword(p3);
  await p3.waitForURL(server.url + '/login/code');
  await assertAccessible(p3, '/login/code');
  await p3.fill('#code', codes[0]);
  await p3.click('button[type=submit]');
  await p3.waitForURL(server.url + '/personal');
  await p3.waitForSelector('text=il vous en reste 9');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
  assert.deepEqual(errors, [], 'no console errors');
  await third.close();
  await other.close();
  await ctx.close();
});

test('Forgotten password: the page and its same answer', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(server.url + '/login');
  await page.click('text=Mot de passe oublié ?');
  await page.waitForURL(server.url + '/login/forgot');
  await assertAccessible(page, '/login/forgot');
  await page.fill('#login', 'personne');
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Si ce compte a une adresse de secours confirmée');
  await page.goto(server.url + '/login/reset?token=0000');
  await page.waitForSelector('text=Lien expiré');
  await assertAccessible(page, '/login/reset (expired)');
  await ctx.close();
});

test('Pierre makes Claire a webmaster on his phone, then takes it back (issue 17)', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(server.url + '/login');
  await page.fill('#login', 'pmartin');
  await page.fill('#password', pierre.password);
  await page.click('button[type=submit]');
  await page.waitForURL(server.url + '/siteadmin');
  await page.goto(server.url + '/siteadmin/user/cdupont');
  await page.click('button:has-text("Faire webmaster du domaine")');
  await page.waitForSelector('text=cdupont est maintenant webmaster du domaine.');
  await assertAccessible(page, '/siteadmin/user/cdupont (role)');
  await page.click('button:has-text("Retirer le rôle de webmaster")');
  await page.waitForSelector("text=cdupont n'est plus webmaster.");
  await ctx.close();
});
