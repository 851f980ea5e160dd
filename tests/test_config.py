"""Settings: the ``PYJIT_*`` environment variables, their ``-X pyjit*`` options and
``pyjit.config()`` (README, "Configuration").

The rules tested here: an invalid setting is one line on stderr naming the variable, the
value and what is valid, and the process exits with status 2 before the program runs,
however pyjit was started (strict mode included); path settings take any bytes; the
startup hook runs once per process; a file pyjit cannot write at exit is one warning
line; ``pyjit.config()`` checks every argument, and changes nothing when one is invalid.

Settings are read when pyjit is imported, so each case runs a child process.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyjit

PY = sys.executable
PYJIT_COMMAND = Path(sys.executable).with_name("pyjit")
SETTING_EXIT = 2
PROGRAM = "print('the program ran')"
APP = Path(__file__).resolve().parent.parent / "examples" / "container" / "app"


def run(*args, env=None):
    """``python ARGS`` with the ``PYJIT_*`` variables of this process replaced by
    ``env`` (str or bytes values); the completed process, output as text."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    environment.update(env or {})
    command = [PY, *args] if not args or args[0] != PYJIT_COMMAND else list(args)
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def assert_stopped(process, message):
    """The process printed exactly ``pyjit: error: MESSAGE`` and exited with status 2
    before the program ran."""
    assert (process.returncode, process.stderr, process.stdout) == (
        SETTING_EXIT,
        f"pyjit: error: {message}\n",
        "",
    )


# ---------------------------------------------------------------- invalid settings (item 8)

INVALID = [
    ("PYJIT_LEVEL", "9", "must be 0, 1 or 2"),
    ("PYJIT_LEVEL", "-1", "must be 0, 1 or 2"),
    ("PYJIT_THRESHOLD", "soon", "must be 'auto' or a non-negative integer"),
    ("PYJIT_OSR", "maybe", "must be 0 or 1 (or true/false, yes/no, on/off)"),
    ("PYJIT_BACKGROUND", "later", "must be 0 or 1 (or true/false, yes/no, on/off)"),
    ("PYJIT_CACHE_STRICT", "please", "must be 0 or 1 (or true/false, yes/no, on/off)"),
    ("PYJIT_DISABLE", "sometimes", "must be 0 or 1 (or true/false, yes/no, on/off)"),
    ("PYJIT_VERIFY", "2", "must be 0 or 1 (or true/false, yes/no, on/off)"),
    ("PYJIT_THRESHOLD", "1\n2", "must be 'auto' or a non-negative integer"),
]

STARTS = {
    # How a process starts pyjit: the startup hook, the command, python -m pyjit, and a
    # program importing it.
    "PYJIT_ENABLE=1": (["-c", PROGRAM], {"PYJIT_ENABLE": "1"}),
    "pyjit command": ([PYJIT_COMMAND, "-c", PROGRAM], {}),
    "python -m pyjit": (["-m", "pyjit", "-c", PROGRAM], {}),
    "import pyjit": (["-c", "import pyjit; " + PROGRAM], {}),
}


@pytest.mark.parametrize("start", STARTS, ids=list(STARTS))
@pytest.mark.parametrize("name,value,valid", INVALID, ids=[f"{n}={v!r}" for n, v, _ in INVALID])
def test_an_invalid_setting_is_one_line_and_exit_status_2(start, name, value, valid):
    args, env = STARTS[start]
    process = run(*args, env={**env, name: value})
    assert_stopped(process, f"{name}={value!r}: {valid}")


def test_strict_mode_never_runs_without_the_cache(tmp_path):
    env = {"PYJIT_ENABLE": "1", "PYJIT_CACHE": str(tmp_path), "PYJIT_CACHE_STRICT": "1", "PYJIT_LEVEL": "9"}
    assert_stopped(run("-c", PROGRAM, env=env), "PYJIT_LEVEL='9': must be 0, 1 or 2")


def test_invalid_optimization_lists_name_the_valid_ones():
    for args, env, shown in [
        (["-c", PROGRAM], {"PYJIT_ENABLE": "1", "PYJIT_OPT_OFF": "2,fast"}, "PYJIT_OPT_OFF='2,fast'"),
        (["-X", "pyjit-opt-off=0", "-c", "import pyjit; " + PROGRAM], {}, "-X pyjit-opt-off='0'"),
    ]:
        process = run(*args, env=env)
        assert process.returncode == SETTING_EXIT and process.stdout == "", process
        assert process.stderr.startswith(f"pyjit: error: {shown}: unknown optimization "), process.stderr
        assert "valid: 1 inline-cache-globals" in process.stderr and process.stderr.count("\n") == 1


def test_enable_takes_the_flag_values():
    probe = "import pyjit; print(pyjit.is_enabled())"
    for value, enabled in [("1", "True"), ("on", "True"), ("yes", "True"), ("0", "False"), ("off", "False")]:
        process = run("-c", probe, env={"PYJIT_ENABLE": value})
        assert (process.returncode, process.stdout.strip(), process.stderr) == (0, enabled, ""), value
    assert_stopped(run("-c", PROGRAM, env={"PYJIT_ENABLE": "y"}), f"PYJIT_ENABLE='y': {INVALID[3][2]}")


# ---------------------------------------------------------------- values that are not UTF-8 (item 9)


def test_non_utf8_values_of_other_settings_are_errors():
    for name in ["PYJIT_LEVEL", "PYJIT_ENABLE", "PYJIT_OPT_OFF"]:
        process = run("-c", PROGRAM, env={"PYJIT_ENABLE": "1", name: b"1\xff"})
        assert process.returncode == SETTING_EXIT and process.stdout == "", process
        assert process.stderr.startswith(f"pyjit: error: {name}='1\\udcff': must be "), process.stderr
        assert process.stderr.count("\n") == 1, process.stderr


def test_path_settings_take_any_bytes(tmp_path):
    root = os.fsencode(tmp_path)
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    key = tmp_path / "k.key"
    for args in (["cache", "keygen", key], ["precompile", app, "--out", tmp_path / "cache", "--key", key]):
        subprocess.run([PY, "-m", "pyjit", *map(str, args)], capture_output=True, check=True, timeout=120)
    cache, public_key = root + b"/cache-\xff", root + b"/k\xfe.pub"
    os.rename(tmp_path / "cache", cache)
    os.rename(tmp_path / "k.key.pub", public_key)
    stats, record = root + b"/stats-\xfd.json", root + b"/record-\xfc"
    probe = "import main, pyjit; main.main(); print('SOURCE', pyjit.info(main.main)['source'])"
    env = {
        "PYJIT_ENABLE": "1", "PYJIT_CACHE": cache, "PYJIT_TRUSTED_KEYS": public_key, "PYJIT_CACHE_STRICT": "1",
        "PYJIT_STATS_OUT": stats, "PYJIT_RECORD_OUT": record, "PYTHONPATH": str(app),
        # Recording lists the code compiled: at threshold 0, all that runs.
        "PYJIT_THRESHOLD": "0",
    }
    process = run("-c", probe, env=env)
    assert process.returncode == 0 and process.stderr == "", process
    assert process.stdout.splitlines()[-1] == "SOURCE cache", process.stdout
    with open(stats, encoding="utf-8") as written:
        assert json.load(written)["cache_hits"] > 0
    with open(record, encoding="ascii") as written:
        assert len(written.read().split()) > 0


# ---------------------------------------------------------------- start-up runs once (item 10)


def test_startup_registers_its_writers_once(tmp_path):
    """site.py runs a virtualenv's .pth files twice; the hook acts once."""
    record = tmp_path / "record"
    program = "import atexit; print(atexit._ncallbacks())\ndef f(): pass\nf()"
    plain = run("-c", program, env={"PYJIT_ENABLE": "1"})
    writing = run("-c", program, env={"PYJIT_ENABLE": "1", "PYJIT_STATS_OUT": str(tmp_path / "s.json"),
                                      "PYJIT_RECORD_OUT": str(record), "PYJIT_THRESHOLD": "0"})
    assert plain.returncode == 0 and writing.returncode == 0, (plain.stderr, writing.stderr)
    assert int(writing.stdout) - int(plain.stdout) == 2
    keys = [line.split()[0] for line in record.read_text().splitlines()]
    assert keys and len(keys) == len(set(keys)), "every key once"


def test_subinterpreters_start_quietly_without_the_jit():
    """Site runs the start-up hook in each subinterpreter too, where the extension does
    not load: nothing is printed there (as under CPython), code runs in CPython's
    interpreter, the API says why, and the main interpreter's JIT goes on."""
    sub = (
        "import pyjit\n"
        "def g(x):\n"
        "    return x * 2\n"
        "print('sub', g(21), pyjit.is_enabled())\n"
        "for use in (pyjit.info, pyjit.dis):\n"
        "    try:\n"
        "        use(g)\n"
        "    except RuntimeError as error:\n"
        "        print(error)\n"
    )
    program = (
        "import _xxsubinterpreters as interpreters, pyjit\n"
        "def f(x):\n"
        "    return x + 1\n"
        "interp = interpreters.create()\n"
        f"interpreters.run_string(interp, {sub!r})\n"
        "interpreters.destroy(interp)\n"
        "print('main', f(41), pyjit.is_enabled(), pyjit.info(f)['compiled'])\n"
    )
    process = run("-c", program, env={"PYJIT_ENABLE": "1", "PYJIT_THRESHOLD": "0"})
    assert (process.returncode, process.stderr) == (0, ""), process.stderr
    assert process.stdout.splitlines() == [
        "sub 42 False",
        *["pyjit: the JIT runs in the main interpreter only; this is a subinterpreter"] * 2,
        "main 42 True True",
    ]


# ---------------------------------------------------------------- files pyjit cannot write (item 11)


@pytest.mark.parametrize("name", ["PYJIT_STATS_OUT", "PYJIT_RECORD_OUT"])
def test_an_unwritable_output_file_is_one_warning_line(tmp_path, name):
    path = str(tmp_path / "missing" / "out")
    process = run("-c", PROGRAM, env={"PYJIT_ENABLE": "1", name: path})
    assert process.returncode == 0 and process.stdout == "the program ran\n", process
    assert process.stderr == f"pyjit: warning: {name}={path!r}: cannot write it: No such file or directory\n"


# ---------------------------------------------------------------- -X options


SETTINGS_PROBE = "import pyjit; c = pyjit.config(); print(pyjit.is_enabled(), c['threshold'], c['osr'], c['background'], c['perf_map'], ','.join(c['disable_optimizations']))"


def test_x_pyjit_switches_the_jit_on_and_every_variable_is_an_x_option(tmp_path):
    stats = tmp_path / "stats.json"
    options = ["pyjit", "pyjit-threshold=7", "pyjit-osr=0", "pyjit-background=off", "pyjit-perf-map",
               "pyjit-opt-off=1", f"pyjit-stats-out={stats}"]
    process = run(*[arg for option in options for arg in ("-X", option)], "-c", SETTINGS_PROBE)
    assert (process.returncode, process.stdout.split(), process.stderr) == (
        0, ["True", "7", "False", "False", "True", "inline-cache-globals"], "")
    assert "compiled" in json.loads(stats.read_text())


def test_an_x_option_overrides_its_variable():
    env = {"PYJIT_ENABLE": "1", "PYJIT_THRESHOLD": "5", "PYJIT_OSR": "0"}
    process = run("-X", "pyjit=0", "-X", "pyjit-osr", "-c", SETTINGS_PROBE, env=env)
    assert (process.returncode, process.stdout.split()[:3], process.stderr) == (0, ["False", "5", "True"], "")


@pytest.mark.parametrize("start", ["python", "python -m pyjit", "pyjit command"])
def test_x_options_reach_the_program_however_pyjit_starts(start):
    args = {"python": ["-X", "pyjit"], "python -m pyjit": ["-m", "pyjit"], "pyjit command": [PYJIT_COMMAND]}[start]
    if start == "python -m pyjit":
        args = ["-X", "pyjit-threshold=3", *args]
    else:
        args = [*args, "-X", "pyjit-threshold=3"]
    process = run(*args, "-c", SETTINGS_PROBE)
    assert (process.returncode, process.stdout.split()[:2], process.stderr) == (0, ["True", "3"], "")


def test_invalid_x_options_stop_the_process():
    for option, message in [
        ("pyjit-level=9", "-X pyjit-level='9': must be 0, 1 or 2"),
        ("pyjit=maybe", "-X pyjit='maybe': must be 0 or 1 (or true/false, yes/no, on/off)"),
        ("pyjit-threshold", "-X pyjit-threshold: needs a value (-X pyjit-threshold=VALUE)"),
    ]:
        assert_stopped(run("-X", option, "-c", PROGRAM), message)
    process = run("-X", "pyjit-treshold=0", "-c", PROGRAM)
    assert process.returncode == SETTING_EXIT and process.stdout == "", process
    assert process.stderr.startswith("pyjit: error: -X pyjit-treshold: unknown option; valid: -X pyjit, -X pyjit-disable, ")
    assert process.stderr.count("\n") == 1


def test_an_unwritable_x_output_file_names_the_option(tmp_path):
    path = str(tmp_path / "missing" / "out")
    process = run("-X", "pyjit", "-X", f"pyjit-stats-out={path}", "-c", PROGRAM)
    assert process.returncode == 0 and process.stdout == "the program ran\n", process
    assert process.stderr == f"pyjit: warning: -X pyjit-stats-out={path!r}: cannot write it: No such file or directory\n"


# ---------------------------------------------------------------- pyjit.config() (item 12)

BAD_ARGUMENTS = [
    ({"level": -1}, ValueError, "pyjit.config(level=-1): must be 0, 1 or 2"),
    ({"level": 3}, ValueError, "pyjit.config(level=3): must be 0, 1 or 2"),
    ({"level": 2**70}, ValueError, f"pyjit.config(level={2**70}): must be 0, 1 or 2"),
    ({"level": "1"}, TypeError, "pyjit.config(level='1'): must be 0, 1 or 2"),
    ({"level": True}, TypeError, "pyjit.config(level=True): must be 0, 1 or 2"),
    ({"threshold": -1}, ValueError, "pyjit.config(threshold=-1): must be 'auto', None or a non-negative integer"),
    ({"threshold": "soon"}, ValueError, "pyjit.config(threshold='soon'): must be 'auto', None or a non-negative integer"),
    ({"threshold": 1.5}, TypeError, "pyjit.config(threshold=1.5): must be 'auto', None or a non-negative integer"),
    ({"pgc": 1}, TypeError, "pyjit.config(pgc=1): must be True or False"),
    ({"osr": "yes"}, TypeError, "pyjit.config(osr='yes'): must be True or False"),
    ({"background": "no"}, TypeError, "pyjit.config(background='no'): must be True or False"),
    ({"via_object": None}, TypeError, "pyjit.config(via_object=None): must be True or False"),
    ({"cache_strict": 0}, TypeError, "pyjit.config(cache_strict=0): must be True or False"),
    ({"perf_map": "on"}, TypeError, "pyjit.config(perf_map='on'): must be True or False"),
    ({"cache": ""}, ValueError, "pyjit.config(cache=''): must be None or a non-empty path (str, bytes or os.PathLike)"),
    ({"cache": b""}, ValueError, "pyjit.config(cache=b''): must be None or a non-empty path (str, bytes or os.PathLike)"),
    ({"cache": "a\0b"}, ValueError, "pyjit.config(cache='a\\x00b'): must be None or a non-empty path (str, bytes or os.PathLike)"),
    ({"cache": 5}, TypeError, "pyjit.config(cache=5): must be None or a non-empty path (str, bytes or os.PathLike)"),
    ({"trusted_keys": [""]}, ValueError, "pyjit.config(trusted_keys=['']): must be None, a ':'-separated string of paths or a list of non-empty paths"),
    ({"trusted_keys": [5]}, TypeError, "pyjit.config(trusted_keys=[5]): must be None, a ':'-separated string of paths or a list of non-empty paths"),
    ({"trusted_keys": 5}, TypeError, "pyjit.config(trusted_keys=5): must be None, a ':'-separated string of paths or a list of non-empty paths"),
    ({"disable_optimizations": 5}, TypeError, "pyjit.config(disable_optimizations=5): must be 'all', a comma-separated string or a list of optimization numbers and names"),
    ({"disable_optimizations": [1.5]}, TypeError, "pyjit.config(disable_optimizations=[1.5]): must be 'all', a comma-separated string or a list of optimization numbers and names"),
    ({"disable_optimizations": [0]}, ValueError, "pyjit.config(disable_optimizations=[0]): unknown optimization \"0\"; valid: 1 inline-cache-globals"),
    ({"bogus": 1}, TypeError, "pyjit.config() got an unexpected keyword argument 'bogus'; valid: threshold, level, pgc"),
]


@pytest.mark.parametrize("arguments,error,message", BAD_ARGUMENTS, ids=[repr(a) for a, _, _ in BAD_ARGUMENTS])
def test_config_checks_every_argument(arguments, error, message):
    before = pyjit.config()
    with pytest.raises(error) as raised:
        pyjit.config(**arguments)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
    assert pyjit.config() == before


def test_config_changes_nothing_when_one_argument_is_invalid():
    before = pyjit.config()
    with pytest.raises(ValueError, match=r"pyjit.config\(cache=''\)"):
        pyjit.config(level=0 if before["level"] else 1, threshold=7, cache="")
    assert pyjit.config() == before


def test_config_takes_paths_as_any_bytes_and_reads_them_back():
    before = pyjit.config()
    try:
        settings = pyjit.config(cache=b"/tmp/cache-\xff", trusted_keys=[Path("a.pub"), b"b\xfe.pub"], threshold="5")
        assert settings["cache"] == Path(os.fsdecode(b"/tmp/cache-\xff"))
        assert settings["trusted_keys"] == [Path("a.pub"), Path(os.fsdecode(b"b\xfe.pub"))]
        assert settings["threshold"] == 5
        assert pyjit.config(trusted_keys="c.pub::d.pub")["trusted_keys"] == [Path("c.pub"), Path("d.pub")]
    finally:
        pyjit.config(**{key: before[key] for key in ("cache", "trusted_keys", "threshold")})
    assert pyjit.config() == before
