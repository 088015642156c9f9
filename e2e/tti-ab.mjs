// Time to interactive of two widget builds against each other and the vanilla page, interleaved in
// one run (the order of the two alternates), so the machine's drift cancels out of the paired ratios.
// Serve each build from its own API (CHECKOUT_DIST_DIR, with bench/vanilla.html copied in as
// scripts/bench's widget_dir does), then:  node tti-ab.mjs http://A http://B [pairs]
// 2026-12-07, this session's build (A) against 9a78ca4's (B), 40 triples, twice: A/B 0.95x and 0.98x;
// A/vanilla 1.45x and 1.62x, B/vanilla 1.60x and 1.67x (the vanilla page then came from A only, which
// slowed A: an A/A run read 1.13x; it alternates now, and both orders of A and B agree within 0.03x).
// Later that day, the skeleton page against the loading line (same wasm), both orders, 40 pairs:
// 1.01x and 1.14x on loopback with the final build (1.05x-1.14x in earlier runs); THROTTLE=40,10000,
// 20 pairs: 1.03x and 0.98x.
// Eighth session (its harness: tti-common.mjs `load`), 40 pairs each order: the card build at opt-level
// "s" against "z" read 0.96x with either as A; a load-early compile of the wasm 0.94x / 1/0.97x / 1/1.05x
// in three runs. So +-4-5% is this script's noise at 40 pairs on that machine; an effect needs more.
import { coldPage, firstPaint, launch, load, median, session, vanillaUrl } from './tti-common.mjs';
const [A, B, n] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 40)];
const browser = await launch();
// THROTTLE="latency_ms,kbit_per_s" loads every page over an emulated network (tti-common.mjs),
// e.g. THROTTLE=40,10000 for a 10 Mbit/s link 40 ms away.
async function measure(url) {
  const { context, page, cdp } = await coldPage(browser);
  const ms = await load(page, cdp, url);
  const fcp = await firstPaint(page);
  await context.close(); return [ms, fcp];
}
const a = [], b = [], v = [], fa = [], fb = [];
for (let i = 0; i < n; i++) {
  // The vanilla page from A and B in turn: served always by A, it made A's loads slower (an A/A run,
  // the same build on both, read 1.13x on 2026-12-07).
  const V = i % 2 ? A : B;
  const sv = await session(V); v.push((await measure(vanillaUrl(V, sv)))[0]);
  const order = i % 2 ? ['a', 'b'] : ['b', 'a'];
  for (const which of order) {
    const base = which === 'a' ? A : B; const s = await session(base); const [t, fcp] = await measure(s.hostedUrl);
    (which === 'a' ? a : b).push(t); (which === 'a' ? fa : fb).push(fcp);
  }
}
await browser.close();
console.log(JSON.stringify({ n, new_ms: median(a), old_ms: median(b), vanilla_ms: median(v),
  new_fcp_ms: median(fa), old_fcp_ms: median(fb), new_over_old_fcp: median(fa.map((x, k) => x / fb[k])),
  new_over_old: median(a.map((x, k) => x / b[k])), new_over_vanilla: median(a.map((x, k) => x / v[k])), old_over_vanilla: median(b.map((x, k) => x / v[k])) }));
