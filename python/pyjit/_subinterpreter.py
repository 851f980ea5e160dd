"""What ``pyjit._pyjit`` is in a subinterpreter, where the extension does not load
(PyO3 modules initialize in one interpreter only): the JIT is the main interpreter's,
code here runs in CPython's interpreter, the start-up hook does nothing and the API
says so."""

SETTING_ERROR = None
ENABLE_AT_STARTUP = False

_MESSAGE = "pyjit: the JIT runs in the main interpreter only; this is a subinterpreter"


def is_enabled():
    return False


def _unavailable(*args, **kwargs):
    raise RuntimeError(_MESSAGE)


def __getattr__(name):
    # Every other function of the extension (pyjit.dis and the precompile tools
    # import theirs from it) raises when called.
    if name.startswith("__"):
        raise AttributeError(name)
    return _unavailable
