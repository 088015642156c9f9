//! With the `split` feature (the payment build, issue #21), the widget's wasm keeps the linker's
//! relocations (`--emit-relocs`): wasm_split_cli needs them to cut it into chunks
//! (scripts/split-dist.mjs). Only this binary's link changes, so no dependency is rebuilt; a build
//! without the feature is a standard wasm, which wasm-opt can optimize as it is.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
