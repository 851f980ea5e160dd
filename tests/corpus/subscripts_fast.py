# Subscripts with no profile (every function compiled at its first call):
# each BINARY_SUBSCR / STORE_SUBSCR gets the inline list path and the
# generic fallback; see _subscript_cases.py for the cases.
import _subscript_cases

_subscript_cases.run()
