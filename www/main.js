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

// The two workers (analysis, and the inflate worker that feeds it) boot while this page does,
// from the module compiled here, so that a file dropped as soon as the page shows does not
// wait for them. Each one's first message is the module (or nothing: it then fetches the
// module itself) and its end of a channel between them. The app adopts both (`Bridge`, which
// starts them the same way after a Cancel).
try {
  const url = new URL('./worker.js', import.meta.url);
  const worker = new Worker(url, { type: 'module' });
  let inflater = null;
  try {
    inflater = new Worker(url, { type: 'module', name: 'profdrop-inflate' });
  } catch {
    // Files are then read whole by the analysis worker.
  }
  const boot = (module) => {
    if (inflater) {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ kind: 'module', module, port: port1 }, [port1]);
      inflater.postMessage({ kind: 'module', module, port: port2 }, [port2]);
    } else {
      worker.postMessage({ kind: 'module', module });
    }
  };
  compiled.then(boot, () => boot(undefined));
  globalThis.__profdropWorker = worker;
  globalThis.__profdropInflater = inflater;
} catch {
  // The app starts them itself, and says so if it cannot.
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
