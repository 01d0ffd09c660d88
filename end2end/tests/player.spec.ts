import { expect, test } from '@playwright/test';
import { hydrated, redeem, signUp } from './helpers';

test('a new player signs up, redeems a code inline, and sees the wallet and inbox follow', async ({ page }) => {
  await signUp(page);
  await expect(page).toHaveURL(/\/redeem$/);
  await hydrated(page);
  await expect(page.locator('#unread-count')).toHaveText('0');

  await redeem(page, ' welcome-100 ');
  await expect(page.locator('#redeem-success')).toContainText('100 coins');
  await expect(page.locator('#redeem-success')).toContainText('Welcome to the platform!');
  // Inline: the address did not change (no reload, no redirect).
  await expect(page).toHaveURL(/\/redeem$/);
  await expect(page.locator('#unread-count')).toHaveText('1');

  await redeem(page, 'WELCOME100');
  await expect(page.locator('#redeem-error')).toHaveAttribute('data-kind', 'already_activated');
  await expect(page.locator('#redeem-error')).toContainText('already redeemed');

  await page.click('a[href="/wallet"] >> nth=0');
  await expect(page.locator('#balances')).toContainText('100 coins');
  await expect(page.locator('#ledger')).toContainText('WELCOME-100');

  await page.goto('/activations');
  await expect(page.locator('#activations')).toContainText('WELCOME-100');

  await page.goto('/notifications');
  await hydrated(page);
  await expect(page.locator('#inbox')).toContainText('You redeemed WELCOME-100 and received 100 coins.');
  await page.click('#mark-all-read');
  await expect(page.locator('#unread-count')).toHaveText('0');
});

test('a shared redeem link fills the form of a hydrated page and redeems inline on the button', async ({ page }) => {
  await signUp(page, '/redeem?code=welcome-100');
  await hydrated(page);
  await expect(page.locator('#code-input')).toHaveValue('welcome-100');
  await expect(page.locator('#unread-count')).toHaveText('0');
  await page.click('#redeem-submit');
  await expect(page.locator('#redeem-success')).toContainText('100 coins');
  await expect(page.locator('#unread-count')).toHaveText('1');
});

const refusals: Array<[string, string, RegExp, RegExp]> = [
  ['NO-SUCH-CODE', 'unknown', /no such code/i, /Такого кода нет/],
  ['COMING-SOON', 'not_started', /not active yet\. It starts on \d{4}-\d\d-\d\d/, /ещё не действует\. Он начнёт работать \d{4}-\d\d-\d\d/],
  ['AUTUMN-2025', 'expired', /expired/, /истёк/],
  ['SOLD-OUT', 'exhausted', /used up/, /израсходован/],
  ['VIP-GOLD', 'not_eligible', /not available for your account/, /недоступен для вашего аккаунта/],
  ['GOLDEN-LANTERN', 'unknown', /no such code/i, /Такого кода нет/],
  ['bad*code!', 'malformed', /letters and digits/, /только из букв и цифр/],
];

for (const lang of ['en', 'ru'] as const) {
  test(`every refusal has its own message in ${lang}`, async ({ page }) => {
    await signUp(page);
    await page.goto(`/lang/${lang}?next=/redeem`);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await hydrated(page);
    for (const [code, kind, en, ru] of refusals) {
      await redeem(page, code);
      const error = page.locator('#redeem-error');
      await expect(error).toHaveAttribute('data-kind', kind);
      await expect(error).toContainText(lang === 'en' ? en : ru);
      await expect(page.locator('#code-input')).toHaveAttribute('aria-invalid', 'true');
    }
  });
}

test('redeem results in both languages, desktop and phone (screenshots)', async ({ page }) => {
  await signUp(page);
  for (const lang of ['en', 'ru']) {
    for (const [label, size] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(size);
      await page.goto(`/lang/${lang}?next=/redeem`);
      await hydrated(page);
      await redeem(page, 'LUCKY-DROP');
      await expect(page.locator('#redeem-success, #redeem-error')).toBeVisible();
      await page.screenshot({ path: `screenshots/redeem-${lang}-${label}.png`, fullPage: true });
    }
  }
  await page.goto('/lang/ru?next=/redeem');
  await hydrated(page);
  await redeem(page, 'FIRST-50');
  await expect(page.locator('#redeem-success')).toContainText('200 монет');
  await page.screenshot({ path: 'screenshots/redeem-ru-success.png', fullPage: true });
});

test('easter eggs: a signed-out player signs in, lands back on the egg found by clicking the hidden lantern, and opens it', async ({ page }) => {
  const name = await signUp(page, '/');
  await page.click('#sign-out');
  await expect(page.locator('#nav-sign-in')).toBeVisible();

  await page.goto('/');
  await page.click('#egg-golden-lantern');
  await expect(page).toHaveURL(/\/signin\?next=%2Fegg%2Fgolden-lantern/);
  await hydrated(page);
  await page.fill('#signin-username', name);
  await page.fill('#signin-password', 'correct horse');
  await page.click('#signin-submit');
  await expect(page).toHaveURL(/\/egg\/golden-lantern$/);
  // Opening the link claims nothing: the button does.
  await expect(page.locator('#egg-claim')).toBeVisible();
  await page.goto('/wallet');
  await expect(page.locator('body')).not.toContainText('GOLDEN-LANTERN');
  await page.goto('/egg/golden-lantern');
  await hydrated(page);
  await page.click('#egg-claim');
  await expect(page.locator('#redeem-success')).toContainText('300 coins');
  await expect(page.locator('#secret-message')).toContainText('silver key hides where the footer ends');
  await expect(page).toHaveURL(/\/egg\/golden-lantern$/); // in place, no reload

  // The second egg is at the end of the footer.
  await page.click('#egg-silver-key');
  await hydrated(page);
  await page.click('#egg-claim');
  await expect(page.locator('#redeem-success')).toContainText('5 gems');
  await page.goto('/lang/ru?next=/egg/silver-key');
  await expect(page.locator('h2')).toContainText('Вы уже находили');
  await expect(page.locator('#secret-message')).toContainText('Теперь каждый замок');
});

test('a made-up egg looks like a real one until it is opened, signed in or not', async ({ page }) => {
  const anonymous = await page.goto('/egg/no-such-egg');
  await expect(page).toHaveURL(/\/signin\?next=%2Fegg%2Fno-such-egg/);
  expect(anonymous?.status()).toBe(200);
  await signUp(page, '/');
  const signedIn = await page.goto('/egg/no-such-egg');
  expect(signedIn?.status()).toBe(200);
  await expect(page.locator('h1')).toHaveText('Something is hidden here');
  await hydrated(page);
  await page.click('#egg-claim');
  await expect(page.locator('#redeem-error')).toContainText('nothing hidden here');
});

test('wrong password and taken username are explained', async ({ page }) => {
  const name = await signUp(page, '/');
  await page.click('#sign-out');
  await page.goto('/signin');
  await hydrated(page);
  await page.fill('#signin-username', name);
  await page.fill('#signin-password', 'wrong password');
  await page.click('#signin-submit');
  await expect(page.locator('#form-error')).toContainText('Wrong username or password');
  await page.goto('/signup');
  await hydrated(page);
  await page.fill('#signup-username', name);
  await page.fill('#signup-password', 'correct horse');
  await page.fill('#signup-confirm', 'correct horse');
  await page.click('#signup-submit');
  await expect(page.locator('#form-error')).toContainText('taken');
});

test('pages that need an account send a visitor to sign in', async ({ page }) => {
  await page.goto('/wallet');
  await expect(page).toHaveURL(/\/signin\?next=%2Fwallet/);
});
