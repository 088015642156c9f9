// The payer's core journeys (journeys.mjs) in WebKit (WebKitGTK, the engine behind Safari, driven
// by WebKitWebDriver under Xvfb) and Firefox ESR (headless, driven by geckodriver), through the
// standard WebDriver protocol. Starts and stops its own API (debug build, demo merchant, fresh
// SQLite file), Xvfb and the drivers; prints a table journey x engine; exits 1 if any failed.
// Chromium runs the same journeys in Playwright (engines.spec.ts).
//   node engines/run.mjs [webkit|firefox ...]        (from e2e/; default both)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder } from 'selenium-webdriver';
import { journeys } from './journeys.mjs';
import { webdriverDriver } from './webdriver-driver.mjs';

const base = Number(process.env.ENGINES_PORT ?? '18180');
const api = `http://127.0.0.1:${base}`;
const site = `http://127.0.0.1:${base + 1}`;
const root = new URL('../../', import.meta.url).pathname;
const children = [];
const start = (cmd, args, env = {}) => {
  const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
  children.push(c);
  return c;
};
const stopAll = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('exit', stopAll);

async function waitFor(url, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const engines = {
  firefox: {
    port: base + 10,
    driver: () => start('geckodriver', ['--port', String(base + 10), '--host', '127.0.0.1']),
    caps: { browserName: 'firefox', 'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'] } },
  },
  webkit: {
    port: base + 11,
    display: true,
    driver: () => start('WebKitWebDriver', [`--port=${base + 11}`, '--host=127.0.0.1'], { DISPLAY: ':97' }),
    caps: {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', args: ['--automation'] },
    },
  },
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(engines);
const dbDir = mkdtempSync(join(tmpdir(), 'checkout-engines-'));
start(join(root, 'target/debug/checkout-api'), ['serve', '--demo'], {
  CHECKOUT_LISTEN: `127.0.0.1:${base}`,
  CHECKOUT_DEMO_LISTEN: `127.0.0.1:${base + 1}`,
  DATABASE_URL: `sqlite://${dbDir}/engines.db?mode=rwc`,
  CHECKOUT_DIST_DIR: join(root, 'dist'),
  CHECKOUT_RISK_RULES: 'off',
  RUST_LOG: 'warn',
});
if (wanted.some((e) => engines[e]?.display)) start('Xvfb', [':97', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp']);
await waitFor(`${api}/healthz`);

const results = {};
for (const name of wanted) {
  const e = engines[name];
  if (!e) throw new Error(`unknown engine ${name}`);
  e.driver();
  await waitFor(`http://127.0.0.1:${e.port}/status`);
  let driver;
  try {
    driver = await new Builder().usingServer(`http://127.0.0.1:${e.port}`).withCapabilities(e.caps).build();
  } catch (err) {
    for (const j of journeys) (results[j.name] ??= {})[name] = `failed: no session (${String(err.message ?? err).split('\n')[0]})`;
    continue;
  }
  for (const j of journeys) {
    const t0 = Date.now();
    try {
      await j.run(webdriverDriver(driver), { api, site });
      (results[j.name] ??= {})[name] = `passed (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    } catch (err) {
      (results[j.name] ??= {})[name] = `FAILED: ${String(err.message ?? err).split('\n')[0].slice(0, 160)}`;
    }
  }
  await driver.quit().catch(() => {});
}

console.log(`\n| journey | ${wanted.join(' | ')} |\n|---|${wanted.map(() => '---').join('|')}|`);
let failed = 0;
for (const j of journeys) {
  const row = wanted.map((e) => results[j.name]?.[e] ?? 'not run');
  failed += row.filter((r) => !r.startsWith('passed')).length;
  console.log(`| ${j.name} | ${row.join(' | ')} |`);
}
stopAll();
process.exit(failed ? 1 : 0);
