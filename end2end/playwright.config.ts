// Browser tests against a running Promocodes server (started by
// `cargo leptos end2end`, or any server at PROMOCODES_BASE_URL).
// Chromium is the system's (Debian's `chromium`): never `playwright install`.
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.PROMOCODES_BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  use: {
    ...devices['Desktop Chrome'],
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
  },
  outputDir: './test-results',
});
