// What the time-to-interactive scripts share (tti.mjs, tti-ab.mjs, tti-trace.mjs): the browser,
// the demo merchant's card-only session, and a cold page (its own context, so nothing is cached).
import { chromium } from '@playwright/test';

export const launch = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu',
  '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic'] });

/** A card-only PAYMENT session of the demo merchant on the API at `base`. */
export async function session(base) {
  const r = await fetch(`${base}/v1/sessions`, { method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' },
    body: JSON.stringify({ customer: {}, payment: { merchantTransactionId: crypto.randomUUID(), amount: 1500 }, config: { modes: ['PAYMENT'] } }) });
  return (await r.json()).data;
}

/** The `#cs=…` fragment of a session's hosted URL, for the bench's other pages. */
export const fragment = (s) => s.hostedUrl.split('#')[1];

// THROTTLE="latency_ms,kbit_per_s" loads every page over an emulated network (Chromium's own
// throttling, per page), e.g. THROTTLE=40,10000 for a 10 Mbit/s link 40 ms away.
const throttle = process.env.THROTTLE?.split(',').map(Number);

/** A page in a fresh context, throttled when THROTTLE says so; its CDP session too. */
export async function coldPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (throttle) {
    const bytes = (throttle[1] * 1000) / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: throttle[0], downloadThroughput: bytes, uploadThroughput: bytes });
  }
  return { context, page, cdp };
}

/** Waits for the `checkout-ready` mark (config loaded, card input enabled). */
export const ready = (page) => page.waitForFunction(() => performance.getEntriesByName('checkout-ready').length > 0, null, { timeout: 20_000 });

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
