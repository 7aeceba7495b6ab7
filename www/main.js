// Boots the app: compiles its WebAssembly module once, starts the workers, runs the page.
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

// The engine worker and the inflate worker that feeds it boot while this page does, so that
// a file dropped as soon as the page shows does not wait for them. Each one's first message is
// the boot message (`protocol::wire::Boot`: the module compiled here, and its end of a channel
// between the two). The app adopts both (`run_app`); it starts its own when there are none,
// and again after a Cancel.
let worker = null;
let inflater = null;
try {
  const url = new URL('./worker.js', import.meta.url);
  worker = new Worker(url, { type: 'module' });
  try {
    inflater = new Worker(url, { type: 'module', name: 'profdrop-inflate' });
  } catch {
    // Files are then read whole by the engine worker.
  }
  const boot = (module) => {
    if (inflater) {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ module, port: port1 }, [port1]);
      inflater.postMessage({ module, port: port2 }, [port2]);
    } else {
      worker.postMessage({ module });
    }
  };
  compiled.then(boot, () => boot(undefined));
} catch {
  worker = null;
}

try {
  await init({ module_or_path: await compiled });
  run_app(worker, inflater);
} catch (e) {
  document.body.setAttribute('data-state', 'error');
  const div = document.createElement('div');
  div.className = 'panic';
  div.setAttribute('data-testid', 'error');
  div.textContent = 'profdrop could not start: ' + e + ' (this browser needs WebAssembly and module workers).';
  document.body.appendChild(div);
}
