// Time to interactive: navigation start to the `checkout-ready` performance mark (config loaded,
// card-number input enabled), median of N loads, widget vs the vanilla baseline, same server.
// Also first contentful paint: when the payer first sees anything (a loading line or the form).
// Where the server has it (scripts/bench builds bench/floor into /widget/floor/), each round also
// loads the framework's floor: the vanilla page's form in Leptos alone, same settings.
import { coldPage, firstPaint, floorUrl, hasFloor, launch, load, median, session as sessionOf, vanillaUrl } from './tti-common.mjs';

const [base, n] = [process.argv[2], Number(process.argv[3] ?? 20)];
const browser = await launch();
const session = () => sessionOf(base);

// THROTTLE="latency_ms,kbit_per_s" loads every page over an emulated network (tti-common.mjs).
async function measure(url) {
  const { context, page, cdp } = await coldPage(browser); // cold cache each load
  const ready = await load(page, cdp, url);
  const fcp = await firstPaint(page);
  const before = await page.evaluate((ready) => {
    // The widget's files the page had fetched when the form became interactive, and their bytes
    // on the wire (encoded body size: as served, compressed when the browser asked for it).
    const before = {};
    for (const e of performance.getEntriesByType('resource')) {
      const path = new URL(e.name).pathname;
      if (e.responseEnd <= ready && path.startsWith('/widget/') && /\.(wasm|js|css)$/.test(path)) {
        before[path] = Math.max(before[path] ?? 0, e.encodedBodySize);
      }
    }
    return before;
  }, ready);
  await context.close();
  return [ready, fcp, before];
}

const widget = [], vanilla = [], floor = [];
const withFloor = await hasFloor(base);
// Each round loads its pages in turn, the order reversed every other round, so neither page
// always follows the other.
const pages = [
  [vanilla, (s) => vanillaUrl(base, s)],
  ...(withFloor ? [[floor, (s) => floorUrl(base, s)]] : []),
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
  ...(withFloor ? { floor: at(floor, 0), floor_ratio: median(floor.map((f, k) => f[0] / vanilla[k][0])), widget_over_floor: median(widget.map((w, k) => w[0] / floor[k][0])) } : {}),
  before_ready: widget[widget.length - 1][2] }));
