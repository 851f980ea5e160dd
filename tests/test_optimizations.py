"""Switching optimizations off (``PYJIT_OPT_OFF``, ``-X pyjit-opt-off``,
``pyjit.config(disable_optimizations=...)``), reporting the ones a function's
native code uses (``pyjit.info(f)["optimizations"]``), and counting its
inline-cache misses (``pyjit.info(f)["cache_misses"]``).

Settings are read when pyjit is imported, so each configuration runs a child
process over ``WORKLOAD``, which uses every optimization.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import pyjit

OPTIMIZATIONS = pyjit.optimizations()
NAMES = [name for _, name, _ in OPTIMIZATIONS]

# `work` is compiled at its second call, after its first ran in the
# interpreter long enough to be quickened (the profile); `sized` at its
# second call too, after a first too short to be quickened (nothing
# profiled its calls).
WORKLOAD = textwrap.dedent(
    """
    import json, math, sys
    import pyjit

    SCALE = 3

    class Point:
        def __init__(self, x, y):
            self.x = x
            self.y = y

        def norm(self):
            return self.x * self.x + self.y * self.y

        def __sub__(self, other):
            return self.y - other.x

        def itself(self):
            return self

    def helper(a):
        return a + 1

    def sized(items):
        return len(items), isinstance(items, list)

    def work(points, n):
        total = 0
        ratio = 0.5
        items = [0, 1, 2]
        for i in range(n):
            p = points[i % len(points)].itself()
            p.x = p.x + 1
            total = total + p.norm() * SCALE + helper(i) + Point(i, 1).y
            ratio = math.fabs(ratio * 1.5 - 0.25)
            quotient, remainder = divmod(i, 3)
            total = total + quotient - remainder + (p - points[0])
            if i < items[2] and i in items:
                items[1] = total
            items[:1] = items[-1:]
            b0, b1, b2, b3, b4, b5, b6, b7 = divmod(i, 7) * 4
            total = total + b0 - b7
        return total, ratio, items

    async def plus_one(x):
        return x + 1

    async def awaits(n):
        return await plus_one(n)

    def drive(coro):
        try:
            coro.send(None)
        except StopIteration as stop:
            return stop.value

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1].split(","))
    pyjit.config(threshold=1, osr=False)
    pyjit.enable()
    helper(0)
    helper(0)
    results = [work([Point(i, 2 * i) for i in range(4)], 30) for _ in range(3)]
    results.append([sized([0] * i) for i in range(12)])
    results.append([drive(awaits(i)) for i in range(4)])
    pyjit.disable()
    info = pyjit.info(work)
    applied = set(info["optimizations"]) | set(pyjit.info(sized)["optimizations"]) | set(pyjit.info(awaits)["optimizations"])
    optimizations = [name for _, name, _ in pyjit.optimizations() if name in applied]
    print(json.dumps({"results": results, "compiled": info["compiled"], "optimizations": optimizations}))
    """
)


def run(*args, env=None, xoptions=()):
    """Runs `WORKLOAD` (or `-c` code in `args`) with `env` added; the completed process."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_OPT")}
    environment.update(env or {})
    command = [sys.executable, *(f"-X{x}" for x in xoptions)]
    command += list(args) if args and args[0] == "-c" else ["-c", WORKLOAD, *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def output(*args, **kwargs):
    """The standard output of `run`, which must succeed."""
    process = run(*args, **kwargs)
    assert process.returncode == 0, process.stderr
    return process.stdout


def report(*args, **kwargs):
    process = run(*args, **kwargs)
    assert process.returncode == 0, process.stderr
    outcome = json.loads(process.stdout)
    assert outcome["compiled"], outcome
    return outcome


@pytest.fixture(scope="module")
def baseline():
    return report()


def test_the_table_is_numbered_from_one_with_kebab_case_names():
    assert [number for number, _, _ in OPTIMIZATIONS] == list(range(1, len(OPTIMIZATIONS) + 1))
    for _, name, description in OPTIMIZATIONS:
        assert name == name.lower() and " " not in name and "_" not in name
        assert description


def test_the_workload_uses_every_optimization(baseline):
    assert baseline["optimizations"] == NAMES


@pytest.mark.parametrize("number,name", [(n, name) for n, name, _ in OPTIMIZATIONS], ids=NAMES)
def test_each_optimization_off_by_environment_and_by_config(baseline, number, name):
    by_env = report(env={"PYJIT_OPT_OFF": str(number)})
    by_config = report(name)
    for outcome in (by_env, by_config):
        assert name not in outcome["optimizations"]
        assert outcome["results"] == baseline["results"]


def test_all_off_and_by_x_option(baseline):
    for outcome in (report(env={"PYJIT_OPT_OFF": "all"}), report(xoptions=["pyjit-opt-off=all"])):
        assert outcome["optimizations"] == []
        assert outcome["results"] == baseline["results"]
    outcome = report(xoptions=["pyjit-opt-off=inline-arithmetic,2"])
    assert "inline-arithmetic" not in outcome["optimizations"] and "inline-cache-attrs" not in outcome["optimizations"]


@pytest.mark.parametrize(
    "how",
    [{"env": {"PYJIT_OPT_OFF": "2,fast"}}, {"xoptions": ["pyjit-opt-off=0"]}],
    ids=["environment", "x-option"],
)
def test_bad_values_fail_with_one_line(how):
    process = run("-c", "import pyjit", **how)
    assert process.returncode == 2 and process.stderr.count("\n") == 1, process.stderr
    assert process.stderr.startswith("pyjit: error: ") and "valid: 1 inline-cache-globals" in process.stderr


def test_config_reads_back_and_rejects_unknown_names():
    before = pyjit.config()["disable_optimizations"]
    try:
        settings = pyjit.config(disable_optimizations=[2, "inline-cache-globals"])
        assert settings["disable_optimizations"] == ["inline-cache-globals", "inline-cache-attrs"]
        assert pyjit.config(disable_optimizations="all")["disable_optimizations"] == NAMES
        with pytest.raises(ValueError, match="unknown optimization 'nope'|unknown optimization \"nope\""):
            pyjit.config(disable_optimizations=["nope"])
    finally:
        pyjit.config(disable_optimizations=before)
    assert pyjit.config()["disable_optimizations"] == before


CACHE_MISSES = textwrap.dedent(
    """
    import json
    import pyjit

    class A: pass
    class B: pass
    class C: pass
    class D: pass
    class E: pass
    class F: pass

    def make(cls):
        obj = cls()
        obj.value = 1
        return obj

    def read(obj):
        return obj.value

    monomorphic = make(A)
    polymorphic = [make(cls) for cls in (A, B, C, D, E, F)]
    pyjit.config(threshold=0)
    pyjit.enable()
    read(monomorphic)
    warm = pyjit.info(read)["cache_misses"]
    for _ in range(50):
        read(monomorphic)
    steady = pyjit.info(read)["cache_misses"]
    for obj in polymorphic * 10:
        read(obj)
    changing = pyjit.info(read)["cache_misses"]
    pyjit.disable()
    print(json.dumps([warm, steady, changing]))
    """
)


def test_cache_misses_grow_only_where_types_change():
    process = run("-c", CACHE_MISSES)
    assert process.returncode == 0, process.stderr
    warm, steady, changing = json.loads(process.stdout)
    assert warm >= 1
    assert steady == warm
    # Six types cycle through a four-entry cache: nearly every read misses.
    assert changing >= steady + 50


SITES_NOT_RUN = textwrap.dedent(
    """
    import json
    import pyjit

    class Point:
        def __init__(self):
            self.x = 1

    def branches(warm, point):
        if warm:
            return 0
        point.x = point.x + len(str(point.x))
        return point.x * 2.5

    # Quickened by the interpreter (eight warm-up calls) with only the first
    # branch run, then compiled; the second branch's sites are unrun.
    for _ in range(30):
        branches(True, None)
    pyjit.config(threshold=0)
    pyjit.enable()
    for _ in range(20):
        branches(False, Point())
    pyjit.disable()
    print(json.dumps([pyjit.info(branches)["compiled"], pyjit.info(branches)["cache_misses"]]))
    """
)


def test_sites_the_warm_up_never_ran_get_no_inline_cache():
    """A quickened profile in which an instruction never ran (its adaptive
    counter still zero) gets the generic helper alone at that site: no inline
    cache whose slow path would count misses. Code compiled without a profile
    caches the same sites (each misses once, filling its entry)."""
    process = run("-c", SITES_NOT_RUN)
    assert process.returncode == 0, process.stderr
    compiled, misses = json.loads(process.stdout)
    assert compiled
    assert misses == 0
    unprofiled = run("-c", SITES_NOT_RUN.replace("for _ in range(30):", "for _ in range(0):"))
    assert unprofiled.returncode == 0, unprofiled.stderr
    compiled, misses = json.loads(unprofiled.stdout)
    assert compiled
    assert misses >= 2


FIRST_RUN_LOOP = textwrap.dedent(
    """
    import json
    import pyjit

    class Point:
        def __init__(self):
            self.x = 1

    def once(point, n):
        total = 0
        for i in range(n):
            total += i
        return total + point.x + point.x

    pyjit.enable()
    once(Point(), 3_000_000)
    pyjit.disable()
    info = pyjit.info(once)
    print(json.dumps([info["osr_entries"], info["cache_misses"]]))
    """
)


def test_code_compiled_for_its_first_runs_loop_caches_the_sites_after_it():
    """Code compiled for the loop its first frame is in (entered at the
    loop header) has not reached the code after the loop yet: its unrun
    sites are treated as unobserved, not as sites the warm-up skipped, and
    get inline caches (each attribute read misses once, filling its entry)."""
    process = run("-c", FIRST_RUN_LOOP)
    assert process.returncode == 0, process.stderr
    osr_entries, misses = json.loads(process.stdout)
    assert osr_entries == 1
    assert misses >= 1


GLOBALS_AFTER_NEW_KEY = textwrap.dedent(
    """
    import json
    import pyjit

    def helper():
        return 1

    def reader():
        return helper() + len("abc")

    def calls(n):
        for _ in range(n):
            reader()

    calls(20)
    pyjit.config(threshold=0)
    pyjit.enable()
    reader()
    NEW_GLOBAL = 1

    def measure():
        reader()
        first = pyjit.info(reader)["cache_misses"]
        calls(50)
        return first, pyjit.info(reader)["cache_misses"]

    before, after = measure()
    pyjit.disable()
    print(json.dumps([pyjit.info(reader)["optimizations"], before, after]))
    """
)


def test_global_sites_keep_hitting_after_the_module_adds_a_global():
    """Adding a global takes the globals' keys version away (CPython gives it
    back only when it specialises again): the profiled LOAD_GLOBAL sites
    still hit, a global's by the name's position (which needs no version),
    a builtin's by the dicts' versions while the globals do not change."""
    process = run("-c", GLOBALS_AFTER_NEW_KEY)
    assert process.returncode == 0, process.stderr
    optimizations, before, after = json.loads(process.stdout)
    assert "inline-cache-globals" in optimizations and "profile-guided" in optimizations
    assert after == before


CALL_ENTRIES = textwrap.dedent(
    """
    import json
    import pyjit

    def callee(a, b, c=0):
        return a + b + c

    def caller(n):
        total = 0
        for i in range(n):
            total += callee(i, 1)
            total += callee(i, 1, 2)
            total += callee(i, b=1)
        return total

    pyjit.config(threshold=0)
    pyjit.enable()
    caller(1)
    before = pyjit.info(callee)
    caller(100)
    after = pyjit.info(callee)
    pyjit.disable()
    print(json.dumps({key: after[key] - before[key] for key in ("call_entries", "native_entries", "runs")}))
    """
)


def test_positional_calls_enter_native_code_without_the_runtime():
    process = run("-c", CALL_ENTRIES)
    assert process.returncode == 0, process.stderr
    # Positional calls, with a default or without, skip the runtime; the keyword call takes it.
    assert json.loads(process.stdout) == {"call_entries": 200, "native_entries": 300, "runs": 300}


RESUME_ENTRIES = textwrap.dedent(
    """
    import json, math, sys
    import pyjit

    def numbers(n):
        for i in range(n):
            yield i

    def relay(n):
        return (yield from numbers(n))

    def consume(n):
        return sum(x for x in [0]) + sum_loop(numbers(n)) + sum_loop(relay(n))

    def sum_loop(iterable):
        total = 0
        for x in iterable:
            total += x
        return total

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=0)
    pyjit.enable()
    consume(1)
    functions = (numbers, relay)
    before = [pyjit.info(f) for f in functions]
    passed = pyjit.stats()["resumes_passed"]
    result = consume(50)
    after = [pyjit.info(f) for f in functions]
    passed = pyjit.stats()["resumes_passed"] - passed
    pyjit.disable()
    print(json.dumps([result] + [{key: a[key] - b[key] for key in ("call_entries", "native_entries")}
                                 for a, b in zip(after, before)] + [passed]))
    """
)


LOOP_VARIABLE_IDS = textwrap.dedent(
    """
    import sys
    import pyjit

    def distinct_ids():
        seen = set()
        for i in range(1000, 1100):
            seen.add(id(i))
        return len(seen)

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=0)
    pyjit.enable()
    print(distinct_ids(), "inline-for-iter" in pyjit.info(distinct_ids)["optimizations"])
    """
)


def test_range_loops_write_each_value_into_the_loop_variables_int():
    # Inline, one int serves every iteration; through rangeiter_next each
    # value is a new int, made while the variable still holds the last.
    assert output("-c", LOOP_VARIABLE_IDS).split() == ["1", "True"]
    distinct, applied = output("-c", LOOP_VARIABLE_IDS, "inline-for-iter").split()
    assert int(distinct) > 1 and applied == "False"


STORED_ITEM_IDS = textwrap.dedent(
    """
    import sys
    import pyjit

    def halve(items):
        items[0] = items[0] / 2.0
        items[1] /= 2.0

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=20)
    pyjit.enable()
    items = [1e300, 1e300]
    for _ in range(100):
        halve(items)
    before = [id(item) for item in items]
    halve(items)
    print([id(item) for item in items] == before, items == [1e300 / 2**101] * 2)
    print("reuse-numbers" in pyjit.info(halve)["optimizations"])
    """
)


def test_float_results_stored_over_a_float_only_the_list_holds_are_written_into_it():
    # Each list item holds the only reference to its float: the quotient
    # is written into it (the in-place division keeps it unboxed through
    # its SWAPs). Without the optimization every store makes a new float
    # while the list still holds the old one, so the ids differ.
    assert output("-c", STORED_ITEM_IDS).splitlines() == ["True True", "True"]
    assert output("-c", STORED_ITEM_IDS, "reuse-numbers").splitlines() == ["False True", "False"]


KNOWN_FLOATS = textwrap.dedent(
    """
    import sys
    import pyjit

    def straight(x, y):
        return x * y + 1.0

    def looping(values):
        total = 0.0
        for v in values:
            total = total + v * v - v
        return total

    def looping_known(values):
        total, i = 0.0, 0
        while i < len(values):
            total = total + (values[i] * 2.0 - values[i]) * 0.5
            i += 1
        return total

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=30, osr=False)
    pyjit.enable()
    for i in range(40):
        straight(0.5 * i, 1.5)
        looping([0.5 * i, 1.5])
        looping_known([0.5 * i, 1.5])
    functions = (straight, looping, looping_known)
    print(["known-float-results" in pyjit.info(f)["optimizations"] for f in functions])
    for f, args in ((straight, (3, 4)), (looping, ([3, 4, 0.5],)), (looping_known, ([3, 4, 0.5],))):
        before = pyjit.stats()["deopts"]
        print(f(*args), pyjit.stats()["deopts"] - before)
    before = pyjit.stats()
    exits = []
    for i in range(30):
        deopts = pyjit.stats()["deopts"]
        straight(i, 2)
        exits.append(pyjit.stats()["deopts"] - deopts)
    info = pyjit.info(straight)
    print(sum(exits), exits[-1], info["failed_speculations"], info["withheld_optimizations"],
          "known-float-results" in info["optimizations"], pyjit.stats()["recompiles"] - before["recompiles"])
    """
)


def test_float_results_stay_unboxed_where_the_interpreter_saw_floats_until_that_fails_often():
    # Outside loops an int result leaves the frame to the interpreter after
    # the instruction (one exit); in a loop only a site with a float operand
    # the compiler knows (here the constant 2.0 and the results after it)
    # passes its result on known, and ints there make floats: no exit.
    # Sixteen exits, and the function is compiled
    # again without the optimization: the ints then make no exit.
    assert output("-c", KNOWN_FLOATS).splitlines() == [
        "[True, False, True]", "13.0 1", "17.75 0", "3.75 0", "15 0 16 ['known-float-results'] False 1"]
    off = output("-c", KNOWN_FLOATS, "known-float-results").splitlines()
    assert off == ["[False, False, False]", "13.0 0", "17.75 0", "3.75 0", "0 0 0 [] False 0"]


CONTINUED_LOOPS = textwrap.dedent(
    """
    import json, sys, threading
    import pyjit

    def mixed(values):
        total = 0.0
        for v in values:
            total = total + v * v - v
        return total

    pyjit.config(threshold=30, osr=sys.argv[1] == "osr")
    pyjit.enable()
    for i in range(40):
        mixed([0.5 * i, 1.5])

    def measured(values):
        info, stats = pyjit.info(mixed), pyjit.stats()
        result = mixed(values)
        now = pyjit.info(mixed)
        return [result, now["failed_speculations"] - info["failed_speculations"],
                now["osr_entries"] - info["osr_entries"], pyjit.stats()["deopts"] - stats["deopts"]]

    one_int = [0.5] * 1000 + [3] + [0.25] * 1_000_000
    outcome = {"optimized": "known-float-results" in pyjit.info(mixed)["optimizations"]}
    outcome["one int"] = measured(one_int)
    worker = threading.Thread(target=lambda: outcome.update({"one int, other thread": measured(one_int)}))
    worker.start()
    worker.join()
    outcome["an int in every block"] = measured(([0.5] * 100_000 + [3]) * 30)
    outcome["after"] = [pyjit.info(mixed)["withheld_optimizations"], pyjit.stats()["recompiles"]]
    print(json.dumps(outcome))
    """
)


def sum_of_mixed(values):
    """`CONTINUED_LOOPS`'s `mixed`, run here, where pyjit is off."""
    total = 0.0
    for v in values:
        total = total + v * v - v
    return total


def test_a_loop_continues_natively_after_a_failed_speculation_left_it():
    # The int makes an int where the loop's float-specialised site passes
    # floats on unboxed: the frame continues in the interpreter after that
    # instruction, and the watchdog stops it at the loop's header, where
    # the compiled code takes over again (one OSR entry). Only the main
    # thread is watched: on another the frame finishes in the interpreter.
    one_int = sum_of_mixed([0.5] * 1000 + [3] + [0.25] * 1_000_000)
    blocks = sum_of_mixed(([0.5] * 100_000 + [3]) * 30)
    outcome = json.loads(output("-c", CONTINUED_LOOPS, "osr"))
    assert outcome["optimized"]
    assert outcome["one int"] == [one_int, 1, 1, 1]
    assert outcome["one int, other thread"] == [one_int, 1, 0, 1]
    # An int in every block of 100,000 floats: each exit is continued
    # natively before the next int, until the code's sixteenth failure has
    # it compiled again without the speculation, which the frame continues
    # in (the ints after that make no exit).
    result, failed, entries, deopts = outcome["an int in every block"]
    assert result == blocks and failed == deopts == 14 and entries == 14, outcome
    assert outcome["after"] == [["known-float-results"], 1]
    # Without loop tiering nothing would continue the loop natively: its
    # sites make no such speculation.
    off = json.loads(output("-c", CONTINUED_LOOPS, "off"))
    assert off == {"optimized": False, "one int": [one_int, 0, 0, 0], "one int, other thread": [one_int, 0, 0, 0],
                   "an int in every block": [blocks, 0, 0, 0], "after": [[], 0]}


BY_NAME = textwrap.dedent(
    """
    import sys
    import pyjit

    def sizes(items):
        return len(items), isinstance(items, list), len(items if items else "ab")

    def local_len(items, size=len):
        return size(items)

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=0)
    pyjit.enable()
    print(sizes([1]), local_len([1]))
    print(["builtin-calls-by-name" in pyjit.info(f)["optimizations"] for f in (sizes, local_len)])
    """
)


def test_unprofiled_calls_of_builtins_by_their_global_name_are_made_directly():
    # Compiled at the first call, nothing profiled the sites: the global
    # names decide. A builtin reached through a local is not recognised.
    assert output("-c", BY_NAME).splitlines() == ["(1, True, 1) 1", "[True, False]"]
    assert output("-c", BY_NAME, "builtin-calls-by-name").splitlines() == ["(1, True, 1) 1", "[False, False]"]


def test_loops_and_yield_from_resume_compiled_generators_directly():
    # 50 values and the end of each generator: `numbers` runs twice (under
    # the loop, and under relay's yield from). The loop passes `relay`,
    # suspended in its yield from, for each of the 50 values: relay runs
    # to start and to return only.
    through = run("-c", RESUME_ENTRIES)
    assert through.returncode == 0, through.stderr
    assert json.loads(through.stdout) == [2450, {"call_entries": 102, "native_entries": 102},
                                          {"call_entries": 2, "native_entries": 2}, 50]
    # Without passing, relay runs for each value too.
    direct = run("-c", RESUME_ENTRIES, "resume-through-delegators")
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout) == [2450, {"call_entries": 102, "native_entries": 102},
                                         {"call_entries": 51, "native_entries": 51}, 0]
    through_cpython = run("-c", RESUME_ENTRIES, "direct-resume")
    assert through_cpython.returncode == 0, through_cpython.stderr
    assert json.loads(through_cpython.stdout) == [2450, {"call_entries": 0, "native_entries": 102},
                                                  {"call_entries": 0, "native_entries": 51}, 0]


CONSUMED = textwrap.dedent(
    """
    import json, sys
    import pyjit

    def numbers(n):
        for i in range(n):
            yield i

    def consume(n):
        return (tuple(numbers(n)), set(numbers(n)), tuple(i for i in numbers(n)),
                sum(numbers(n)), all(numbers(n)), any(numbers(n)), ",".join(str(i) for i in numbers(n)))

    # Quickened in the interpreter first: its PRECALLs specialised for
    # `tuple`, for a class (`set`) and for C functions, the profile the
    # compile reads.
    for _ in range(100):
        consume(2)
    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=1)
    pyjit.enable()
    for _ in range(3):
        consume(50)
    before = pyjit.info(numbers)["call_entries"], pyjit.stats()["direct_resumes"]
    result = consume(50)
    after = pyjit.info(numbers)["call_entries"], pyjit.stats()["direct_resumes"]
    print(json.dumps([[len(items) for items in result[:3]], result[3:6], len(result[6]),
                      pyjit.info(consume)["compiled"], after[0] - before[0], after[1] - before[1]]))
    """
)


def test_consumers_of_a_generator_resume_it_directly():
    # Each generator of `numbers` is resumed by compiled code: 51 times
    # (50 items and its end) by `tuple()`, `set()`, `sum()` and the two
    # generator expressions' loops, which `tuple()` and `join()` take
    # directly too; `all()` stops at its first item (0), `any()` at its
    # second (1).
    direct = run("-c", CONSUMED)
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout) == [[50, 50, 50], [1225, False, True], 139, True, 51 * 5 + 1 + 2, 51 * 7 + 3]
    # Off, every resumption goes through `gen_send_ex2` and the hook.
    through_cpython = run("-c", CONSUMED, "direct-resume")
    assert through_cpython.returncode == 0, through_cpython.stderr
    assert json.loads(through_cpython.stdout) == [[50, 50, 50], [1225, False, True], 139, True, 0, 0]


AWAITED = textwrap.dedent(
    """
    import json, sys
    import pyjit

    class Suspend:
        def __await__(self):
            return (yield "suspended")

    async def fib(n):
        if n <= 1:
            return n
        return await fib(n - 1) + await fib(n - 2)

    async def suspends():
        return await Suspend()

    async def awaits_suspending():
        return await suspends()

    def drive(coro, sent=None):
        yielded = []
        try:
            while True:
                yielded.append(coro.send(sent if yielded else None))
        except StopIteration as stop:
            return yielded, stop.value

    if len(sys.argv) > 1:
        pyjit.config(disable_optimizations=sys.argv[1:])
    pyjit.config(threshold=0)
    pyjit.enable()
    drive(fib(3)), drive(awaits_suspending(), 1)
    before = pyjit.stats()
    results = [drive(fib(10)), drive(awaits_suspending(), 2)]
    after = pyjit.stats()
    print(json.dumps([results, pyjit.info(fib)["compiled"], "eager-await" in pyjit.info(fib)["optimizations"],
                      after["eager_awaits"] - before["eager_awaits"],
                      after["generators_created"] - before["generators_created"]]))
    """
)


def test_awaited_calls_of_compiled_coroutines_make_no_coroutine_unless_it_suspends():
    # fib(10) awaits 176 calls of fib, all returning at once: no coroutine
    # object but the outer one, which `drive` sends to; `suspends` runs
    # eagerly too, and its coroutine object is made when it suspends (with
    # the outer one and the generator of `Suspend.__await__`).
    eager = run("-c", AWAITED)
    assert eager.returncode == 0, eager.stderr
    assert json.loads(eager.stdout) == [[[[], 55], [["suspended"], 2]], True, True, 176 + 1, 1 + 3]
    # Off, every call makes its coroutine object.
    off = run("-c", AWAITED, "eager-await")
    assert off.returncode == 0, off.stderr
    assert json.loads(off.stdout) == [[[[], 55], [["suspended"], 2]], True, False, 0, 177 + 3]


SUSPENDING_LEAVES = textwrap.dedent(
    """
    import json
    import pyjit

    class Suspend:
        def __await__(self):
            return (yield "suspended")

    LEAF = '''
    async def leaf(i):
        if i % every == 0:
            await Suspend()
        return i
    '''

    def make_leaf(every):
        # A code object of its own for each, with its own record of how
        # often its eager runs suspended.
        namespace = {"Suspend": Suspend, "every": every}
        exec(LEAF, namespace)
        return namespace["leaf"]

    async def awaits(leaf, n):
        total = 0
        for i in range(n):
            total += await leaf(i)
        return total

    def drive(coro):
        suspensions = 0
        try:
            while True:
                coro.send(None)
                suspensions += 1
        except StopIteration as stop:
            return suspensions, stop.value

    pyjit.config(threshold=0)
    pyjit.enable()
    counts = []
    for every in (10, 2, 1):
        leaf = make_leaf(every)
        before = pyjit.stats()["eager_awaits"]
        result = drive(awaits(leaf, 1000))
        counts.append([result, pyjit.stats()["eager_awaits"] - before])
    print(json.dumps(counts))
    """
)


def test_eager_await_is_declined_for_code_whose_eager_runs_suspend_often():
    # 1,000 awaited calls of a coroutine that suspends at one call in 10,
    # one in 2, and every call (the first of each is made before its code
    # is compiled). A suspension after an eager run costs a copy of the
    # frame into the coroutine object then made, so code whose eager runs
    # suspended 64 times, more than one run in four, is called as before:
    # one in 10 stays eager to the end, one in 2 stops after 128 runs (the
    # 64th suspension), every call after 64. The results are the same.
    process = run("-c", SUSPENDING_LEAVES)
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout) == [[[100, 499500], 999], [[500, 499500], 128], [[1000, 499500], 64]]


def test_code_compiled_before_a_change_keeps_its_optimizations():
    code = textwrap.dedent(
        """
        import pyjit
        def f(x):
            return x + 1
        pyjit.config(threshold=0)
        pyjit.enable()
        f(1)
        pyjit.config(disable_optimizations="all")
        f(2)
        print(",".join(pyjit.info(f)["optimizations"]), pyjit.info(f)["cache_misses"])
        """
    )
    process = run("-c", code)
    assert process.returncode == 0, process.stderr
    assert process.stdout.split()[0] == (
        "inline-arithmetic,borrowed-operands,unboxed-temporaries,direct-dunders,frameless-calls,constant-operands"
    )
