// Where a widget load's main-thread time goes before `checkout-ready`: a Chromium trace of N cold
// loads of a card-only session (and N of the vanilla page, and of bench/floor where the server has it
// under /widget/floor/, as scripts/bench builds it), summed per kind of work, medians.
//   node tti-trace.mjs http://127.0.0.1:PORT [loads]
// Also how many wasm functions V8 compiled before the mark (each on its first call), and `painted`:
// the end of the first Paint after the mark, when the enabled form is on screen.
// Kinds: wasm compile (V8's lazy compile of each function on first call), script (JS and wasm,
// running), style and layout, paint, HTML parse, other tasks; and idle: the main thread waiting
// (for the network, mostly). Also when the wasm and the config arrived (resource timing).
import { coldPage, floorUrl, hasFloor, launch, load, median, session as sessionOf, vanillaUrl } from './tti-common.mjs';

const [base, n] = [process.argv[2], Number(process.argv[3] ?? 10)];
const browser = await launch();
const session = () => sessionOf(base);

const KIND = [
  [/^(wasm\.CompileLazy|wasm\.CompileLazyFunction|V8\.WasmCompileLazy|wasm\.LazyCompile|V8\.WasmLazyCompile)/i, 'wasm compile'],
  [/^(v8\.wasm\.(compile|streaming|finish|instantiate)|wasm\.(Sync|Async)?(Compile|Instantiate)|V8\.Wasm)/i, 'wasm module'],
  [/^(UpdateLayoutTree|Layout|RecalculateStyles|ScheduleStyleRecalculation|InvalidateLayout|PrePaint|HitTest|IntersectionObserverController)/, 'style and layout'],
  [/^(Paint|PaintImage|RasterTask|CompositeLayers|Layerize|UpdateLayer|Commit|ImageDecodeTask)/, 'paint'],
  [/^(ParseHTML|ParseAuthorStyleSheet)/, 'parse'],
  [/^(EvaluateScript|v8\.compile|v8\.compileModule|V8\.CompileCode|v8\.evaluateModule|FunctionCall|TimerFire|EventDispatch|FireAnimationFrame|RunMicrotasks|v8\.callFunction|V8\.Execute|v8\.run|ResourceReceivedData|XHR|BlinkScheduler_PerformMicrotaskCheckpoint|RunMicrotasks)/, 'script'],
];

async function trace(url) {
  const { context, page, cdp } = await coldPage(browser);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['devtools.timeline',
    'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'blink', 'blink.user_timing', 'loading', 'navigation', 'toplevel'] } });
  await load(page, cdp, url);
  // Untouched until the mark's screen is painted: Playwright's evaluate below injects its own script.
  await new Promise((res) => setTimeout(res, 400));
  const marks = await page.evaluate(() => {
    const ready = performance.getEntriesByName('checkout-ready')[0].startTime;
    const res = Object.fromEntries(performance.getEntriesByType('resource').map((e) => [new URL(e.name).pathname.replace(/-[0-9a-f]{16}/, ''), Math.round(e.responseEnd)]));
    const nav = performance.getEntriesByType('navigation')[0];
    return { ready, timeOrigin: performance.timeOrigin, res, html: Math.round(nav.responseEnd), dcl: Math.round(nav.domContentLoadedEventEnd) };
  });
  await cdp.send('Tracing.end');
  await done;
  await context.close();
  // The renderer's main thread: the thread of the page's ParseHTML.
  const parse = events.find((e) => e.name === 'ParseHTML' && e.ph === 'X');
  const main = events.filter((e) => e.pid === parse.pid && e.tid === parse.tid);
  // Trace clock (µs) to the page's clock (ms since navigation start): the mark event.
  const readyEvent = events.find((e) => e.name === 'checkout-ready' && e.cat.includes('blink.user_timing'));
  const navStart = events.find((e) => e.name === 'navigationStart' && e.pid === parse.pid);
  const t0 = navStart ? navStart.ts : readyEvent.ts - marks.ready * 1000;
  const end = readyEvent ? readyEvent.ts : t0 + marks.ready * 1000;
  // Top-level tasks only (no double counting): time inside each kind, by the deepest labelled
  // event; what a task spends outside any labelled child counts as its own kind.
  const tops = main.filter((e) => e.ph === 'X' && e.name === 'RunTask' && e.ts + e.dur > t0 && e.ts < end);
  const sum = {}; let busy = 0;
  const add = (k, us) => { sum[k] = (sum[k] ?? 0) + us / 1000; };
  const kindOf = (name) => KIND.find(([re]) => re.test(name))?.[1];
  for (const task of tops) {
    const a = Math.max(task.ts, t0), b = Math.min(task.ts + task.dur, end);
    busy += (b - a) / 1000;
    // Children of this task, innermost-first attribution: walk a timeline of labelled intervals.
    const kids = main.filter((e) => e.ph === 'X' && e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur && kindOf(e.name));
    // Priority: the most specific kind wins where intervals nest (compile inside script).
    const order = ['wasm compile', 'wasm module', 'style and layout', 'paint', 'parse', 'script'];
    const points = new Set([a, b]);
    for (const k of kids) { points.add(Math.max(a, Math.min(b, k.ts))); points.add(Math.max(a, Math.min(b, k.ts + k.dur))); }
    const ps = [...points].sort((x, y) => x - y);
    for (let i = 0; i + 1 < ps.length; i++) {
      const mid = (ps[i] + ps[i + 1]) / 2;
      const covering = kids.filter((k) => k.ts <= mid && k.ts + k.dur >= mid).map((k) => kindOf(k.name));
      const kind = order.find((o) => covering.includes(o)) ?? 'other task';
      add(kind, ps[i + 1] - ps[i]);
    }
  }
  sum.idle = marks.ready - busy;
  // How many of the wasm's functions V8 compiled (lazily, on their first call) before the mark: the
  // first screen's code, counted; steadier from load to load than its milliseconds.
  const compiled = new Set(main.filter((e) => e.name === 'wasm.CompileLazy' && e.ts < end).map((e) => e.args?.func_index)).size;
  const names = {};
  for (const e of main) if (e.ph === 'X' && e.ts >= t0 && e.ts < end) names[e.name] = (names[e.name] ?? 0) + (e.dur ?? 0) / 1000;
  // When the mark's screen is on it: the end of the main thread's first Paint after the mark.
  const paint = main.filter((e) => e.ph === 'X' && e.name === 'Paint' && e.ts >= end).sort((x, y) => x.ts - y.ts)[0];
  const painted = paint ? (paint.ts + paint.dur - t0) / 1000 : NaN;
  return { ready: marks.ready, sum, marks, names, compiled, painted };
}

const out = {};
const withFloor = await hasFloor(base);
for (const [label, make] of [['widget', async () => (await session()).hostedUrl],
  ['vanilla', async () => { const s = await session(); return vanillaUrl(base, s); }],
  ...(withFloor ? [['floor', async () => floorUrl(base, await session())]] : [])]) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await trace(await make()));
  const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.sum)))];
  out[label] = { ready: median(runs.map((r) => r.ready)), painted: +median(runs.map((r) => r.painted)).toFixed(1),
    ms: Object.fromEntries(kinds.map((k) => [k, +median(runs.map((r) => r.sum[k] ?? 0)).toFixed(1)])),
    functions_compiled: median(runs.map((r) => r.compiled)),
    resources: runs[runs.length - 1].marks.res, html: median(runs.map((r) => r.marks.html)), dcl: median(runs.map((r) => r.marks.dcl)) };
  if (process.env.NAMES) {
    const all = [...new Set(runs.flatMap((r) => Object.keys(r.names)))];
    out[label].names = Object.fromEntries(all.map((k) => [k, +median(runs.map((r) => r.names[k] ?? 0)).toFixed(1)]).filter(([, v]) => v >= 0.5).sort((x, y) => y[1] - x[1]));
  }
}
await browser.close();
console.log(JSON.stringify(out, null, 1));
