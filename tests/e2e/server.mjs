// Tiny static file server for the end-to-end tests (node:http only).
//
// Serves DIST_DIR (default <repo>/dist) under the sub-path /tools/profdrop/ on
// 127.0.0.1 with an ephemeral port, so the page is exercised the way it is deployed
// (not at the origin root). Every request is recorded so tests can assert on them.
//
//   import { start } from './server.mjs';
//   const srv = await start();          // { url, origin, base, dir, requests, close }
//   await page.goto(srv.url);           // http://127.0.0.1:PORT/tools/profdrop/
//   srv.requests                        // [{ method, path, status, time }]
//   await srv.close();
//
// Run it by hand: `node tests/e2e/server.mjs` prints the URL and serves until Ctrl-C.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const DEFAULT_DIST_DIR = path.join(REPO_ROOT, 'dist');
export const BASE_PATH = '/tools/profdrop/';

// Only these extensions are served; anything else is a 404 (so an asset type the page
// starts to depend on shows up as a failure here, not silently in production).
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.gz': 'application/octet-stream',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** The directory to serve: env DIST_DIR (relative paths resolve from the cwd) or <repo>/dist. */
export function distDir() {
  return process.env.DIST_DIR ? path.resolve(process.env.DIST_DIR) : DEFAULT_DIST_DIR;
}

/** Throws a clear error when the page has not been built. */
export function assertDistBuilt(dir = distDir()) {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(
      `dist/ not built: run make dist (no ${index}` +
        (process.env.DIST_DIR ? `; DIST_DIR=${process.env.DIST_DIR}` : '') +
        ')',
    );
  }
}

/**
 * Start the server. `opts.extra({ pathname, req, res, send })`, when given, sees each GET first
 * and returns true when it answered (a test's own routes: a docs page that embeds profdrop,
 * profiles outside dist/, a slow download); `send(status, headers, body)` records the status.
 * @param {{dir?: string, base?: string, host?: string, port?: number, extra?: Function}} [opts]
 * @returns {Promise<{url: string, origin: string, base: string, dir: string,
 *   requests: {method: string, path: string, status: number, time: number}[],
 *   close: () => Promise<void>}>}
 */
export async function start(opts = {}) {
  const dir = path.resolve(opts.dir ?? distDir());
  const base = opts.base ?? BASE_PATH;
  const host = opts.host ?? '127.0.0.1';
  assertDistBuilt(dir);

  const requests = [];
  const server = http.createServer((req, res) => {
    const entry = { method: req.method, path: req.url, status: 0, time: Date.now() };
    requests.push(entry);
    const send = (status, headers = {}, body = null) => {
      entry.status = status;
      res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = () => send(404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'not found\n');

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'method not allowed\n');
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return notFound();
    }
    if (opts.extra && opts.extra({ pathname, req, res, send })) return;
    if (pathname === base.replace(/\/$/, '')) {
      return send(301, { Location: base });
    }
    if (!pathname.startsWith(base)) return notFound();

    let rel = pathname.slice(base.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (rel.includes('\0')) return notFound();
    const file = path.resolve(dir, rel);
    if (file !== dir && !file.startsWith(dir + path.sep)) return notFound();

    const type = MIME_TYPES[path.extname(file).toLowerCase()];
    if (!type) return notFound();
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return notFound();
    }
    if (!stat.isFile()) return notFound();
    const body = fs.readFileSync(file);
    send(200, { 'Content-Type': type, 'Content-Length': String(body.length) }, body);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address();
  const origin = `http://${host}:${port}`;
  return {
    url: origin + base,
    origin,
    base,
    dir,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srv = await start({ port: process.env.PORT ? Number(process.env.PORT) : 0 });
  console.log(`serving ${srv.dir} at ${srv.url}`);
}
