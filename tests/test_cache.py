"""The code cache end to end: keys, `pyjit precompile`, loading at import, `pyjit cache`,
and the attack tests of SECURITY.md.

Every attack test shows both halves: the cache (or entry) was refused, and nothing from
it ran — the function reports a source other than "cache", `cache_hits` stays 0 for it,
and (threshold 0) a run-time compile happened instead; in strict mode the process exits
with status 3 before the program prints anything.
"""

import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

PY = sys.executable
APP = Path(__file__).resolve().parent.parent / "examples" / "container" / "app"
CACHE_FILE = "code.pyjitcache"
STRICT_EXIT = 3
# Every process a test starts must finish by then: a cache that blocks a reader (a FIFO)
# fails the test instead of hanging it.
TIMEOUT = 120

# Imports the sample project, runs its main(), and reports how each function ran.
PROBE = textwrap.dedent(
    """
    import json, sys, pyjit
    from inventory import report, stock
    import main
    main.main()
    functions = {
        "checksum": report.checksum, "report": report.report, "total_value": stock.total_value,
        "restock": stock.restock, "Item.value": stock.Item.value, "main": main.main,
    }
    info = {name: pyjit.info(f) for name, f in functions.items()}
    print("PROBE " + json.dumps({
        "source": {name: i["source"] for name, i in info.items()},
        "runs": {name: i["runs"] for name, i in info.items()},
        "stats": pyjit.stats(),
    }))
    """
)


def pyjit(*args, cwd=None, env=None, check=True):
    result = subprocess.run(
        [PY, "-m", "pyjit", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=TIMEOUT,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"pyjit {args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def private_copy(src, dst):
    shutil.copytree(src, dst)
    os.chmod(dst, 0o700)
    return dst


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A signed cache of the sample project (trained on running it) and its keys."""
    root = tmp_path_factory.mktemp("built")
    pyjit("cache", "keygen", root / "ci.key")
    pyjit("cache", "keygen", root / "other.key")
    app = root / "app"
    shutil.copytree(APP, app)
    result = pyjit(
        "precompile", app, "--out", root / "cache", "--key", root / "ci.key", "--jobs", "2",
        "--train", f"cd {app} && PYJIT_THRESHOLD=0 {PY} main.py > /dev/null",
    )
    # Everything that ran (threshold 0 compiles it all) is cached but the module and
    # class bodies, which run once.
    skips = [line for line in result.stdout.splitlines() if line.startswith("  skipped")]
    assert skips and all("module or class body without a loop" in line for line in skips), result.stdout
    return root


def run_app(cache, keys, app=APP, strict=False, threshold=0, extra_env=None, code=PROBE):
    """Runs the probe (or `code`) in a fresh process with the JIT on and `cache`; returns
    the result with `.probe` (None when the program did not get to print)."""
    env = dict(os.environ, PYJIT_ENABLE="1", PYJIT_CACHE=str(cache), PYJIT_THRESHOLD=str(threshold))
    env["PYJIT_TRUSTED_KEYS"] = ":".join(map(str, keys))
    if strict:
        env["PYJIT_CACHE_STRICT"] = "1"
    env.update(extra_env or {})
    result = subprocess.run([PY, "-c", code], cwd=app, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    lines = [l for l in result.stdout.splitlines() if l.startswith("PROBE ")]
    result.probe = json.loads(lines[0][6:]) if lines else None
    result.warnings = [l for l in result.stderr.splitlines() if l.startswith("pyjit: warning:")]
    return result


def expected_output():
    return subprocess.run([PY, "main.py"], cwd=APP, capture_output=True, text=True, check=True).stdout


def assert_refused(result, reason, functions=None):
    """The cache (or the entries of `functions`) was refused with one warning naming
    `reason`, nothing from it ran, and the functions were JIT-compiled instead."""
    assert result.returncode == 0, result.stderr
    probe = result.probe
    assert any(reason in w for w in result.warnings), result.stderr
    names = functions or probe["source"].keys()
    for name in names:
        assert probe["source"][name] == "jit", (name, probe)
    if functions is None:
        assert probe["stats"]["cache_hits"] == 0
        assert len(result.warnings) == 1, result.stderr
    assert probe["stats"]["compiled"] > 0
    assert result.stdout.replace(result.stdout.splitlines()[-1], "").strip() == expected_output().strip()


def assert_strict_stops(cache, keys, reason, at_start=True):
    """Strict mode stops the process with status 3: at its first frame for a refused file,
    at the first call of the function for a refused entry (`at_start=False`)."""
    result = run_app(cache, keys, strict=True)
    assert result.returncode == STRICT_EXIT, (result.returncode, result.stderr)
    assert result.probe is None and "checksum" not in result.stdout, result.stdout
    if at_start:
        assert result.stdout == "", result.stdout
    assert reason in result.stderr and "PYJIT_CACHE_STRICT=1" in result.stderr, result.stderr


# ---------------------------------------------------------------- the cache working


def test_fresh_process_runs_from_cache_with_no_compiles(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    # Loop tiering off: on a loaded machine a loop of code the cache does not
    # hold (the probe's own) can run long enough to be compiled.
    no_osr = {"PYJIT_OSR": "0"}
    result = run_app(cache, [built / "ci.key.pub"], strict=True, threshold=1_000_000, extra_env=no_osr)
    assert result.returncode == 0, result.stderr
    probe = result.probe
    assert set(probe["source"].values()) == {"cache"}, probe
    assert all(runs >= 1 for runs in probe["runs"].values())
    assert probe["stats"]["compiled"] == 0
    assert probe["stats"]["cache_hits"] >= len(probe["source"])
    assert probe["stats"]["cache_refusals"] == 0
    assert result.warnings == []
    assert result.stdout.startswith(expected_output())


def test_info_reports_cache_before_the_first_call(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    code = (
        "import pyjit\nfrom inventory import report\n"
        "before = pyjit.info(report.checksum)\nreport.checksum(range(5))\n"
        "after = pyjit.info(report.checksum)\n"
        "print(before['source'], before['runs'], after['source'], after['runs'], pyjit.stats()['compiled'])"
    )
    env = dict(os.environ, PYJIT_ENABLE="1", PYJIT_CACHE=str(cache), PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    env["PYJIT_THRESHOLD"] = "1000000"
    out = subprocess.run([PY, "-c", code], cwd=APP, env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["cache", "0", "cache", "1", "0"]


def test_config_api_selects_cache_and_keys(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    code = (
        "import pyjit, sys\n"
        f"pyjit.config(cache={str(cache)!r}, trusted_keys={str(built / 'other.key.pub')!r})\n"
        "pyjit.enable()\nfrom inventory import report\nreport.checksum(range(3))\n"
        "print(pyjit.info(report.checksum)['source'])\n"
        f"pyjit.config(trusted_keys=[{str(built / 'ci.key.pub')!r}])\n"
        "from inventory import stock\nstock.total_value([])\n"
        "print(pyjit.info(stock.total_value)['source'], str(pyjit.config()['cache']) == "
        f"{str(cache)!r})\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    result = subprocess.run([PY, "-c", code], cwd=APP, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "cache", "True"], (result.stdout, result.stderr)
    assert result.stderr.count("pyjit: warning:") == 1 and "not trusted" in result.stderr, result.stderr


def test_keys_change_with_edits_only():
    sys.path.insert(0, str(APP))
    from pyjit import _pyjit

    def keys(source):
        module = compile(source, "m.py", "exec", dont_inherit=True)
        return {c.co_name: _pyjit.code_key(c) for c in module.co_consts if hasattr(c, "co_code")}

    base = keys("def f(x):\n    return x + 1\n\ndef g(y):\n    return y * 2\n")
    edited = keys("def f(x):\n    return x + 2\n\ndef g(y):\n    return y * 2\n")
    moved = keys("\n\n# a comment\ndef f(x):\n    return x + 1\n\n\ndef g(y):\n    return y * 2\n")
    renamed_file = {
        c.co_name: _pyjit.code_key(c)
        for c in compile("def f(x):\n    return x + 1\n", "other.py", "exec").co_consts
        if hasattr(c, "co_code")
    }
    assert edited["f"] != base["f"] and edited["g"] == base["g"]
    module = compile("def f(x):\n    return x + 1\n", "m.py", "exec")
    edited_module = compile("def f(x):\n    return x + 2\n", "m.py", "exec")
    assert _pyjit.code_key(module) == _pyjit.code_key(edited_module), "nested code is not part of a key"
    assert moved == base, "line numbers are not part of the key"
    assert renamed_file["f"] == base["f"], "the file name is not part of the key"
    assert keys("def f(x):\n    return x + 1.0\n")["f"] != base["f"], "constants are typed"
    opt0 = compile("def f(x):\n    assert x\n    return x\n", "m.py", "exec", optimize=0).co_consts[0]
    opt1 = compile("def f(x):\n    assert x\n    return x\n", "m.py", "exec", optimize=1).co_consts[0]
    assert _pyjit.code_key(opt0) != _pyjit.code_key(opt1)


def test_keys_do_not_change_as_the_interpreter_specializes_code():
    """A key is computed from the code as compiled, however far the specialising
    interpreter has rewritten it (keys are read from `co_code_adaptive`, de-quickened)."""
    from pyjit import _pyjit

    namespace = {}
    exec(compile("def f(a, b):\n    s = 0\n    for i in range(a):\n        s += i * b + len([i])\n"
                 "    return s\n", "m.py", "exec"), namespace)
    f = namespace["f"]
    fresh = _pyjit.code_key(f.__code__)
    for _ in range(200):
        f(20, 3)
    f(2, 1.5)
    assert _pyjit.code_key(f.__code__) == fresh


def test_code_of_a_shape_no_entry_has_is_never_keyed(built, tmp_path):
    """With a cache of another program, code objects are ruled out by their shape (sizes
    and flags, the first bytes of every key), so running a few thousand stdlib functions
    keys almost none of them; code the cache has is keyed and attached."""
    cache = private_copy(built / "cache", tmp_path / "cache")
    code = (
        "import json, email.message, argparse, decimal, asyncio, pyjit\n"
        "json.loads(json.dumps({'a': [1, 2.5, None]}))\n"
        "argparse.ArgumentParser(prog='x').parse_args([])\n"
        "print('PROBE ' + json.dumps({'stats': pyjit.stats()}))\n"
    )
    result = run_app(cache, [built / "ci.key.pub"], strict=True, threshold=1_000_000, code=code)
    assert result.returncode == 0, result.stderr
    stats = result.probe["stats"]
    assert stats["cache_hits"] == 0 and stats["native_calls"] == 0
    # Trivial functions (a getter, an empty module) share a shape with others; without
    # the shape search every code object that ran would be keyed.
    # Recording lists the code objects compiled: at threshold 0, every one that ran.
    record = tmp_path / "ran.keys"
    run_app(cache, [built / "ci.key.pub"], threshold=0, code=code, extra_env={"PYJIT_RECORD_OUT": str(record)})
    ran = len(record.read_text().splitlines())
    assert ran > 500 and stats["cache_keyed"] * 50 < ran, (ran, stats)
    matching = run_app(cache, [built / "ci.key.pub"], strict=True, threshold=1_000_000)
    assert matching.probe["stats"]["cache_hits"] > 0
    assert matching.probe["stats"]["cache_keyed"] >= matching.probe["stats"]["cache_hits"]
    # The time spent in the cache is counted (opening it, at least), and only with one.
    assert stats["cache_time_ns"] > 0 and matching.probe["stats"]["cache_time_ns"] > 0
    uncached = subprocess.run(
        [PY, "-c", code],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}, "PYJIT_ENABLE": "1"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert json.loads(uncached.stdout.split("PROBE ", 1)[1])["stats"]["cache_time_ns"] == 0, uncached.stderr


# An int constant of 16,384 bits: more decimal digits than str() gives by default.
HUGE = "0x" + "f" * 4096


def test_keys_encode_every_constant_exactly_and_alike_in_every_process():
    """Ints are keyed by their bytes (no decimal conversion, which CPython limits to 4300
    digits), strings with their lone surrogates; keys do not depend on the process."""
    from pyjit import _pyjit

    constants = ["0", "1", "-1", "255", "-256", "2**63", "-2**63", "2**64", HUGE, HUGE[:-1] + "e", "-" + HUGE,
                 "'\\udc80'", "'\\udc81'", "'\\ufffd'"]
    program = "def f():\n    return {}\n"
    keys = [_pyjit.code_key(compile(program.format(c), "m.py", "exec").co_consts[0]) for c in constants]
    assert len(set(keys)) == len(constants), "distinct constants, distinct keys"
    probe = f"from pyjit import _pyjit; print(_pyjit.code_key(compile({program.format(HUGE)!r}, 'm.py', 'exec').co_consts[0]))"
    for seed in ("0", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        child = subprocess.run([PY, "-c", probe], env=env, capture_output=True, text=True, check=True, timeout=TIMEOUT)
        assert child.stdout.strip() == keys[constants.index(HUGE)]


def test_precompile_caches_functions_with_huge_int_constants(tmp_path, built):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.py").write_text(f"def big():\n    return ({HUGE}).bit_length()\n\ndef small():\n    return 42\n")
    # A file name that is not UTF-8 is listed lossily, and compiled like the others.
    (src / os.fsdecode(b"other-\xff.py")).write_text("def other():\n    return 1\n")
    result = pyjit("precompile", src, "--out", tmp_path / "out", "--key", built / "ci.key", "--jobs", "1")
    assert "2 files (0 with errors), 5 functions, 3 compiled, 2 skipped" in result.stdout, result
    assert "skipped 2: module or class body without a loop" in result.stdout, result
    probe = "import big, pyjit; print(big.big(), pyjit.info(big.big)['source'], pyjit.info(big.small)['source'])"
    env = dict(os.environ, PYJIT_ENABLE="1", PYJIT_CACHE=str(tmp_path / "out"), PYJIT_CACHE_STRICT="1",
               PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"), PYTHONPATH=str(src))
    run = subprocess.run([PY, "-c", probe], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert (run.returncode, run.stdout, run.stderr) == (0, "16384 cache cache\n", "")


def test_a_code_object_that_cannot_be_keyed_never_stops_the_rest(tmp_path, built, monkeypatch, capsys):
    """Such a code object (here: a constant whose repr raises; source code compiles to
    none) is named in one line and left out; the rest is cached."""
    from pyjit import precompile

    class Unprintable:
        def __repr__(self):
            raise RuntimeError("no repr")

    module = compile("def good():\n    return 1\n\ndef bad():\n    return 2\n", "m.py", "exec")
    good, bad = (c for c in module.co_consts if hasattr(c, "co_code"))
    bad = bad.replace(co_consts=(None, Unprintable()))
    monkeypatch.setattr(precompile, "compile_sources", lambda files, optimize, report: ([good, bad], 0))
    status = precompile.precompile_main([str(tmp_path), "--out", str(tmp_path / "out"), "--key", str(built / "ci.key")])
    out, err = capsys.readouterr()
    assert status == 1 and "2 functions, 1 compiled, 1 skipped" in out, (out, err)
    assert [line for line in err.splitlines() if "bad" in line] == ["m.py:4: bad: RuntimeError: no repr (left out of the cache)"]
    listing = pyjit("cache", "ls", tmp_path / "out").stdout
    assert " good " in listing and " bad " not in listing


def test_cli_ls_info_verify_export(built, tmp_path):
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    listing = pyjit("cache", "ls", built / "cache").stdout
    assert "checksum" in listing and "report.py:6" in listing
    info = pyjit("cache", "info", built / "cache", env=env).stdout
    assert "trusted: signed by key" in info and "compatible with this host: yes" in info
    assert pyjit("cache", "verify", built / "cache", env=env).stdout.startswith("OK: ")
    key = next(l.split()[0] for l in listing.splitlines() if " checksum " in l)
    pyjit("cache", "export", built / "cache", key, "-o", tmp_path / "f.o")
    assert (tmp_path / "f.o").read_bytes()[:4] == b"\x7fELF"
    other = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "other.key.pub"))
    failed = pyjit("cache", "verify", built / "cache", env=other, check=False)
    assert failed.returncode == 1 and "FAILED" in failed.stdout
    bad = pyjit("cache", "export", built / "cache", "zz", "-o", tmp_path / "g.o", check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr


def test_cli_sign_and_gc(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    pyjit("cache", "sign", cache, "--key", built / "other.key")
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "other.key.pub"))
    assert pyjit("cache", "verify", cache, env=env).returncode == 0
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    (app / "inventory" / "report.py").write_text(
        (app / "inventory" / "report.py").read_text().replace("acc * 31", "acc * 37")
    )
    out = pyjit("cache", "gc", cache, app, "--key", built / "other.key").stdout
    # checksum only: report.py's module body keeps its entry, since its code only loads
    # checksum's code object from its constants (nested code is not part of a key)
    assert "dropped 1" in out, out
    assert "checksum" not in pyjit("cache", "ls", cache).stdout
    assert pyjit("cache", "verify", cache, env=env).returncode == 0


def test_precompile_reports_syntax_errors_and_continues(tmp_path, built):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.py").write_text("def f():\n    return 1\n")
    (src / "bad.py").write_text("def g(:\n    pass\n")
    result = pyjit("precompile", src, "--out", tmp_path / "out", "--key", built / "ci.key", check=False)
    assert result.returncode == 1
    assert f"{src / 'bad.py'}:1: SyntaxError" in result.stderr, result.stderr
    assert "2 files (1 with errors)" in result.stdout and "1 compiled, 1 skipped" in result.stdout, result.stdout


def test_training_caches_only_what_it_compiled(tmp_path, built):
    """A training run caches the functions the JIT compiled in it (here at its threshold
    of 10 calls, loop tiering off): attaching native code to a function called once costs
    more than interpreting it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "m.py").write_text(textwrap.dedent(
        """
        def hot():
            return 1

        def once():
            return 2

        def unused():
            return 3

        for _ in range(50):
            hot()
        once()
        """
    ))
    result = pyjit(
        "precompile", src, "--out", tmp_path / "out", "--key", built / "ci.key",
        "--train", f"PYJIT_THRESHOLD=10 PYJIT_OSR=0 {PY} {src / 'm.py'}",
    )
    assert "skipped 3: not compiled in the training run" in result.stdout, result.stdout
    listing = pyjit("cache", "ls", tmp_path / "out").stdout
    assert [line.split()[2] for line in listing.splitlines()] == ["hot"], listing


def test_bodies_that_run_once_are_not_cached(tmp_path, built):
    """Module and class bodies run once per import, in less time than attaching native
    code to them takes; one with a loop (a script's work, say) is cached like a function."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "once.py").write_text("class Point:\n    x = 0\n\ndef norm(p):\n    return abs(p.x)\n")
    (src / "looping.py").write_text("total = 0\nfor i in range(10):\n    total += i\n")
    result = pyjit("precompile", src, "--out", tmp_path / "out", "--key", built / "ci.key")
    assert "skipped 2: module or class body without a loop" in result.stdout, result.stdout
    listing = pyjit("cache", "ls", tmp_path / "out").stdout
    names = sorted(line.split()[2] + " " + line.split()[3].rsplit("/", 1)[-1] for line in listing.splitlines())
    assert names == ["<module> looping.py:1", "norm once.py:4"], listing


def test_training_profiles_guide_the_cached_code(tmp_path, built):
    """A trained cache compiles each function with the profile its training run's
    interpreter recorded (here: float arithmetic), as the JIT would; an untrained one
    compiles generic code. `pyjit.dis` compiles the code again from the profile the
    entry carries and checks that it gives the code that runs."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "m.py").write_text(textwrap.dedent(
        """
        def scale(xs):
            total = 0.0
            for x in xs:
                total += x * 1.5
            return total

        if __name__ == "__main__":
            for _ in range(200):
                scale([0.5, 1.25, 2.0])
        """
    ))
    trained = ["--train", f"PYJIT_THRESHOLD=50 {PY} {src / 'm.py'}"]
    for name, train in (("trained", trained), ("untrained", [])):
        pyjit("precompile", src, "--out", tmp_path / name, "--key", built / "ci.key", *train)
        scale = next(line for line in pyjit("cache", "ls", tmp_path / name).stdout.splitlines() if " scale " in line)
        assert scale.endswith("  profiled") == (name == "trained"), scale
    probe = textwrap.dedent(
        """
        import json, pyjit, m
        from pyjit import _pyjit
        result = m.scale([0.5, 2.0, 3])
        print("PROBE " + json.dumps({
            "source": pyjit.info(m.scale)["source"], "profile": sorted(set(_pyjit.profile(m.scale).values())),
            "size": pyjit.info(m.scale)["native_size"], "listed": bool(pyjit.dis(m.scale)), "result": result,
        }))
        """
    )
    probes = {}
    for name in ("trained", "untrained"):
        result = run_app(tmp_path / name, [built / "ci.key.pub"], app=src, strict=True, threshold=1_000_000,
                         extra_env={"PYJIT_OSR": "0"}, code=probe)
        assert result.returncode == 0, result.stderr
        probes[name] = result.probe
        assert probes[name]["source"] == "cache" and probes[name]["result"] == 8.25, probes[name]
    assert any("FLOAT" in form for form in probes["trained"]["profile"]), probes["trained"]
    assert probes["untrained"]["profile"] == ["nothing"], probes["untrained"]
    # Different code, each reproduced by compiling again from the profile its entry carries
    # (`pyjit.dis` raises when that gives other code than what runs).
    assert probes["trained"]["size"] != probes["untrained"]["size"], probes
    assert probes["trained"]["listed"] and probes["untrained"]["listed"], probes


# ---------------------------------------------------------------- attack tests


def cache_bytes(built):
    return bytearray((built / "cache" / CACHE_FILE).read_bytes())


def write_cache(tmp_path, data, name="attacked"):
    cache = tmp_path / name
    cache.mkdir(mode=0o700)
    (cache / CACHE_FILE).write_bytes(bytes(data))
    return cache


def parse(data):
    """(flags, key_id, rows, manifest, blobs, signature) of a cache file (SPEC.md §2)."""
    flags, key_id, count, manifest_len, blobs_len = struct.unpack_from("<I8sQQQ", data, 12)
    rows = [struct.unpack_from("<32sQQ32s", data, 48 + 80 * i) for i in range(count)]
    manifest_at = 48 + 80 * count
    blobs_at = manifest_at + manifest_len
    blobs = [bytes(data[off : off + length]) for (_, off, length, _) in rows]
    return flags, key_id, rows, bytes(data[manifest_at:blobs_at]), blobs, bytes(data[blobs_at + blobs_len :])


def assemble(flags, key_id, entries, manifest, signature):
    """A cache file from (key, blob, blob_hash) entries, which it sorts by key."""
    entries = sorted(entries)
    blobs_at = 48 + 80 * len(entries) + len(manifest)
    out = bytearray(b"PYJITCC\0" + struct.pack("<II8sQQQ", 1, flags, key_id, len(entries), len(manifest), sum(len(b) for _, b, _ in entries)))
    offset = blobs_at
    for key, blob, blob_hash in entries:
        out += struct.pack("<32sQQ32s", key, offset, len(blob), blob_hash)
        offset += len(blob)
    out += manifest
    for _, blob, _ in entries:
        out += blob
    return out + signature


def row_of(built, data, qualname):
    key = next(
        l.split()[0] for l in pyjit("cache", "ls", built / "cache").stdout.splitlines() if f" {qualname} " in l
    )
    _, _, rows, _, _, _ = parse(data)
    return next(i for i, row in enumerate(rows) if row[0].hex() == key), rows


def test_attack_tampered_code_byte(built, tmp_path):
    data = cache_bytes(built)
    index, rows = row_of(built, data, "checksum")
    _, offset, length, _ = rows[index]
    data[offset + length // 2] ^= 0x01
    cache = write_cache(tmp_path, data)
    result = run_app(cache, [built / "ci.key.pub"])
    assert_refused(result, "does not match its hash", functions=["checksum"])
    assert result.probe["source"]["report"] == "cache", "other entries stay usable"
    assert_strict_stops(cache, [built / "ci.key.pub"], "does not match its hash", at_start=False)


def test_attack_tampered_index(built, tmp_path):
    data = cache_bytes(built)
    index, _ = row_of(built, data, "checksum")
    data[48 + 80 * index + 60] ^= 0x01  # inside the row's blob_hash
    cache = write_cache(tmp_path, data)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "signature")
    assert_strict_stops(cache, [built / "ci.key.pub"], "signature")


@pytest.mark.parametrize("offset", [0, 8, 12, 16, 24, 32, 40])
def test_attack_tampered_header(built, tmp_path, offset):
    data = cache_bytes(built)
    data[offset] ^= 0x01
    cache = write_cache(tmp_path, data)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "refused")


def test_attack_truncated(built, tmp_path):
    data = cache_bytes(built)
    for length in (0, 20, 48, 200, len(data) // 2, len(data) - 64, len(data) - 1):
        cache = write_cache(tmp_path, data[:length], name=f"truncated{length}")
        assert_refused(run_app(cache, [built / "ci.key.pub"]), "refused")
    assert_strict_stops(cache, [built / "ci.key.pub"], "refused")


def test_attack_wrong_key_signature(built, tmp_path):
    """The signature bytes come from another key; the header still names the CI key."""
    other = tmp_path / "other"
    private_copy(built / "cache", other)
    pyjit("cache", "sign", other, "--key", built / "other.key")
    data = cache_bytes(built)
    data[-64:] = (other / CACHE_FILE).read_bytes()[-64:]
    cache = write_cache(tmp_path, data)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "signature")


def test_attack_unsigned(built, tmp_path):
    flags, _, rows, manifest, blobs, _ = parse(cache_bytes(built))
    entries = [(key, blob, blob_hash) for (key, _, _, blob_hash), blob in zip(rows, blobs)]
    cache = write_cache(tmp_path, assemble(0, bytes(8), entries, manifest, b""))
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    assert "unsigned" in pyjit("cache", "info", cache, env=env).stdout, "the file itself is well-formed"
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "refused")
    assert_strict_stops(cache, [built / "ci.key.pub"], "refused")


def test_attack_valid_signature_untrusted_key(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    pyjit("cache", "sign", cache, "--key", built / "other.key")
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "refused")
    assert_strict_stops(cache, [built / "ci.key.pub"], "refused")


def test_attack_replay_old_cache_against_changed_source(built, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    report = app / "inventory" / "report.py"
    report.write_text(report.read_text().replace("acc * 31", "acc * 37"))
    cache = private_copy(built / "cache", tmp_path / "cache")
    result = run_app(cache, [built / "ci.key.pub"], app=app, strict=True)
    assert result.returncode == 0, result.stderr
    probe = result.probe
    assert probe["source"]["checksum"] == "jit", "the stale entry is never used"
    assert probe["source"]["report"] == "cache", "unchanged functions keep their entries"
    new = subprocess.run([PY, "main.py"], cwd=app, capture_output=True, text=True, check=True).stdout
    assert result.stdout.startswith(new) and new != expected_output()


def test_attack_entry_moved_between_caches(built, tmp_path):
    """An entry of another cache signed by the same key, spliced in, breaks the signature."""
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    report = app / "inventory" / "report.py"
    report.write_text(report.read_text().replace("acc * 31", "acc * 37"))
    pyjit("precompile", app, "--out", tmp_path / "other", "--key", built / "ci.key")
    a = parse(cache_bytes(built))
    b = parse(bytearray((tmp_path / "other" / CACHE_FILE).read_bytes()))
    keys_a = {row[0] for row in a[2]}
    foreign = [(row[0], blob, row[3]) for row, blob in zip(b[2], b[4]) if row[0] not in keys_a]
    assert foreign, "the edited checksum has a new key"
    own = [(row[0], blob, row[3]) for row, blob in zip(a[2], a[4])]
    cache = write_cache(tmp_path, assemble(a[0], a[1], own + foreign, a[3], a[5]))
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "signature")


def resigned_with_manifest(built, tmp_path, edit):
    """The cache with its manifest edited by `edit`, then properly re-signed by the trusted
    key: only the compatibility check can refuse it."""
    data = cache_bytes(built)
    flags, key_id, rows, manifest, blobs, signature = parse(data)
    start = 48 + 80 * len(rows)
    new_manifest = edit(bytearray(manifest))
    assert len(new_manifest) == len(manifest) and new_manifest != manifest
    data[start : start + len(manifest)] = new_manifest
    cache = write_cache(tmp_path, data)
    pyjit("cache", "sign", cache, "--key", built / "ci.key")
    return cache


def test_attack_pyjit_version_mismatch(built, tmp_path):
    cache = resigned_with_manifest(built, tmp_path, lambda m: m.replace(b"src-", b"src_", 1))
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "pyjit_version")
    assert_strict_stops(cache, [built / "ci.key.pub"], "pyjit_version")


def test_attack_cpython_version_mismatch(built, tmp_path):
    def edit(manifest):
        at = 1 + manifest[0]  # after the pyjit_version string (its length is one varint byte)
        manifest[at] ^= 0x01  # the low bits of the hexversion varint
        return manifest

    cache = resigned_with_manifest(built, tmp_path, edit)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "built for CPython version")


def test_attack_cpu_feature_mismatch(built, tmp_path):
    cache = resigned_with_manifest(built, tmp_path, lambda m: m[:-1] + b"Z")
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "CPU feature")
    assert_strict_stops(cache, [built / "ci.key.pub"], "CPU feature")


def test_attack_symlinked_file_and_directory(built, tmp_path):
    real = private_copy(built / "cache", tmp_path / "real")
    linked_dir = tmp_path / "linked-dir"
    linked_dir.symlink_to(real)
    assert_refused(run_app(linked_dir, [built / "ci.key.pub"]), "symbolic link")
    linked_file = tmp_path / "linked-file"
    linked_file.mkdir(mode=0o700)
    (linked_file / CACHE_FILE).symlink_to(real / CACHE_FILE)
    assert_refused(run_app(linked_file, [built / "ci.key.pub"]), "symbolic link")
    assert_strict_stops(linked_file, [built / "ci.key.pub"], "symbolic link")


@pytest.mark.parametrize("suffix", ["/", "/.", "/./", "//"])
def test_attack_symlinked_directory_written_with_a_trailing_slash(built, tmp_path, suffix):
    """`link/` and `link/.` make lstat see the link's target; the link is refused anyway."""
    real = private_copy(built / "cache", tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real)
    assert_refused(run_app(f"{link}{suffix}", [built / "ci.key.pub"]), "symbolic link")
    assert_strict_stops(f"{link}{suffix}", [built / "ci.key.pub"], "symbolic link")
    result = run_app(f"{real}{suffix}", [built / "ci.key.pub"], strict=True)
    assert result.returncode == 0 and result.probe["source"]["checksum"] == "cache", result.stderr


def test_attack_fifo_named_like_the_cache(built, tmp_path):
    """A FIFO (or device) in place of the cache file is refused at once: neither the
    program nor `pyjit cache verify` waits for a writer that never comes."""
    cache = tmp_path / "fifo"
    cache.mkdir(mode=0o700)
    os.mkfifo(cache / CACHE_FILE, 0o600)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "not a regular file")
    assert_strict_stops(cache, [built / "ci.key.pub"], "not a regular file")
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    for path in (cache, cache / CACHE_FILE):
        result = pyjit("cache", "verify", path, env=env, check=False)
        assert result.returncode == 1, result
        assert result.stdout == f"FAILED: {cache / CACHE_FILE}: not a regular file\n", result.stdout
    result = pyjit("cache", "sign", cache, "--key", built / "ci.key", check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "not a regular file" in result.stderr


@pytest.mark.parametrize("mode", [0o666, 0o664, 0o646])
def test_attack_cache_file_others_may_write(built, tmp_path, mode):
    """Whoever may write the file may truncate or replace it: refused like such a directory."""
    cache = private_copy(built / "cache", tmp_path / "cache")
    os.chmod(cache / CACHE_FILE, mode)
    reason = f"refusing the cache file: group or others may write to it (mode {mode:o})"
    assert_refused(run_app(cache, [built / "ci.key.pub"]), reason)
    assert_strict_stops(cache, [built / "ci.key.pub"], reason)
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    assert reason in pyjit("cache", "verify", cache, env=env, check=False).stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another user")
def test_attack_cache_file_owned_by_another_user(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    os.chown(cache / CACHE_FILE, 65534, -1)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "owned by uid 65534")
    assert_strict_stops(cache, [built / "ci.key.pub"], "owned by uid 65534")


@pytest.mark.parametrize("mode", [0o666, 0o664])
def test_attack_trusted_key_others_may_write(built, tmp_path, mode):
    """Whoever may write a trusted public key may make the process trust their own, and
    run their native code: the key, reached through a link as mounted secrets are, is
    refused, and with it the cache it would verify."""
    cache = private_copy(built / "cache", tmp_path / "cache")
    key = tmp_path / "ci.key.pub"
    shutil.copy(built / "ci.key.pub", key)
    os.chmod(key, mode)
    link = tmp_path / "mounted.pub"
    link.symlink_to(key)
    reason = f"refusing the key file: group or others may write to it (mode {mode:o})"
    assert_refused(run_app(cache, [link]), reason)
    assert_strict_stops(cache, [link], reason)
    os.chmod(key, 0o644)
    assert run_app(cache, [link]).probe["stats"]["cache_hits"] > 0


def test_attack_cache_file_truncated_while_in_use(built, tmp_path):
    """The file is cut in place after the process opened it: the entries it still needs
    are refused (the JIT compiles them); nothing dies of SIGBUS."""
    cache = private_copy(built / "cache", tmp_path / "cache")
    code = PROBE.replace(
        "import json, sys, pyjit\n",
        f"import json, sys, pyjit, os\nos.truncate({str(cache / CACHE_FILE)!r}, 1000)\n",
    )
    assert code != PROBE
    result = run_app(cache, [built / "ci.key.pub"], code=code)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.warnings and all("truncated while in use" in w for w in result.warnings), result.stderr
    assert set(result.probe["source"].values()) == {"jit"}, result.probe
    assert result.probe["stats"]["cache_hits"] == 0
    assert result.stdout.startswith(expected_output())


def sparse_cache(tmp_path, length, described):
    """A cache directory whose file is `length` bytes: a header describing a file of
    `described` bytes (unsigned, no entries, all the rest manifest, which a reader copies
    before decoding it), then a hole."""
    cache = tmp_path / f"sparse{length}"
    cache.mkdir(mode=0o700)
    with open(cache / CACHE_FILE, "wb") as f:
        f.write(b"PYJITCC\0" + struct.pack("<II8sQQQ", 1, 0, bytes(8), 0, described - 48, 0))
        f.truncate(length)
    return cache


def test_attack_huge_sparse_cache(built, tmp_path):
    """Sizes are refused from fstat and the header alone: no part of a file larger than
    1 GiB, or of one whose header describes another length, is read."""
    started = time.monotonic()
    huge = sparse_cache(tmp_path, 4 << 30, 4 << 30)
    assert_refused(run_app(huge, [built / "ci.key.pub"]), "more than the 1073741824 bytes (1 GiB)")
    assert_strict_stops(huge, [built / "ci.key.pub"], "more than the 1073741824 bytes")
    lying = sparse_cache(tmp_path, 1 << 30, 100_000)
    assert_refused(run_app(lying, [built / "ci.key.pub"]), "its header describes 100000")
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    assert "1 GiB" in pyjit("cache", "verify", huge, env=env, check=False).stdout
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_attack_group_or_world_writable_directory(built, tmp_path, mode):
    cache = private_copy(built / "cache", tmp_path / "cache")
    os.chmod(cache, mode)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "group or others may write")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the directory to another user")
def test_attack_directory_owned_by_another_user(built, tmp_path):
    cache = private_copy(built / "cache", tmp_path / "cache")
    os.chown(cache, 65534, 65534)
    assert_refused(run_app(cache, [built / "ci.key.pub"]), "owned by uid 65534")
    assert_strict_stops(cache, [built / "ci.key.pub"], "owned by uid 65534")


def test_attack_concurrent_writers(built, tmp_path):
    """Four precompiles of two different trees into one directory at once: the survivor
    is one complete, verified cache, and no temporary file is left."""
    edited = tmp_path / "edited"
    shutil.copytree(APP, edited)
    report = edited / "inventory" / "report.py"
    report.write_text(report.read_text().replace("acc * 31", "acc * 37"))
    out = tmp_path / "shared"
    procs = [
        subprocess.Popen(
            [PY, "-m", "pyjit", "precompile", str(tree), "--out", str(out), "--key", str(built / "ci.key"), "--jobs", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for tree in (APP, edited, APP, edited)
    ]
    assert all(p.wait() == 0 for p in procs)
    assert os.listdir(out) == [CACHE_FILE]
    env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
    assert pyjit("cache", "verify", out, env=env).returncode == 0
    result = run_app(out, [built / "ci.key.pub"], strict=True)
    assert result.returncode == 0 and result.probe["source"]["report"] == "cache", result.stderr


def test_attack_crash_during_write(built, tmp_path):
    """A writer killed at any point leaves either the previous cache or the new one, both
    complete; the temporary file it may leave is never read."""
    out = private_copy(built / "cache", tmp_path / "cache")
    before = (out / CACHE_FILE).read_bytes()
    big = tmp_path / "big"
    big.mkdir()
    for i in range(40):
        (big / f"m{i}.py").write_text("".join(f"def f{j}(x):\n    return x * {j} + {i}\n\n" for j in range(25)))
    for delay in (0.05, 0.3, 0.8):
        proc = subprocess.Popen(
            [PY, "-m", "pyjit", "precompile", str(big), "--out", str(out), "--key", str(built / "ci.key"), "--jobs", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = (out / CACHE_FILE).read_bytes()
        env = dict(os.environ, PYJIT_TRUSTED_KEYS=str(built / "ci.key.pub"))
        assert pyjit("cache", "verify", out, env=env).returncode == 0
        if after == before:
            result = run_app(out, [built / "ci.key.pub"], strict=True)
            assert result.returncode == 0 and result.probe["source"]["checksum"] == "cache"
    # What a crash mid-write leaves beside the cache: a partial temporary file.
    (out / f".{CACHE_FILE}.0123456789abcdef.tmp").write_bytes(before[: len(before) // 2])
    result = run_app(out, [built / "ci.key.pub"], strict=True)
    assert result.returncode == 0, result.stderr


def test_writer_removes_temporary_files_of_dead_writers(built, tmp_path):
    """Temporary files of killed writers do not pile up: the next writer removes those
    whose writer process is gone (once a minute old) and any an hour old."""
    out = private_copy(built / "cache", tmp_path / "cache")
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [
        (out / f".{CACHE_FILE}.{dead.pid}.0123456789abcdef.tmp", 120),
        (out / f".{CACHE_FILE}.0123456789abcdef.tmp", 2 * 3600),
    ]
    fresh = out / f".{CACHE_FILE}.{dead.pid}.fedcba9876543210.tmp"
    for path, age in stale + [(fresh, 0)]:
        path.write_bytes(b"partial")
        os.utime(path, (time.time() - age, time.time() - age))
    pyjit("precompile", APP, "--out", out, "--key", built / "ci.key")
    assert sorted(os.listdir(out)) == sorted([CACHE_FILE, fresh.name])


def test_attack_disk_full(built, tmp_path):
    """Writing fails (file size limit: EFBIG, as ENOSPC would): a one-line error, non-zero
    exit, the previous cache untouched and no temporary file left."""
    out = private_copy(built / "cache", tmp_path / "cache")
    before = (out / CACHE_FILE).read_bytes()

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = subprocess.run(
        [PY, "-m", "pyjit", "precompile", str(APP), "--out", str(out), "--key", str(built / "ci.key")],
        capture_output=True, text=True, preexec_fn=limit_file_size,
    )
    assert result.returncode == 1
    errors = [l for l in result.stderr.splitlines() if "error" in l]
    assert len(errors) == 1 and "File too large" in errors[0], result.stderr
    assert (out / CACHE_FILE).read_bytes() == before
    assert os.listdir(out) == [CACHE_FILE]


def test_cli_usage_errors_go_to_stderr_with_status_2(tmp_path):
    bare = pyjit("cache", check=False)
    assert bare.returncode == 2 and bare.stdout == "", bare
    assert bare.stderr.startswith("usage: pyjit cache"), bare.stderr
    helped = pyjit("cache", "--help")
    assert helped.stdout.startswith("usage: pyjit cache") and helped.stderr == ""


def test_precompile_of_a_fifo_or_device_says_so(built, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/null"):
        result = pyjit("precompile", path, "--out", tmp_path / "out", "--key", built / "ci.key", check=False)
        assert result.returncode == 1, result
        assert result.stderr == f"pyjit precompile: error: {path}: not a regular file or directory\n", result.stderr
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.py").write_text("def f():\n    return 1\n")
    os.mkfifo(src / "pipe.py")
    result = pyjit("precompile", src, "--out", tmp_path / "out", "--key", built / "ci.key", check=False)
    assert result.returncode == 1, result
    errors = [l for l in result.stderr.splitlines() if not l.startswith("compiled ")]
    assert errors == [f"{src / 'pipe.py'}: not a regular file"], result.stderr
    assert "2 files (1 with errors)" in result.stdout and "1 compiled, 1 skipped" in result.stdout, result.stdout
    result = pyjit("precompile", src, "--out", tmp_path / "out", "--key", fifo, check=False)
    assert result.returncode == 1 and "not a regular file" in result.stderr, result


# ---------------------------------------------------------------- trust defaults


def test_per_user_key_is_created_private_and_trusted_by_default(tmp_path):
    home = tmp_path / "xdg"
    env = dict(os.environ, XDG_CACHE_HOME=str(home))
    env.pop("PYJIT_TRUSTED_KEYS", None)
    pyjit("precompile", APP, "--out", tmp_path / "cache", env=env)
    user_dir = home / "pyjit"
    assert user_dir.stat().st_mode & 0o777 == 0o700
    assert (user_dir / "local.key").stat().st_mode & 0o777 == 0o600
    env.update(PYJIT_ENABLE="1", PYJIT_CACHE=str(tmp_path / "cache"), PYJIT_CACHE_STRICT="1")
    result = subprocess.run([PY, "-c", PROBE], cwd=APP, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '"checksum": "cache"' in result.stdout


# ---------------------------------------------------------------- the CI story


def test_container_steps_without_docker(tmp_path):
    """examples/container without Docker: the Dockerfile's build step (precompile with a
    training run, signed with the CI key), the cache copied elsewhere as the image does,
    and the run step in strict mode from a fresh process: every cached function ran from
    the cache, no run-time compile of them, and the same output as plain CPython."""
    container = APP.parent
    env = dict(os.environ, PYTHON=PY)
    pyjit("cache", "keygen", tmp_path / "ci.key")
    app = tmp_path / "build" / "app"
    shutil.copytree(APP, app)
    subprocess.run(
        [container / "build-cache.sh", app, tmp_path / "build" / "cache", tmp_path / "ci.key"],
        env=env, check=True, capture_output=True,
    )
    image = tmp_path / "image"
    image.mkdir()
    shutil.copytree(APP, image / "app")
    private_copy(tmp_path / "build" / "cache", image / "pyjit-cache")
    shutil.copy(tmp_path / "ci.key.pub", image / "ci.key.pub")
    entries = len(pyjit("cache", "ls", image / "pyjit-cache").stdout.splitlines())
    stats_file = tmp_path / "stats.json"
    run = subprocess.run(
        [container / "check-cache.sh", image / "app", image / "pyjit-cache", image / "ci.key.pub", stats_file],
        env=env, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected_output()
    assert "pyjit:" not in run.stderr
    stats = json.loads(stats_file.read_text())
    # Every entry was attached (the training run used every function of the project),
    # and nothing was refused.
    assert stats["cache_hits"] == entries and stats["cache_refusals"] == 0
    # The same run with run-time compiling off (no call threshold reached, no loop
    # tiering, which a loaded machine's slow loops would reach): everything native came
    # from the cache, no compile at all.
    run = subprocess.run(
        [container / "check-cache.sh", image / "app", image / "pyjit-cache", image / "ci.key.pub", stats_file],
        env=dict(env, PYJIT_THRESHOLD="1000000000", PYJIT_OSR="0"), capture_output=True, text=True, check=True,
    )
    stats = json.loads(stats_file.read_text())
    assert stats["compiled"] == 0 and stats["cache_hits"] == entries and stats["native_calls"] > 0
