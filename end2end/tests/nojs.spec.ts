import { expect, test } from '@playwright/test';
import { signUp } from './helpers';

test.use({ javaScriptEnabled: false });

test('without JavaScript: sign up, redeem, refusal, sign-in error, all by plain form posts', async ({ page }) => {
  await signUp(page, '/redeem', false);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await page.fill('#code-input', 'winter 2026');
  await page.click('#redeem-submit');
  await expect(page).toHaveURL(/\/redeem\?activation=\d+/);
  await expect(page.locator('#redeem-success')).toContainText('15 gems');
  await expect(page.locator('#unread-count')).toHaveText('1');

  await page.fill('#code-input', 'COMING-SOON');
  await page.click('#redeem-submit');
  await expect(page).toHaveURL(/refused=not_started/);
  await expect(page.locator('#redeem-error')).toContainText('It starts on');
  await expect(page.locator('#code-input')).toHaveValue('COMING-SOON');

  await page.goto('/lang/ru?next=/redeem');
  await page.fill('#code-input', 'SOLD-OUT');
  await page.click('#redeem-submit');
  await expect(page.locator('#redeem-error')).toContainText('израсходован');

  await page.click('#sign-out');
  await page.goto('/signin');
  await page.fill('#signin-username', 'nobody-here');
  await page.fill('#signin-password', 'whatever1');
  await page.click('#signin-submit');
  await expect(page.locator('#form-error')).toContainText('Неверное имя пользователя');
});

test('without JavaScript a page that needs an account redirects to sign in', async ({ page }) => {
  for (const path of ['/redeem', '/wallet', '/notifications', '/activations']) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page).toHaveURL(new RegExp(`/signin\\?next=${encodeURIComponent(path)}$`));
    await expect(page.locator('#signin-form')).toBeVisible();
  }
});

test('without JavaScript an easter egg opens with its button, and a password change keeps this session', async ({ page }) => {
  await signUp(page, '/egg/golden-lantern', false);
  await expect(page.locator('#egg-claim')).toBeVisible();
  await page.click('#egg-claim');
  await expect(page).toHaveURL(/\/egg\/golden-lantern\?activation=\d+/);
  await expect(page.locator('#redeem-success')).toContainText('300 coins');
  await expect(page.locator('#secret-message')).toBeVisible();

  await page.goto('/account');
  await page.fill('#password-current', 'wrong one');
  await page.fill('#password-new', 'a brand new one');
  await page.fill('#password-confirm', 'a brand new one');
  await page.click('#password-submit');
  await expect(page.locator('#form-error')).toContainText('current password is wrong');
  await page.fill('#password-current', 'correct horse');
  await page.fill('#password-new', 'a brand new one');
  await page.fill('#password-confirm', 'a brand new one');
  await page.click('#password-submit');
  await expect(page).toHaveURL(/\/account\?changed=1/);
  await expect(page.locator('#password-changed')).toBeVisible();
  await page.goto('/wallet');
  await expect(page).toHaveURL(/\/wallet$/); // still signed in here
});

test('without JavaScript a shared redeem link survives sign-up, fills the form, and redeems only on the button', async ({ page }) => {
  const response = await page.goto('/redeem?code=WINTER-2026');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/signin\?next=%2Fredeem%3Fcode%3DWINTER-2026$/);
  await signUp(page, '/redeem?code=WINTER-2026', false);
  await expect(page).toHaveURL(/\/redeem\?code=WINTER-2026$/);
  await expect(page.locator('#code-input')).toHaveValue('WINTER-2026');
  // Opening the link redeemed nothing.
  await expect(page.locator('#unread-count')).toHaveText('0');
  await expect(page.locator('#redeem-success')).toHaveCount(0);
  await page.click('#redeem-submit');
  await expect(page.locator('#redeem-success')).toContainText('15 gems');
  // Markup in a link is only text in the field.
  await page.goto('/redeem?code=%22%3E%3Cb%20id%3Dinjected%3Ex');
  await expect(page.locator('#code-input')).toHaveValue('"><b id=injected>x');
  await expect(page.locator('#injected')).toHaveCount(0);
});

test('without JavaScript a player turns announcements of new codes off and on again', async ({ page }) => {
  await signUp(page, '/account', false);
  await expect(page.locator('#announcements-state')).toHaveAttribute('data-on', 'true');
  await page.click('#announcements-submit');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('#announcements-state')).toHaveAttribute('data-on', 'false');
  await expect(page.locator('#announcements-state')).toContainText('not told about new codes');
  await page.goto('/lang/ru?next=/account');
  await expect(page.locator('#announcements-submit')).toHaveText('Сообщать о новых кодах');
  await page.click('#announcements-submit');
  await expect(page.locator('#announcements-state')).toHaveAttribute('data-on', 'true');
});
