import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import { adminSignIn, hydrated, uniqueName } from './helpers';

test('an admin makes an API key that works once shown, then revokes it', async ({ page, request }) => {
  await adminSignIn(page);
  await page.goto('/admin/api-keys');
  await hydrated(page);
  // No scope ticked: refused on its field, nothing made.
  const name = uniqueName('key-');
  await page.fill('#field-name', name);
  await page.click('#save');
  await expect(page.locator('#error-scopes')).toBeVisible();
  await page.check('#scope-scope_players');
  await page.click('#save');
  const key = (await page.locator('#new-api-key-value').textContent())!.trim();
  expect(key).toMatch(/^pk_/);
  const row = page.locator('#api-keys-table tr', { hasText: name });
  await expect(row).toContainText('players');

  const player = uniqueName('ext-');
  const put = await request.put(`/api/v1/players/${player}`, {
    headers: { authorization: `Bearer ${key}` },
    data: { locale: 'ru' },
  });
  expect(put.status()).toBe(201);
  await page.reload();
  await expect(page.locator('#new-api-key')).toHaveCount(0);
  await row.locator('button[id^="revoke-"]').click();
  await expect(row).toHaveAttribute('data-active', 'false');
  const after = await request.get(`/api/v1/players/${player}`, { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  expect(after.headers()['content-type']).toContain('application/problem+json');
});

test('webhooks are registered, listed and refused when the address is wrong, with and without JavaScript', async ({ page, browser }) => {
  fs.mkdirSync('screenshots', { recursive: true });
  await adminSignIn(page);
  await page.goto('/admin/webhooks');
  await hydrated(page);
  // The browser checks the form of an address; the server checks the rest.
  await page.fill('#field-url', 'ftp://example.com/hook');
  await page.click('#save');
  await expect(page.locator('#error-url')).toBeVisible();
  await page.fill('#field-url', 'http://127.0.0.1:9/hook');
  await page.fill('#field-topics', 'promo.activated, block.created');
  await page.click('#save');
  await expect(page.locator('#saved-note')).toBeVisible();
  const row = page.locator('#webhooks-table tr', { hasText: 'http://127.0.0.1:9/hook' }).first();
  await expect(row).toContainText('promo.activated');
  await expect(row.locator('.secret-value')).toHaveText(/^whsec_/);
  for (const lang of ['en', 'ru']) {
    await page.goto(`/lang/${lang}?next=/admin/webhooks`);
    await hydrated(page);
    await page.screenshot({ path: `screenshots/admin-webhooks-${lang}.png`, fullPage: true });
  }
  await expect(page.locator('h1')).toHaveText('Вебхуки');
  await page.goto('/lang/en?next=/admin');

  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await adminSignIn(plain, 'admin', 'demo-admin', false);
  await plain.goto('/admin/webhooks');
  await plain.fill('#field-url', 'ftp://example.com');
  await plain.click('#save');
  await expect(plain).toHaveURL(/\/admin\/webhooks\?refused=1/);
  await expect(plain.locator('#error-url')).toBeVisible();
  await expect(plain.locator('#field-url')).toHaveValue('ftp://example.com');
  await context.close();
});

test('the API reference reads without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/api/v1/docs');
  await expect(page.locator('h1')).toContainText('Promocodes platform API');
  await expect(page.locator('#problem-unknown-code')).toBeVisible();
  await context.close();
});
