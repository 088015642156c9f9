// Size budget of the widget build (deterministic: bytes of dist/, gzip level 9).
import { expect, test } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zlib, gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

// A ratchet, not the goal: measured 211.0 kB gzip (wasm 200.5 kB) with all six modes, card and
// bank entry, the embed bridge and session appearance, built with `--cfg erase_components`, on
// 2026-11-23; 222.7 kB (wasm 211.5 kB, Node's zlib as below) on 2026-11-24 after Google Pay through the Payment Request
// API, the attempt's Idempotency-Key in sessionStorage and the saved methods' brand badges
// (+23.5 kB of wasm code before compression, 5 kB of it the quote/confirm calls no longer inlined);
// 222.1 kB later that day with the config prefetch, after every API answer is read as text and
// parsed by one generic function (was: gloo's json per answer type). 2026-12-06: 222.4 kB after
// WALLET's Done action (+1.4 kB: one more network call and its screen), paid for by the talc
// allocator (-0.6 kB against dlmalloc) and the budget's last headroom.
// The product goal is 80 kB (see docs/PERFORMANCE.md); lower this figure whenever the build
// shrinks, and raise it only with a measured reason in the commit.
// 2026-12-06, split by entry point (issue #21): the server serves each session the build that
// holds its mode, so a payer downloads one of two builds: the payment modes' (dist/, 199.9 kB) or
// the wallet-management modes' (dist/manage/, 185.1 kB), against 222.4 kB for every mode in one.
// The budget is the heavier build's. Raised to 201,700 the same day for the session's line items
// listed above the total (issue #20): +1.6 kB measured (the config's new field and one text
// block; a derived visitor and a list of elements measured +2.8 kB and were not kept).
// Raised to 202,000 for the reference a payer reads under an error the API answered (issue #22):
// +334 B measured (the error body's requestId field and one sentence; was estimated at +2.3 kB
// with a header read and a field of the client's error).
// Raised to 203,700 for typed event details (issue #22): the widget emits the structs of
// `checkout_types::events`, from which merchants' govifi.d.ts is generated, so the two cannot
// drift; +1.7 kB measured (their derived serializers; through serde_json::Value it was +2.2 kB).
// Lowered to 203,600 with wasm-opt `--converge --strip-debug --strip-producers` (-112 B on the
// payment build; `--low-memory-unused` would save 650 B more but assumes the first 1 kB of memory
// unused, which the stack at the bottom of Rust's wasm memory does not promise: not taken).
// Raised to 205,200 for Google Pay asked with the merchant's wallet settings (issue #18): the
// config's googlePay (environment, merchant id, gateway, gateway merchant id) read by the widget,
// +1.5 kB measured (a derived visitor for it was 83 B more).
// Raised to 209,700 for Apple Pay (issue #18): ApplePaySession driven from the click, merchant
// validation through the API (an async call inside Safari's event), its token read, a quote per
// wallet, and the Permissions-Policy check with its `change` event; +4.5 kB measured (209,618 B).
// Raised to 211,000 for agent-assisted links (issue #19): the payment build reads a link's
// credential (`#lk=`, `/link/{id}`), carries the config's `agent` field and the shared stylesheet's
// agent rules, +1.25 kB measured (210,868 B); the agent's screen itself is a third build
// (dist/agent/, 153.4 kB) that payers never download.
// Raised to 211,600 for a session's card brands (issue #18: the wallets ask only for the session's
// networks): the config's cardBrands, Google Pay's networks from it, the refusal's sentence in
// both languages; +681 B measured (211,544 B).
// Raised to 217,600 for the 3-D Secure challenge (issue #23): the dialog over the form (inert form,
// focus on open, Escape and Cancel), the issuer page's messages, the completion call, the re-sent
// confirm, four sentences in two languages and its CSS; +5.9 kB measured (217,483 B). Measured on the
// way: the challenge read through a derived struct cost 1.37 kB more (read as JSON instead),
// leptos's window_event_listener 140 B more than a plain listener, the Escape handler 313 B (kept).
// Lowered to 217,450 with the form's confirms awaited in one place (-52 B, 217,431 B); the dialog as
// a function of its own returning AnyView measured +534 B and was not taken.
// Lowered to 197,100 (issue #21, 2026-12-07; payment 196,989 B, manage 174,205 B, agent 138,512 B):
// the config read by a plain task into a signal instead of a LocalResource (-10.7 kB: Leptos'
// async derived signals, transitions and std's channels under them left the wasm), fetch through
// web-sys instead of gloo-net (-4.4 kB), answers parsed by the browser's JSON.parse and read with
// serde-wasm-bindgen instead of serde_json's parser (-2.4 kB), wasm-bindgen's glue and the
// stylesheet minified by esbuild with their integrity rewritten (-2.1 and -0.8 kB). Measured and
// not taken: rustc opt-level "s" (+18.5 kB against "z"), wasm-opt --gufa / -O3 / merging passes
// (+0 to +0.8 kB), the config's events emitted from its task instead of an Effect (+0.6 kB).
// Lowered to 194,600 (payment 194,552 B, manage 169,146 B, agent 135,677 B): serde_json's writer and
// its `json!` out of the payer builds (events and request bodies serialized by serde-wasm-bindgen
// and written by JSON.stringify; the wallets' request objects built without `to_value(..).unwrap()`,
// which carried serde_json's and std::io's error messages), -2.4 kB.
// Lowered to 183,700 (payment 183,647 B, manage 157,248 B, agent 124,876 B): the API's answers
// and the pages' messages read by the widget's own deserializer over the parsed JS value
// (src/json.rs) instead of serde-wasm-bindgen's, whose errors carry messages: with them every
// serde error sentence and f64's Display (9.5 kB of code alone) were linked. -10.9 kB.
// Lowered to 179,900 (payment 179,803 B, under the 180 kB goal; manage 157,236 B, agent
// 124,872 B): the wallets' request objects inserted field by field; collecting them into serde_json's
// map sorted each first, one stable sort per call site in the wasm (4 x 1.5 kB of code), -3.8 kB.
// Lowered to 179,300 (payment 179,251 B, manage 156,499 B, agent 124,435 B): the JSON reader's
// JS calls in one non-generic function instead of inside each `deserialize_any` instance, -552 B
// (most of those instances' size is serde's derived visitors inlined into them, not the reader).
// Raised to 179,350 (payment 179,301 B, +50 B): the confirm's body is written once and that text is
// both sent and used as the attempt's key (it was written twice or three times per confirm), and the
// widget's JSON helpers moved into src/json.rs.
// Lowered to 174,600 (payment 174,552 B, manage 151,025 B, agent 124,374 B): the saved-method radios
// listed by a plain iterator instead of a keyed <For> (-4.7 kB payment, -5.5 kB manage): its diffing,
// IndexMap and per-row state machinery for lists of a few methods that the payment screen never
// changes. Measured and not kept the same day: the payment build split after the link by
// wasm_split_cli (commit b4fff56, reverted): -8.3 kB before the form is interactive, +19.6 kB in all.
// Lowered to 168,300 (payment 168,265 B, manage 144,736 B, agent 117,967 B): the API's answers read
// field by field by src/json.rs's `FromJs` (a non-generic getter call per field) instead of serde's
// derived visitors driven by a Deserializer instantiated per type (-6.3 kB in each build). On the way:
// collecting into maps sorted the pairs first (std's stable sort, 8 kB of code) and collecting
// `Result`s instantiated an adapter per item type; loops that insert and push instead. Each field's
// getter not inlined measured +351 B; the struct readers without early returns -80 B (not taken).
// Raised to 168,600 (payment 168,570 B, +305 B; manage 145,071 B, agent 118,249 B) for the card
// form's skeleton on the payment page (index.html): the widget keeps the page's boot screen until
// its first screen and removes it while attaching that screen (src/lib.rs), and the stylesheet has
// the skeleton's bars and boxes; the page itself (not counted here) is 1.5 kB (0.3 kB gzip) larger.
// Lowered to 166,450 (payment 166,419 B, manage 143,146 B, agent 108,896 B): request bodies and page
// events written field by field by src/json.rs's `ToJs` instead of serde-wasm-bindgen's Serializer
// instantiated per type (-2.1 kB payment, -2.0 kB manage), and the agent's view read by `FromJs`
// instead of serde's derived visitors over a serde_json::Value (agent -9.4 kB in all).
// Lowered to 165,650 (payment 165,617 B, manage 142,722 B, agent 108,768 B): LLVM's inliner at
// threshold 0 for the wasm target (.cargo/config.toml; -0.8 kB payment; threshold -20 measured +0.9
// kB against 0, threshold 25 +4.1 kB).
// Lowered to 162,700 (payment 162,670 B, manage 140,563 B, agent 107,862 B): wasm-opt inlines a
// function with one caller only up to 20 bytes (binaryen's -Oz: any size) and always up to 4 (-Oz: 2)
// (-2.9 kB payment; one-caller limits 0/5/10/40/80/200 and always-inline 0/3/5/6/8/12 measured worse).
// Lowered to 162,000 (payment 161,962 B, manage 139,997 B, agent 107,545 B): wasm-opt told that the
// lowest 1 KiB of memory is never used (--low-memory-unused; the stack comes first, data above 1 MiB).
// Lowered to 161,050 (payment 161,049 B, manage 139,470 B, agent 106,907 B): then wasm-opt's
// `--flatten --rereloop -Oz` (the control flow rebuilt by the Relooper and shrunk again).
// Lowered to 158,150 (payment 158,100 B, manage 139,490 B, agent 106,905 B): the device wallets'
// requests built as JS objects field by field and their answers read by path (src/express.rs), not
// through serde_json::Value (its pointer lookups, its IndexMut and that one's panic formatting).
// Lowered to 153,750 (payment 153,746 B, manage 135,246 B, agent 106,905 B): the card number's groups
// and the expiry's month and year split with `split_at_checked` instead of slicing by index
// (types/src/validate/card.rs): the slicing's panic path formatted `char`s with Debug, which linked
// core's escaping tables and formatter (-4.4 kB payment, -4.2 kB manage).
// Lowered to 153,100 (payment 153,086 B, manage 134,551 B, agent 106,882 B): a client secret's session
// found by comparing bytes, not `split_once("_secret_")` (core's two-way string searcher).
// Then 153,000 (payment 152,993 B, manage 134,450 B, agent 106,804 B from a clean target/): the figures
// above from 2f5399e to here were built with rustup's rust-src component installed (for a -Zbuild-std
// measurement), which writes std's panic locations with the longer local path (+0.1 kB).
// Lowered to 152,960 (payment 152,953 B) after the review's PaymentItem written once (src/express.rs).
// Lowered to 149,000 (payment 148,996 B, manage 130,507 B, agent 103,427 B): send_wrapper patched
// (vendor/README.md) so single-threaded wasm no longer links std's thread handle (-4.0 kB payment).
// Lowered to 147,450 (payment 147,446 B, manage 129,005 B, agent 102,035 B): wasm-opt removes the
// exports of wasm-streams' JS classes (server_fn's stream sources, unused here) and the code they kept.
// Lowered to 146,450 (payment 146,442 B, manage 126,818 B, agent 99,678 B): the session's config
// moves from its signal into its screen instead of being copied (SessionConfig's clone leaves).
// Lowered to 146,020 (payment 146,017 B, manage 126,353 B, agent 99,639 B): ARIA states written as
// static texts (crate::aria) instead of bool::to_string's formatted String.
// Lowered to 145,910 (payment 145,903 B): the confirm's key renewal as one send in a loop of two.
// Lowered to 145,895 (payment 145,885 B): the stored secret read only when the fragment has none.
// Lowered to 140,060 (payment 140,050 B, manage 120,042 B, agent 93,304 B): leptos patched
// (vendor/README.md) so server_fn's browser client (gloo-net, wasm-streams) is no longer linked;
// wasm-opt's removal of wasm-streams' exports, which that replaces, is gone with it.
// Lowered to 137,920 (payment 137,913 B, manage 118,023 B, agent 91,532 B): no serde_json::Value in
// the widget (the contract types Apple Pay's options, the agent's screen and the challenge; an error
// body is read as its text fields, src/api.rs Failure).
// 137,911 B once Failure's reader moved beside it (src/api.rs). Lowered to 137,790 (payment 137,782 B,
// manage 117,305 B, agent 89,857 B): each build's stylesheet pruned to its own rules
// (scripts/minify-dist.mjs). Lowered to 137,510 (payment 137,503 B, manage 117,010 B, agent 89,594 B):
// the review's one reader of an object's text fields (json::text_fields) for the error body and the theme.
const BUDGET_GZIP_BYTES = 137_510;
// The card build (dist/card/, issue #21): what the payer of a card-only PAYMENT session downloads
// (no bank account, device wallet or saved methods; checkout_types PaymentScreen::CardForm), the
// payment screen without the bank form, the saved methods and the device wallets.
const CARD_BUDGET_GZIP_BYTES = 119_640; // card 128,910 B at its introduction; 128,924 B once the API and the
// build share one rule (PaymentScreen::needed) instead of each composing its own; 128,910 B with a check
// per part (needs_more_methods, needs_device_wallets); 128,881 B with the stored secret read on reloads
// only; 122,390 B with leptos patched (no server_fn browser client); 120,410 B without serde_json::Value; 119,956 B with its own stylesheet; 119,630 B
// with json::text_fields
// The forms build (dist/forms/): a payment session without device wallets (PaymentScreen::Forms),
// the card and bank forms and saved methods.
const FORMS_BUDGET_GZIP_BYTES = 127_200; // forms 135,966 B at its introduction; 135,974 B with the shared rule;
// 135,940 B with the stored secret read on reloads only; 129,647 B with leptos patched; 127,823 B without
// serde_json::Value; 127,502 B with its own stylesheet; 127,199 B
// with json::text_fields
// The express build (dist/express/): a payment session with Google Pay or Apple Pay and nothing
// else beyond the card form (PaymentScreen::CardAndWallets): the card form and the device wallets.
const EXPRESS_BUDGET_GZIP_BYTES = 130_280; // express 139,298 B at its introduction; 139,279 B with the stored
// secret read on reloads only; 133,093 B with leptos patched; 130,807 B without serde_json::Value; 130,545 B with its
// own stylesheet; 130,273 B with json::text_fields

// Each build's directory under dist/ ('' is the payment build) and its budget.
const BUDGETS: Record<string, number> = {
  '': BUDGET_GZIP_BYTES,
  forms: FORMS_BUDGET_GZIP_BYTES,
  card: CARD_BUDGET_GZIP_BYTES,
  express: EXPRESS_BUDGET_GZIP_BYTES,
  manage: BUDGET_GZIP_BYTES,
  agent: BUDGET_GZIP_BYTES,
};

// A build's directory under dist/ and the files its page loads (wasm, glue, stylesheet).
function built(build: string) {
  const dist = join(__dirname, '..', 'dist', build);
  return { dist, files: readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)) };
}

for (const [build, budget] of Object.entries(BUDGETS)) {
  test(`wasm + js + css of the ${build || 'payment'} build stay within the gzip budget`, () => {
    const { dist, files } = built(build);
    expect(files.some((f) => f.endsWith('.wasm'))).toBe(true);
    let total = 0;
    for (const f of files) {
      const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
      console.log(`${build || 'payment'}/${f}: ${gz} bytes gzip`);
      total += gz;
    }
    console.log(`${build || 'payment'} total: ${total} bytes gzip (budget ${budget})`);
    expect(total).toBeLessThanOrEqual(budget);
  });
}

// Brotli, which browsers ask for (Chromium even over plain HTTP): what a payer of each payment
// session downloads before the card form is interactive is all of its build, and issue #21's goal
// for it is 115 kB. Node's brotli at quality 11 (the served copies, Debian's brotli -q 11, are
// within a byte of it). The goal, not a ratchet: brotli moves by tens of bytes when code merely
// moves (a reader moved between two modules: forms +43 B, express +83 B brotli, gzip -1 B), so the
// gzip budgets above are the ratchet. Measured when the goal was first met (leptos patched):
// payment 114,269 B; without serde_json::Value: payment 112,485 B, forms 104,509 B, card 99,187 B,
// express 107,170 B; each with its own stylesheet: payment 112,378 B, forms 104,240 B, card 98,794 B
// (Adyen's core + Card: 98,985 B), express 106,944 B; with json::text_fields payment 112,098 B, forms
// 103,972 B, card 98,740 B, express 106,720 B.
const BROTLI_GOAL_BYTES = 115_000;

for (const build of ['', 'forms', 'card', 'express']) {
  test(`wasm + js + css of the ${build || 'payment'} build stay within the 115 kB brotli goal`, () => {
    const { dist, files } = built(build);
    let total = 0;
    for (const f of files) {
      const bytes = readFileSync(join(dist, f));
      total += brotliCompressSync(bytes, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length;
    }
    console.log(`${build || 'payment'} total: ${total} bytes brotli (goal ${BROTLI_GOAL_BYTES})`);
    expect(total).toBeLessThanOrEqual(BROTLI_GOAL_BYTES);
  });
}

// The API serves content-hashed files as immutable for a year (api/src/pages.rs). Minifying after
// Trunk changes a file's bytes: its name must change with them, or a browser holding the old bytes
// under the old name fails the page's integrity check and drops the stylesheet or the glue.
for (const build of Object.keys(BUDGETS)) {
  test(`the ${build || 'payment'} build's glue and stylesheet are named after their own bytes`, () => {
    const dist = join(__dirname, '..', 'dist', build);
    const page = readFileSync(join(dist, 'index.html'), 'utf8');
    const files = readdirSync(dist).filter((f) => /\.(js|css)$/.test(f));
    expect(files.length).toBe(2);
    for (const f of files) {
      const bytes = readFileSync(join(dist, f));
      const named = /-([0-9a-f]{16})\.(?:js|css)$/.exec(f)?.[1];
      expect(named, f).toBe(createHash('sha256').update(bytes).digest('hex').slice(0, 16));
      expect(page).toContain(f);
      expect(page).toContain('sha384-' + createHash('sha384').update(bytes).digest('base64'));
    }
  });
}

// The API serves a file's precompressed copy (`.br`, `.gz`, scripts/build-widget) in its place
// whenever the browser accepts the encoding, under the same immutable name: a copy left from an
// earlier build, or cut short, would be what payers run. Each must decode to its file, byte for
// byte. The gzip copies are zopfli's (scripts/setup installs it): their sizes are logged beside the
// budget test's gzip -9 total above.
for (const build of Object.keys(BUDGETS)) {
  test(`the ${build || 'payment'} build's precompressed copies decode to the files they stand for`, () => {
    const { dist, files } = built(build);
    const served = { gz: 0, br: 0 };
    for (const f of files) {
      const bytes = readFileSync(join(dist, f));
      const gz = readFileSync(join(dist, `${f}.gz`));
      expect(gunzipSync(gz).equals(bytes), `${f}.gz`).toBe(true);
      served.gz += gz.length;
      if (existsSync(join(dist, `${f}.br`))) {
        const br = readFileSync(join(dist, `${f}.br`));
        expect(brotliDecompressSync(br).equals(bytes), `${f}.br`).toBe(true);
        served.br += br.length;
      }
    }
    console.log(`${build || 'payment'} as served: ${served.gz} bytes gzip, ${served.br} bytes brotli`);
  });
}
