# threshold: 30
# Number reuse (see _number_reuse.py) in code compiled after the
# specialising interpreter profiled it: the reuse checks and allocation
# inline in the paths the profile names.
import _number_reuse

_number_reuse.main(warm_up=40)
