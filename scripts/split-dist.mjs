// Splits a Trunk build's wasm into the part a payer needs for the first render and chunks loaded
// after it (issue #21; the split points are the functions of src/lazy.rs), in place of Trunk's
// wasm and glue:
//
//   node scripts/split-dist.mjs dist target/wasm32-unknown-unknown/wasm-release/checkout-widget.wasm
//
// 1. wasm_split_cli cuts the linked wasm (it needs the linker's relocations: `--emit-relocs` in
//    .cargo/config.toml) into the main module, one module per split point, shared chunks, and
//    `__wasm_split.js`, the loader the main module imports its split points from;
// 2. wasm-bindgen writes the main module's glue (`--keep-lld-exports`: the chunks import the
//    memory, table and functions the main module exports), wasm-opt optimizes every module as
//    Trunk does (index.html's data-wasm-opt and data-wasm-opt-params);
// 3. the glue and the loader are minified (esbuild), and every file of the set is named after one
//    hash of all their bytes: they name each other (the glue imports the loader, which imports the
//    glue and fetches the chunks), so no file can carry a hash of its own content; one hash of the
//    set still changes every name whenever any byte does, which the API's year-long caching of
//    hashed names needs;
// 4. index.html loads the new glue and wasm, with their integrity hashes.
//
// Trunk must have built the same wasm (`--features pay,split`) into `dist` first: this script
// takes its index.html, stylesheet and file names, and replaces its unsplit wasm and glue.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { transformSync } = createRequire(join(root, 'e2e', 'package.json'))('esbuild');
const [dir, input] = process.argv.slice(2);
if (!dir || !input) throw new Error('usage: node scripts/split-dist.mjs DIST LINKED.wasm');

const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');
// Runs a tool; its warnings are shown except binaryen's about the name subsection for data symbols
// wasm_split_cli writes, which wasm-opt does not know (and drops with the names).
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  const noise = /^warning: unknown name subsection/;
  for (const line of (r.stderr ?? '').split('\n')) if (line && !noise.test(line)) console.error(line);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.error ?? 'exit ' + r.status})`);
};

const page = join(dir, 'index.html');
let html = readFileSync(page, 'utf8');
const glue = readdirSync(dir).find((f) => /^checkout-widget-[0-9a-f]{16}\.js$/.test(f));
const wasm = readdirSync(dir).find((f) => /^checkout-widget-[0-9a-f]{16}_bg\.wasm$/.test(f));
if (!glue || !wasm) throw new Error(`${dir} holds no Trunk build of the widget`);
if (readdirSync(dir).some((f) => f.startsWith('__wasm_split'))) throw new Error(`${dir} is split already`);
// The optimizer's options, as index.html gives them to Trunk.
const level = /data-wasm-opt="([^"]+)"/.exec(readFileSync(join(root, 'index.html'), 'utf8'))?.[1] ?? 'z';
const params = (/data-wasm-opt-params="([^"]+)"/.exec(readFileSync(join(root, 'index.html'), 'utf8'))?.[1] ?? '').split(/\s+/).filter(Boolean);

const work = mkdtempSync(join(tmpdir(), 'split-'));
try {
  const split = join(work, 'split');
  const bound = join(work, 'bound');
  run('wasm-split-cli', [input, split, '--target', 'web', '--out-name', 'main']);
  run('wasm-bindgen', [join(split, 'main.wasm'), '--target', 'web', '--out-dir', bound, '--out-name', 'main', '--no-typescript', '--keep-lld-exports']);
  const modules = [[join(bound, 'main_bg.wasm'), 'main_bg.wasm']];
  for (const f of readdirSync(split).filter((f) => f.endsWith('.wasm') && f !== 'main.wasm')) modules.push([join(split, f), f]);
  const files = new Map(); // name in the set -> bytes
  for (const [path, name] of modules) {
    const out = join(work, 'opt-' + name);
    run('wasm-opt', [`-O${level}`, ...params, path, '-o', out]);
    files.set(name, readFileSync(out));
  }
  const minify = (code) => transformSync(code, { loader: 'js', minify: true, legalComments: 'none', format: 'esm' }).code;
  files.set('main.js', Buffer.from(minify(readFileSync(join(bound, 'main.js'), 'utf8'))));
  files.set('__wasm_split.js', Buffer.from(minify(readFileSync(join(split, '__wasm_split.js'), 'utf8'))));

  // One hash of the whole set names every file of it.
  const set = createHash('sha256');
  for (const name of [...files.keys()].sort()) set.update(name).update(files.get(name));
  const hash = set.digest('hex').slice(0, 16);
  const rename = (name) => {
    if (name === 'main.js') return `checkout-widget-${hash}.js`;
    if (name === 'main_bg.wasm') return `checkout-widget-${hash}_bg.wasm`;
    if (name === '__wasm_split.js') return `split-${hash}.js`;
    return name.replace(/\.wasm$/, `-${hash}.wasm`);
  };
  // The names the files use for each other, as the tools write them: the glue imports the loader
  // (`from"./__wasm_split.js"`), the loader imports the glue and fetches each chunk
  // (`new URL("./split_bank.wasm",import.meta.url)`). The glue's import object keeps the loader's
  // old name as a key: that is the module name inside the wasm, not a file.
  const relink = (bytes) => {
    let text = bytes.toString('utf8');
    for (const name of files.keys()) {
      const escaped = name.replace(/[.$]/g, '\\$&');
      text = text.replace(new RegExp(`(from\\s*|new URL\\(\\s*)(["'])\\./${escaped}\\2`, 'g'), (_, lead, q) => `${lead}${q}./${rename(name)}${q}`);
    }
    return Buffer.from(text);
  };
  for (const name of ['main.js', '__wasm_split.js']) {
    const before = files.get(name);
    const after = relink(before);
    if (after.equals(before)) throw new Error(`${name} names none of the other files: the tools' output changed`);
    files.set(name, after);
  }

  // Replace Trunk's files, and their names and integrity in index.html.
  for (const [old, name] of [[glue, 'main.js'], [wasm, 'main_bg.wasm']]) {
    const before = sri(readFileSync(join(dir, old)));
    if (!html.includes(before)) throw new Error(`${page} does not name ${old} by its integrity`);
    html = html.split(before).join(sri(files.get(name))).split(old).join(rename(name));
    unlinkSync(join(dir, old));
  }
  for (const [name, bytes] of files) writeFileSync(join(dir, rename(name)), bytes);
  writeFileSync(page, html);
  for (const name of [...files.keys()].sort()) console.log(`${join(dir, rename(name))}: ${files.get(name).length} bytes`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
