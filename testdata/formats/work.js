// A small Node program for the .cpuprofile and .heapprofile fixtures (see gen.sh).
'use strict';
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function spin(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x += fib(15); return x; }
const keep = (globalThis.keep = []);
function allocate(n) { for (let i = 0; i < n; i++) keep.push(new Array(64).fill(i)); }
function main() {
  spin(150);
  allocate(20000);
  [1, 2, 3].forEach(() => spin(30));
}
main();
