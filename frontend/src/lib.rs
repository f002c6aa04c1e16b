//! The browser entry point. The pages are rendered on the server; only their islands
//! (`app::pages::islands`) come to life here, each where the server marked it.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::pages::islands::start();
}
