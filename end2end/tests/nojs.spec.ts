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
