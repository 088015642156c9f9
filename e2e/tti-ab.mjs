// Time to interactive of two widget builds against each other and the vanilla page, interleaved in
// one run (the order of the two alternates), so the machine's drift cancels out of the paired ratios.
// Serve each build from its own API (CHECKOUT_DIST_DIR, with bench/vanilla.html copied in as
// scripts/bench's widget_dir does), then:  node tti-ab.mjs http://A http://B [pairs]
// 2026-12-07, this session's build (A) against 9a78ca4's (B), 40 triples, twice: A/B 0.95x and 0.98x;
// A/vanilla 1.45x and 1.62x, B/vanilla 1.60x and 1.67x.
import { chromium } from '@playwright/test';
const [A, B, n] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 40)];
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
async function session(base) {
  const r = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' },
    body: JSON.stringify({ customer: {}, payment: { merchantTransactionId: crypto.randomUUID(), amount: 1500 }, config: { modes: ['PAYMENT'] } }) });
  return (await r.json()).data;
}
async function measure(url) {
  const context = await browser.newContext(); const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('checkout-ready').length > 0, null, { timeout: 20_000 });
  const ms = await page.evaluate(() => performance.getEntriesByName('checkout-ready')[0].startTime);
  await context.close(); return ms;
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const a = [], b = [], v = [];
for (let i = 0; i < n; i++) {
  const sv = await session(A); v.push(await measure(`${A}/widget/vanilla.html#${sv.hostedUrl.split('#')[1]}`));
  const order = i % 2 ? ['a', 'b'] : ['b', 'a'];
  for (const which of order) {
    const base = which === 'a' ? A : B; const s = await session(base); const t = await measure(s.hostedUrl);
    (which === 'a' ? a : b).push(t);
  }
}
await browser.close();
console.log(JSON.stringify({ n, new_ms: median(a), old_ms: median(b), vanilla_ms: median(v),
  new_over_old: median(a.map((x, k) => x / b[k])), new_over_vanilla: median(a.map((x, k) => x / v[k])), old_over_vanilla: median(b.map((x, k) => x / v[k])) }));
