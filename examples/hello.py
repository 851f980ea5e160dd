"""A small program to run with `pyjit examples/hello.py`.

`fib` and `primes` are called often enough for pyjit to compile them;
`sum_of_squares` is called once, and its long loop moves into native code
while it runs (loop tiering)."""

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


def sum_of_squares(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


if __name__ == "__main__":
    for _ in range(2000):
        fib(90)
        primes(2000)
    print("fib(90) =", fib(90))
    print("primes below 100:", primes(100))
    print("sum of squares below 2,000,000:", sum_of_squares(2_000_000))
    print("JIT enabled:", pyjit.is_enabled())
    for function in (fib, primes, sum_of_squares):
        info = pyjit.info(function)
        print(f"{function.__name__}: compiled={info['compiled']} tier={info['tier']} "
              f"native entries={info['native_entries'] > 0} loop entries={info['osr_entries']}")
