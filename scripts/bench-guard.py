#!/usr/bin/env python3
"""Benchmark `kintsugi guard`'s exec layer against a throwaway sandbox daemon.

Usage: scripts/bench-guard.py [KINTSUGI_BIN] [N] [RUNS]

For each run: a shell loop of N execs of /bin/true, unguarded and under
`kintsugi guard` (same run, same daemon), total wall time; and per-exec
latency samples (each fork+exec+wait of /bin/true timed on its own, by a
small Python driver, guarded and not). Prints medians over RUNS, the added
time per exec ((guarded - unguarded) / N), p50/p99 of the per-exec added
latency, and the guard's start-up (guard -- /bin/true minus /bin/true).
Nothing outside a temp dir is touched.
"""
import json, os, statistics, subprocess, sys, tempfile, time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/debug/kintsugi"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
BIN = os.path.abspath(BIN)

DRIVER = r"""
import os, sys, time
n = int(sys.argv[1]); out = []
for _ in range(n):
    t = time.perf_counter_ns()
    pid = os.fork()
    if pid == 0:
        try: os.execv('/bin/true', ['/bin/true'])
        finally: os._exit(127)
    os.waitpid(pid, 0)
    out.append(time.perf_counter_ns() - t)
print(' '.join(map(str, out)))
"""

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round((len(xs) - 1) * p))]

def main():
    tmp = tempfile.mkdtemp(prefix="kintsugi-bench-guard-")
    env = dict(os.environ)
    env.update({
        "HOME": os.path.join(tmp, "home"),
        "KINTSUGI_DATA_DIR": os.path.join(tmp, "data"),
        "KINTSUGI_CONFIG": os.path.join(tmp, "config.toml"),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    })
    env.pop("KINTSUGI_SOCKET", None)
    os.makedirs(env["HOME"])
    open(env["KINTSUGI_CONFIG"], "w").write("hold_timeout_secs = 1\n")
    daemon = subprocess.Popen([BIN, "daemon", "--log", "warn"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = os.path.join(env["KINTSUGI_DATA_DIR"], "kintsugi.sock")
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    loop = f"i=0; while [ $i -lt {N} ]; do /bin/true; i=$((i+1)); done"
    py = "/usr/bin/python3"

    def timed(cmd):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, cwd=env["HOME"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t

    def samples(cmd):
        r = subprocess.run(cmd, env=env, check=True, cwd=env["HOME"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return [int(x) for x in r.stdout.split()]

    plain, guarded, start_plain, start_guarded = [], [], [], []
    p50s, p99s = [], []
    try:
        for _ in range(RUNS):
            plain.append(timed(["/bin/sh", "-c", loop]))
            guarded.append(timed([BIN, "guard", "--", "/bin/sh", "-c", loop]))
            start_plain.append(statistics.median(timed(["/bin/true"]) for _ in range(5)))
            start_guarded.append(statistics.median(
                timed([BIN, "guard", "--", "/bin/true"]) for _ in range(5)))
            m = min(N, 2000)
            a = samples([py, "-c", DRIVER, str(m)])
            b = samples([BIN, "guard", "--", py, "-c", DRIVER, str(m)])
            p50s.append((pct(b, 0.5) - pct(a, 0.5)) / 1e3)
            p99s.append((pct(b, 0.99) - pct(a, 0.99)) / 1e3)
    finally:
        daemon.terminate()
        daemon.wait()
    mp, mg = statistics.median(plain), statistics.median(guarded)
    report = {
        "binary": BIN,
        "execs_per_loop": N,
        "runs": RUNS,
        "loop_unguarded_s": round(mp, 3),
        "loop_guarded_s": round(mg, 3),
        "ratio": round(mg / mp, 2),
        "added_per_exec_us": round((mg - mp) / N * 1e6, 1),
        "added_p50_us": round(statistics.median(p50s), 1),
        "added_p99_us": round(statistics.median(p99s), 1),
        "guard_startup_ms": round((statistics.median(start_guarded) - statistics.median(start_plain)) * 1e3, 1),
    }
    print(json.dumps(report, indent=2))

main()
