# Number reuse (see _number_reuse.py) in code compiled at its first call:
# no profile, so each int and float path boxes through one call.
import _number_reuse

_number_reuse.main()
