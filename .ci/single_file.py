#!/usr/bin/env python3
"""Writes profdrop as one self-contained HTML file (`make single-file`: dist/profdrop.html).

    python3 .ci/single_file.py [DIST_DIR] [OUT]      # defaults: dist, DIST_DIR/profdrop.html

Every file of the built site (DIST_DIR, recursively: the wasm, the JS, the CSS, the examples, and
whatever else a build puts there) goes into the page as base64 in a non-executable
`<script type="application/octet-stream" data-asset=PATH>` block. A small loader (an inline
module, allowed by its hash in the page's Content-Security-Policy) turns them into Blob URLs when
the page opens and then runs the page's own scripts from them:

- JavaScript modules: every string literal that names another file of the site, relative to the
  module (`'./profdrop.js'`, `new URL('./worker.js', import.meta.url)`), is replaced by that
  file's Blob URL, dependencies first;
- `fetch` of a file of the site (by its relative path, resolved against the page, or by its
  Blob URL) is answered from memory; any other fetch fails without a request;
- workers: browsers refuse module workers from a `file://` page, so each JavaScript file is also
  bundled here into one classic script (its imports inlined, `export`s turned into an object)
  and `new Worker(file of the site)` starts that bundle as a classic worker.

The page's Content-Security-Policy keeps its promise and more: `connect-src 'none'` (no request
to anywhere), scripts only from the hashed loader and its Blob URLs.
"""

import base64
import hashlib
import html
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tempfile

MIME = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gz": "application/octet-stream",
    ".txt": "text/plain",
}

CSP = (
    "default-src 'none'; script-src {hash} blob: 'wasm-unsafe-eval'; worker-src blob:; connect-src 'none'; "
    "img-src data: blob:; style-src 'unsafe-inline'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def fail(msg):
    sys.exit(f"single_file.py: {msg}")


def mime_of(path):
    ext = os.path.splitext(path)[1].lower()
    return MIME.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def is_js(path):
    return path.endswith((".js", ".mjs"))


IMPORT_RE = re.compile(r"""^[ \t]*import\s+([^'";]*?)\s*from\s*(['"])([^'"]+)\2\s*;?[ \t]*$""", re.M)
BARE_IMPORT_RE = re.compile(r"""^[ \t]*import\s*(['"])([^'"]+)\1\s*;?[ \t]*$""", re.M)
EXPORT_DECL_RE = re.compile(r"^([ \t]*)export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)", re.M)
EXPORT_LIST_RE = re.compile(r"^[ \t]*export\s*\{([^}]*)\}\s*;?[ \t]*$", re.M)
EXPORT_DEFAULT_RE = re.compile(r"^([ \t]*)export\s+default\s+", re.M)


def is_module(text):
    """Has the file ES module syntax (import/export statements, import.meta)?"""
    return bool(IMPORT_RE.search(text) or BARE_IMPORT_RE.search(text) or re.search(r"^[ \t]*export\s", text, re.M) or "import.meta" in text)


def resolve(from_path, spec):
    """The site path a relative specifier in `from_path` names, or None."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", spec, re.I) or spec.startswith("/"):
        return None
    base = os.path.dirname(from_path)
    return os.path.normpath(os.path.join(base, spec)).replace(os.sep, "/")


class Unbundleable(Exception):
    pass


def bundle_module(path, files, out, done, stack):
    """Appends module `path` (and, first, what it imports) to `out` as classic script."""
    if path in done:
        return
    if path in stack:
        raise Unbundleable(f"import cycle through {path}")
    stack.append(path)
    text = files[path].decode("utf-8")
    if re.search(r"\bimport\s*\(", text):
        raise Unbundleable(f"{path} imports dynamically")
    if re.search(r"^[ \t]*export\s*\*", text, re.M):
        raise Unbundleable(f"{path} re-exports")
    head = []

    def dep(spec):
        target = resolve(path, spec)
        if target not in files:
            raise Unbundleable(f"{path} imports {spec}, not a file of the site")
        bundle_module(target, files, out, done, stack)
        return json.dumps(target)

    def on_import(m):
        clause, spec = m.group(1).strip(), m.group(3)
        key = dep(spec)
        parts = []
        ns = re.fullmatch(r"\*\s+as\s+([\w$]+)", clause)
        if ns:
            return f"const {ns.group(1)} = __m[{key}];"
        named = re.search(r"\{([^}]*)\}", clause)
        default = clause.split("{")[0].strip().rstrip(",").strip()
        if default:
            parts.append(f"const {default} = __m[{key}].default;")
        if named:
            items = []
            for item in named.group(1).split(","):
                item = item.strip()
                if not item:
                    continue
                a, _, b = item.partition(" as ")
                items.append(f"{a.strip()}: {b.strip()}" if b else a.strip())
            parts.append(f"const {{ {', '.join(items)} }} = __m[{key}];")
        return " ".join(parts)

    text = IMPORT_RE.sub(on_import, text)
    text = BARE_IMPORT_RE.sub(lambda m: (dep(m.group(2)), "")[1], text)
    exports = {}

    def on_decl(m):
        exports[m.group(3)] = m.group(3)
        return f"{m.group(1)}{m.group(2)} {m.group(3)}"

    text = EXPORT_DECL_RE.sub(on_decl, text)

    def on_list(m):
        for item in m.group(1).split(","):
            item = item.strip()
            if item:
                local, _, name = item.partition(" as ")
                exports[(name or local).strip()] = local.strip()
        return ""

    text = EXPORT_LIST_RE.sub(on_list, text)
    if EXPORT_DEFAULT_RE.search(text):
        text = EXPORT_DEFAULT_RE.sub(r"\1const __default = ", text, count=1)
        exports["default"] = "__default"
    text = text.replace("import.meta.url", "self.location.href")
    if "import.meta" in text:
        raise Unbundleable(f"{path} uses import.meta beyond its url")
    getters = ", ".join(f"get {json.dumps(k)}() {{ return {v}; }}" for k, v in exports.items())
    out.append(f"// {path}\n__m[{json.dumps(path)}] = (function () {{\n{''.join(head)}{text}\nreturn {{ {getters} }};\n}})();\n")
    stack.pop()
    done.add(path)


def worker_bundle(path, files):
    """A classic script that runs `path` (a module and its imports), or None when it cannot be one."""
    text = files[path].decode("utf-8")
    if not is_module(text):
        return files[path]
    out = []
    try:
        bundle_module(path, files, out, set(), [])
    except Unbundleable as e:
        print(f"  (no classic worker script for {path}: {e})")
        return None
    code = "(function () {\nconst __m = Object.create(null);\n" + "".join(out) + "})();\n"
    # A module with top-level await (a page script, not a worker) is no classic script.
    node = shutil.which("node")
    if node:
        with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as f:
            f.write(code)
        try:
            ok = subprocess.run([node, "--check", f.name], capture_output=True).returncode == 0
        finally:
            os.unlink(f.name)
        if not ok:
            print(f"  (no classic worker script for {path}: not valid as one)")
            return None
    return code.encode("utf-8")


LOADER = r"""
// profdrop, single file: the site's files are in the data blocks above; run it from memory.
const decode = (b64) => { const s = atob(b64); const a = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return a; };
const files = new Map();    // site path -> { type, bytes }
const bundles = new Map();  // site path -> classic worker script (bytes)
for (const el of document.querySelectorAll('script[data-asset]')) {
  files.set(el.dataset.asset, { type: el.dataset.type, bytes: decode(el.textContent.trim()) });
}
for (const el of document.querySelectorAll('script[data-bundle]')) bundles.set(el.dataset.bundle, decode(el.textContent.trim()));
const blobUrl = new Map();  // site path -> Blob URL
const pathOf = new Map();   // Blob URL -> site path
const put = (path, bytes, type) => { const u = URL.createObjectURL(new Blob([bytes], { type })); blobUrl.set(path, u); pathOf.set(u, path); return u; };
const norm = (from, spec) => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec) || spec.startsWith('/')) return null;
  const parts = from.split('/').slice(0, -1);
  for (const p of spec.split('/')) { if (p === '..') parts.pop(); else if (p !== '.' && p !== '') parts.push(p); }
  return parts.join('/');
};
const isJs = (p) => /\.m?js$/.test(p);
// Modules: the literals naming files of the site become their Blob URLs, dependencies first.
const making = new Set();
const make = (path) => {
  if (blobUrl.has(path)) return blobUrl.get(path);
  const f = files.get(path);
  if (!isJs(path)) return put(path, f.bytes, f.type);
  making.add(path);
  const text = new TextDecoder().decode(f.bytes).replace(/(['"])([^'"\n]+)\1/g, (all, q, spec, at, whole) => {
    const target = norm(path, spec);
    if (!target || !files.has(target) || making.has(target)) return all;
    // (A property name stays: wasm-bindgen keys the wasm's imports by the module's path.)
    if (/^\s*:/.test(whole.slice(at + all.length, at + all.length + 8))) return all;
    return q + make(target) + q;
  });
  making.delete(path);
  return put(path, text, 'text/javascript');
};
for (const p of files.keys()) make(p);
const site = (u) => {
  const href = u instanceof Request ? u.url : String(u);
  if (pathOf.has(href)) return pathOf.get(href);
  const abs = new URL(href, document.baseURI).href;
  if (pathOf.has(abs)) return pathOf.get(abs);
  const here = new URL('.', document.baseURI).href;
  return abs.startsWith(here) ? decodeURIComponent(abs.slice(here.length).split(/[?#]/)[0]) : null;
};
// No request leaves this page: a file of the site is answered from memory, anything else fails.
globalThis.fetch = async (u) => {
  const p = site(u);
  const f = p !== null ? files.get(p) : undefined;
  if (!f) throw new TypeError(`${u instanceof Request ? u.url : u} is not inside this single-file page (it makes no requests)`);
  return new Response(f.bytes, { status: 200, headers: { 'Content-Type': f.type, 'Content-Length': String(f.bytes.length) } });
};
// Workers of the site run as classic scripts (module workers are refused on file:// pages).
const NativeWorker = globalThis.Worker;
const classic = new Map();
globalThis.Worker = class extends NativeWorker {
  constructor(u, opts = {}) {
    const p = site(u);
    if (p !== null && bundles.has(p)) {
      if (!classic.has(p)) classic.set(p, URL.createObjectURL(new Blob([bundles.get(p)], { type: 'text/javascript' })));
      super(classic.get(p), { ...opts, type: 'classic' });
    } else {
      super(p !== null && blobUrl.has(p) ? blobUrl.get(p) : u, opts);
    }
  }
};
for (const el of document.querySelectorAll('script[data-entry]')) {
  const p = el.dataset.entry;
  if (el.dataset.kind === 'module') await import(blobUrl.get(p));
  else await new Promise((ok, no) => { const s = document.createElement('script'); s.src = blobUrl.get(p); s.onload = ok; s.onerror = no; document.head.append(s); });
}
"""


def main():
    dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(dist, "profdrop.html")
    index_path = os.path.join(dist, "index.html")
    if not os.path.isfile(index_path):
        fail(f"no {index_path}: run make dist first")
    out_abs = os.path.abspath(out)
    files = {}
    for root, dirs, names in os.walk(dist):
        dirs.sort()
        for n in sorted(names):
            full = os.path.join(root, n)
            rel = os.path.relpath(full, dist).replace(os.sep, "/")
            if os.path.abspath(full) == out_abs or rel == "index.html" or rel.endswith(".html"):
                continue
            with open(full, "rb") as f:
                files[rel] = f.read()
    page = open(index_path, encoding="utf-8").read()

    # Stylesheets inline; the page's scripts become the loader's entries, in order.
    def inline_css(m):
        rel = resolve("index.html", html.unescape(m.group(2)))
        if rel not in files:
            fail(f"index.html links {m.group(2)}, which is not in {dist}")
        return "<style>\n" + files[rel].decode("utf-8") + "\n</style>"

    page = re.sub(r"""<link\s+rel=(["'])stylesheet\1\s+href=["']([^"']+)["']\s*/?>""", lambda m: inline_css(m), page)
    entries = []

    def entry(m):
        attrs = m.group(1)
        src = re.search(r"""src=["']([^"']+)["']""", attrs)
        if not src:
            return m.group(0)
        rel = resolve("index.html", html.unescape(src.group(1)))
        if rel not in files:
            fail(f"index.html loads {src.group(1)}, which is not in {dist}")
        kind = "module" if re.search(r"""type=["']module["']""", attrs) else "classic"
        entries.append((rel, kind))
        return ""

    page = re.sub(r"<script\b([^>]*)>\s*</script>", entry, page)
    if not entries:
        fail("index.html loads no script")

    blocks = []
    for rel, data in files.items():
        blocks.append(f'<script type="application/octet-stream" data-asset="{html.escape(rel)}" data-type="{mime_of(rel)}">{base64.b64encode(data).decode()}</script>')
    for rel in files:
        if is_js(rel):
            b = worker_bundle(rel, files)
            if b is not None:
                blocks.append(f'<script type="application/octet-stream" data-bundle="{html.escape(rel)}">{base64.b64encode(b).decode()}</script>')
    for rel, kind in entries:
        blocks.append(f'<script type="application/octet-stream" data-entry="{html.escape(rel)}" data-kind="{kind}"></script>')
    digest = base64.b64encode(hashlib.sha256(LOADER.encode("utf-8")).digest()).decode()
    csp = CSP.format(hash=f"'sha256-{digest}'")
    page, n = re.subn(r"""<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(?:"[^"]*"|'[^']*')\s*/?>""",
                      f'<meta http-equiv="Content-Security-Policy" content="{csp}">', page)
    if n != 1:
        fail("index.html has no Content-Security-Policy meta to replace")
    page = page.replace("</body>", "\n".join(blocks) + f'\n<script type="module">{LOADER}</script>\n</body>')
    with open(out, "w", encoding="utf-8") as f:
        f.write(page)
    size = os.path.getsize(out)
    print(f"{out}: {size / 1e6:.1f} MB, {len(files)} files inside ({', '.join(files)})")


if __name__ == "__main__":
    main()
