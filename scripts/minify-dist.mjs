// Minifies a Trunk build's JavaScript (wasm-bindgen's glue) and CSS with esbuild, names each file
// after its new content and rewrites its name and Subresource Integrity hash in index.html.
// The new name matters: the API serves content-hashed files as immutable for a year, and Trunk's
// names hash the source (the stylesheet kept its name while its bytes changed), so a browser that
// cached the old bytes under the old name would fail the new integrity check and drop the file.
// Trunk minifies neither the glue nor, without also rewriting the page, the stylesheet (issue #21:
// measured -2.1 kB gzip on the glue and -0.8 kB on the stylesheet of the payment build).
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
const { transformSync } = createRequire(join(root, 'e2e', 'package.json'))('esbuild');

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
  for (const file of readdirSync(dir).filter((f) => /\.(js|css)$/.test(f))) {
    const path = join(dir, file);
    const source = readFileSync(path);
    // The glue is an ES module loaded by Trunk's bootstrap: its exports keep their names.
    const loader = file.endsWith('.css') ? 'css' : 'js';
    const { code } = transformSync(source.toString('utf8'), { loader, minify: true, legalComments: 'none' });
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
