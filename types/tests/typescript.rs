//! `api/static/govifi.d.ts`, the TypeScript declarations merchants use for `<govifi-payment>`,
//! its events' `detail` and `Govifi.mount`, generated from the Rust types the widget emits
//! (`checkout_types::events`). Fails when the committed file differs from what the types make
//! (regenerate: `UPDATE_TS=1 cargo test -p checkout-types --features ts --test typescript`).
#![cfg(feature = "ts")]

use checkout_types::error::ErrorTitle;
use checkout_types::events::{Canceled, Failed, MethodChanged, MethodDone, Paid, Quoted, Ready, Resized, WalletChanged, WalletsUnavailable};
use checkout_types::money::{Currency, MinorUnit};
use checkout_types::payment::{MethodSummary, PaymentStatus, PaymentSummary};
use checkout_types::quote::PaymentMethodKind;
use checkout_types::session::{Mode, SavedMethod, SessionStatus};
use checkout_types::wallet::WalletDone;
use ts_rs::TS;

const HEADER: &str = "// <govifi-payment>: TypeScript declarations for the element, its events and Govifi.mount.
// Generated from the checkout's Rust wire types (types/src/events.rs and the types they use) by
// types/tests/typescript.rs; do not edit. Served at /v1/govifi.d.ts.
";

const ELEMENT: &str = "
/** The `detail` of each event the element dispatches (bubbling, composed CustomEvents). */
export interface GovifiEventDetailMap {
  ready: Ready;
  change: MethodChanged | WalletChanged | WalletsUnavailable;
  quote: Quoted;
  success: Paid | MethodDone | WalletDone;
  error: Failed;
  cancel: Canceled;
  resize: Resized;
}

export type GovifiEventName = keyof GovifiEventDetailMap;

/** `<govifi-payment checkout-session-id=\"…\" client-secret=\"…\" locale=\"en\">`. */
export interface GovifiPaymentElement extends HTMLElement {
  addEventListener<K extends GovifiEventName>(
    type: K,
    listener: (this: GovifiPaymentElement, ev: CustomEvent<GovifiEventDetailMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** `Govifi.mount(container, options)`: the element, made and appended for you. */
export interface GovifiMountOptions {
  /** The session's client secret (`clientSecret` of the create answer). */
  clientSecret?: string;
  /** The session's id; read from the secret when absent. */
  checkoutSessionId?: string;
  /** `en` or `es`. */
  locale?: string;
  onSuccess?: (detail: GovifiEventDetailMap['success']) => void;
  onError?: (detail: GovifiEventDetailMap['error']) => void;
  onEvent?: <K extends GovifiEventName>(name: K, detail: GovifiEventDetailMap[K]) => void;
}

export interface Govifi {
  mount(container: Element, options: GovifiMountOptions): GovifiPaymentElement;
}

declare global {
  interface HTMLElementTagNameMap {
    'govifi-payment': GovifiPaymentElement;
  }
  interface Window {
    Govifi: Govifi;
  }
}
";

fn declarations() -> String {
    let decls = [
        ErrorTitle::decl(),
        Currency::decl(),
        MinorUnit::decl(),
        Mode::decl(),
        SessionStatus::decl(),
        PaymentStatus::decl(),
        PaymentMethodKind::decl(),
        MethodSummary::decl(),
        PaymentSummary::decl(),
        SavedMethod::decl(),
        WalletDone::decl(),
        Ready::decl(),
        MethodChanged::decl(),
        WalletChanged::decl(),
        WalletsUnavailable::decl(),
        Quoted::decl(),
        Paid::decl(),
        MethodDone::decl(),
        Failed::decl(),
        Resized::decl(),
        Canceled::decl(),
    ];
    let mut out = HEADER.to_owned();
    for d in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    out.push_str(ELEMENT);
    out
}

#[test]
fn govifi_d_ts_is_what_the_rust_types_make() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/static/govifi.d.ts");
    let made = declarations();
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::write(&path, &made).expect("write govifi.d.ts");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == made, "api/static/govifi.d.ts is stale: run UPDATE_TS=1 cargo test -p checkout-types --features ts --test typescript");
}
