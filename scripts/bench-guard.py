#!/usr/bin/env python3
"""Benchmark `kintsugi guard`'s exec layer against a throwaway sandbox daemon.

Usage: scripts/bench-guard.py [KINTSUGI_BIN] [N] [RUNS] [C_FILES]

For each run, against the same daemon:
- top-level: a shell loop of N execs of /bin/true, unguarded and under
  `kintsugi guard -- /bin/sh -c LOOP` (each /bin/true is then one of the
  agent's own top-level commands; safe, so answered in the guard under the
  daemon's lease and recorded right after);
- covered: the same loop run as an agent runs a line, `kintsugi guard --
  /bin/sh -c "/bin/sh -c 'LOOP'"` (the inner shell is the agent's command,
  allowed; each /bin/true descends from it and is answered before its
  ledger record, recorded right after);
- per-exec latency samples, N per driver (each fork+exec+wait of /bin/true
  timed on its own by a small Python driver): unguarded, with the driver
  as the agent (top-level execs) and with the driver as a line the agent
  runs (`guard -- /bin/sh -c "python3 DRIVER; exit $?"`: covered execs,
  and the same under `--ask-every-exec`),
  the four drivers taking turns in batches of 50 so that the machine's
  drift falls on all of them alike;
- guard start-up (guard -- /bin/true minus /bin/true);
- a real build: a generated C project of C_FILES files built with
  `make -j2` from clean, unguarded and under guard as an agent runs it
  (`guard -- /bin/sh -c 'make -j2'`).
Prints medians over RUNS, added time per exec ((guarded - unguarded) / N),
p50/p99 of the per-exec added latency, each driver's own p99, the ratios. Nothing outside a temp
dir is touched.
"""
import json, os, statistics, subprocess, sys, tempfile, time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/debug/kintsugi"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
C_FILES = int(sys.argv[4]) if len(sys.argv) > 4 else 40
BIN = os.path.abspath(BIN)

# Reads a count per line from stdin; answers each with that many timed
# fork+exec+wait of /bin/true, in ns, on one line.
DRIVER = r"""
import os, sys, time
for line in sys.stdin:
    out = []
    for _ in range(int(line)):
        t = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            try: os.execv('/bin/true', ['/bin/true'])
            finally: os._exit(127)
        os.waitpid(pid, 0)
        out.append(time.perf_counter_ns() - t)
    print(' '.join(map(str, out)), flush=True)
"""
BATCH = 50

def c_project(root, files):
    """A small C project: FILES sources of a few functions each, one binary."""
    src = os.path.join(root, "cproj")
    os.makedirs(src)
    for i in range(files):
        with open(os.path.join(src, f"m{i}.c"), "w") as f:
            f.write("#include <stdio.h>\n#include <string.h>\n")
            for j in range(12):
                f.write(f"int f{i}_{j}(const char *s) {{ int h = {j}; "
                        f"for (size_t k = 0; k < strlen(s); k++) h = h * 31 + s[k] + {i}; "
                        f"return h; }}\n")
    with open(os.path.join(src, "main.c"), "w") as f:
        f.write("#include <stdio.h>\n")
        f.write("".join(f"int f{i}_0(const char *s);\n" for i in range(files)))
        f.write("int main(void) { int t = 0;\n")
        f.write("".join(f"t += f{i}_0(\"x\");\n" for i in range(files)))
        f.write("printf(\"%d\\n\", t); return 0; }\n")
    objs = " ".join(f"m{i}.o" for i in range(files))
    with open(os.path.join(src, "Makefile"), "w") as f:
        f.write(f"OBJS = main.o {objs}\n")
        f.write("app: $(OBJS)\n\tcc -o app $(OBJS)\n")
        f.write("%.o: %.c\n\tcc -O2 -c $< -o $@\n")
        f.write("clean:\n\trm -f app *.o\n")
    return src

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
        # The data dir is inside this temp dir, so under guard's Landlock
        # rules nothing new may be created directly in it or in /tmp (see
        # docs/GUARD.md); the compiler's temporary files go here instead.
        "TMPDIR": os.path.join(tmp, "scratch"),
    })
    os.makedirs(env["TMPDIR"])
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

    def timed(cmd, cwd=None):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, cwd=cwd or env["HOME"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t

    src = c_project(tmp, C_FILES)
    # `; exit $?` keeps the outer shell (the agent) from replacing itself
    # with the inner one, which would make the loop's execs top-level again.
    covered_loop = "/bin/sh -c '" + loop + "'; exit $?"

    def build(guarded):
        for name in os.listdir(src):
            if name.endswith(".o") or name == "app":
                os.remove(os.path.join(src, name))
        cmd = ["/bin/sh", "-c", "make -j2"]
        return timed(([BIN, "guard", "--"] if guarded else []) + cmd, cwd=src)

    def interleaved(cmds, m):
        """m single execs timed by each driver in `cmds`, the drivers taking
        turns in batches of BATCH (order rotating), so that a slow minute
        of the machine falls on all of them alike."""
        procs = [subprocess.Popen(c, env=env, cwd=env["HOME"], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL) for c in cmds]
        out = [[] for _ in procs]
        for r in range(0, m, BATCH):
            k = min(BATCH, m - r)
            for i in range(len(procs)):
                j = (r // BATCH + i) % len(procs)
                procs[j].stdin.write(f"{k}\n")
                procs[j].stdin.flush()
                out[j].extend(int(x) for x in procs[j].stdout.readline().split())
        for p in procs:
            p.stdin.close()
            p.wait()
        return out

    plain, guarded, covered, start_plain, start_guarded = [], [], [], [], []
    p50s, p99s, build_plain, build_guarded = [], [], [], []
    cp50s, cp99s, asked, ap50s, ap99s = [], [], [], [], []
    # The tails themselves: p99 of each driver's own samples.
    tails = {"unguarded": [], "top_level": [], "covered": [], "covered_asked": []}
    ask = [BIN, "guard", "--ask-every-exec", "--"]
    try:
        build(False)  # warm the compiler's files into the page cache
        for _ in range(RUNS):
            plain.append(timed(["/bin/sh", "-c", loop]))
            guarded.append(timed([BIN, "guard", "--", "/bin/sh", "-c", loop]))
            covered.append(timed([BIN, "guard", "--", "/bin/sh", "-c", covered_loop]))
            asked.append(timed(ask + ["/bin/sh", "-c", covered_loop]))
            build_plain.append(build(False))
            build_guarded.append(build(True))
            start_plain.append(statistics.median(timed(["/bin/true"]) for _ in range(5)))
            start_guarded.append(statistics.median(
                timed([BIN, "guard", "--", "/bin/true"]) for _ in range(5)))
            # The driver as the agent (top-level execs), and run as the
            # agent runs a line (its execs are covered).
            line = ["/bin/sh", "-c", f"{py} -c \"$0\"; exit $?", DRIVER]
            a, b, c, d = interleaved([
                [py, "-c", DRIVER],
                [BIN, "guard", "--", py, "-c", DRIVER],
                [BIN, "guard", "--"] + line,
                ask + line,
            ], N)
            p50s.append((pct(b, 0.5) - pct(a, 0.5)) / 1e3)
            p99s.append((pct(b, 0.99) - pct(a, 0.99)) / 1e3)
            cp50s.append((pct(c, 0.5) - pct(a, 0.5)) / 1e3)
            cp99s.append((pct(c, 0.99) - pct(a, 0.99)) / 1e3)
            ap50s.append((pct(d, 0.5) - pct(a, 0.5)) / 1e3)
            ap99s.append((pct(d, 0.99) - pct(a, 0.99)) / 1e3)
            for name, xs in zip(tails, (a, b, c, d)):
                tails[name].append(pct(xs, 0.99) / 1e3)
    finally:
        daemon.terminate()
        daemon.wait()
    mp, mg = statistics.median(plain), statistics.median(guarded)
    mc, ma = statistics.median(covered), statistics.median(asked)
    bp, bg = statistics.median(build_plain), statistics.median(build_guarded)
    report = {
        "binary": BIN,
        "execs_per_loop": N,
        "runs": RUNS,
        "loop_unguarded_s": round(mp, 3),
        "loop_guarded_s": round(mg, 3),
        "ratio": round(mg / mp, 2),
        "added_per_exec_us": round((mg - mp) / N * 1e6, 1),
        "loop_covered_s": round(mc, 3),
        "ratio_covered": round(mc / mp, 2),
        "added_per_covered_exec_us": round((mc - mp) / N * 1e6, 1),
        "added_p50_us": round(statistics.median(p50s), 1),
        "added_p99_us": round(statistics.median(p99s), 1),
        "added_covered_p50_us": round(statistics.median(cp50s), 1),
        "added_covered_p99_us": round(statistics.median(cp99s), 1),
        "loop_covered_asked_s": round(ma, 3),
        "added_per_covered_asked_exec_us": round((ma - mp) / N * 1e6, 1),
        "added_covered_asked_p50_us": round(statistics.median(ap50s), 1),
        "added_covered_asked_p99_us": round(statistics.median(ap99s), 1),
        # p99 of each driver's fork+exec+wait itself, guarded or not (the
        # added p99s above are differences of these and may be negative
        # when the unguarded tail is as long).
        **{f"p99_{k}_us": round(statistics.median(v), 1) for k, v in tails.items()},
        "build_c_files": C_FILES,
        "build_unguarded_s": round(bp, 3),
        "build_guarded_s": round(bg, 3),
        "build_ratio": round(bg / bp, 3),
        "guard_startup_ms": round((statistics.median(start_guarded) - statistics.median(start_plain)) * 1e3, 1),
    }
    print(json.dumps(report, indent=2))

main()
