# args: alpha "two words" 3
# Module-level code: STORE_NAME / LOAD_NAME / DELETE_NAME in the module
# namespace, a star-import of a stdlib module (IMPORT_STAR), functions
# redefined at module level (callers see the new binding), module-level
# loops / try / with / if __name__ == "__main__", `del` of module names and
# the NameError afterwards, functions reading names that are created and
# deleted later, __name__ / __doc__ / __annotations__ at module level, and
# an uncaught error in module-level code (not inside any function).
# Also reads its command-line arguments (given by the `# args:` header).
"""Module docstring for module_level."""
import contextlib
import sys
from math import *  # noqa: F401,F403
from string import *  # noqa: F401,F403

counter: int = 0
label: str
threshold = 3


def report():
    return "counter=%d threshold=%d" % (counter, threshold)


def version():
    return "v1"


def call_version():
    return version()


print(__name__, __doc__, sorted(__annotations__))
print(floor(2.7), ceil(2.1), sqrt(81), pi > 3, ascii_uppercase[:3], digits)  # noqa: F405
print(call_version())
print(sys.argv[1:], sys.argv[0] == __file__, len(sys.argv))


def version():  # noqa: F811 -- redefinition is the point
    return "v2"


print(call_version())

for i in range(5):
    counter += i
print(report())
while counter > 5:
    counter -= 4
print(report(), i)

try:
    result = 1 / (threshold - 3)
except ZeroDivisionError as exc:
    result = "caught at module level: %s" % exc
else:
    result = "no error"
finally:
    threshold += 1
print(result, report())

with contextlib.suppress(KeyError):
    {}["missing"]
    print("not reached")
with open(__file__, encoding="utf-8") as source_file:
    first_line = source_file.readline().rstrip()
print("with at module level:", first_line, source_file.closed)

squares = [n * n for n in range(4)]
lookup = {n: n * n for n in range(3)}
gen_total = sum(n for n in range(5))
print(squares, lookup, gen_total)

temp = "temporary"
del temp
try:
    print(temp)  # noqa: F821
except NameError as e:
    print("after del:", e)
try:
    del never_existed  # noqa: F821
except NameError as e:
    print("del missing:", e)


def reads_late():
    return late_name  # noqa: F821


try:
    reads_late()
except NameError as e:
    print("before definition:", e)
late_name = "defined now"
print(reads_late())
del late_name
try:
    reads_late()
except NameError as e:
    print("after module del:", e)

if __name__ == "__main__":
    print("running as __main__")
    main_only = True
else:
    main_only = False

x = y = z = "chained"
a, *b = "abc"
print(x, y, z, a, b, main_only)
print(sorted(k for k in globals() if k in ("floor", "ceil", "ascii_letters", "report", "x")))

# Name resolution in the module namespace falls back to builtins.
len = lambda obj: "module-level len"  # noqa: E731
print(len([1, 2]))
del len
print(len([1, 2]))

undefined_at_module_level + 1  # noqa: F821
