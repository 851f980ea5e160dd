# Class attributes (LOAD_ATTR on a class, LOAD_METHOD_CLASS) compiled from
# the interpreter's profile: functions compile at their 30th call, after
# CPython quickened them, then see class attributes rebound and deleted,
# base classes changed, methods replaced, metaclasses and several classes
# at one site (see _class_attrs.py).
# threshold: 30
from _class_attrs import main

main()
