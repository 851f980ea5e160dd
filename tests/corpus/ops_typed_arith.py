# threshold: 30
# BINARY_OP and COMPARE_OP on ints and floats, compiled after the
# specialising interpreter profiled them (see _typed_arith.py).
import _typed_arith

_typed_arith.main()
