// Minifies a Trunk build's JavaScript (wasm-bindgen's glue) and CSS with esbuild, names each file
// after its new content and rewrites its name and Subresource Integrity hash in index.html.
// The new name matters: the API serves content-hashed files as immutable for a year, and Trunk's
// names hash the source (the stylesheet kept its name while its bytes changed), so a browser that
// cached the old bytes under the old name would fail the new integrity check and drop the file.
// Trunk minifies neither the glue nor, without also rewriting the page, the stylesheet (issue #21:
// measured -2.1 kB gzip on the glue and -0.8 kB on the stylesheet of the payment build).
//
// Before it is minified, each build's stylesheet loses the rules for elements the build cannot
// make (PurgeCSS): style/main.css styles every mode, and the card build, say, has no saved-method
// list, wallet buttons or agent panel (issue #21: the card build's stylesheet 3,074 -> 2,623 B
// gzip). A selector is kept when every class, id, tag and attribute word in it occurs anywhere in
// the bytes of the build's wasm, its page (with the inline boot scripts) or its glue. Substrings,
// not tokens: the compiler packs string literals end to end, so a class name in the wasm may sit
// against its neighbours, and a literal that holds it ("wallet-button apple-pay") keeps it too. So
// the test can keep a rule that is never used, never drop one a view names in its source; a class
// assembled at run time from pieces that are not the whole name would be dropped, and the widget
// builds none (`expectStyled` in e2e/fixtures.ts, called by seven journeys, checks the classes on
// screen against the served rules).
//
//   node scripts/minify-dist.mjs dist dist/manage dist/agent
//
// Runs from scripts/build-widget, with esbuild from e2e/node_modules (pinned in its lock file).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const e2eRequire = createRequire(join(root, 'e2e', 'package.json'));
const { transformSync } = e2eRequire('esbuild');
const { PurgeCSS } = e2eRequire('purgecss');

/** `css` without the rules whose selectors name a word that is nowhere in `content`. */
async function prune(css, content) {
  const words = [...new Set(css.match(/[A-Za-z0-9_-]+/g))];
  const [out] = await new PurgeCSS().purge({
    content: [{ raw: content, extension: 'txt' }],
    css: [{ raw: css }],
    defaultExtractor: (text) => words.filter((w) => text.includes(w)),
  });
  return out.css;
}

const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');

// Trunk names a file `name-{hash:x}`: its 64-bit hash prints fewer than 16 digits when it starts
// with a zero nibble (one build in 16). The API caches only 16-digit names for a year
// (api/src/pages.rs, `is_hashed_asset`), so the wasm, which keeps its bytes, gets its hash
// zero-padded; the glue and stylesheet get new 16-digit hashes of their minified bytes below.
const TRUNK_HASH = /-([0-9a-f]{1,16})((?:_bg)?\.(?:js|css|wasm))$/;

for (const dir of process.argv.slice(2)) {
  const page = join(dir, 'index.html');
  let html = readFileSync(page, 'utf8');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wasm'))) {
    const m = TRUNK_HASH.exec(file);
    if (!m || m[1].length === 16) continue;
    const renamed = file.replace(TRUNK_HASH, `-${m[1].padStart(16, '0')}$2`);
    renameSync(join(dir, file), join(dir, renamed));
    html = html.split(file).join(renamed);
    console.log(`${join(dir, file)} -> ${renamed}`);
  }
  const assets = readdirSync(dir).filter((f) => /\.(js|css|wasm)$/.test(f));
  const content = [html, ...assets.filter((f) => !f.endsWith('.css')).map((f) => readFileSync(join(dir, f)).toString('latin1'))].join('\n');
  for (const file of assets.filter((f) => /\.(js|css)$/.test(f))) {
    const path = join(dir, file);
    const source = readFileSync(path);
    // The glue is an ES module loaded by Trunk's bootstrap: its exports keep their names.
    const loader = file.endsWith('.css') ? 'css' : 'js';
    const text = loader === 'css' ? await prune(source.toString('utf8'), content) : source.toString('utf8');
    const { code } = transformSync(text, { loader, minify: true, legalComments: 'none' });
    if (code.length >= source.length) continue; // already minified (a second run)
    const before = sri(source);
    if (!html.includes(before)) throw new Error(`${page} does not name ${file} by its integrity ${before}`);
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const renamed = file.replace(TRUNK_HASH, `-${hash}$2`);
    if (renamed === file) throw new Error(`${file} has no content hash in its name`);
    writeFileSync(path, code);
    renameSync(path, join(dir, renamed));
    html = html.split(before).join(sri(Buffer.from(code))).split(file).join(renamed);
    console.log(`${join(dir, file)} -> ${renamed}: ${source.length} -> ${code.length} bytes`);
  }
  writeFileSync(page, html);
}
