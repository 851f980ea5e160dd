# Imports: IMPORT_NAME / IMPORT_FROM / IMPORT_STAR at module level and inside
# functions, `import a.b as c`, `from a.b import c`, importing a helper module
# from the program's directory (its functions are compiled too), re-import
# from sys.modules, __import__ / importlib.import_module, ImportError
# ("cannot import name ..."), ModuleNotFoundError, a module whose body raises
# during import (and is therefore not left in sys.modules), and an uncaught
# ModuleNotFoundError at the end.
import importlib
import os.path
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict, namedtuple
from json import dumps as to_json

import _corpus_helper
from _corpus_helper import Thing, add


def inside_function():
    import math
    from string import ascii_lowercase as letters
    import email.utils as eu
    from urllib.parse import urlparse, quote
    return (math.sqrt(16), letters[:5], eu.parseaddr("Ann <ann@example.org>"),
            urlparse("http://host:8080/p?q=1").port, quote("a b&c"))


def star_import_in_exec():
    ns = {}
    exec("from _corpus_helper import *", ns)
    return sorted(k for k in ns if not k.startswith("__"))


def reimport():
    import _corpus_helper as again
    return again is _corpus_helper, again.LOADED, sys.modules["_corpus_helper"] is again


def dynamic_imports():
    m1 = __import__("colorsys")
    m2 = importlib.import_module("html")
    m3 = importlib.import_module("os.path")
    pkg = __import__("xml.dom", fromlist=["minidom"])
    return (m1.__name__, round(m1.rgb_to_hsv(1, 0, 0)[0], 3), m2.escape("<a&b>"),
            m3 is os.path, pkg.__name__, pkg.minidom.__name__)


def import_errors():
    out = []
    try:
        import no_such_module_xyz  # noqa: F401
    except ModuleNotFoundError as e:
        out.append("ModuleNotFoundError: %s | name=%r" % (e, e.name))
    try:
        from os import no_such_name  # noqa: F401
    except ImportError as e:
        out.append("ImportError: %s | name=%r" % (e, e.name))
    try:
        from _corpus_helper import missing_thing  # noqa: F401
    except ImportError as e:
        out.append("ImportError: %s" % e.msg.replace(_corpus_helper.__file__, "<helper>"))
    try:
        import os.no_such_sub  # noqa: F401
    except ModuleNotFoundError as e:
        out.append("ModuleNotFoundError: %s" % e)
    try:
        importlib.import_module("json.nope")
    except ModuleNotFoundError as e:
        out.append("import_module: %s" % e)
    try:
        __import__("")
    except ValueError as e:
        out.append("ValueError: %s" % e)
    for attempt in range(2):
        try:
            import _corpus_broken  # noqa: F401
        except ZeroDivisionError as e:
            out.append("broken module attempt %d: %s; in sys.modules: %s"
                       % (attempt, e, "_corpus_broken" in sys.modules))
    return out


def use_helper():
    t = Thing(3).double().double()
    try:
        _corpus_helper.fail("on purpose")
    except LookupError as e:
        caught = str(e)
    return t, add(2, 3), _corpus_helper.GREETING, caught


def needs_optional_module():
    import definitely_not_installed_module  # noqa: F401


print(inside_function())
print(star_import_in_exec())
print(reimport())
print(dynamic_imports())
for line in import_errors():
    print(line)
print(use_helper())
print(OrderedDict(a=1), namedtuple("P", "x y")(1, 2), to_json({"k": [1, 2]}),
      ET.fromstring("<a><b/></a>")[0].tag, os.path.join("a", "b"))
try:
    _corpus_helper.fail("for the caller")
except LookupError as e:
    print("caller caught:", e)
needs_optional_module()
