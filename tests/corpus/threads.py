# Threads running compiled code concurrently (GIL switches at arbitrary
# points): several threads incrementing a shared counter under a Lock, a
# Condition-based producer/consumer over a queue.Queue, threading.local
# state, an exception raised in a thread (captured via a wrapper, and one
# reported through threading.excepthook), Barrier/Event synchronisation,
# ThreadPoolExecutor.map (ordered results), and a per-thread RLock
# recursion.  Only deterministic results are printed.
import concurrent.futures
import queue
import threading

counter = 0
counter_lock = threading.Lock()


def increment(times):
    global counter
    for _ in range(times):
        with counter_lock:
            counter += 1


def shared_counter():
    threads = [threading.Thread(target=increment, args=(5000,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter


def producer_consumer():
    q = queue.Queue(maxsize=4)
    results = []
    done = object()

    def produce():
        for i in range(50):
            q.put(i * i)
        q.put(done)

    def consume():
        total = 0
        while True:
            item = q.get()
            if item is done:
                break
            total += item
        results.append(total)

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


local = threading.local()


def thread_local_values():
    out = {}
    lock = threading.Lock()

    def work(n):
        local.value = n
        acc = 0
        for i in range(1000):
            acc += local.value
        with lock:
            out[n] = (acc, local.value)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    local.value = "main"
    return sorted(out.items()), local.value


def exceptions_in_threads():
    errors = []

    def risky(n):
        try:
            if n % 2:
                raise ValueError("thread %d failed" % n)
        except ValueError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=risky, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    hooked = []
    old_hook = threading.excepthook
    threading.excepthook = lambda args: hooked.append(
        "%s in %s" % (args.exc_type.__name__, args.thread.name))
    try:
        t = threading.Thread(target=lambda: 1 / 0, name="crasher")
        t.start()
        t.join()
    finally:
        threading.excepthook = old_hook
    return sorted(errors), hooked


def barrier_and_event():
    barrier = threading.Barrier(3)
    ready = threading.Event()
    order = []
    lock = threading.Lock()

    def party(n):
        barrier.wait()
        ready.wait()
        with lock:
            order.append(n)

    threads = [threading.Thread(target=party, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    ready.set()
    for t in threads:
        t.join()
    return sorted(order)


def pool_map():
    def work(x):
        total = 0
        for i in range(x * 100):
            total += i % 7
        return total

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as ex:
        results = list(ex.map(work, range(8)))
        future = ex.submit(lambda: {}["missing"])
        try:
            future.result()
        except KeyError as e:
            results.append("future raised %r" % (e,))
    return results


def rlock_recursion():
    rl = threading.RLock()

    def nested(n):
        with rl:
            return 0 if n == 0 else 1 + nested(n - 1)

    out = []
    t = threading.Thread(target=lambda: out.append(nested(20)))
    t.start()
    t.join()
    return out


print(shared_counter())
print(producer_consumer())
print(thread_local_values())
print(exceptions_in_threads())
print(barrier_and_event())
print(pool_map())
print(rlock_recursion())
print(threading.active_count())
