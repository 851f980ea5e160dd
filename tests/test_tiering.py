"""Compiling on the compiler thread (README, "Tiering"; ``runtime/background.rs``).

With the automatic threshold, code found worth compiling is compiled on a background
thread while its frames keep running in the interpreter; the next frame installs the
finished code. Each case runs a child process (settings are read at start-up) and checks
what ``pyjit.info`` and ``pyjit.stats`` report there.
"""

import json
import os
import subprocess
import sys
import textwrap

PY = sys.executable

# Calls `hot` until pyjit reports it "being compiled" (submitted to the compiler thread,
# not yet installed), then until it is compiled, each time within a time limit.
PRELUDE = textwrap.dedent(
    """
    import json, os, sys, time
    import pyjit

    def hot(x):
        return (x * 31 + 7) % 1_000_003

    def call_until(condition, limit=60.0):
        deadline = time.monotonic() + limit
        n = 0
        while not condition():
            if time.monotonic() > deadline:
                print("timed out:", pyjit.info(hot)); sys.exit(1)
            hot(n)
            n += 1
        return n

    being_compiled = lambda: pyjit.info(hot)["reason"] == "being compiled"
    compiled = lambda: pyjit.info(hot)["compiled"]
    """
)


def run(program, timeout=300, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    environment.update(PYJIT_ENABLE="1", **env)
    process = subprocess.run(
        [PY, "-c", PRELUDE + textwrap.dedent(program)],
        env=environment, capture_output=True, text=True, timeout=timeout,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    return process.stdout


def test_hot_code_is_compiled_in_the_background_and_installed_by_a_later_call():
    out = run(
        """
        call_until(being_compiled)
        # Submitted: results unchanged. (Whether this call still runs interpreted
        # depends on how soon the compiler thread finishes: on an idle machine it may
        # already have, and this call installs the code.)
        assert hot(10) == 317
        call_until(compiled)
        info, stats = pyjit.info(hot), pyjit.stats()
        print(json.dumps([info["source"], info["compile_time_ns"] > 0, stats["background_compiles"] >= 1]))
        """
    )
    assert json.loads(out) == ["jit", True, True]


def test_a_compile_pending_at_fork_is_compiled_again_in_the_child():
    # Installing happens only on the thread running `hot`, so a compile seen pending
    # just before the fork is still pending (its generation old) in the child.
    out = run(
        """
        call_until(being_compiled)
        pid = os.fork()
        if pid == 0:
            before = pyjit.stats()["background_compiles"]
            call_until(compiled)
            print(json.dumps(["child", hot(10), pyjit.stats()["background_compiles"] > before]))
            sys.stdout.flush()
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        call_until(compiled)
        print(json.dumps(["parent", hot(10), os.waitstatus_to_exitcode(status)]))
        """
    )
    assert [json.loads(line) for line in out.splitlines()] == [["child", 317, True], ["parent", 317, 0]]


def test_code_a_parent_installs_after_fork_is_not_overwritten_by_its_child():
    # Through the object loader, functions share chunks of a memory file, which a forked
    # child shares with its parent: the child must put its code elsewhere, or its
    # functions would land on the parent's, installed at the same offsets meanwhile.
    out = run(
        """
        # Parent and child compile different code (constants are read through the
        # frame, so functions differing only in them have the same machine code).
        def make(body):
            namespace = {}
            exec(f"def f(x):\\n    return {body}", namespace)
            return namespace["f"]

        def works(functions, expected):
            return all(f(2) == expected(i) and pyjit.info(f)["compiled"] for i, f in enumerate(functions))

        make("x")(0)
        readable, writable = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(writable)
            os.read(readable, 1)
            children = [make(f"[x] * 3 + [i for i in range(x)] + [{i}]") for i in range(50)]
            os._exit(0 if works(children, lambda i: [2, 2, 2, 0, 1, i]) else 1)
        parents = [make(f"x * {i} + 1") for i in range(50)]
        assert works(parents, lambda i: 2 * i + 1)
        os.write(writable, b"x")
        _, status = os.waitpid(pid, 0)
        print(json.dumps([os.waitstatus_to_exitcode(status), works(parents, lambda i: 2 * i + 1)]))
        """,
        PYJIT_VIA_OBJECT="1", PYJIT_THRESHOLD="0",
    )
    assert json.loads(out) == [0, True]


def test_code_never_goes_to_a_file_opened_under_the_number_of_a_closed_code_descriptor(tmp_path):
    # Daemonizing code closes the descriptors it did not open, the memory file's among
    # them, and the number may then name a file of the program's.
    log = tmp_path / "log"
    out = run(
        f"""
        def make(body):
            namespace = {{}}
            exec(f"def f(x):\\n    return {{body}}", namespace)
            return namespace["f"]

        def target(number):
            try:
                return os.readlink(f"/proc/self/fd/{{number}}")
            except OSError:  # the descriptor listing the directory
                return ""

        make("x")(0)
        # The chunk being filled is the latest one.
        number = max(int(n) for n in os.listdir("/proc/self/fd") if target(n).startswith("/memfd:pyjit-code"))
        os.close(number)
        log = os.open({str(log)!r}, os.O_RDWR | os.O_CREAT)
        if log != number:
            os.dup2(log, number)
            os.close(log)
        functions = [make(f"x * {{i}} + 1") for i in range(20)]
        works = all(f(2) == 2 * i + 1 and pyjit.info(f)["compiled"] for i, f in enumerate(functions))
        os.write(number, b"still open")
        print(json.dumps([works, os.path.getsize({str(log)!r})]))
        """,
        PYJIT_VIA_OBJECT="1", PYJIT_THRESHOLD="0",
    )
    assert json.loads(out) == [True, len(b"still open")]


def test_background_off_and_fixed_thresholds_compile_in_place():
    program = """
        call_until(compiled)
        print(json.dumps([pyjit.stats()["background_compiles"] > 0, pyjit.config()["background"]]))
        """
    assert json.loads(run(program, PYJIT_BACKGROUND="0")) == [False, False]
    # A fixed threshold compiles at the call it names, on the calling thread.
    assert json.loads(run(program, PYJIT_THRESHOLD="3")) == [False, True]
    assert json.loads(run(program)) == [True, True]


def test_a_frame_started_while_its_code_compiles_continues_natively():
    # The call after the one that submitted the compile starts while the compiler
    # thread still works on it; its loop moves into the native code at a loop header
    # once the compile is done (a frame only the interpreter ran never did).
    # The compile can also finish before the check after the submitting call sees it
    # under way (the main thread descheduled meanwhile, on a loaded machine): then
    # again with a new code object.
    out = run(
        """
        LOOPING = (
            "def looping(n):\\n"
            "    acc = 0\\n"
            "    for i in range(n):\\n"
            "        acc = (acc * 33 + i) % 1_000_003\\n"
            "    return acc\\n"
        )

        for attempt in range(20):
            namespace = {}
            exec(LOOPING, namespace)
            looping = namespace["looping"]
            deadline = time.monotonic() + 60
            while pyjit.info(looping)["reason"] != "being compiled" and not pyjit.info(looping)["compiled"]:
                assert time.monotonic() < deadline, pyjit.info(looping)
                looping(2_000)
            if not pyjit.info(looping)["compiled"]:
                break
        else:
            raise AssertionError("no compile was seen under way")
        result = looping(5_000_000)
        info = pyjit.info(looping)
        print(json.dumps([result, info["compiled"], info["native_entries"] >= 1]))
        """
    )
    expected = 0
    for i in range(5_000_000):
        expected = (expected * 33 + i) % 1_000_003
    assert json.loads(out) == [expected, True, True]


def test_the_import_system_is_left_to_the_interpreter_unless_a_threshold_is_fixed():
    # importlib's frozen code spends its time in C calls (stat, unmarshal, module
    # bodies): the default policy leaves it interpreted, with a reason; a fixed
    # threshold compiles it like all code.
    program = """
        from importlib import _bootstrap_external as external
        split = external._path_split
        deadline = time.monotonic() + 60
        while pyjit.info(split)["reason"] == "not hot enough yet" and time.monotonic() < deadline:
            for _ in range(1000):
                split("a/b/c")
        call_until(compiled)
        info = pyjit.info(split)
        print(json.dumps([info["compiled"], info["reason"], pyjit.info(hot)["compiled"]]))
        """
    compiled, reason, hot_compiled = json.loads(run(program).splitlines()[-1])
    assert (compiled, hot_compiled) == (False, True)
    assert reason.startswith("the import system (frozen importlib)")
    assert json.loads(run(program, PYJIT_THRESHOLD="5").splitlines()[-1])[:2] == [True, None]


def test_start_up_watches_no_loops_and_a_module_s_loop_still_moves_into_native_code(tmp_path):
    # With the JIT switched on by the start-up hook, the frames `site` runs after it are
    # not watched for hot loops: no watchdog thread starts with the process. The
    # program's frames are, also those of a module it imports below the depth at which
    # site's module frame ran, whose loop in a function called once continues natively.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
    threads = subprocess.run(
        [PY, "-c", "import os, pyjit; print(pyjit.is_enabled(), len(os.listdir('/proc/self/task')))"],
        env=dict(environment, PYJIT_ENABLE="1"), capture_output=True, text=True, timeout=300,
    )
    assert threads.stdout.split() == ["True", "1"], threads.stdout + threads.stderr
    (tmp_path / "looping.py").write_text(textwrap.dedent(
        """
        def spin():
            total = 0
            for i in range(5_000_000):
                total += i
            return total

        result = spin()
        """
    ))
    out = run(
        """
        import looping
        print(json.dumps([looping.result, pyjit.info(looping.spin)["osr_entries"]]))
        """,
        PYTHONPATH=str(tmp_path),
    )
    assert json.loads(out) == [sum(range(5_000_000)), 1]


def test_pyjit_s_threads_take_no_signal_the_program_blocks():
    # A signal sent to the process goes to a thread that does not block it. The
    # compiler thread and the loop watchdog block the signals a program handles, so a
    # signal the main thread blocks stays pending until it unblocks it, and the
    # handler runs inside `pthread_sigmask`, as under CPython.
    out = run(
        """
        import signal

        def handler(signum, frame):
            1 / 0

        signal.signal(signal.SIGUSR1, handler)
        total = 0
        for i in range(3_000_000):
            total += i
        threads = len(os.listdir("/proc/self/task"))
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.05)
        pending = signal.sigpending()
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
            raised = False
        except ZeroDivisionError:
            raised = True
        print(json.dumps([threads > 1, sorted(pending), raised]))
        """
    )
    assert json.loads(out) == [True, [int(__import__("signal").SIGUSR1)], True]


def test_a_child_forked_from_a_thread_ends_when_that_thread_does():
    # A child forked from a thread other than the main one has that thread alone, and
    # its process ends when the thread does, so pyjit's threads started in the child
    # (the loop watchdog for `threading`'s loops, the compiler thread for `hot`) end
    # when idle. The child's code is CPython's own test_threading test of the case.
    out = run(
        """
        import threading

        def func():
            pid = os.fork()
            if pid == 0:
                main = threading.main_thread()
                print(main.name)
                print(main.ident == threading.current_thread().ident)
                call_until(compiled)
                sys.stdout.flush()
                return
            deadline = time.monotonic() + 60
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, 9)
                    print("child still running")
                    return
                time.sleep(0.01)
            print("child ended")

        th = threading.Thread(target=func)
        th.start()
        th.join()
        """
    )
    assert out.splitlines() == ["Thread-1 (func)", "True", "child ended"]


def test_a_thread_traced_while_the_main_thread_waits_in_a_watched_loop_runs_on():
    # The watchdog sets the eval breaker for the main thread's sample only while the
    # main thread holds the GIL. Set while another thread holds it, the breaker stays
    # set (only the main thread can run the call), and a traced thread re-runs each
    # `RESUME` after every check: it went round one forever, and the main thread
    # joining it waited forever.
    out = run(
        """
        import threading

        def callee(i):
            return i

        def worker():
            sys.settrace(lambda *args: None)
            deadline = time.monotonic() + 0.2
            while time.monotonic() < deadline:
                callee(0)
            sys.settrace(None)

        def main():
            for _ in range(3):
                thread = threading.Thread(target=worker)
                thread.start()
                thread.join()
            print("joined")

        main()
        """,
        timeout=60,
    )
    assert out == "joined\n"
