#!/usr/bin/env python3
"""Time from starting `kreconcile run --dry-run` to its first request reaching the API
server (target: 50 ms for the release build).

A loopback listener stands in for the server: the clock starts right before the process
is spawned and stops when the first bytes of an HTTP request arrive; the listener then
closes the connection and the run is killed (what it would do next is not measured).
Also printed: the CPU time the process had used by then (all threads, from schedstat),
which a loaded machine does not inflate the way it inflates wall time.

  Benchmarks/startup.py                          # .build/release/kreconcile, 20 runs
  Benchmarks/startup.py --bin .build/debug/kreconcile --runs 5
"""
import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_seconds(pid):
    """CPU time the process has used so far, all threads (schedstat: nanoseconds on CPU)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e9


def once(binary, kubeconfig, listener, workdir):
    env = {"KUBECONFIG": kubeconfig, "HOME": workdir, "PATH": "/usr/bin:/bin"}
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "run", "--dry-run", "-o", "json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    listener.settimeout(10)
    conn, _ = listener.accept()
    first = conn.recv(4096)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(proc.pid)
    conn.close()
    proc.kill()
    proc.wait()
    # The run opens several connections at once: drop the ones still queued, or the next
    # run would "connect" in no time.
    listener.setblocking(False)
    try:
        while True:
            listener.accept()[0].close()
    except BlockingIOError:
        pass
    listener.setblocking(True)
    if not first.split(b" ")[0] in (b"GET", b"POST", b"PUT", b"PATCH", b"DELETE"):
        raise SystemExit(f"not an HTTP request: {first[:60]!r}")
    return elapsed, cpu, first.split(b"\r\n")[0].decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release/kreconcile"))
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        kubeconfig = os.path.join(workdir, "kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(f"apiVersion: v1\nkind: Config\nclusters:\n- name: e\n  cluster: {{server: \"http://127.0.0.1:{port}\"}}\n"
                    f"users:\n- name: e\n  user: {{}}\ncontexts:\n- name: e\n  context: {{cluster: e, user: e}}\ncurrent-context: e\n")
        once(args.bin, kubeconfig, listener, workdir)  # warm the page cache
        times, cpus, request = [], [], None
        for _ in range(args.runs):
            t, cpu, request = once(args.bin, kubeconfig, listener, workdir)
            times.append(t * 1000)
            cpus.append(cpu * 1000)
    times.sort()
    print(f"first request ({request}) over {args.runs} runs: wall min {times[0]:.1f} ms, median {statistics.median(times):.1f} ms, "
          f"max {times[-1]:.1f} ms; CPU used by then: median {statistics.median(cpus):.1f} ms; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
