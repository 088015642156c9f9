// Time to interactive: navigation start to the `checkout-ready` performance mark (config loaded,
// card-number input enabled), median of N loads, widget vs the vanilla baseline, same server.
// Also first contentful paint: when the payer first sees anything (a loading line or the form).
// Where the server has it (scripts/bench builds bench/floor into /widget/floor/), each round also
// loads the framework's floor: the vanilla page's form in Leptos alone, same settings.
import { chromium } from '@playwright/test';

const [base, n] = [process.argv[2], Number(process.argv[3] ?? 20)];
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });

async function session() {
  const r = await fetch(`${base}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' },
    body: JSON.stringify({ customer: {}, payment: { merchantTransactionId: crypto.randomUUID(), amount: 1500 }, config: { modes: ['PAYMENT'] } }),
  });
  return (await r.json()).data;
}

// THROTTLE="latency_ms,kbit_per_s" loads every page over an emulated network, as in tti-ab.mjs.
const throttle = process.env.THROTTLE?.split(',').map(Number);
async function measure(url) {
  const context = await browser.newContext(); // cold cache each load
  const page = await context.newPage();
  if (throttle) {
    const cdp = await context.newCDPSession(page);
    const bytes = (throttle[1] * 1000) / 8;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: throttle[0], downloadThroughput: bytes, uploadThroughput: bytes });
  }
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('checkout-ready').length > 0, null, { timeout: 20_000 });
  const ms = await page.evaluate(() => {
    const ready = performance.getEntriesByName('checkout-ready')[0].startTime;
    // The widget's files the page had fetched when the form became interactive, and their bytes
    // on the wire (encoded body size: as served, compressed when the browser asked for it).
    const before = {};
    for (const e of performance.getEntriesByType('resource')) {
      const path = new URL(e.name).pathname;
      if (e.responseEnd <= ready && path.startsWith('/widget/') && /\.(wasm|js|css)$/.test(path)) {
        before[path] = Math.max(before[path] ?? 0, e.encodedBodySize);
      }
    }
    return [ready, performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, before];
  });
  await context.close();
  return ms;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const widget = [], vanilla = [], floor = [];
const hasFloor = (await fetch(`${base}/widget/floor/index.html`)).ok;
// Each round loads its pages in turn, the order reversed every other round, so neither page
// always follows the other.
const pages = [
  [vanilla, (s) => `${base}/widget/vanilla.html#${s.hostedUrl.split('#')[1]}`],
  ...(hasFloor ? [[floor, (s) => `${base}/widget/floor/index.html#${s.hostedUrl.split('#')[1]}`]] : []),
  [widget, (s) => s.hostedUrl],
];
for (let i = 0; i < n; i++) {
  for (const [into, url] of i % 2 ? [...pages].reverse() : pages) into.push(await measure(url(await session())));
}
await browser.close();
const at = (xs, i) => median(xs.map((x) => x[i]));
// Each widget load is paired with the vanilla load of its round, so drift in the machine's speed
// during the run cancels out of the ratio (the two medians alone moved 1.2-1.7x between runs).
const paired = (i) => median(widget.map((w, k) => w[i] / vanilla[k][i]));
console.log(JSON.stringify({ widget: at(widget, 0), vanilla: at(vanilla, 0), ratio: paired(0),
  widget_fcp: at(widget, 1), vanilla_fcp: at(vanilla, 1), fcp_ratio: paired(1), n,
  ...(hasFloor ? { floor: at(floor, 0), floor_ratio: median(floor.map((f, k) => f[0] / vanilla[k][0])), widget_over_floor: median(widget.map((w, k) => w[0] / floor[k][0])) } : {}),
  before_ready: widget[widget.length - 1][2] }));
