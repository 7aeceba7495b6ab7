//! The page before any file: what to drop, the privacy promise, the examples and the keys.

use yew::prelude::*;

/// Props of [`Welcome`].
#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    /// Open profiles by URL (relative to the page): the bundled examples are fetched as a
    /// link's `#url=` is, so a link to what an example shows names it.
    pub on_urls: Callback<Vec<String>>,
}

/// The welcome panel.
#[function_component(Welcome)]
pub fn welcome(p: &WelcomeProps) -> Html {
    let example = |name: &'static str| {
        let on_urls = p.on_urls.clone();
        Callback::from(move |_: MouseEvent| on_urls.emit(vec![format!("examples/{name}")]))
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
