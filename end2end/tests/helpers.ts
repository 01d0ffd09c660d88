import { expect, Page } from '@playwright/test';

let counter = 0;
/** A fresh username for this run. */
export function uniqueName(prefix = 'p'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Waits until the wasm has hydrated the page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs up a new player through the form and returns to `next`. */
export async function signUp(page: Page, next = '/redeem', js = true): Promise<string> {
  const name = uniqueName();
  await page.goto(`/signup?next=${encodeURIComponent(next)}`);
  if (js) await hydrated(page);
  await page.fill('#signup-username', name);
  await page.fill('#signup-password', 'correct horse');
  await page.fill('#signup-confirm', 'correct horse');
  await page.click('#signup-submit');
  await expect(page.locator('#signed-in-as')).toHaveText(name);
  return name;
}

export async function redeem(page: Page, code: string) {
  await page.fill('#code-input', code);
  await page.click('#redeem-submit');
}

/** Signs in to the dashboard (the demo admin by default) and lands on its home. */
export async function adminSignIn(page: Page, username = 'admin', password = 'demo-admin', js = true) {
  await page.goto('/admin/signin');
  if (js) await hydrated(page);
  await page.fill('#admin-username', username);
  await page.fill('#admin-password', password);
  await page.click('#admin-signin-submit');
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.locator('#admin-who')).toContainText(username);
}
