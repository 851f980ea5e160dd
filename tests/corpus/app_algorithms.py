# A realistic program: classic algorithms on deterministic pseudo-random data
# (a fixed-seed LCG and random.Random(1234)) -- quicksort, merge sort, heap
# sort, insertion sort, counting sort, binary search, Dijkstra with heapq,
# BFS / DFS, topological sort with cycle detection (raising), union-find
# (Kruskal MST), Floyd-Warshall, an LRU cache, the sieve of Eratosthenes,
# longest common subsequence, n-queens, and matrix exponentiation with big
# ints -- each result checked against a simple reference.  Ends with an
# uncaught CycleError.
import bisect
import collections
import heapq
import random


def lcg(seed):
    state = seed
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield state >> 33


def take(gen, n, mod):
    return [next(gen) % mod for _ in range(n)]


def quicksort(xs):
    if len(xs) <= 1:
        return xs
    pivot = xs[len(xs) // 2]
    return (quicksort([x for x in xs if x < pivot]) + [x for x in xs if x == pivot]
            + quicksort([x for x in xs if x > pivot]))


def merge_sort(xs):
    if len(xs) <= 1:
        return list(xs)
    mid = len(xs) // 2
    left, right = merge_sort(xs[:mid]), merge_sort(xs[mid:])
    out, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


def heap_sort(xs):
    a = list(xs)
    n = len(a)

    def sift(start, end):
        root = start
        while 2 * root + 1 <= end:
            child = 2 * root + 1
            if child + 1 <= end and a[child] < a[child + 1]:
                child += 1
            if a[root] < a[child]:
                a[root], a[child] = a[child], a[root]
                root = child
            else:
                return

    for start in range(n // 2 - 1, -1, -1):
        sift(start, n - 1)
    for end in range(n - 1, 0, -1):
        a[0], a[end] = a[end], a[0]
        sift(0, end - 1)
    return a


def insertion_sort(xs):
    a = list(xs)
    for i in range(1, len(a)):
        key = a[i]
        j = i - 1
        while j >= 0 and a[j] > key:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = key
    return a


def counting_sort(xs, k):
    counts = [0] * k
    for x in xs:
        counts[x] += 1
    out = []
    for value, c in enumerate(counts):
        out.extend([value] * c)
    return out


def binary_search(a, target):
    lo, hi = 0, len(a) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if a[mid] == target:
            return mid
        if a[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def make_graph(n, edges_per_node, rng):
    graph = {i: [] for i in range(n)}
    for u in range(n):
        for _ in range(edges_per_node):
            v = rng.randrange(n)
            if v != u:
                graph[u].append((v, rng.randint(1, 20)))
    return graph


def dijkstra(graph, src):
    dist = {src: 0}
    heap = [(0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist.get(u, float("inf")):
            continue
        for v, w in graph[u]:
            nd = d + w
            if nd < dist.get(v, float("inf")):
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist


def bfs_order(graph, src):
    seen, order, queue = {src}, [], collections.deque([src])
    while queue:
        u = queue.popleft()
        order.append(u)
        for v, _ in graph[u]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return order


def dfs_order(graph, src):
    seen, order = set(), []

    def visit(u):
        seen.add(u)
        order.append(u)
        for v, _ in graph[u]:
            if v not in seen:
                visit(v)

    visit(src)
    return order


class CycleError(Exception):
    pass


def toposort(deps):
    state, order = {}, []

    def visit(node, path):
        if state.get(node) == "done":
            return
        if state.get(node) == "active":
            raise CycleError("cycle: " + " -> ".join(path + [node]))
        state[node] = "active"
        for d in sorted(deps.get(node, ())):
            visit(d, path + [node])
        state[node] = "done"
        order.append(node)

    for node in sorted(deps):
        visit(node, [])
    return order


class DisjointSet:
    def __init__(self, n):
        self.parent = list(range(n))
        self.rank = [0] * n

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        return True


def kruskal(n, edges):
    ds = DisjointSet(n)
    total, used = 0, 0
    for w, u, v in sorted(edges):
        if ds.union(u, v):
            total += w
            used += 1
    return total, used


def floyd_warshall(n, graph):
    inf = float("inf")
    d = [[0 if i == j else inf for j in range(n)] for i in range(n)]
    for u, edges in graph.items():
        for v, w in edges:
            d[u][v] = min(d[u][v], w)
    for k in range(n):
        dk = d[k]
        for i in range(n):
            di = d[i]
            dik = di[k]
            if dik == inf:
                continue
            for j in range(n):
                if dik + dk[j] < di[j]:
                    di[j] = dik + dk[j]
    return d


class LRU:
    def __init__(self, capacity):
        self.capacity = capacity
        self.data = collections.OrderedDict()
        self.hits = self.misses = 0

    def get(self, key, compute):
        if key in self.data:
            self.hits += 1
            self.data.move_to_end(key)
            return self.data[key]
        self.misses += 1
        value = compute(key)
        self.data[key] = value
        if len(self.data) > self.capacity:
            self.data.popitem(last=False)
        return value


def sieve(n):
    flags = bytearray([1]) * (n + 1)
    flags[0:2] = b"\x00\x00"
    for i in range(2, int(n ** 0.5) + 1):
        if flags[i]:
            flags[i * i::i] = bytearray(len(flags[i * i::i]))
    return [i for i, f in enumerate(flags) if f]


def lcs(a, b):
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def n_queens(n):
    count = 0
    cols, d1, d2 = set(), set(), set()

    def place(r):
        nonlocal count
        if r == n:
            count += 1
            return
        for c in range(n):
            if c in cols or r - c in d1 or r + c in d2:
                continue
            cols.add(c), d1.add(r - c), d2.add(r + c)
            place(r + 1)
            cols.discard(c), d1.discard(r - c), d2.discard(r + c)

    place(0)
    return count


def mat_mult(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)] for i in range(2)]


def fib_matrix(n):
    result, base = [[1, 0], [0, 1]], [[1, 1], [1, 0]]
    while n:
        if n & 1:
            result = mat_mult(result, base)
        base = mat_mult(base, base)
        n >>= 1
    return result[0][1]


data = take(lcg(42), 400, 1000)
reference = sorted(data)
print("sorts agree:", all(f(data) == reference for f in (quicksort, merge_sort, heap_sort,
                                                           insertion_sort)),
      counting_sort(data, 1000) == reference)
print("first/last:", reference[:5], reference[-5:])
print("search:", [binary_search(reference, t) == (bisect.bisect_left(reference, t)
                                                  if t in reference else -1)
                  for t in (reference[0], reference[200], 1001, -1)])
rng = random.Random(1234)
graph = make_graph(40, 3, rng)
dist = dijkstra(graph, 0)
fw = floyd_warshall(40, graph)
print("dijkstra:", sorted(dist.items())[:10])
print("matches floyd-warshall:", all(fw[0][v] == d for v, d in dist.items()),
      sum(1 for v in range(40) if fw[0][v] == float("inf")) == 40 - len(dist))
print("bfs:", bfs_order(graph, 0)[:15])
print("dfs:", dfs_order(graph, 0)[:15])
edges = [(rng.randint(1, 100), rng.randrange(30), rng.randrange(30)) for _ in range(120)]
print("kruskal:", kruskal(30, edges))
deps = {"app": ["lib", "utils"], "lib": ["core"], "utils": ["core", "log"], "core": [], "log": []}
print("toposort:", toposort(deps))
lru = LRU(8)
keys = take(lcg(7), 200, 20)
vals = [lru.get(k, lambda x: x * x) for k in keys]
print("lru:", lru.hits, lru.misses, sum(vals), list(lru.data))
primes = sieve(5000)
print("primes:", len(primes), primes[-3:], sum(primes))
print("lcs:", lcs("AGGTABQWERTY" * 3, "GXTXAYBWRT" * 3))
print("queens:", [n_queens(n) for n in range(1, 8)])
print("fib:", fib_matrix(300) % 10 ** 12, len(str(fib_matrix(1000))))
try:
    toposort({"a": ["b"], "b": ["c"], "c": ["a"]})
except CycleError as e:
    print("caller caught:", e)
toposort({"build": ["test"], "test": ["deploy"], "deploy": ["build"], "docs": []})
