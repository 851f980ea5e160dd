# A program that fills its address space up to its limit (RLIMIT_AS),
# frees 64 KiB, then calls functions it has not called before: CPython
# runs them; pyjit must too, leaving them interpreted when compiling could
# run out of memory (an allocation failure inside the compiler would end
# the process).
# expect-delegated: not enough memory to compile it
import resource


def vm_size():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024


def fill(blocks, size):
    try:
        while True:
            blocks.append(bytearray(size))
    except MemoryError:
        pass


resource.setrlimit(resource.RLIMIT_AS, (vm_size() + (64 << 20), resource.RLIM_INFINITY))
blocks = []
for size in (1 << 20, 64 << 10, 4 << 10):
    fill(blocks, size)
del blocks[-16:]


def square(x):
    return x * x


def describe(values):
    return ", ".join(f"{v}:{square(v)}" for v in values)


print(describe(range(5)))
print(sum(square(i) for i in range(100)))
del blocks
print("freed")
