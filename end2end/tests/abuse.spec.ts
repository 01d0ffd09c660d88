import { expect, Page, test } from '@playwright/test';
import { adminSignIn, hydrated, redeem, signUp } from './helpers';

/** Submits the redeem form and returns the server's answer to it. */
async function submit(page: Page, code: string) {
  const answer = page.waitForResponse((r) => r.url().includes('/api/redeem') && r.request().method() === 'POST');
  await redeem(page, code);
  return answer;
}

test('five wrong codes pause code entry, the form says until when, and an admin lifts it', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const name = await signUp(page);
  await hydrated(page);
  const error = page.locator('#redeem-error');
  for (let n = 1; n <= 4; n++) {
    await submit(page, `NOT-A-CODE-${n}`);
    await expect(error).toHaveAttribute('data-kind', 'unknown');
  }
  await submit(page, 'NOT-A-CODE-5');
  await expect(error).toHaveAttribute('data-kind', 'locked_out');
  await expect(error).toContainText(/Code entry is paused until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await expect(page.locator('#redeem-until')).toHaveAttribute('data-until', /\d{4}-/);
  // Even a right code waits now, and the message is in the player's language.
  await page.goto('/lang/ru?next=/redeem');
  await hydrated(page);
  await submit(page, 'WELCOME-100');
  await expect(error).toHaveAttribute('data-kind', 'locked_out');
  await expect(error).toContainText('Ввод кодов приостановлен до');
  await page.screenshot({ path: 'screenshots/redeem-locked-ru.png', fullPage: true });

  // The dashboard lists the block and lifts it.
  const admin = await browser.newPage();
  await adminSignIn(admin);
  await expect(admin.locator('#stat-blocks')).toHaveText(/[1-9]\d*/);
  await admin.goto('/admin/blocks');
  await hydrated(admin);
  const row = admin.locator('#blocks-table tr[data-scope="player"]', { hasText: name });
  await expect(row).toHaveAttribute('data-active', 'true');
  await expect(row).toContainText('5 wrong codes');
  await admin.screenshot({ path: 'screenshots/admin-blocks-en.png', fullPage: true });
  await row.locator('button').click();
  await expect(admin.locator('#lift-result')).toContainText('The block is lifted.');
  await expect(admin.locator('#blocks-table tr[data-scope="player"]', { hasText: name })).toHaveCount(0);
  await admin.goto('/admin/blocks?recent=1');
  await expect(admin.locator('#blocks-table tr[data-scope="player"]', { hasText: name })).toHaveAttribute('data-active', 'false');
  await admin.goto('/admin/audit?entity=block');
  await expect(admin.locator('#audit-table tr[data-action="abuse.lift"]').first()).toBeVisible();
  await expect(admin.locator('#audit-table tr[data-action="abuse.block"]').first()).toBeVisible();

  // The player is free at once.
  await submit(page, 'WELCOME-100');
  await expect(page.locator('#redeem-success')).toBeVisible();
});

test('without JavaScript the lockout is explained too', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page, '/redeem', false);
  for (let n = 1; n <= 5; n++) {
    await page.fill('#code-input', `NO-JS-GUESS-${n}`);
    await page.click('#redeem-submit');
    await expect(page).toHaveURL(/refused=/);
  }
  await expect(page).toHaveURL(/refused=locked_out&until=/);
  await expect(page.locator('#redeem-error')).toContainText('Code entry is paused until');
  await context.close();
});

test('a burst of submissions is answered with 429 and a wait in the form', async ({ page }) => {
  await signUp(page);
  await hydrated(page);
  await submit(page, 'WELCOME-100');
  await expect(page.locator('#redeem-success')).toBeVisible();
  // Already-redeemed answers are not wrong codes; they only use up the burst allowance.
  let throttled = null;
  for (let n = 0; n < 25 && !throttled; n++) {
    const answer = await submit(page, 'WELCOME-100');
    if (answer.status() === 429) throttled = answer;
  }
  expect(throttled, 'the burst allowance ran out').not.toBeNull();
  expect(Number(throttled!.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
  const error = page.locator('#redeem-error');
  await expect(error).toHaveAttribute('data-kind', 'throttled');
  await expect(error).toContainText(/Too many attempts in a short time\. Try again in \d+ s\./);
});

test('an unknown and a disabled code get the same answer', async ({ page }) => {
  await signUp(page);
  await hydrated(page);
  const unknown = await (await submit(page, 'NEVER-EXISTED-1')).text();
  await expect(page.locator('#redeem-error')).toHaveAttribute('data-kind', 'unknown');
  // RETIRED-10 is a switched-off demo code.
  const disabled = await (await submit(page, 'RETIRED-10')).text();
  await expect(page.locator('#redeem-error')).toHaveAttribute('data-kind', 'unknown');
  expect(disabled.replace('RETIRED-10', 'X')).toBe(unknown.replace('NEVER-EXISTED-1', 'X'));
});
