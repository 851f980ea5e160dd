# Subscripts compiled after the specialising interpreter profiled them: the
# list, tuple and dict sites, a generic one (str), and a stale profile once
# the battery feeds every site every type; see _subscript_cases.py.
# threshold: 30
import _subscript_cases

_subscript_cases.run()
