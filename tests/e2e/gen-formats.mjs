// Generates big folded-stacks and `perf script` files for the formats benchmark
// (tests/e2e/formats-bench.mjs), deterministic (seeded), with their totals known:
//
//   node tests/e2e/gen-formats.mjs OUT_DIR [--mb 100]
//
// writes OUT_DIR/big.folded and OUT_DIR/big.perf (each about --mb MB) and OUT_DIR/big.json
// with each file's total (folded: the sum of the counts; perf script: the number of samples,
// each weighing 1, of the one event type). Stacks are walks down a random call tree of a few
// thousand Java-like functions (10 to 60 frames deep), so that stacks share prefixes as a real
// program's do.

import fs from 'node:fs';
import path from 'node:path';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function names(n, r) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(`com/example/pkg${Math.floor(r() * 40)}/Class${Math.floor(r() * 300)}.method${i}`);
  }
  return out;
}

/** Stacks (arrays of function indices, root first), deterministic. */
function* stacks(r, funcs) {
  // Each function calls a few others: a call graph to walk.
  const callees = funcs.map(() => Array.from({ length: 4 }, () => Math.floor(r() * funcs.length)));
  for (;;) {
    const depth = 10 + Math.floor(r() * 50);
    const s = [Math.floor(r() * 8)];
    while (s.length < depth) s.push(callees[s.at(-1)][Math.floor(r() * 4)]);
    yield s;
  }
}

export function generate(dir, mb = 100) {
  fs.mkdirSync(dir, { recursive: true });
  const want = mb * 1024 * 1024;
  const totals = {};
  {
    const r = rng(1);
    const funcs = names(3000, r);
    const fd = fs.openSync(path.join(dir, 'big.folded'), 'w');
    let size = 0;
    let total = 0;
    let buf = [];
    for (const s of stacks(r, funcs)) {
      const n = 1 + Math.floor(r() * 100);
      const line = `${s.map((i) => funcs[i]).join(';')} ${n}\n`;
      buf.push(line);
      size += line.length;
      total += n;
      if (buf.length === 1000) {
        fs.writeSync(fd, buf.join(''));
        buf = [];
      }
      if (size >= want) break;
    }
    fs.writeSync(fd, buf.join(''));
    fs.closeSync(fd);
    totals['big.folded'] = { bytes: size, total };
  }
  {
    const r = rng(2);
    const funcs = names(3000, r);
    const fd = fs.openSync(path.join(dir, 'big.perf'), 'w');
    let size = 0;
    let samples = 0;
    let buf = [];
    let t = 1000;
    for (const s of stacks(r, funcs)) {
      t += 0.001001;
      const tid = 100 + Math.floor(r() * 8);
      let text = `java 99/${tid} [00${tid % 4}] ${t.toFixed(6)}: cpu-clock:ppp: \n`;
      for (let i = s.length - 1; i >= 0; i--) {
        const addr = (0x7f0000000000 + s[i] * 4096 + Math.floor(r() * 256)).toString(16);
        text += `\t    ${addr} ${funcs[s[i]]}+0x${Math.floor(r() * 4096).toString(16)} (/tmp/perf-99.map)\n`;
      }
      text += '\n';
      buf.push(text);
      size += text.length;
      samples++;
      if (buf.length === 500) {
        fs.writeSync(fd, buf.join(''));
        buf = [];
      }
      if (size >= want) break;
    }
    fs.writeSync(fd, buf.join(''));
    fs.closeSync(fd);
    totals['big.perf'] = { bytes: size, total: samples };
  }
  fs.writeFileSync(path.join(dir, 'big.json'), JSON.stringify(totals, null, 1));
  return totals;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node tests/e2e/gen-formats.mjs OUT_DIR [--mb 100]');
  const i = process.argv.indexOf('--mb');
  console.log(JSON.stringify(generate(dir, i > 0 ? Number(process.argv[i + 1]) : 100)));
}
