# GET_AITER in an ordinary (compiled) function: an asynchronous generator
# expression evaluates `iterable.__aiter__()` in the enclosing function, with
# CPython's errors for an object without __aiter__ and for an __aiter__ whose
# result has no __anext__. The async generator expressions themselves run
# in the interpreter.
import asyncio


class Ticker:
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        self.i = 0
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        return self.i


class NoAnext:
    def __aiter__(self):
        return 42


def squares(source):
    return (x * x async for x in source)


async def collect(agen):
    return [x async for x in agen]


def run(source):
    try:
        return asyncio.run(collect(squares(source)))
    except TypeError as e:
        return "TypeError: %s" % e


for _ in range(2):
    print(run(Ticker(4)))
    print(run([1, 2, 3]))
    print(run(NoAnext()))
