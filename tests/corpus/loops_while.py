# while loops: JUMP_BACKWARD back-edges with conditions of every shape,
# while/else, break/continue, while True with return, nested loops, loops
# whose condition raises, loops containing try/except/finally, long-running
# integer and float loops (hot back-edges), and a loop that eventually
# raises an uncaught exception.


def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def while_else(limit, stop_at):
    i = 0
    while i < limit:
        if i == stop_at:
            break
        i += 1
    else:
        return "completed at %d" % i
    return "broke at %d" % i


def skip_multiples(n):
    out = []
    i = 0
    while i < n:
        i += 1
        if i % 3 == 0:
            continue
        out.append(i)
    return out


def while_true_return(values):
    it = iter(values)
    while True:
        v = next(it, None)
        if v is None:
            return "exhausted"
        if v < 0:
            return "negative %d" % v


def nested(n):
    count = 0
    i = 0
    while i < n:
        j = 0
        while True:
            if j >= i:
                break
            count += j
            j += 1
        i += 1
    return count


def compound_conditions(xs):
    i = 0
    while i < len(xs) and xs[i] is not None and not (xs[i] > 100 or xs[i] < -100):
        i += 1
    return i


def hot_loop():
    total = 0
    x = 0.0
    i = 0
    while i < 200000:
        total += i & 0xFF
        x += 0.5
        i += 1
    return total, x


def bignum_loop():
    a, b = 0, 1
    n = 0
    while n < 300:
        a, b = b, a + b
        n += 1
    return a % 10 ** 20, len(str(a))


class Flaky:
    def __init__(self):
        self.calls = 0

    def __bool__(self):
        self.calls += 1
        if self.calls > 3:
            raise RuntimeError("condition exploded on call %d" % self.calls)
        return True


def raising_condition():
    flaky = Flaky()
    rounds = 0
    try:
        while flaky:
            rounds += 1
    except RuntimeError as e:
        return "rounds=%d: %s" % (rounds, e)


def try_inside_loop():
    log = []
    i = 0
    while i < 6:
        i += 1
        try:
            if i == 2:
                continue
            if i == 4:
                raise ValueError("four")
            if i == 5:
                break
            log.append("ok %d" % i)
        except ValueError as e:
            log.append("caught %s" % e)
        finally:
            log.append("fin %d" % i)
    else:
        log.append("no break")
    return log


def countdown_to_failure(n):
    table = {i: 10 // i for i in range(1, 5)}
    while True:
        n -= 1
        table[n] = 10 // n


print([collatz(n) for n in (1, 7, 27, 97)])
print(gcd(1071, 462), gcd(2 ** 100, 6 ** 40), gcd(17, 0))
print(while_else(5, 10), while_else(5, 2))
print(skip_multiples(10))
print(while_true_return([1, 2, -3, 4]), while_true_return([1, 2]))
print(nested(10))
print(compound_conditions([1, 2, 3, None]), compound_conditions([5, 500]), compound_conditions([]))
print(hot_loop())
print(bignum_loop())
print(raising_condition())
print(try_inside_loop())
try:
    countdown_to_failure(3)
except ZeroDivisionError as e:
    print("caller caught:", e)
countdown_to_failure(5)
