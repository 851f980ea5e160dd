# assert statements (LOAD_ASSERTION_ERROR + RAISE_VARARGS): with and without
# a message, messages that are computed (and only evaluated on failure),
# non-string messages, assert in loops / comprehensions / methods, a shadowed
# AssertionError name (assert still raises the builtin), custom exception
# hierarchies with extra attributes and __str__, exception args, and an
# uncaught AssertionError with a message at the end.

EVALUATED = []


def message(text):
    EVALUATED.append(text)
    return text


def check_positive(n):
    assert n > 0, message("n must be positive, got %r" % (n,))
    return n


def check_plain(flag):
    assert flag
    return "ok"


def check_tuple_message(x):
    assert x != 0, ("zero", x, [1, 2])
    return x


def shadowed_name():
    AssertionError = ValueError  # noqa: F841 -- assert ignores this local
    try:
        assert False, "raised anyway"
    except ValueError:
        return "caught the shadow (wrong)"
    except BaseException as e:
        return "caught builtin %s: %s" % (type(e).__name__, e)


def assert_in_loop(items):
    checked = 0
    for item in items:
        assert isinstance(item, int), "item %d is %s" % (checked, type(item).__name__)
        checked += 1
    return checked


class ValidationError(Exception):
    def __init__(self, field, value):
        super().__init__(field, value)
        self.field = field
        self.value = value

    def __str__(self):
        return "invalid %s: %r" % (self.field, self.value)


class RangeError(ValidationError):
    def __init__(self, field, value, lo, hi):
        super().__init__(field, value)
        self.lo, self.hi = lo, hi

    def __str__(self):
        return "%s not in [%s, %s]" % (super().__str__(), self.lo, self.hi)


class Account:
    def __init__(self, balance):
        self.balance = balance

    def withdraw(self, amount):
        assert amount >= 0, "negative withdrawal"
        if amount > self.balance:
            raise RangeError("amount", amount, 0, self.balance)
        self.balance -= amount
        return self.balance


def validations():
    out = []
    for fn, arg in [(check_positive, 5), (check_positive, -1), (check_plain, 1), (check_plain, []),
                    (check_tuple_message, 0), (assert_in_loop, [1, 2, "3"]), (assert_in_loop, [])]:
        try:
            out.append("%s(%r) = %r" % (fn.__name__, arg, fn(arg)))
        except AssertionError as e:
            out.append("%s(%r) -> AssertionError %r args=%r" % (fn.__name__, arg, str(e), e.args))
    return out


def accounts():
    acct = Account(100)
    out = [acct.withdraw(30)]
    for amount in (-5, 500):
        try:
            acct.withdraw(amount)
        except RangeError as e:
            out.append("RangeError: %s | field=%s lo=%s hi=%s args=%r" % (e, e.field, e.lo, e.hi, e.args))
        except ValidationError as e:
            out.append("ValidationError: %s" % e)
        except AssertionError as e:
            out.append("AssertionError: %s" % e)
    return out


def in_comprehension(values):
    return [check_positive(v) for v in values]


print(validations())
print("messages evaluated:", EVALUATED)
print(shadowed_name())
print(accounts())
try:
    in_comprehension([3, 2, 1, 0])
except AssertionError as e:
    print("caller caught:", e)
print(isinstance(RangeError("f", 1, 0, 0), ValidationError), RangeError.__mro__[1].__name__)


def final_check(config):
    assert config.get("debug") is False, "debug must be off in production: %r" % (config,)


final_check({"debug": False})
final_check({"debug": True, "name": "prod"})
