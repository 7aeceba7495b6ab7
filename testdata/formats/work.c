/* A small C program for the perf script fixture (see gen.py). */
#include <stdio.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) static unsigned long leaf(unsigned long n) {
    unsigned long x = 0;
    for (unsigned long i = 0; i < n; i++) x += i * i;
    return x;
}
__attribute__((noinline)) static void busy(int ms) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        sink += leaf(5000);
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}
__attribute__((noinline)) static void outer(void) { busy(80); }
int main(void) {
    busy(120);
    outer();
    printf("%lu\n", sink);
    return 0;
}
