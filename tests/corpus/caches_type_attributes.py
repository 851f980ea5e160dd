# Attributes of an instance's type read through LOAD_ATTR sites compiled at
# the first call, without a profile (see _type_attributes.py): the same
# program as caches_type_attributes_profiled.py.
# expect-stats: type_attribute_reads>1000
import _type_attributes
