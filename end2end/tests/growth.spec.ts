import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import { adminSignIn, hydrated, redeem, signUp, uniqueName } from './helpers';

test('a player invites two friends (with and without JavaScript, in both languages) and both sides are paid once', async ({ page, browser }) => {
  test.setTimeout(120_000);
  fs.mkdirSync('screenshots', { recursive: true });

  // The admin opens the program page (every sign-up here comes from one
  // address, so the review threshold is raised first), in place.
  await adminSignIn(page);
  await page.goto('/admin/referrals');
  await hydrated(page);
  await page.fill('#field-review_threshold', '1000');
  await page.fill('#field-cap', '0');
  await page.click('#save');
  await expect(page.locator('#error-cap')).toBeVisible();
  await page.fill('#field-cap', '10');
  await page.click('#save');
  await expect(page.locator('#saved-note')).toBeVisible();
  await page.screenshot({ path: 'screenshots/admin-referrals-en.png', fullPage: true });

  // The inviter finds their link.
  const inviterContext = await browser.newContext();
  const inviter = await inviterContext.newPage();
  const inviterName = await signUp(inviter, '/invite');
  await hydrated(inviter);
  const code = (await inviter.locator('#invite-code').textContent())!.trim();
  expect(code).toMatch(/^[A-Z0-9]{8}$/);
  await expect(inviter.locator('#invite-link')).toHaveAttribute('href', `/r/${code}`);
  await expect(inviter.locator('#invite-offer')).toContainText('100 coins');
  await inviter.screenshot({ path: 'screenshots/invite-en.png', fullPage: true });

  // A friend with JavaScript: the landing page, then sign-up with the invite.
  const friendContext = await browser.newContext();
  const friend = await friendContext.newPage();
  await friend.goto(`/r/${code}`);
  await hydrated(friend);
  await expect(friend.locator('h1')).toContainText(inviterName);
  await friend.screenshot({ path: 'screenshots/invite-landing-en.png', fullPage: true });
  await friend.click('#invite-sign-up');
  await expect(friend).toHaveURL(new RegExp(`/signup\\?invite=${code}`));
  await expect(friend.locator('#signup-invited')).toContainText(code);
  await hydrated(friend);
  const friendName = uniqueName('friend');
  await friend.fill('#signup-username', friendName);
  await friend.fill('#signup-password', 'correct horse');
  await friend.fill('#signup-confirm', 'correct horse');
  await friend.click('#signup-submit');
  await expect(friend.locator('#signed-in-as')).toHaveText(friendName);
  await friend.goto('/wallet');
  await expect(friend.locator('main')).toContainText('100 coins');
  // Their first redeem pays the inviter.
  await friend.goto('/redeem');
  await hydrated(friend);
  await redeem(friend, 'WELCOME-100');
  await expect(friend.locator('#redeem-success')).toBeVisible();
  await friendContext.close();

  // A friend without JavaScript, in Russian.
  const plainContext = await browser.newContext({ javaScriptEnabled: false });
  const plain = await plainContext.newPage();
  await plain.goto(`/lang/ru?next=/r/${code}`);
  await expect(plain.locator('h1')).toContainText('приглашает вас');
  await plain.screenshot({ path: 'screenshots/invite-landing-ru.png', fullPage: true });
  await plain.click('#invite-sign-up');
  await expect(plain.locator('#signup-invited')).toContainText(code);
  const plainName = uniqueName('plainfriend');
  await plain.fill('#signup-username', plainName);
  await plain.fill('#signup-password', 'correct horse');
  await plain.fill('#signup-confirm', 'correct horse');
  await plain.click('#signup-submit');
  await expect(plain.locator('#signed-in-as')).toHaveText(plainName);
  await plain.goto('/wallet');
  await expect(plain.locator('main')).toContainText('100 монет');
  await plainContext.close();

  // The inviter: two friends, one redeemed, 50 coins earned (the activation
  // feed pays within a few seconds), and a message in the inbox.
  await expect(async () => {
    await inviter.goto('/invite');
    await expect(inviter.locator('#invite-joined')).toHaveText('2');
    await expect(inviter.locator('#invite-converted')).toHaveText('1');
    await expect(inviter.locator('#invite-earned')).toContainText('50 coins');
  }).toPass({ timeout: 20_000 });
  await inviter.screenshot({ path: 'screenshots/invite-paid-en.png', fullPage: true });
  await inviter.goto('/lang/ru?next=/invite');
  await expect(inviter.locator('h1')).toHaveText('Пригласите друзей');
  await inviter.screenshot({ path: 'screenshots/invite-ru.png', fullPage: true });
  await inviter.goto('/notifications');
  await expect(inviter.locator('#inbox')).toContainText(`Ваш друг ${friendName} присоединился`);
  // Opening one's own link changes nothing and says so.
  await inviter.goto(`/r/${code}`);
  await expect(inviter.locator('#invite-new-only')).toBeVisible();
  await inviterContext.close();

  await page.goto('/admin/referrals');
  await expect(page.locator('#top-referrers')).toContainText(inviterName);
  await page.goto('/lang/ru?next=/admin/referrals');
  await expect(page.locator('h1')).toHaveText('Реферальная программа');
  await page.screenshot({ path: 'screenshots/admin-referrals-ru.png', fullPage: true });
  await page.goto('/lang/en?next=/admin');
});

test('the egg hunt: three eggs found, the quest completes from real activations and pays once', async ({ page }) => {
  test.setTimeout(90_000);
  fs.mkdirSync('screenshots', { recursive: true });
  await signUp(page, '/quests');
  await hydrated(page);
  const hunt = page.locator('#quest-egg-hunt');
  await expect(hunt).toHaveAttribute('data-state', 'open');
  await expect(hunt).toContainText('0 / 3');
  await expect(hunt).toContainText('500 coins');
  await page.screenshot({ path: 'screenshots/quests-en.png', fullPage: true });
  await expect(page.locator('#nav-quests')).toBeVisible();

  // The lantern on the front page, the key at the bottom, the compass by
  // the codes that carry your name.
  for (const [start, egg] of [['/', 'golden-lantern'], ['/redeem', 'silver-key'], ['/my-codes', 'copper-compass']]) {
    await page.goto(start);
    await hydrated(page);
    await page.click(`#egg-${egg}`);
    await expect(page).toHaveURL(new RegExp(`/egg/${egg}$`));
    await hydrated(page);
    await page.click('#egg-claim');
    await expect(page.locator('#redeem-success')).toBeVisible();
  }
  await expect(async () => {
    await page.goto('/quests');
    await expect(page.locator('#quest-egg-hunt')).toHaveAttribute('data-state', 'completed');
  }).toPass({ timeout: 20_000 });
  await expect(page.locator('#quest-egg-hunt')).toContainText('3 / 3');
  await page.screenshot({ path: 'screenshots/quests-done-en.png', fullPage: true });
  await page.goto('/notifications');
  await expect(page.locator('#inbox')).toContainText('Quest completed: The egg hunt. You received 500 coins.');
  await page.goto('/lang/ru?next=/quests');
  await expect(page.locator('#quest-egg-hunt h2')).toHaveText('Охота за пасхалками');
  await page.screenshot({ path: 'screenshots/quests-ru.png', fullPage: true });
  // Paid once: 300 + 50 from the eggs, 500 for the quest.
  await page.goto('/lang/en?next=/wallet');
  await expect(page.locator('main')).toContainText('850 coins');
});

test('an admin adds a quest and prints a series as cards with QR codes', async ({ page }) => {
  test.setTimeout(90_000);
  fs.mkdirSync('screenshots', { recursive: true });
  await adminSignIn(page);
  await page.goto('/admin/quests');
  await hydrated(page);
  const slug = uniqueName('e2e-quest-');
  await page.fill('#field-slug', slug);
  await page.fill('#field-title_en', 'Welcome tour');
  await page.fill('#field-title_ru', 'Знакомство');
  await page.fill('#field-reward', '30');
  await page.selectOption('#field-step1_kind', 'code');
  await page.fill('#field-step1_subject', 'NO-SUCH-CODE');
  await page.click('#save');
  await expect(page.locator('#error-step1_kind')).toBeVisible();
  await page.fill('#field-step1_subject', 'welcome-100');
  await page.click('#save');
  await expect(page.locator('#saved-note')).toBeVisible();
  await expect(page.locator(`#quest-${slug}`)).toContainText('Welcome tour');
  await page.screenshot({ path: 'screenshots/admin-quests-en.png', fullPage: true });
  await page.goto('/lang/ru?next=/admin/loyalty');
  await expect(page.locator('#loyalty-table')).toContainText('VIP monthly');
  await page.screenshot({ path: 'screenshots/admin-loyalty-ru.png', fullPage: true });
  await page.goto('/lang/en?next=/admin/series');

  // A small series, then its printable sheet.
  await hydrated(page);
  await page.fill('#field-name', uniqueName('Flyers '));
  await page.fill('#field-count', '6');
  await page.fill('#field-prefix', 'F-');
  await page.fill('#field-length', '10');
  await page.click('#start-series');
  await expect(page).toHaveURL(/\/admin\/series\/\d+$/);
  await expect(page.locator('#print-series')).toBeVisible({ timeout: 20_000 });
  await page.click('#print-series');
  await expect(page.locator('.sheet-card')).toHaveCount(6);
  await expect(page.locator('.sheet-card svg')).toHaveCount(6);
  await page.screenshot({ path: 'screenshots/series-sheet-en.png', fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.admin-header')).toBeHidden();
  await page.screenshot({ path: 'screenshots/series-sheet-print.png', fullPage: true });
});
