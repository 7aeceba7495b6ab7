// The analysis worker: decoding and analysis run here, off the page's thread.
import init, { worker_entry } from './profdrop.js';

// Messages that arrive while the module initialises are queued and replayed.
const queue = [];
self.onmessage = (e) => queue.push(e);
await init({ module_or_path: new URL('./profdrop_bg.wasm', import.meta.url) });
worker_entry();
for (const e of queue) self.onmessage(e);
