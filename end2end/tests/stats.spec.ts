// Statistics in the dashboard: every report in both languages, with
// JavaScript (hydrated: tooltips, the range form without a reload) and
// without (server-rendered charts, the range form as a plain GET), and
// screenshots of a code's report and a partner's.
import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import { adminSignIn, hydrated } from './helpers';

const reports = [
  { path: '/admin/stats', en: 'Statistics', ru: 'Статистика', chart: '#chart-kinds' },
  { path: '/admin/stats/campaigns', en: 'Campaigns compared', ru: 'Сравнение кампаний', chart: '#campaigns-table' },
  { path: '/admin/stats/retention', en: 'Retention', ru: 'Удержание', chart: '#cohorts-redeemers' },
];

/** The id of a demo code, from the code list's link to it. */
async function codeId(page: Page, name: string): Promise<string> {
  await page.goto(`/admin/codes?q=${encodeURIComponent(name)}`);
  const href = await page.locator(`a.code-name:text("${name}")`).getAttribute('href');
  return href!.split('/').pop()!;
}

async function partnerId(page: Page, name: string): Promise<string> {
  await page.goto('/admin/partners');
  const href = await page.locator(`a:text("${name}")`).first().getAttribute('href');
  return href!.split('/')[3];
}

test.describe('with JavaScript', () => {
  test('every report in both languages, a tooltip, and a new range without a reload', async ({ page }) => {
    test.setTimeout(120_000);
    fs.mkdirSync('screenshots', { recursive: true });
    await adminSignIn(page);
    const stream = await codeId(page, 'STREAM-RUSH');
    const partner = await partnerId(page, 'Northwind Games');
    for (const lang of ['en', 'ru'] as const) {
      await page.goto(`/lang/${lang}?next=/admin/stats`);
      await hydrated(page);
      for (const report of reports) {
        await page.goto(report.path);
        await hydrated(page);
        await expect(page.locator('h1')).toContainText(report[lang]);
        await expect(page.locator(report.chart)).toBeVisible();
      }
      await expect(page.locator('#cohorts-redeemers tbody tr').first()).toBeVisible();

      // The busiest code of the demo's stream: its chart, its tooltip, who took it.
      await page.goto(`/admin/codes/${stream}/stats?from=${daysAgo(29)}&to=${daysAgo(0)}`);
      await hydrated(page);
      await expect(page.locator('h1')).toContainText('STREAM-RUSH');
      await expect(page.locator('#tile-total')).not.toHaveText('0');
      await expect(page.locator('#chart-activations svg[role="img"]')).toBeVisible();
      const busiest = page.locator('#chart-activations g.bar').nth(9);
      await busiest.hover();
      await expect(page.locator('#chart-activations .chart-tip')).toBeVisible();
      await expect(page.locator('#players-table tbody tr').first()).toBeVisible();
      await page.screenshot({ path: `screenshots/stats-code-${lang}.png`, fullPage: true });

      // A week instead: the form navigates in place (hydrated), no reload.
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await page.fill('#range-from', daysAgo(6));
      await page.fill('#range-to', daysAgo(0));
      await page.click('#range-submit');
      await expect(page).toHaveURL(new RegExp(`from=${daysAgo(6)}`));
      await expect(page.locator('#chart-activations g.bar')).toHaveCount(7);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

      await page.goto(`/admin/partners/${partner}/stats?from=${daysAgo(89)}&to=${daysAgo(0)}`);
      await hydrated(page);
      await expect(page.locator('#payout-table tbody tr').first()).toBeVisible();
      await expect(page.locator('#payout-owed')).not.toHaveText(/^0/);
      await page.screenshot({ path: `screenshots/stats-partner-${lang}.png`, fullPage: true });
    }
    await page.goto('/lang/en?next=/admin');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('every report renders on the server and the range form is a plain GET', async ({ page }) => {
    test.setTimeout(120_000);
    await adminSignIn(page, 'admin', 'demo-admin', false);
    const stream = await codeId(page, 'STREAM-RUSH');
    const partner = await partnerId(page, 'Northwind Games');
    for (const lang of ['en', 'ru'] as const) {
      await page.goto(`/lang/${lang}?next=/admin/stats`);
      for (const report of reports) {
        await page.goto(report.path);
        await expect(page.locator('h1')).toContainText(report[lang]);
        await expect(page.locator(report.chart)).toBeVisible();
      }
      await page.goto(`/admin/codes/${stream}/stats`);
      await expect(page.locator('#chart-activations svg[role="img"]')).toBeVisible();
      await expect(page.locator('#chart-delays')).toBeVisible();
      await page.fill('#range-from', daysAgo(1));
      await page.fill('#range-to', daysAgo(0));
      await page.click('#range-submit');
      await expect(page).toHaveURL(new RegExp(`from=${daysAgo(1)}&to=${daysAgo(0)}`));
      // Two days: hour buckets.
      await expect(page.locator('#chart-activations g.bar')).toHaveCount(48);
      await page.goto(`/admin/partners/${partner}/stats`);
      await expect(page.locator('#payout-table')).toBeVisible();
      await page.goto('/admin/stats?from=tomorrow');
      await expect(page.locator('#range-error')).toBeVisible();
    }
    await page.goto('/lang/en?next=/admin');
  });
});

/** The UTC date `n` days ago, as the range form writes it. */
function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}
