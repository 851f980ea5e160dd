# warnings and logging, both of which locate their caller by walking frames
# (sys._getframe / f_back / f_lineno / f_code.co_filename) of compiled code:
# warnings.warn with stacklevel 1, 2 and 3 (printed to stderr with the
# source line), the once-per-location default filter, catch_warnings(record
# =True), warnings turned into errors (caught and uncaught), DeprecationWarning
# in __main__; logging with %(funcName)s / %(lineno)d / %(module)s /
# %(filename)s, logger hierarchies, stacklevel=, logger.exception with a
# traceback, and the root logger's default stderr handler.
import logging
import sys
import warnings


def old_api():
    warnings.warn("old_api is deprecated", DeprecationWarning, stacklevel=2)
    return "old result"


def helper_warns(level):
    warnings.warn("warned at stacklevel %d" % level, UserWarning, stacklevel=level)


def via_helper(level):
    helper_warns(level)


def twice():
    for _ in range(3):
        warnings.warn("same location warns once", RuntimeWarning)


def recorded():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        via_helper(1)
        via_helper(2)
        via_helper(3)
        warnings.warn("custom category", FutureWarning)
    return [(w.category.__name__, str(w.message), w.lineno, w.filename.rsplit("/", 1)[-1])
            for w in caught]


def as_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            warnings.warn("now an exception", UserWarning)
        except UserWarning as e:
            return "caught %s: %s" % (type(e).__name__, e)


log = logging.getLogger("corpus.app")
child = logging.getLogger("corpus.app.child")


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "%(levelname)s|%(name)s|%(module)s|%(filename)s|%(funcName)s:%(lineno)d|%(message)s"))
    app = logging.getLogger("corpus")
    app.addHandler(handler)
    app.setLevel(logging.DEBUG)
    app.propagate = False


def log_helper(msg):
    log.info("via helper: %s", msg, stacklevel=2)


def do_logging():
    log.debug("debug %d", 1)
    log.info("info with args %s %r", "s", [1])
    child.warning("child warning")
    log_helper("stacklevel points at my caller")
    try:
        {}["missing"]
    except KeyError:
        log.exception("lookup failed")
    log.log(logging.ERROR, "explicit level")
    child.setLevel(logging.ERROR)
    child.info("filtered out")
    child.error("not filtered")


class Service:
    def run(self):
        log.warning("from a method")
        return [log.info("from a comprehension") for _ in range(1)]


print(old_api())
via_helper(1)
via_helper(2)
via_helper(3)
twice()
print(recorded())
print(as_errors())
setup_logging()
do_logging()
Service().run()
logging.warning("root logger default format to stderr")
logging.getLogger("other").error("other logger via root handler")
print("about to fail")
with warnings.catch_warnings():  # filters are restored as the error propagates
    warnings.simplefilter("error")
    via_helper(2)
