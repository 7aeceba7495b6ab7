//! The page before any file: what to drop, the privacy promise, the examples and the keys.

use wasm_bindgen::JsCast;
use web_sys::File;
use yew::prelude::*;

/// Props of [`Welcome`].
#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    /// An example was fetched: open it.
    pub on_files: Callback<Vec<File>>,
}

/// Fetches a bundled example (same origin) and hands it over as a file.
fn open_example(name: &'static str, on_files: Callback<Vec<File>>) {
    wasm_bindgen_futures::spawn_local(async move {
        let Some(w) = web_sys::window() else { return };
        let url = format!("./examples/{name}");
        let Ok(resp) = wasm_bindgen_futures::JsFuture::from(w.fetch_with_str(&url)).await else { return };
        let resp: web_sys::Response = resp.unchecked_into();
        let Ok(p) = resp.blob() else { return };
        let Ok(blob) = wasm_bindgen_futures::JsFuture::from(p).await else { return };
        let parts = js_sys::Array::of1(&blob);
        if let Ok(f) = File::new_with_blob_sequence(&parts, name) {
            on_files.emit(vec![f]);
        }
    });
}

/// The welcome panel.
#[function_component(Welcome)]
pub fn welcome(p: &WelcomeProps) -> Html {
    let example = |name: &'static str| {
        let on_files = p.on_files.clone();
        Callback::from(move |_: MouseEvent| open_example(name, on_files.clone()))
    };
    html! {
        <section class="welcome">
            <h2>{"Drop pprof profiles anywhere on this page"}</h2>
            <p>{"Heap, allocs, goroutine, CPU, mutex and block profiles from Go's "}<code>{"net/http/pprof"}</code>
               {" (gzipped or raw protobuf), and goroutine dumps from "}<code>{"?debug=1"}</code>{" and "}<code>{"?debug=2"}</code>{". Drop several snapshots to compare them or find leaks."}</p>
            <details class="formats" data-testid="formats">
                <summary>{"What profdrop reads (sniffed from the bytes, gzipped or not)"}</summary>
                <ul>
                    <li>{"pprof protobuf: "}<code>{"/debug/pprof/…"}</code>{", "}<code>{"go tool pprof -proto"}</code>{", any pprof-writing profiler"}</li>
                    <li>{"pprof's legacy formats: Go heap text, tcmalloc heapz, contention, binary CPU profiles, Java's"}</li>
                    <li>{"Go goroutine dumps: "}<code>{"?debug=1"}</code>{", "}<code>{"?debug=2"}</code></li>
                    <li>{"folded stacks: async-profiler "}<code>{"-o collapsed"}</code>{", py-spy "}<code>{"-f raw"}</code>{", stackcollapse / inferno (counts are samples; pick another unit once loaded)"}</li>
                    <li>{"perf: "}<code>{"perf script > out.perf"}</code></li>
                    <li>{"speedscope JSON: "}<code>{"py-spy record -f speedscope"}</code>{", rbspy, Austin, samply"}</li>
                    <li>{"Chrome and Node: DevTools' JavaScript profiler \"Save profile\" or "}<code>{"node --cpu-prof"}</code>{" ("}<code>{".cpuprofile"}</code>{"), Allocation sampling or "}<code>{"node --heap-prof"}</code>{" ("}<code>{".heapprofile"}</code>{")"}</li>
                </ul>
            </details>
            <p class="privacy">{"Everything is decoded and analysed inside this tab. No byte leaves your machine."}</p>
            <p class="examples">{"Or open an example: "}
                <button data-testid="example" onclick={example("heap.pb.gz")}>{"Go heap profile"}</button>
                <button onclick={example("cpu.pb.gz")}>{"Go CPU profile"}</button>
                <button onclick={example("goroutine.pb.gz")}>{"Go goroutine profile"}</button>
            </p>
            <p class="keys">{"Keys: "}<kbd>{"/"}</kbd>{" search · "}<kbd>{"1"}</kbd>{"–"}<kbd>{"4"}</kbd>{" views · "}<kbd>{"Esc"}</kbd>{" reset zoom · "}<kbd>{"d"}</kbd>{" theme"}</p>
        </section>
    }
}
