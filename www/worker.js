// A worker of the app: the engine worker, or (named `profdrop-inflate`) the inflate worker.
// Its first message is the boot message (`protocol::wire::Boot`): the app's compiled module
// (none: it is fetched here) and the worker's end of the channel between the two workers.
import init, { worker_entry } from './profdrop.js';

self.addEventListener('message', async (boot) => {
  // Messages that come while the module initialises are handed over with the boot message.
  const early = [];
  const wait = (e) => early.push(e.data);
  self.addEventListener('message', wait);
  await init({ module_or_path: boot.data.module ?? new URL('./profdrop_bg.wasm', import.meta.url) });
  self.removeEventListener('message', wait);
  worker_entry(boot.data, early);
}, { once: true });
