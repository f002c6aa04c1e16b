// The webmaster's portal in headless Chromium, at a phone size and a desktop size, with its
// islands alive and with JavaScript off: sign in, add "Éloïse D'Artagnan" with the login
// previewed as she is typed, read the password once. Every page passes an axe-core check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, pop3Login } from '../support/server.mjs';
import { assertAccessible } from '../support/axe.mjs';

let server;
let browser;
let webmaster;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const r = await server.cli(['domain', 'add', 'votredomaine.com', '--webmaster-first', 'Pierre', '--webmaster-last', 'Martin', '--json']);
  assert.equal(r.code, 0, r.err);
  webmaster = JSON.parse(r.out).webmaster;
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

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

async function signIn(page, login, password, hydrated = true) {
  await page.goto(server.url + '/login');
  if (hydrated) await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

for (const [size, options, expected, alias] of [
  ['phone', PHONE, 'edartagnan', 'mousquetaire'],
  ['desktop', DESKTOP, 'edartagnan2', 'cadet'],
]) {
  test(`a webmaster adds Éloïse D'Artagnan on a ${size}`, async () => {
    const ctx = await browser.newContext({ ...options, locale: 'fr-FR' });
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await signIn(page, webmaster.login, webmaster.password);
    await page.waitForURL(server.url + '/siteadmin');
    await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
    await page.waitForSelector('h1:has-text("votredomaine.com")');
    await assertAccessible(page, `${size} /siteadmin`);

    await page.click('text=Ajouter un utilisateur');
    await page.waitForURL(server.url + '/siteadmin/add');
    await page.waitForSelector('#first_name');
    await assertAccessible(page, `${size} /siteadmin/add`);
    // The login is previewed as the names are typed, before anything is sent — the one she
    // will really get (the second Éloïse gets a digit).
    await page.locator('#first_name').pressSequentially('Éloïse');
    await page.locator('#last_name').pressSequentially("D'Artagnan");
    await page.waitForSelector(`#login-preview:text-is("Login : ${expected}")`);
    // A generic name is explained at once, too.
    await page.fill('#first_name', '');
    await page.fill('#last_name', 'Webmaster');
    await page.waitForSelector('#login-preview:has-text("générique")');
    await page.fill('#first_name', 'Éloïse');
    await page.fill('#last_name', "D'Artagnan");
    await page.fill('#aliases', alias);
    await page.click('form.form button.primary');

    await page.waitForURL(server.url + '/siteadmin/welcome/' + expected);
    const password = (await page.textContent('#new-password')).trim();
    assert.ok(password.length >= 14, password);
    await assertAccessible(page, `${size} welcome`);
    // Shown once: not after a reload.
    await page.reload();
    await page.waitForSelector('h2:has-text("Votre messagerie")');
    assert.equal(await page.locator('#new-password').count(), 0);
    assert.ok(!(await page.textContent('main')).includes(password));

    // The list shows her, with her alias.
    await page.goto(server.url + '/siteadmin');
    await page.waitForSelector(`text=${expected}`);
    if (size === 'phone') {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `page is ${width}px wide`);
      const small = await page.evaluate(() => [...document.querySelectorAll('main a, main button, main input')]
        .filter((e) => e.offsetParent !== null && e.type !== 'hidden')
        .map((e) => [e.textContent.trim() || e.id, e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44));
      assert.deepEqual(small, [], 'touch targets of 44px at least');
    }
    // The domain's filtering of incoming mail: one choice among three, saved with a word.
    await page.click('text=Courrier entrant : filtrage');
    await page.waitForURL(server.url + '/siteadmin/filter');
    await assertAccessible(page, `${size} /siteadmin/filter`);
    await page.check('#filtering-mark');
    await page.click('form.form button.primary');
    await page.waitForSelector('text=Enregistré.');
    assert.ok(await page.isChecked('#filtering-mark'));
    // The domain's DNS records, each with its verdict, readable on a phone.
    await page.goto(server.url + '/siteadmin/dns');
    await page.waitForSelector('.records .record');
    await assertAccessible(page, `${size} /siteadmin/dns`);
    const dnsWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(dnsWidth <= (size === 'phone' ? 390 : 1280), `DNS page is ${dnsWidth}px wide`);
    assert.deepEqual(errors, [], 'no console errors');
    await ctx.close();
  });
}

test('with JavaScript off, a webmaster signs in and adds a user', async () => {
  const ctx = await browser.newContext({ ...PHONE, locale: 'en-GB', javaScriptEnabled: false });
  const page = await ctx.newPage();
  await signIn(page, webmaster.login, webmaster.password, false);
  await page.waitForURL(server.url + '/siteadmin');
  await page.click('text=Add user');
  await page.fill('#first_name', 'Jean');
  await page.fill('#last_name', 'de La Fontaine');
  await page.click('form.form button.primary');
  await page.waitForURL(server.url + '/siteadmin/welcome/jdelafontaine');
  const password = (await page.textContent('#new-password')).trim();
  assert.ok(password.length >= 14);
  // A refusal comes back next to its field.
  await page.goto(server.url + '/siteadmin/add');
  await page.fill('#last_name', 'Martin');
  await page.fill('#quota', 'beaucoup');
  await page.click('form.form button.primary');
  await page.waitForSelector('#quota-error:has-text("quota")');
  await ctx.close();
});

for (const [size, options, first, last, login, alias] of [
  ['phone', PHONE, 'Marie-Christine', 'de La Tour-Dupont', 'mdelatourdupont', 'communication-institutionnelle'],
  ['desktop', DESKTOP, 'Olympe', 'de Gouges', 'odegouges', 'declaration'],
]) test(`the pen and the blue mailbox on a ${size}, and the new user signs in`, async () => {
  const admin = await browser.newContext({ ...options, locale: 'fr-FR' });
  const page = await admin.newPage();
  const errors = watchErrors(page);
  await signIn(page, webmaster.login, webmaster.password);
  await page.waitForURL(server.url + '/siteadmin');
  await page.click('text=Ajouter un utilisateur');
  await page.waitForSelector('html[data-hydrated]');
  await page.fill('#first_name', first);
  await page.fill('#last_name', last);
  await page.click('form.form button.primary');
  await page.waitForURL(server.url + '/siteadmin/welcome/' + login);
  const password = (await page.textContent('#new-password')).trim();

  // She signs in, in a second context, and is not let into the webmaster's pages.
  const her = await browser.newContext({ ...options, locale: 'fr-FR' });
  const hers = await her.newPage();
  await signIn(hers, login + '@votredomaine.com', password);
  await hers.waitForURL(server.url + '/personal');
  await hers.waitForSelector('text=Mon courrier arrive-t-il ?');
  await hers.goto(server.url + '/siteadmin');
  await hers.waitForSelector('text=Accès refusé');

  // The blue mailbox: a forward, then the responder is refused with the reason.
  await page.goto(server.url + '/siteadmin/user/' + login + '/mail');
  await page.waitForSelector('html[data-hydrated]');
  await assertAccessible(page, 'blue mailbox');
  await page.fill('#forward-addresses', login + '@example.net');
  await page.click('text=Enregistrer le renvoi');
  await page.waitForSelector('text=Renvoi actif');
  await page.check('#responder-on');
  await page.fill('#responder-subject', 'Absente');
  await page.fill('#responder-body', 'De retour lundi.');
  await page.click('text=Enregistrer le répondeur');
  await page.waitForSelector('#responder-error:has-text("en même temps")');

  // The pen: an alias, then a new password — the old one stops working over POP3 too.
  await page.goto(server.url + '/siteadmin/user/' + login);
  await page.waitForSelector('html[data-hydrated]');
  await assertAccessible(page, 'the pen');
  await page.fill('#alias', alias);
  await page.click("text=Ajouter l'alias");
  await page.waitForSelector(`text=${alias}@votredomaine.com`);
  assert.equal(await pop3Login(server.pop3, login, password), true);
  await page.fill('#new-password-field', 'Un-Autre-Secret-1871');
  await page.click('text=Changer le mot de passe');
  await page.waitForSelector('#password-title ~ form .notice:has-text("Mot de passe changé")');
  assert.equal(await pop3Login(server.pop3, login, password), false, 'old password refused');
  assert.equal(await pop3Login(server.pop3, login, 'Un-Autre-Secret-1871'), true);
  // Her web session ended with the change.
  await hers.goto(server.url + '/');
  await hers.waitForURL(server.url + '/login');

  // Her backups, from the pen: one made for her, listed.
  await page.click('text=Sauvegardes et restauration');
  await page.waitForURL(server.url + '/siteadmin/user/' + login + '/backups');
  await page.click('text=Faire une sauvegarde maintenant');
  await page.waitForSelector('text=Sauvegarde faite : 0 message');
  await page.waitForSelector('.backup >> text=Télécharger');
  await assertAccessible(page, 'backups from the pen');
  await page.goto(server.url + '/siteadmin/user/' + login);
  await page.waitForSelector('html[data-hydrated]');

  // Usable at 360 px wide too: nothing wider than the screen.
  if (size === 'phone') {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/siteadmin/user/' + login, '/siteadmin/user/' + login + '/mail', '/siteadmin/user/' + login + '/backups', '/siteadmin']) {
      await page.goto(server.url + path);
      await page.waitForSelector('html[data-hydrated]');
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(w <= 360, `${path} is ${w}px wide at 360`);
    }
    await page.goto(server.url + '/siteadmin/user/' + login);
    await page.waitForSelector('html[data-hydrated]');
  }

  // Delete, after reading what happens to her mail.
  await page.click('text=Supprimer cet utilisateur');
  await page.waitForURL(server.url + '/siteadmin/user/' + login + '/delete');
  await page.waitForSelector('text=sera effacé définitivement');
  await assertAccessible(page, 'delete');
  await page.click('text=Supprimer définitivement');
  await page.waitForURL(server.url + '/siteadmin');
  await page.waitForSelector('h1:has-text("votredomaine.com")');
  assert.equal(await page.locator(`text=${login}`).count(), 0);
  assert.deepEqual(errors, [], 'no console errors');
  await her.close();
  await admin.close();
});
