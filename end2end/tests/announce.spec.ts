import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import { adminSignIn, hydrated, signUp, uniqueName } from './helpers';

test('an admin announces a new code and a player finds it in the inbox, in both languages', async ({ page, browser }) => {
  test.setTimeout(90_000);
  fs.mkdirSync('screenshots', { recursive: true });
  const player = await browser.newContext();
  const playerPage = await player.newPage();
  await signUp(playerPage, '/notifications');
  // Another player turns announcements off on the account page (in place).
  const quiet = await browser.newContext();
  const quietPage = await quiet.newPage();
  await signUp(quietPage, '/account');
  await hydrated(quietPage);
  await expect(quietPage.locator('#announcements-state')).toHaveAttribute('data-on', 'true');
  await quietPage.click('#announcements-submit');
  await expect(quietPage.locator('#announcements-state')).toHaveAttribute('data-on', 'false');
  await expect(quietPage).toHaveURL(/\/account$/);

  // A fresh code, announced with JavaScript: the answer shows in place.
  await adminSignIn(page);
  await page.goto('/admin/codes/new');
  await hydrated(page);
  const name = uniqueName('NEWS-').toUpperCase();
  await page.fill('#field-name', name);
  await page.fill('#field-initial_reward', '75');
  await page.click('#save-code');
  await expect(page).toHaveURL(/\/admin\/codes\/\d+\?saved=1$/);
  const codePath = new URL(page.url()).pathname;
  await hydrated(page);
  await page.click('#announce-code');
  await expect(page.locator('#announce-result')).toHaveClass(/success/);
  await page.screenshot({ path: 'screenshots/admin-announce-en.png', fullPage: true });
  await page.goto(`/lang/ru?next=${codePath}`);
  await hydrated(page);
  await expect(page.locator('#announce-code')).toHaveText('Сообщить игрокам');
  await page.screenshot({ path: 'screenshots/admin-announce-ru.png', fullPage: true });
  await page.goto(`/lang/en?next=${codePath}`);

  // The jobs fan it out: the player's inbox says so, in English and Russian.
  await expect(async () => {
    await playerPage.goto('/notifications');
    await expect(playerPage.locator('#inbox')).toContainText(`A new promo code for you: ${name}, worth 75 coins.`);
  }).toPass({ timeout: 20_000 });
  await playerPage.screenshot({ path: 'screenshots/inbox-new-code-en.png', fullPage: true });
  await playerPage.goto('/lang/ru?next=/notifications');
  await expect(playerPage.locator('#inbox')).toContainText(`Для вас новый промокод: ${name} — 75 монет.`);
  await playerPage.screenshot({ path: 'screenshots/inbox-new-code-ru.png', fullPage: true });
  await player.close();
  // The fan-out reached the first player; the quiet one, who signed up
  // before the code was announced, was skipped.
  await quietPage.goto('/notifications');
  await expect(quietPage.locator('body')).not.toContainText(name);
  await quiet.close();

  // Without JavaScript the form posts and the page says it was announced;
  // an easter egg is refused with its reason.
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await nojs.newPage();
  await adminSignIn(plain, 'admin', 'demo-admin', false);
  await plain.goto(codePath);
  await plain.click('#announce-code');
  await expect(plain).toHaveURL(/\?announced=1$/);
  await expect(plain.locator('#saved-note')).toBeVisible();
  await plain.goto('/admin/codes?type=egg');
  await plain.locator('a.code-name').first().click();
  await plain.click('#announce-code');
  await expect(plain).toHaveURL(/announce_error=admin-error-announce/);
  await expect(plain.locator('#announce-result')).toContainText('easter egg');
  await nojs.close();
});
