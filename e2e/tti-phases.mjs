// Where the time to interactive goes, untraced: the phases of N cold loads of the widget (a card-only
// session) and of bench/floor where the server has it, medians, in ms since navigation start.
//   node tti-phases.mjs http://127.0.0.1:PORT [loads]
// Nothing is patched into the pages: an init script (as the harness's own, tti-common.mjs) wraps
// WebAssembly's instantiate functions to note when the module is compiled and instantiated, and
// a MutationObserver notes when the app's first element joins the page after that (its mount, run
// synchronously by wasm-bindgen's start right after instantiation). Phases: html (the page's last
// byte), wasm (the wasm's last byte), dcl (DOMContentLoaded: parsed, the stylesheet in, the module script started),
// instantiated (compiled and instantiated), mounted (main's first render attached), ready (the
// `checkout-ready` mark: config in, card input enabled).
import { coldPage, floorUrl, hasFloor, launch, load, median, session } from './tti-common.mjs';

const [base, n] = [process.argv[2], Number(process.argv[3] ?? 15)];
const PHASES = `(() => {
  const mark = (name) => performance.getEntriesByName(name).length || performance.mark(name);
  for (const f of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[f];
    WebAssembly[f] = function (...args) { return original.apply(this, args).then((r) => (mark('instantiated'), r)); };
  }
  new MutationObserver((records, observer) => {
    if (!performance.getEntriesByName('instantiated').length) return;
    if (records.some((r) => [...r.addedNodes].some((node) => node.nodeType === 1))) { mark('mounted'); observer.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
})();`;

const browser = await launch();
const pages = { widget: (s) => s.hostedUrl };
if (await hasFloor(base)) pages.floor = (s) => floorUrl(base, s);
const runs = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
for (let i = 0; i < n; i++) {
  for (const [name, url] of i % 2 ? Object.entries(pages).reverse() : Object.entries(pages)) {
    const s = await session(base);
    const { context, page, cdp } = await coldPage(browser);
    await context.addInitScript({ content: PHASES });
    const ready = await load(page, cdp, url(s));
    runs[name].push(await page.evaluate((ready) => {
      const nav = performance.getEntriesByType('navigation')[0];
      const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
      const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
      return { html: nav.responseEnd, wasm: wasm?.responseEnd ?? NaN, dcl: nav.domContentLoadedEventStart,
        instantiated: at('instantiated'), mounted: at('mounted'), ready };
    }, ready));
    await context.close();
  }
}
await browser.close();
const out = {};
for (const [name, rs] of Object.entries(runs)) {
  out[name] = Object.fromEntries(Object.keys(rs[0]).map((k) => [k, +median(rs.map((r) => r[k])).toFixed(1)]));
  // Each phase's own length, median of the loads' differences.
  out[name].spans = { 'dcl -> instantiated': +median(rs.map((r) => r.instantiated - r.dcl)).toFixed(1),
    'instantiated -> mounted': +median(rs.map((r) => r.mounted - r.instantiated)).toFixed(1),
    'mounted -> ready': +median(rs.map((r) => r.ready - r.mounted)).toFixed(1) };
}
console.log(JSON.stringify({ n, ...out }, null, 1));
