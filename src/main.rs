//! Entry point Trunk builds: mounts the widget on the page's body.

fn main() {
    checkout_widget::start();
}

/// The allocator (issue #21): talc, smaller in the wasm than the standard library's dlmalloc.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
