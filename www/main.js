// Boots the Yew app. Everything runs in this tab; the analysis runs in ./worker.js.
import init, { run_app } from './profdrop.js';

const wasmUrl = new URL('./profdrop_bg.wasm', import.meta.url);

/** The app's WebAssembly module, compiled once: the page and its workers all run it. */
async function compile() {
  try {
    return await WebAssembly.compileStreaming(fetch(wasmUrl));
  } catch {
    // (A server that does not say application/wasm.)
    return WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer());
  }
}
const compiled = compile();

// The analysis worker (and the inflate worker it starts) boots while this page does, from the
// module compiled here: a file dropped as soon as the page shows does not wait for it. Every
// worker's first message is the module (or nothing: it then fetches the module itself). The
// app adopts this worker.
try {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  compiled.then((module) => worker.postMessage({ kind: 'module', module }), () => worker.postMessage({ kind: 'module' }));
  globalThis.__profdropWorker = worker;
} catch {
  // The app starts one itself, and says so if it cannot.
}

try {
  await init({ module_or_path: await compiled });
  run_app();
} catch (e) {
  document.body.setAttribute('data-state', 'error');
  const div = document.createElement('div');
  div.className = 'panic';
  div.setAttribute('data-testid', 'error');
  div.textContent = 'profdrop could not start: ' + e + ' (this browser needs WebAssembly and module workers).';
  document.body.appendChild(div);
}
