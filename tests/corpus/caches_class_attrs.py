# Class attributes compiled at the first call, without a profile (see
# _class_attrs.py): the same program as caches_class_attrs_profiled.py.
from _class_attrs import main

main()
