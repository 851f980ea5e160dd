# BINARY_OP and COMPARE_OP on ints and floats, compiled at the first call,
# before any profile exists (see _typed_arith.py).
import _typed_arith

_typed_arith.main()
