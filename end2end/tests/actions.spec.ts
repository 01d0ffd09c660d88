import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import { adminSignIn, hydrated, uniqueName } from './helpers';

test('an admin rewards an action, the platform reports it, and the player redeems the personal code', async ({ page, browser, request }) => {
  test.setTimeout(90_000);
  fs.mkdirSync('screenshots', { recursive: true });
  await adminSignIn(page);

  // The reward, set with JavaScript: a refusal on its field, then saved in place.
  const action = uniqueName('e2e.quest-');
  await page.goto('/admin/actions');
  await hydrated(page);
  await page.fill('#field-action', action);
  await page.selectOption('#field-gives', 'code');
  await page.fill('#field-reward', '70');
  await page.selectOption('#field-currency', 'GEMS');
  await page.fill('#field-code_days', '0');
  await page.click('#save');
  await expect(page.locator('#error-code_days')).toBeVisible();
  await page.fill('#field-code_days', '10');
  await page.click('#save');
  await expect(page.locator('#saved-note')).toBeVisible();
  await expect(page.locator(`#action-${action.replace(/\./g, '\\.')}`)).toContainText('70 gems');
  for (const lang of ['en', 'ru']) {
    await page.goto(`/lang/${lang}?next=/admin/actions`);
    await hydrated(page);
    await page.screenshot({ path: `screenshots/admin-actions-${lang}.png`, fullPage: true });
  }
  await expect(page.locator('h1')).toHaveText('Награды за действия на платформе');
  await page.goto('/lang/en?next=/admin/api-keys');

  // A key for the platform.
  await hydrated(page);
  await page.fill('#field-name', uniqueName('actions-'));
  await page.check('#scope-scope_players');
  await page.check('#scope-scope_redeem');
  await page.click('#save');
  const key = (await page.locator('#new-api-key-value').textContent())!.trim();
  const auth = { authorization: `Bearer ${key}` };

  // The platform reports the action twice: one code.
  const player = uniqueName('ext-');
  expect((await request.put(`/api/v1/players/${player}`, { headers: auth, data: {} })).status()).toBe(201);
  const first = await request.post(`/api/v1/players/${player}/actions`, { headers: auth, data: { action, key: 'r-1' } });
  expect(first.status()).toBe(200);
  const reward = await first.json();
  expect(reward.first).toBe(true);
  expect(reward.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  const again = await (await request.post(`/api/v1/players/${player}/actions`, { headers: auth, data: { action, key: 'r-2' } })).json();
  expect([again.first, again.code]).toEqual([false, reward.code]);

  // The player signs in through a platform link and finds the code.
  const link = await (await request.post(`/api/v1/players/${player}/sign-in-link`, { headers: auth, data: { next: '/my-codes' } })).json();
  const context = await browser.newContext();
  const own = await context.newPage();
  await own.goto(new URL(link.url).pathname + new URL(link.url).search);
  await expect(own).toHaveURL(/\/my-codes$/);
  await hydrated(own);
  const row = own.locator('#my-codes tr', { hasText: reward.code });
  await expect(row).toHaveAttribute('data-state', 'open');
  await expect(row).toContainText('70 gems');
  await own.screenshot({ path: 'screenshots/my-codes-en.png', fullPage: true });
  await row.locator('a.button').click();
  await expect(own.locator('#code-input')).toHaveValue(reward.code);
  await own.click('#redeem-submit');
  await expect(own.locator('#redeem-success')).toContainText('70 gems');
  await own.goto('/lang/ru?next=/my-codes');
  await expect(own.locator('#my-codes tr', { hasText: reward.code })).toHaveAttribute('data-state', 'redeemed');
  await expect(own.locator('#my-codes')).toContainText('Активирован');
  await own.screenshot({ path: 'screenshots/my-codes-ru.png', fullPage: true });
  await context.close();

  // Someone else typing it hears "no such code".
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  const otherPlayer = uniqueName('ext-');
  await request.put(`/api/v1/players/${otherPlayer}`, { headers: auth, data: {} });
  const otherLink = await (await request.post(`/api/v1/players/${otherPlayer}/sign-in-link`, { headers: auth, data: { next: '/redeem' } })).json();
  await other.goto(new URL(otherLink.url).pathname + new URL(otherLink.url).search);
  await hydrated(other);
  await other.fill('#code-input', reward.code);
  await other.click('#redeem-submit');
  await expect(other.locator('#redeem-error')).toHaveAttribute('data-kind', 'unknown');
  await stranger.close();
});
