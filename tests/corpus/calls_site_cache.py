# A CALL site keeps the code object it called last and that code's state
# (helpers::calls::CallSite): one site calling several functions in turn,
# functions whose __code__ is replaced between calls, and functions made
# from fresh code objects that die after each call, so that their states
# are retired and reused for the next code objects while the site still
# records an old one. Every call must run the function called, with its own
# code, defaults and locals.
# expect-stats: direct_calls>1000
import gc


def double(x):
    return 2 * x


def square(x):
    return x * x


def negate(x, offset=0):
    return -x + offset


def call(function, value):
    return function(value)


def alternating(n):
    functions = [double, square, negate]
    total = 0
    for i in range(n):
        total += call(functions[i % 3], i)
    return total


print("alternating", alternating(3000))


def replaced():
    return "first"


def second():
    return "second"


first_code = replaced.__code__
results = []
for i in range(40):
    results.append(call(lambda _: replaced(), None))
    replaced.__code__ = second.__code__ if i % 2 == 0 else first_code
print("replaced", results.count("first"), results.count("second"), results[:4])


def fresh(k):
    namespace = {}
    exec(f"def made(x):\n    y = x + {k}\n    return (y, 'made {k}')\n", namespace)
    return namespace["made"]


seen = []
for k in range(300):
    made = fresh(k)
    seen.append(call(made, 1000))
    del made
    if k % 50 == 0:
        gc.collect()
print("fresh", len(seen), seen[:3], seen[-3:], all(v == (1000 + k, "made %d" % k) for k, v in enumerate(seen)))


class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side


class Circle(Shape):
    def area(self):
        return 3 * self.side * self.side


def areas(shapes):
    return [shape.area() for shape in shapes]


print("methods", sum(areas([Shape(i) if i % 2 else Circle(i) for i in range(2000)])))
