# Helper module of the construct programs (calls_construct_site.py,
# calls_construct_profiled.py): the classes they construct, and a finalizer
# that runs during the allocation of an instance and replaces the class's
# __init__, so that the instance must be initialised by the new one, as
# type_call does.
import gc


class Point:
    def __init__(self, x, y=0):
        self.x = x
        self.y = y


class Base:
    def __init__(self, value):
        self.value = value


class Derived(Base):
    pass


def describe(objects):
    return [(type(o).__name__, sorted(vars(o).items())) for o in objects[:3]]


class Target:
    def __init__(self, value):
        self.first = value


def second_init(self, value):
    self.second = value


class Trigger:
    def __del__(self):
        Target.__init__ = second_init


def construct_target():
    return Target(5)


def finalizer_during_allocation():
    """The attributes of instances made before, during and after the change."""
    # The allocation of the instance is the second object the collector
    # counts after gc.collect(), so with a threshold of 1 the collection
    # that runs the finalizer is made inside the class's tp_new.
    before = [construct_target() for _ in range(40)]
    threshold = gc.get_threshold()
    gc.collect()
    trigger = Trigger()
    trigger.cycle = trigger
    del trigger
    gc.set_threshold(1)
    try:
        after = construct_target()
    finally:
        gc.set_threshold(*threshold)
    return [vars(instance) for instance in (before[0], before[-1], after, construct_target())]
