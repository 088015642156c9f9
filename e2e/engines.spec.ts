// The payer's core journeys (e2e/engines/journeys.mjs) in Chromium, through the same description
// that WebKit and Firefox run over WebDriver (e2e/engines/run.mjs, `CHECKOUT_ENGINES=all`).
import { test } from '@playwright/test';
// @ts-expect-error: plain ES modules shared with the WebDriver runner
import { journeys } from './engines/journeys.mjs';
// @ts-expect-error: plain ES modules shared with the WebDriver runner
import { playwrightDriver } from './engines/playwright-driver.mjs';

const port = Number(process.env.E2E_PORT ?? '18080');
const ctx = { api: `http://127.0.0.1:${port}`, site: `http://127.0.0.1:${port + 1}` };

for (const j of journeys as { name: string; run: (d: unknown, c: typeof ctx) => Promise<void> }[]) {
  test(`journey (chromium): ${j.name}`, async ({ page }) => {
    await j.run(playwrightDriver(page), ctx);
  });
}
