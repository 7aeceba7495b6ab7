// Boots the Yew app. Everything runs in this tab; the analysis runs in ./worker.js.
import init, { run_app } from './profdrop.js';

try {
  await init({ module_or_path: new URL('./profdrop_bg.wasm', import.meta.url) });
  run_app();
} catch (e) {
  document.body.setAttribute('data-state', 'error');
  const div = document.createElement('div');
  div.className = 'panic';
  div.setAttribute('data-testid', 'error');
  div.textContent = 'profdrop could not start: ' + e + ' (this browser needs WebAssembly and module workers).';
  document.body.appendChild(div);
}
