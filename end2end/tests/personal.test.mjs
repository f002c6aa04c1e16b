// A mailbox user on a phone at /personal: sees her addresses and the last message received,
// sets a forward and sees the responder refused beside it, changes her password (strength
// shown as she types; the old one stops working over POP3); then backs up, downloads,
// deletes everything over POP3 and restores from the file; reads her connection settings
// (QR code) and the live help; axe-core on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { startServer, launchChromium, pop3Login, pop3DeleteAll, sendMail } from '../support/server.mjs';
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
  await page.waitForSelector('#pw-title ~ form .notice:has-text("Mot de passe changé")');
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

test('Claire backs up, restores, and finds her settings and help on her phone', async () => {
  const password = 'Un-Nouveau-Secret-2026';
  for (const n of [1, 2]) {
    await sendMail(server.smtp, 'cdupont@votredomaine.com', `From: a@sender.example\r\nSubject: Message ${n}\r\n\r\nFrom the start, line ${n}.\r\n`);
  }
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'fr-FR',
    acceptDownloads: true,
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const narrow = async (what) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${what} is ${width}px wide`);
  };
  await page.goto(server.url + '/login');
  await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
  await page.fill('#login', 'cdupont');
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(server.url + '/personal');

  // A backup made now, downloaded.
  await page.click('text=Mes sauvegardes');
  await page.waitForURL(server.url + '/personal/backups');
  await page.waitForSelector('text=Aucune sauvegarde pour l\'instant.');
  await assertAccessible(page, '/personal/backups');
  await page.click('text=Faire une sauvegarde maintenant');
  await page.waitForSelector('text=Sauvegarde faite : 2 messages');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('.backup >> text=Télécharger'),
  ]);
  const file = await download.path();
  assert.ok(statSync(file).size > 100, 'the backup file downloads');
  assert.match(download.suggestedFilename(), /^courrier-cdupont-\d{4}-\d\d-\d\d-\d+\.tar\.gz$/);
  await narrow('/personal/backups');

  // Everything collected and deleted by a mail program; then the file given back.
  await pop3DeleteAll(server.pop3, 'cdupont', password, 2);
  await page.setInputFiles('#backup-file', file);
  await page.click('text=Envoyer et voir ce qui serait restauré');
  await page.waitForURL(/\/personal\/backups\/\d+$/);
  await page.waitForSelector('text=À ajouter, absents du serveur : 2 messages');
  await assertAccessible(page, 'restore preview');
  await narrow('restore preview');
  await page.click('form.form button.primary');
  await page.waitForURL(server.url + '/personal/backups');
  await page.waitForSelector('text=Restauration faite : 2 messages ajoutés, 0 déjà présent.');
  assert.equal(await pop3Login(server.pop3, 'cdupont', password), true);

  // Connection settings with the QR code, then the help, in her own words.
  await page.goto(server.url + '/personal/settings');
  await page.waitForSelector('.qr-code svg');
  await page.waitForSelector('text=995 avec SSL/TLS');
  await assertAccessible(page, '/personal/settings');
  await narrow('/personal/settings');
  await page.goto(server.url + '/help');
  await page.waitForSelector('text=Quels sont mes paramètres de connexion ?');
  await page.waitForSelector('text=Vos alias : ventes@votredomaine.com.');
  await assertAccessible(page, '/help');
  await narrow('/help');
  assert.deepEqual(errors, [], 'no console errors');
  await ctx.close();
});

test('Claire brings the mail of her old mailbox from her phone', async () => {
  // The "old mailbox": another mailbox on the same server's POP3 (plain on loopback).
  const r = await server.cli(['user', 'add', 'votredomaine.com', '--first', 'Ancien', '--last', 'Compte', '--json']);
  assert.equal(r.code, 0, r.err);
  const old = JSON.parse(r.out);
  for (const n of [1, 2, 3]) {
    await sendMail(server.smtp, `${old.login}@votredomaine.com`, `From: a@sender.example\r\nMessage-ID: <old-${n}@e2e.test>\r\nSubject: Ancien ${n}\r\n\r\nLine ${n}.\r\n`);
  }
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'fr-FR',
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + '/login');
  await page.waitForSelector('html[data-hydrated]', { timeout: 30_000 });
  await page.fill('#login', 'cdupont');
  await page.fill('#password', 'Un-Nouveau-Secret-2026');
  await page.click('button[type=submit]');
  await page.waitForURL(server.url + '/personal');
  await page.click('text=Importer mon courrier');
  await page.waitForURL(server.url + '/personal/import');
  await page.waitForSelector('html[data-hydrated]');
  await assertAccessible(page, '/personal/import');
  const [host, port] = server.pop3.split(':');
  await page.fill('#import-host', host);
  await page.check('#import-security-none');
  await page.fill('#import-port', port);
  await page.fill('#import-user', old.login);
  await page.fill('#import-password', 'pas-le-bon');
  await page.click('text=Regarder l\'ancienne boîte');
  await page.waitForSelector('.error:has-text("L\'ancien serveur n\'a pas permis la lecture")');
  await assertAccessible(page, '/personal/import with a refusal');
  await page.fill('#import-password', old.password);
  await page.click('text=Regarder l\'ancienne boîte');
  await page.waitForSelector('text=3 messages');
  await page.click('text=Lancer l\'import');
  await page.waitForSelector('text=Tout est arrivé.', { timeout: 60_000 });
  await assertAccessible(page, '/personal/import finished');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `/personal/import is ${width}px wide`);
  assert.deepEqual(errors, [], 'no console errors');
  await ctx.close();
});
