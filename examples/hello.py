"""A small program to run with `pyjit examples/hello.py`."""

import pyjit


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def primes(limit):
    sieve = [True] * limit
    found = []
    for i in range(2, limit):
        if sieve[i]:
            found.append(i)
            for j in range(i * i, limit, i):
                sieve[j] = False
    return found


if __name__ == "__main__":
    for _ in range(20):
        fib(90)
        primes(2000)
    print("fib(90) =", fib(90))
    print("primes below 100:", primes(100))
    print("JIT enabled:", pyjit.is_enabled())
    print("fib compiled:", pyjit.info(fib)["compiled"])
    print("functions compiled:", pyjit.stats()["compiled"])
