import { chromium } from '@playwright/test';
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
async function session(base) {
  const r = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', Authorization: 'Bearer sk_test_demo', 'X-Merchant-Id': 'demo' },
    body: JSON.stringify({ customer: {}, payment: { merchantTransactionId: crypto.randomUUID(), amount: 1500 }, config: { modes: ['PAYMENT'] } }) });
  return (await r.json()).data;
}
async function m(base) {
  const s = await session(base);
  const context = await browser.newContext(); const page = await context.newPage();
  await page.goto(s.hostedUrl);
  await page.waitForFunction(() => performance.getEntriesByName('checkout-ready').length > 0);
  const r = await page.evaluate(() => ({ fp: performance.getEntriesByName('first-paint')[0]?.startTime, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime, ready: performance.getEntriesByName('checkout-ready')[0].startTime }));
  await context.close(); return r;
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const out = { new: [], mid: [] };
for (let i = 0; i < 20; i++) for (const [k, b] of i % 2 ? [['new', process.argv[2]], ['mid', process.argv[3]]] : [['mid', process.argv[3]], ['new', process.argv[2]]]) out[k].push(await m(b));
await browser.close();
for (const k of ['new', 'mid']) console.log(k, 'fp', med(out[k].map((x) => x.fp)), 'fcp', med(out[k].map((x) => x.fcp)), 'ready', med(out[k].map((x) => x.ready)));
