//! The framework's floor: the vanilla page's card form (bench/vanilla.html) written in Leptos,
//! with the widget's allocator, profile and wasm-opt settings, and nothing else.
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn get(v: &JsValue, k: &str) -> JsValue { js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED) }

/// The config: the answer the page's boot script (the widget's boot/prefetch.js) already asked
/// for while the wasm downloaded, as the widget takes it; a request of its own otherwise.
async fn config() -> Option<(String, f64)> {
    let w = window();
    let body = match prefetched(&w).await {
        Some(body) => body,
        None => {
            let hash = w.location().hash().ok()?;
            let cs = hash.split("cs=").nth(1)?.split('&').next()?.to_owned();
            let id = cs.split("_secret_").next()?.to_owned();
            let init = web_sys::RequestInit::new();
            let headers = web_sys::Headers::new().ok()?;
            headers.set("Authorization", &format!("Bearer {cs}")).ok()?;
            init.set_headers(&headers);
            let p = w.fetch_with_str_and_init(&format!("/v1/sessions/{id}/config"), &init);
            let r: web_sys::Response = wasm_bindgen_futures::JsFuture::from(p).await.ok()?.dyn_into().ok()?;
            wasm_bindgen_futures::JsFuture::from(r.json().ok()?).await.ok()?
        }
    };
    Some((get(&body, "merchantName").as_string().unwrap_or_default(), get(&body, "amount").as_f64().unwrap_or(0.0)))
}

async fn prefetched(w: &web_sys::Window) -> Option<JsValue> {
    let answer = get(&get(w, "__checkoutConfig"), "answer").dyn_into::<js_sys::Promise>().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(answer).await.ok()?;
    js_sys::JSON::parse(&get(&answer, "body").as_string()?).ok()
}

#[component]
fn Field(id: &'static str, label: &'static str, ac: &'static str) -> impl IntoView {
    let value = RwSignal::new(String::new());
    view! { <div class="field"><label for=id>{label}</label>
        <input id=id autocomplete=ac inputmode="numeric" prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) /></div> }
}

#[component]
fn App() -> impl IntoView {
    let cfg = RwSignal::new(None::<(String, f64)>);
    leptos::task::spawn_local(async move { cfg.set(config().await) });
    Effect::new(move |_| {
        if cfg.with(Option::is_some) {
            if let Some(p) = window().performance() { let _ = p.mark("checkout-ready"); }
        }
    });
    move || match cfg.get() {
        None => view! { <p id="status">"Loading…"</p> }.into_any(),
        Some((name, amount)) => view! {
            <header class="summary"><p class="merchant">"Pay " {name}</p><p class="amount">{format!("${:.2}", amount / 100.0)}</p></header>
            <form class="pay">
                <Field id="card-number" label="Card number" ac="cc-number" />
                <Field id="card-expiry" label="Expiry (MM / YY)" ac="cc-exp" />
                <Field id="card-cvc" label="Security code" ac="cc-csc" />
                <button class="primary" type="submit">"Pay"</button>
            </form>
        }.into_any(),
    }
}

fn main() {
    let main = document().query_selector("main").ok().flatten().and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(m) = main { leptos::mount::mount_to(m, App).forget(); }
}
