import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import { adminSignIn, hydrated, uniqueName } from './helpers';

const presets: Array<[string, Record<string, string>]> = [
  ['standard', { 'field-initial_reward': '100' }],
  ['decreasing', { 'field-initial_reward': '500', 'field-decrease_step': '50', 'field-min_reward': '50' }],
  ['limited', { 'field-activation_limit': '100' }],
  ['temporary', {}],
  ['egg', { 'field-egg_slug': 'new-egg' }],
];

test('an admin creates and edits a code with each preset', async ({ page }) => {
  test.setTimeout(120_000);
  await adminSignIn(page);
  await expect(page.locator('#stat-active')).toHaveText(/\d+/);
  for (const [preset, values] of presets) {
    await page.goto('/admin/codes/new');
    await hydrated(page);
    if (preset !== 'standard') await page.click(`#preset-${preset}`);
    await expect(page.locator(`#preset-${preset}`)).toHaveAttribute('aria-pressed', 'true');
    for (const [id, value] of Object.entries(values)) {
      await expect(page.locator(`#${id}`)).toHaveValue(value);
    }
    if (preset === 'temporary') {
      await expect(page.locator('#field-starts_at')).not.toHaveValue('');
      await expect(page.locator('#field-ends_at')).not.toHaveValue('');
    }
    const name = uniqueName(`${preset}-`).toUpperCase();
    await page.fill('#field-name', name);
    if (preset === 'egg') await page.fill('#field-egg_slug', name.toLowerCase());
    await page.fill('#field-description_en', `The ${preset} code`);
    await page.fill('#field-description_ru', `Код: ${preset}`);
    await page.click('#save-code');
    await expect(page).toHaveURL(/\/admin\/codes\/\d+\?saved=1$/);
    await expect(page.locator('#saved-note')).toBeVisible();
    await expect(page.locator('#code-title')).toHaveText(name);
    for (const [id, value] of Object.entries(values)) {
      if (id !== 'field-egg_slug') await expect(page.locator(`#${id}`)).toHaveValue(value);
    }
    // Edit: a new priority and English text; they stick.
    await hydrated(page);
    await page.fill('#field-priority', '42');
    await page.fill('#field-description_en', `Edited ${preset}`);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/admin/save_code')),
      page.click('#save-code'),
    ]);
    await expect(page.locator('#saved-note')).toBeVisible();
    await page.reload();
    await expect(page.locator('#field-priority')).toHaveValue('42');
    await expect(page.locator('#field-description_en')).toHaveValue(`Edited ${preset}`);
  }
  // Presets combine.
  await page.goto('/admin/codes/new');
  await hydrated(page);
  await page.click('#preset-decreasing');
  await page.click('#preset-limited');
  await expect(page.locator('#field-decrease_step')).toHaveValue('50');
  await expect(page.locator('#field-activation_limit')).toHaveValue('100');
});

test('the server explains a refused code in the admin language and keeps what was typed', async ({ page }) => {
  await adminSignIn(page);
  await page.goto('/admin/codes/new?preset=decreasing');
  await hydrated(page);
  await page.fill('#field-name', 'welcome 100');
  await page.fill('#field-min_reward', '900');
  await page.fill('#field-starts_at', '2027-01-02T10:00');
  await page.fill('#field-ends_at', '2027-01-01T10:00');
  await page.click('#save-code');
  await expect(page.locator('#error-min_reward')).toHaveText('The minimum cannot be above the reward.');
  await expect(page.locator('#error-ends_at')).toHaveText('The end must come after the start.');
  await expect(page.locator('#error-name')).toContainText('already taken');
  await expect(page.locator('#field-min_reward')).toHaveValue('900');
  await expect(page).toHaveURL(/\/admin\/codes\/new/);

  await page.goto('/lang/ru?next=/admin/codes/new');
  await hydrated(page);
  await page.fill('#field-name', 'Новый код');
  await page.fill('#field-initial_reward', '10');
  await page.fill('#field-min_reward', '50');
  await page.click('#save-code');
  await expect(page.locator('#error-min_reward')).toHaveText('Минимум не может быть больше награды.');
  await page.goto('/lang/en?next=/admin');
});

test('an admin clones a code and the clone has the same parameters', async ({ page }) => {
  await adminSignIn(page);
  await page.goto('/admin/codes?q=lucky-drop');
  await page.click('a.code-name:text("LUCKY-DROP")');
  await expect(page.locator('#code-title')).toHaveText('LUCKY-DROP');
  await hydrated(page);
  const copy = uniqueName('LUCKY-COPY-').toUpperCase();
  await page.fill('#clone-name', copy);
  await page.click('#clone-code');
  await expect(page).toHaveURL(/\?cloned=1$/);
  await expect(page.locator('#code-title')).toHaveText(copy);
  await expect(page.locator('#field-initial_reward')).toHaveValue('500');
  await expect(page.locator('#field-decrease_step')).toHaveValue('50');
  await expect(page.locator('#field-min_reward')).toHaveValue('50');
  // The same name again is refused, in place.
  await hydrated(page);
  await page.fill('#clone-name', 'lucky drop');
  await page.click('#clone-code');
  await expect(page.locator('#clone-error')).toContainText('already taken');
  // A never-activated code can be deleted.
  await page.click('#delete-code');
  await expect(page).toHaveURL(/\/admin\/codes\?deleted=1$/);
});

test('a series is generated with a live progress bar, exported, and another is cancelled', async ({ page }) => {
  test.setTimeout(180_000);
  await adminSignIn(page);
  await page.goto('/admin/series');
  await hydrated(page);
  const name = uniqueName('Series ');
  await page.fill('#field-name', name);
  await page.fill('#field-count', '300000');
  await page.fill('#field-prefix', 'S-');
  await page.fill('#field-length', '3');
  await expect(page.locator('#entropy')).toHaveClass(/bad/);
  await expect(page.locator('#entropy')).toContainText('Too little');
  await page.fill('#field-length', '10');
  await expect(page.locator('#entropy')).toContainText('46.4 bits');
  await expect(page.locator('#entropy')).not.toHaveClass(/bad/);
  await page.click('#start-series');
  await expect(page).toHaveURL(/\/admin\/series\/\d+$/);
  const progress = page.locator('#job-progress');
  await expect(progress).toHaveAttribute('max', '300000');
  // Watch the bar move until the job is done.
  const seen = new Set<string>();
  for (let i = 0; i < 1200; i++) {
    seen.add((await progress.getAttribute('value')) ?? '');
    const status = await page.locator('[data-status]').first().getAttribute('data-status');
    if (status === 'done') break;
    await page.waitForTimeout(100);
  }
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(progress).toHaveAttribute('value', '300000');
  expect(seen.size).toBeGreaterThan(1);

  const download = page.waitForEvent('download');
  await page.click('#export-series');
  const file = await (await download).path();
  const lines = fs.readFileSync(file!, 'utf8').trim().split('\n');
  expect(lines[0]).toContain('id,name,status');
  expect(lines.length).toBe(300001);
  expect(lines[1]).toMatch(/,S-[ACDEFGHJKMNPQRTUVWXY34679]{10},active,limited,/);

  // A big one, cancelled: nothing of it stays.
  await page.goto('/admin/series');
  await hydrated(page);
  await page.fill('#field-name', uniqueName('Cancelled '));
  await page.fill('#field-count', '5000000');
  await page.click('#start-series');
  await expect(page).toHaveURL(/\/admin\/series\/\d+$/);
  await hydrated(page);
  await page.click('#cancel-series');
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
});

test('the code list filters, sorts and exports what it shows', async ({ page }) => {
  await adminSignIn(page);
  await page.goto('/admin/codes');
  await hydrated(page);
  await page.selectOption('#field-type', 'egg');
  await page.click('#apply-filters');
  await expect(page).toHaveURL(/type=egg/);
  await expect(page.locator('#codes-table')).toContainText('GOLDEN-LANTERN');
  await expect(page.locator('#codes-table')).not.toContainText('WELCOME-100');
  await page.goto('/admin/codes?status=expired');
  await expect(page.locator('#codes-table')).toContainText('AUTUMN-2025');
  await page.goto('/admin/codes?q=first');
  const download = page.waitForEvent('download');
  await page.click('#export-csv');
  const text = fs.readFileSync((await (await download).path())!, 'utf8');
  expect(text.trim().split('\n').length).toBe(2);
  expect(text).toContain('FIRST-50');
});

test('a viewer sees everything and can change nothing', async ({ page }) => {
  await adminSignIn(page, 'viewer', 'demo-viewer');
  await page.goto('/admin/codes/new');
  await expect(page.locator('#read-only')).toBeVisible();
  await expect(page.locator('#save-code')).toHaveCount(0);
  await expect(page.locator('#field-name')).toBeDisabled();
  await page.goto('/admin/codes?q=welcome');
  await page.click('a.code-name:text("WELCOME-100")');
  await expect(page.locator('#field-name')).toBeDisabled();
  await expect(page.locator('.code-actions')).toBeHidden();
  await page.goto('/admin/series');
  await expect(page.locator('#start-series')).toHaveCount(0);
  await page.goto('/admin/partners');
  await expect(page.locator('#partners-table')).toContainText('Northwind');
  await expect(page.locator('#save')).toHaveCount(0);
  // Forcing it through HTTP with the viewer's own session is refused too.
  const whoami = await page.request.post('/api/admin/whoami');
  const csrf = (await whoami.json()).csrf;
  const forced = await page.request.post('/api/admin/save_group', {
    form: { csrf, id: '', name: 'Viewer group', description: '' },
  });
  expect(forced.status()).toBe(403);
  await page.goto('/admin/groups');
  await expect(page.locator('#groups-table')).not.toContainText('Viewer group');
});

test('groups, campaigns, partners and the audit log', async ({ page }) => {
  await adminSignIn(page);
  const partner = uniqueName('Partner ');
  await page.goto('/admin/partners');
  await hydrated(page);
  await page.fill('#field-name', partner);
  await page.fill('#field-contact', 'deals@example.com');
  await page.fill('#field-payout', '3');
  await page.click('#save');
  await expect(page.locator('#saved-note')).toBeVisible();
  await expect(page.locator('#partners-table')).toContainText(partner);

  const campaign = uniqueName('Campaign ');
  await page.goto('/admin/campaigns');
  await hydrated(page);
  await page.fill('#field-name', campaign);
  await page.selectOption('#field-channel', 'social');
  await page.selectOption('#field-partner_id', { label: partner });
  await page.click('#save');
  await expect(page.locator('#campaigns-table')).toContainText(campaign);
  await expect(page.locator('#campaigns-table')).toContainText(partner);

  await page.goto('/admin/audit?entity=partner');
  await expect(page.locator('#audit-table')).toContainText('deals@example.com');
  await expect(page.locator('#audit-table')).toContainText('admin');
});

test('import is all or nothing and lists every bad line', async ({ page }) => {
  await adminSignIn(page);
  await page.goto('/admin/import');
  await hydrated(page);
  const a = uniqueName('IMP-A-').toUpperCase();
  await page.fill('#import-csv', `name,reward,currency\n${a},10,COINS\nWELCOME-100,5,COINS\nBAD!,5,COINS\n`);
  await page.click('#import-submit');
  await expect(page.locator('#import-errors li')).toHaveCount(2);
  await expect(page.locator('#import-errors')).toContainText('Line 3');
  await expect(page.locator('#import-errors')).toContainText('Line 4');
  await page.goto(`/admin/codes?q=${a}`);
  await expect(page.locator('#codes-total')).toHaveText('0 codes');
  await page.goto('/admin/import');
  await hydrated(page);
  await page.fill('#import-csv', `name,reward\n${a},10\n`);
  await page.click('#import-submit');
  await expect(page.locator('#import-result')).toHaveText('1 code imported.');
});

test('without JavaScript an admin signs in, saves a code and sees refusals', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/admin/codes');
  await expect(page).toHaveURL(/\/admin\/signin\?next=%2Fadmin%2Fcodes/);
  await page.fill('#admin-username', 'admin');
  await page.fill('#admin-password', 'demo-admin');
  await page.click('#admin-signin-submit');
  await expect(page).toHaveURL(/\/admin\/codes$/);
  await page.goto('/admin/codes/new');
  const name = uniqueName('NOJS-').toUpperCase();
  await page.fill('#field-name', name);
  await page.fill('#field-min_reward', '5000');
  await page.click('#save-code');
  // What was typed comes back from the session, not through the address.
  await expect(page).toHaveURL(/\/admin\/codes\/new\?refused=1$/);
  await expect(page.locator('#error-min_reward')).toBeVisible();
  await expect(page.locator('#field-name')).toHaveValue(name);
  await page.fill('#field-min_reward', '');
  await page.click('#save-code');
  await expect(page).toHaveURL(/\/admin\/codes\/\d+\?saved=1$/);
  await expect(page.locator('#code-title')).toHaveText(name);
  await context.close();
});

test('screenshots of the code list and the edit form in both languages', async ({ page }) => {
  fs.mkdirSync('screenshots', { recursive: true });
  await adminSignIn(page);
  for (const lang of ['en', 'ru']) {
    await page.goto(`/lang/${lang}?next=/admin/codes`);
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await page.screenshot({ path: `screenshots/admin-codes-${lang}.png`, fullPage: true });
    await page.goto('/admin/codes?q=lucky-drop');
    await page.click('a.code-name:text("LUCKY-DROP")');
    await hydrated(page);
    await page.screenshot({ path: `screenshots/admin-edit-${lang}.png`, fullPage: true });
  }
  await page.goto('/lang/en?next=/admin');
});
