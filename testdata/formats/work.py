"""A small Python program for the py-spy fixtures (see gen.sh)."""
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def spin(seconds):
    end = time.time() + seconds
    while time.time() < end:
        fib(12)


def idle(seconds):
    time.sleep(seconds)


def main():
    spin(0.3)
    idle(0.1)
    spin(0.2)


main()
