// A worker of the app: the analysis worker, or (named `profdrop-inflate`) the inflate worker
// that reads and inflates gzip files for it. Its first message is the app's compiled
// WebAssembly module (from the page), or no module: it then fetches and compiles it itself.
// The message also carries its end of the channel between the two workers, if the page made
// one.
import init, { worker_entry } from './profdrop.js';

// Messages that arrive while the module initialises are queued and replayed.
const queue = [];
let booting = null;
self.onmessage = (e) => {
  if (!booting && e.data && e.data.kind === 'module') booting = boot(e.data.module, e.data.port);
  else queue.push(e);
};

async function boot(module, port) {
  await init({ module_or_path: module ?? new URL('./profdrop_bg.wasm', import.meta.url) });
  worker_entry(port ?? null);
  for (const e of queue) self.onmessage(e);
}
