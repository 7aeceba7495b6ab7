// The analysis worker: decoding and analysis run here, off the page's thread. Its first
// message is the app's compiled WebAssembly module (from whoever started it), or no module:
// it then fetches and compiles it itself.
import init, { worker_entry } from './profdrop.js';

// Messages that arrive while the module initialises are queued and replayed.
const queue = [];
let booting = null;
self.onmessage = (e) => {
  if (!booting && e.data && e.data.kind === 'module') booting = boot(e.data.module);
  else queue.push(e);
};

async function boot(module) {
  await init({ module_or_path: module ?? new URL('./profdrop_bg.wasm', import.meta.url) });
  worker_entry();
  for (const e of queue) self.onmessage(e);
}
