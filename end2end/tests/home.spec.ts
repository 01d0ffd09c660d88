import { expect, test } from '@playwright/test';

test('the home page is rendered on the server and hydrated in the browser', async ({ page }) => {
  await page.goto('/');
  const toggle = page.locator('#how-it-works-toggle');
  const steps = page.locator('#how-it-works');
  // Server-rendered: the content is there, the steps start hidden.
  await expect(page.locator('h1')).toContainText('Promocodes');
  await expect(steps).toBeHidden();
  // The wasm marks the body once it has hydrated; only then can the button work.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(steps).toBeVisible();
  await toggle.click();
  await expect(steps).toBeHidden();
});

test('without JavaScript the page still renders, but the button cannot toggle', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('h1')).toContainText('Promocodes');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await page.locator('#how-it-works-toggle').click();
  await expect(page.locator('#how-it-works')).toBeHidden();
  await context.close();
});

test('the page follows the browser language', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(page.locator('h1')).toContainText('Промокоды');
  await context.close();
});

test('an unknown address is a 404 page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.locator('h1')).toHaveText('Page not found');
});
