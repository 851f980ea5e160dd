# Inline caches compiled from the interpreter's profile: functions compile
# at their 30th call, after CPython quickened and specialised them, then
# see globals rebound, classes mutated, attributes deleted, dicts
# materialised and module attributes changed.
# threshold: 30
from _inline_caches import main

main()
