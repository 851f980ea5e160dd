# Cells and free variables: MAKE_CELL (incl. arguments that are cells),
# COPY_FREE_VARS, LOAD_DEREF / STORE_DEREF / DELETE_DEREF, LOAD_CLOSURE,
# nonlocal, LOAD_CLASSDEREF (class body reading an enclosing function's
# variable), unbound free variables (NameError) and late binding.


def make_counter(start):
    count = start

    def inc(step=1):
        nonlocal count
        count += step
        return count

    def get():
        return count

    return inc, get


def argument_is_cell(x, y):
    def add():
        return x + y

    x = x * 10  # rebinding an argument that lives in a cell
    return add()


def three_levels(a):
    def middle(b):
        def inner(c):
            return a + b + c

        return inner

    return middle


def late_binding():
    fns = []
    for i in range(4):
        fns.append(lambda: i)
    early = []
    for i in range(4):
        early.append(lambda i=i: i)
    return [f() for f in fns], [f() for f in early]


def nonlocal_chain():
    x = "outer"

    def mid():
        def inner():
            nonlocal x
            x = x + "+inner"
            return x

        inner()
        return x

    r = mid()
    return r, x


def delete_deref():
    v = 1

    def reader():
        return v

    first = reader()
    del v
    try:
        reader()
    except NameError as e:
        second = "%s: %s" % (type(e).__name__, e)
    return first, second


def unbound_free_variable():
    def reader():
        return later

    try:
        reader()
    except NameError as e:
        print("before assignment ->", type(e).__name__ + ":", e)
    later = "now bound"
    return reader()


def read_deref_before_store():
    def f():
        return cell_var

    try:
        print(cell_var)
    except UnboundLocalError as e:
        print("local read of cell ->", type(e).__name__ + ":", e)
    cell_var = 5
    return f()


def class_reads_enclosing(value):
    label = "from-function"

    class Box:
        # LOAD_CLASSDEREF: not found in the class namespace, so the
        # enclosing function's cell is used.
        content = value
        tag = label
        other = "class-level"

        def method(self):
            return label, other_global_fallback()  # methods see the cell

    label = "rebound after class creation"
    return Box.content, Box.tag, Box.other, Box().method()


def other_global_fallback():
    return "global function"


def class_assigns_name():
    name = "function cell"

    class K:
        # `name` is assigned in the class body, so reads here use LOAD_NAME
        # (class dict, then globals, then builtins) -- never the cell.
        first = name if "name" in dir() else "not in class yet"
        name = "class value"
        second = name

    return K.first, K.second, name


def class_classderef_shadowed():
    x = "function x"

    class A:
        x = "class x"
        y = x  # class namespace first

    class B:
        y = x  # falls back to the cell

    return A.y, B.y


def classderef_unbound():
    class C:
        try:
            v = missing_cell
        except NameError as e:
            err = "%s: %s" % (type(e).__name__, e)
    missing_cell = 1
    return C.err


def closure_over_loop_and_exception():
    results = []
    for n in range(3):
        def check(n=n):
            if n == 1:
                raise ValueError("bad n %d" % n)
            return n * n

        try:
            results.append(check())
        except ValueError as e:
            results.append(str(e))
    return results


def cell_in_generator_expression(k):
    return sum(x * k for x in range(5))


def caller(fn, *args):
    try:
        return fn(*args)
    except Exception as e:
        return "caller caught %s: %s" % (type(e).__name__, e)


inc, get = make_counter(10)
print(inc(), inc(5), get())
inc2, get2 = make_counter(0)
print(inc2(), get(), get2())
print(argument_is_cell(2, 3))
print(three_levels(1)(20)(300))
print(late_binding())
print(nonlocal_chain())
print(delete_deref())
print(unbound_free_variable())
print(read_deref_before_store())
print(class_reads_enclosing(42))
print(class_classderef_shadowed())
print(class_assigns_name())
print(classderef_unbound())
print(closure_over_loop_and_exception())
print(cell_in_generator_expression(3))
print(inc.__code__.co_freevars, make_counter.__code__.co_cellvars)
print([c.cell_contents for c in inc.__closure__])


def broken_closure():
    def inner():
        return value

    r = caller(inner)
    print(r)
    del_later = inner
    value = 1
    del value
    return del_later()


broken_closure()
