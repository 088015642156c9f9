// scripts/minify-dist.mjs on a Trunk build whose hash has fewer than 16 hex digits. Trunk names
// files `name-{hash:x}`: a 64-bit hash with a leading zero nibble prints 15 digits (one build in
// 16). The script must still minify and rename the glue and stylesheet, and name the wasm with
// 16 digits too, so the API serves every file of the build as immutable (api/src/pages.rs,
// `is_hashed_asset`). No browser: this runs the script on a small build in a temporary directory.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sri = (bytes: Buffer | string) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');

test('a build whose Trunk hash prints 15 digits is minified and every file named with 16', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-dist-'));
  const js = 'export function start ( ) {\n  return   1 + 1 ;\n}\n';
  const css = 'body {\n  color : red ;\n}\n';
  const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  writeFileSync(join(dir, 'checkout-widget-b23755210a03a81.js'), js);
  writeFileSync(join(dir, 'main-f0ab50b3224e6cb.css'), css);
  writeFileSync(join(dir, 'checkout-widget-b23755210a03a81_bg.wasm'), wasm);
  writeFileSync(join(dir, 'index.html'), [
    `<link rel="stylesheet" href="/widget/main-f0ab50b3224e6cb.css" integrity="${sri(css)}"/>`,
    `<link rel="modulepreload" href="/widget/checkout-widget-b23755210a03a81.js" integrity="${sri(js)}">`,
    `<link rel="preload" href="/widget/checkout-widget-b23755210a03a81_bg.wasm" integrity="${sri(wasm)}" as="fetch">`,
    `<script type="module">import init from '/widget/checkout-widget-b23755210a03a81.js';`,
    `init({ module_or_path: '/widget/checkout-widget-b23755210a03a81_bg.wasm' });</script>`,
  ].join('\n'));

  execFileSync('node', [join(__dirname, '..', 'scripts', 'minify-dist.mjs'), dir]);

  const files = readdirSync(dir).filter((f) => f !== 'index.html').sort();
  const page = readFileSync(join(dir, 'index.html'), 'utf8');
  for (const old of ['-b23755210a03a81.js', '-b23755210a03a81_bg.wasm', '-f0ab50b3224e6cb.css']) expect(page).not.toContain(old);
  for (const f of files) {
    expect(f, 'named with 16 hex digits').toMatch(/-[0-9a-f]{16}(_bg)?\.(js|css|wasm)$/);
    expect(page).toContain('/widget/' + f);
    expect(page).toContain(sri(readFileSync(join(dir, f))));
  }
  // The wasm keeps its bytes and Trunk's hash, zero-padded; the glue and stylesheet are minified.
  expect(files).toContain('checkout-widget-0b23755210a03a81_bg.wasm');
  expect(readFileSync(join(dir, files.find((f) => f.endsWith('.js'))!), 'utf8').length).toBeLessThan(js.length);
  expect(readFileSync(join(dir, files.find((f) => f.endsWith('.css'))!), 'utf8').length).toBeLessThan(css.length);
});
