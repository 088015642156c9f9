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

/** The vanilla page (bench/vanilla.html) and the framework's floor (bench/floor) for session `s`. */
export const vanillaUrl = (base, s) => `${base}/widget/vanilla.html#${fragment(s)}`;
export const floorUrl = (base, s) => `${base}/widget/floor/index.html#${fragment(s)}`;
/** Whether the server has the floor (scripts/bench builds it into /widget/floor/). */
export const hasFloor = async (base) => (await fetch(`${base}/widget/floor/index.html`)).ok;

// THROTTLE="latency_ms,kbit_per_s" loads every page over an emulated network (Chromium's own
// throttling, per page), e.g. THROTTLE=40,10000 for a 10 Mbit/s link 40 ms away.
const throttle = process.env.THROTTLE?.split(',').map(Number);

// When the `checkout-ready` mark is made, as a promise the page's own world holds from its first
// script on (an init script: a PerformanceObserver, a few lines, the same on every page).
const READY = `window.__checkoutReady = new Promise((resolve) => new PerformanceObserver((list, observer) => {
  const mark = list.getEntriesByName('checkout-ready')[0];
  if (mark) { observer.disconnect(); resolve(mark.startTime); }
}).observe({ type: 'mark', buffered: true }));`;

/** A page in a fresh context, throttled when THROTTLE says so; its CDP session too. */
export async function coldPage(browser) {
  const context = await browser.newContext();
  await context.addInitScript({ content: READY });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  if (throttle) {
    const bytes = (throttle[1] * 1000) / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: throttle[0], downloadThroughput: bytes, uploadThroughput: bytes });
  }
  return { context, page, cdp };
}

/**
 * Opens `url` and waits for the `checkout-ready` mark (config loaded, card input enabled); its time.
 * Nothing of the harness runs in the page before the mark: Playwright's own waits (`goto` to the
 * load event, then `waitForFunction`) evaluate its injected script in the page once the load event
 * has fired, 10-17 ms of main-thread work (traced), which landed before the mark of any page that
 * had not made it by then: the widget's (its wasm still compiles) and the vanilla page's (its config
 * answer comes later). So the page is opened to the commit only, and the mark's promise awaited by
 * a bare CDP evaluate.
 */
export async function load(page, cdp, url) {
  await page.goto(url, { waitUntil: 'commit' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    // Until the new document's world answers: an evaluate that reached the old one reads nothing.
    const r = await cdp.send('Runtime.evaluate', { expression: "location.protocol === 'about:' ? null : window.__checkoutReady", awaitPromise: true, returnByValue: true }).catch(() => null);
    if (typeof r?.result?.value === 'number') return r.result.value;
    if (Date.now() > deadline) throw new Error(`no checkout-ready mark on ${url}`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** The page's first contentful paint, waited for: it may come after the mark (the vanilla page's is
 * its form). NaN if none came within 2 s. */
export const firstPaint = (page) => page.evaluate(() => new Promise((resolve) => {
  const fcp = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
  new PerformanceObserver(() => fcp() !== undefined && resolve(fcp())).observe({ type: 'paint', buffered: true });
  setTimeout(() => resolve(fcp() ?? NaN), 2000);
}));

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
