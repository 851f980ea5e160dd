# Helper module of subscripts_fast.py and subscripts_profiled.py (the runner
# skips files whose name starts with "_"): BINARY_SUBSCR and STORE_SUBSCR on
# exact lists and tuples with small int indexes (the inline paths) and every
# case they leave to the generic path. Each site has its own function, so
# that with a threshold the interpreter specialises each for one type first
# (`warm_up`), and the battery then also feeds it the others.
import sys
import traceback


def get_list(seq, i):
    return seq[i]


def get_tuple(seq, i):
    return seq[i]


def get_dict(seq, i):
    return seq[i]


def get_other(seq, i):
    return seq[i]


def set_list(seq, i, value):
    seq[i] = value


def set_dict(seq, i, value):
    seq[i] = value


def get_caught(seq, i):
    try:
        return seq[i]
    except IndexError as e:
        return "caught " + str(e)


def get_sum(seq):
    result = 0
    for i in range(len(seq)):
        result += seq[i] * seq[len(seq) - 1 - i]
    return result


def swap_all(seq):
    n = len(seq)
    for i in range(n // 2):
        seq[i], seq[n - 1 - i] = seq[n - 1 - i], seq[i]
    return seq


class MyList(list):
    def __getitem__(self, i):
        return ("MyList", list.__getitem__(self, i))

    def __setitem__(self, i, value):
        list.__setitem__(self, i, ("set", value))


class MyTuple(tuple):
    def __getitem__(self, i):
        return ("MyTuple", tuple.__getitem__(self, i))


class MyDict(dict):
    def __missing__(self, key):
        return ("missing", key)


class MyInt(int):
    pass


class Index:
    def __init__(self, n):
        self.n = n

    def __index__(self):
        return self.n

    def __repr__(self):
        return "Index(%d)" % self.n


class Noisy:
    def __init__(self, name, home):
        self.name = name
        self.home = home

    def __del__(self):
        print("del", self.name, "list now", [getattr(x, "name", x) for x in self.home])


def show(f, *args):
    try:
        result = f(*args)
    except Exception as e:
        result = "%s: %s" % (type(e).__name__, e)
    print(f.__name__, result)


def warm_up():
    for n in range(40):
        get_list([1, 2, 3], n % 3)
        get_tuple((1, 2, 3), n % 3)
        get_dict({0: "a", 1: "b"}, n % 2)
        get_other("abc", n % 3)
        set_list([0, 0], n % 2, n)
        set_dict({}, n, n)
        get_caught([1, 2], n % 2)
        get_sum([1, 2, 3])
        swap_all([1, 2, 3, 4])


def battery():
    lst = [10, 20, 30]
    tup = (10, 20, 30)
    indexes = [0, 1, 2, 3, -1, -3, -4, True, False, MyInt(1), Index(2), Index(-1), 2**30 - 1, 2**30, 2**70,
               -(2**70), "1", 1.0, slice(1, None)]
    for f in (get_list, get_tuple, get_dict, get_other, get_caught):
        for container in (lst, tup, [], (), MyList(lst), MyTuple(tup), {0: "zero", 1: "one", True: "true"},
                          MyDict(a=1), "abc", range(5)):
            for i in indexes:
                show(f, container, i)
    big = list(range(2**16))
    for i in (0, 2**15, 2**16 - 1, 2**16, 2**30 - 1, 2**30):
        show(get_list, big, i)
        show(get_tuple, tuple(big), i)
    for f in (set_list, set_dict):
        for container in (list(lst), MyList(lst), {}, MyDict(), tup, "abc"):
            for i in indexes:
                show(f, container, i, "v")
            print(f.__name__, container)


def fast_path_errors():
    for args in (([1, 2], 5), ((1, 2), 2**40), ([1], -2), ((), 0)):
        try:
            get_list(*args)
        except IndexError:
            traceback.print_exc(file=sys.stdout)
    try:
        set_list([1, 2], 2, "x")
    except IndexError:
        traceback.print_exc(file=sys.stdout)


def reference_counts():
    item = object()
    value = object()
    big_key = 2**80
    lst = [item, None]
    tup = (item, None)
    counts = (sys.getrefcount(item), sys.getrefcount(value), sys.getrefcount(lst), sys.getrefcount(tup))
    for n in range(2000):
        get_list(lst, 0)
        get_tuple(tup, 0)
        get_list(lst, n % 2)
        set_list(lst, 1, value)
        show_none = get_dict({big_key: 1}, big_key)
    after = (sys.getrefcount(item), sys.getrefcount(value) - 1, sys.getrefcount(lst), sys.getrefcount(tup))
    print("refcounts unchanged", counts == after, show_none)


def replaced_items_die_after_the_store():
    home = []
    home.extend([Noisy("a", home), Noisy("b", home)])
    set_list(home, 0, "new a")
    set_list(home, 1, Noisy("c", home))
    del home[:]


def run():
    warm_up()
    battery()
    fast_path_errors()
    reference_counts()
    replaced_items_die_after_the_store()
    print(get_sum(list(range(100))), get_sum(tuple(range(100))), swap_all(list(range(9))), swap_all(MyList("ab")))
    get_tuple((1, 2, 3), 3)
