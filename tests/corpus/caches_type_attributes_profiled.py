# Attributes of an instance's type read through LOAD_ATTR sites compiled
# from the interpreter's profile: functions compile at their 30th call,
# after CPython failed to specialise these sites (see _type_attributes.py).
# threshold: 30
# expect-stats: type_attribute_reads>1000
import _type_attributes
