// Playwright against the real API (debug build) serving the real Trunk build, in Debian's
// Chromium. The API gets a fresh SQLite file per run; its log goes to target/e2e-api.log so the
// test command can scan it for card data afterwards.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Below Linux's ephemeral range (32768-60999), so no outgoing connection can hold these ports.
const port = process.env.E2E_PORT ?? '18080';
export const demoPort = String(Number(port) + 1);
const dbDir = mkdtempSync(join(tmpdir(), 'checkout-e2e-'));

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    },
  },
  webServer: [{
    // The SMTP server and the SMS provider the API sends payment links to (sinks.mjs).
    command: 'node sinks.mjs',
    url: `http://127.0.0.1:${Number(port) + 6}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { E2E_PORT: port },
  }, {
    command: 'sh -c "exec ../target/debug/checkout-api serve --demo >> ../target/e2e-api.log 2>&1"',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      CHECKOUT_LISTEN: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dbDir}/e2e.db?mode=rwc`,
      CHECKOUT_DIST_DIR: '../dist',
      CHECKOUT_DEMO: '1',
      CHECKOUT_DEMO_LISTEN: `127.0.0.1:${demoPort}`,
      RUST_LOG: 'debug,sqlx=info,hyper=info,h2=info',
      // JSON lines: the card-data scan of scripts/test then covers the JSON format, and
      // operations.spec.ts follows a request id into them.
      CHECKOUT_LOG_FORMAT: 'json',
      CHECKOUT_SMTP_URL: `smtp://127.0.0.1:${Number(port) + 5}`,
      CHECKOUT_SMS_URL: `http://AC1:e2e-token@127.0.0.1:${Number(port) + 6}/sms/2010-04-01/Accounts/AC1/Messages.json`,
      CHECKOUT_SMS_FROM: '+15005550006',
      // Every browser test pays from 127.0.0.1: past 30 attempts in ten minutes the risk rules
      // would (rightly) ask every card for a challenge. They are tested in the API suite
      // (api/tests/api/authentication.rs); here the challenges come from the 3-D Secure test cards.
      CHECKOUT_RISK_RULES: 'off',
    },
  }],
});
