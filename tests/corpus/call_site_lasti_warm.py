# The caller's f_lasti while a call runs, as a callback sees it and as
# tb_lasti reports it. CPython 3.11's interpreter makes a call from the
# call site's CALL, but once the code is warm (quickened) a PRECALL
# specialised for a builtin function, a method descriptor or an immutable
# class with a vectorcall makes the call itself, and f_lasti then shows the
# PRECALL; a failed call of a Python function reports the CALL's last cache
# unit. Covers every specialisation that calls (len, isinstance, a METH_O
# builtin, a FASTCALL builtin, a FASTCALL|KEYWORDS builtin with keywords,
# str/tuple of one argument, a class with a vectorcall, method descriptors
# NOARGS/O/FASTCALL/FASTCALL|KEYWORDS, list.append as a statement on a list
# subclass and as an expression), those that do not (a Python class, a
# bound method, keywords to a method descriptor, a builtin static method),
# cold and warm code, and exceptions raised in the callee; arguments that
# do not bind a Python function's parameters fail at the CALL itself (or
# CALL_FUNCTION_EX), before the frame is pushed.
import dis
import sys

seen = []


def record():
    caller = sys._getframe(2)
    seen.append(dis.opname[caller.f_code.co_code[caller.f_lasti]])


class Sized:
    def __len__(self):
        record()
        return 3


class Meta(type):
    def __instancecheck__(cls, instance):
        record()
        return True


class Checked(metaclass=Meta):
    pass


class Absolute:
    def __abs__(self):
        record()
        return 1


class Named:
    def __getattr__(self, name):
        record()
        return name

    def __str__(self):
        record()
        return "named"

    def method(self):
        record()
        return 0


class Equal:
    def __eq__(self, other):
        record()
        return True

    def __hash__(self):
        record()
        return 1

    def __lt__(self, other):
        record()
        return False

    def __del__(self):
        record()


class Plain:
    def __init__(self):
        record()


class AppendOnly(list):
    pass


def key(value):
    record()
    return 0


def generated():
    record()
    yield 1


def sites(turns):
    results = []
    for turn in range(turns):
        del seen[:]
        items = [Equal(), Equal()]
        sized, named = Sized(), Named()
        len(sized)
        isinstance(1, Checked)
        abs(Absolute())
        getattr(named, "field")
        sorted([3, 1], key=key)
        str(named)
        tuple(generated())
        list(generated())
        items.clear()
        items = [Equal(), Equal()]
        {}.get(Equal())
        items.index(items[1])
        items.sort()
        items.sort(key=key)
        Plain()
        bound = named.method
        bound()
        dict.fromkeys(generated())
        results.append(" ".join(name[0] for name in seen))
    return results


def lasti_of_failures(turns, calls):
    names = []
    for turn in range(turns):
        for call in calls:
            try:
                call()
            except Exception as error:
                traceback = error.__traceback__.tb_next
                opname = dis.opname[traceback.tb_frame.f_code.co_code[traceback.tb_lasti]]
                names.append("%s at %s" % (type(error).__name__, opname))
    return names


def failing_sites(turns):
    names = []
    for turn in range(turns):
        for argument in (5, None, "ab"):
            try:
                names.append(len(argument))
            except TypeError as error:
                traceback = error.__traceback__
                names.append(dis.opname[traceback.tb_frame.f_code.co_code[traceback.tb_lasti]])
            try:
                names.append(fail(argument))
            except ValueError as error:
                traceback = error.__traceback__
                names.append(traceback.tb_lasti - dis.get_instructions(failing_sites).__next__().offset)
    return names


def fail(argument):
    raise ValueError(argument)


for turn_count in (1, 12):
    for line in sites(turn_count):
        print(line)
print(lasti_of_failures(12, (lambda: len(5), lambda: int("x"), lambda: sorted([1, "a"]), lambda: key.missing())))
print(failing_sites(12))
print(lasti_of_failures(12, (lambda: fail(), lambda: fail(1, 2), lambda: fail(wrong=1), lambda: fail(*(1, 2)))))
