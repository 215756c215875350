#!/usr/bin/env python3
"""kreconcile against kubectl and the official Python client on one generated cluster per
size (see Benchmarks/README.md, "Comparison"). Run through compare.sh, which prepares the
virtualenv and the release binaries.

For each N: start the release kube-emulator with `--generate pods=N,...` (fixed seed,
proportional nodes/namespaces/Deployments/DaemonSets/PDBs), then run every tool RUNS
times, alternating the order, each under a memory cap and a time limit (a run over either
is killed and recorded as "did not finish (limit)"). Recorded per run: wall time, peak RSS
(ru_maxrss of the tool's process), requests (the emulator's request log). Bytes received
are measured once per tool and N outside the timed runs: kreconcile through a counting
loopback proxy; kubectl and the Python client, whose requests all ask for full JSON, by
replaying their logged requests (same path, query and Content-Encoding).
"""
import argparse
import asyncio
import datetime
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cluster_spec(pods, seed):
    """Proportional to emulator-scale.sh's 150k cluster: 300 pods per node, 3,000 per
    namespace, one DaemonSet per 10,000 pods, one PDB per 1,000 (Deployments default to
    one per ~8 application pods)."""
    return (f"pods={pods},nodes={max(3, pods // 300)},namespaces={max(2, pods // 3000)},"
            f"daemonsets={max(1, pods // 10000)},statefulsets={max(1, pods // 5000)},pdbs={max(2, pods // 1000)},"
            f"seed={seed},problems=0.02")


class Emulator:
    def __init__(self, binary, spec, workdir):
        self.kubeconfig = os.path.join(workdir, "kubeconfig")
        self.proc = subprocess.Popen(
            [binary, "serve", "--generate", spec, "--kubeconfig-out", self.kubeconfig, "--request-log-size", "1000000"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.objects, self.load_seconds, self.url = None, None, None
        for line in self.proc.stdout:
            m = re.match(r"generated (\d+) objects in ([\d.]+) s", line)
            if m:
                self.objects, self.load_seconds = int(m[1]), float(m[2])
            if line.startswith("serving on "):
                self.url = line.split()[-1]
                break
        if not self.url:
            raise SystemExit(f"kube-emulator did not start: {self.proc.poll()}")
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # drain
        u = urllib.parse.urlsplit(self.url)
        self.host, self.port = u.hostname, u.port

    def call(self, method, path, headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=600)
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body

    def clear_log(self):
        self.call("DELETE", "/_emulator/requests")

    def log(self):
        _, body = self.call("GET", "/_emulator/requests")
        doc = json.loads(body)
        if doc.get("dropped"):
            raise SystemExit(f"the request log dropped {doc['dropped']} records; raise --request-log-size")
        return doc["items"]

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read())[1]) / 1024

    def replay_bytes(self, records):
        """Bytes of the bodies these full-JSON requests received (compressed where they were)."""
        c = http.client.HTTPConnection(self.host, self.port, timeout=600)
        total = 0
        for r in records:
            query = urllib.parse.urlencode([(k, v) for k, vs in sorted(r["query"].items()) for v in vs])
            headers = {"Accept": "application/json"}
            if r.get("contentEncoding") == "gzip":
                headers["Accept-Encoding"] = "gzip"
            c.request("GET", r["path"] + ("?" + query if query else ""), headers=headers)
            total += len(c.getresponse().read())
        c.close()
        return total

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_capped(cmd, env, mem_cap_mb, time_limit, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time (its peak RSS: ru_maxrss of the tool alone; a child of
    this Python process would inherit Python's RSS as a floor) and kills the tool when its
    RSS passes mem_cap_mb or time_limit passes.
    Returns (status, wall seconds, peak RSS MB): status is "ok", "exit N" or "limit: ..."."""
    fd, report = tempfile.mkstemp(prefix="time-", suffix=".txt")
    os.close(fd)
    started = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M %x", "-o", report] + cmd, env=env, stdout=stdout,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    err = []
    threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True).start()
    reason, tool = None, None
    while proc.poll() is None:
        elapsed = time.perf_counter() - started
        if tool is None:
            try:
                with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
                    tool = int(f.read().split()[0])
            except (OSError, IndexError, ValueError):
                pass
        rss = 0
        if tool:
            try:
                with open(f"/proc/{tool}/status") as f:
                    rss = int(re.search(r"VmRSS:\s+(\d+)", f.read())[1]) / 1024
            except (OSError, TypeError):
                pass
        if reason is None and (rss > mem_cap_mb or elapsed > time_limit):
            reason = f"limit: RSS over {mem_cap_mb} MB after {elapsed:.0f} s" if rss > mem_cap_mb else f"limit: over {time_limit:.0f} s"
            if tool:
                try:
                    os.kill(tool, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(0.02)
    wall = time.perf_counter() - started
    with open(report) as f:
        fields = f.read().split()
    os.unlink(report)
    # With the tool killed, time prints "Command terminated by signal 9" first.
    peak = int(fields[-2]) / 1024 if len(fields) >= 2 and fields[-2].isdigit() else 0.0
    code = int(fields[-1]) if fields and fields[-1].lstrip("-").isdigit() else proc.returncode
    if reason:
        return reason, wall, peak
    if code not in (0, 3):
        sys.stderr.write(f"{cmd[0]} exited {code}: {(err[0] if err else b'')[-2000:].decode(errors='replace')}\n")
        return f"exit {code}", wall, peak
    return "ok", wall, peak


class CountingProxy:
    """A loopback TCP proxy that counts the bytes the server sends back."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.received = 0
        self.loop = asyncio.new_event_loop()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.sock = sock
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        asyncio.set_event_loop(self.loop)

        async def pipe(reader, writer, count):
            while data := await reader.read(1 << 16):
                if count:
                    self.received += len(data)
                writer.write(data)
                await writer.drain()
            writer.close()

        async def handle(client_r, client_w):
            server_r, server_w = await asyncio.open_connection(*self.target)
            await asyncio.gather(pipe(client_r, server_w, False), pipe(server_r, client_w, True), return_exceptions=True)

        async def main():
            server = await asyncio.start_server(handle, sock=self.sock)
            await server.serve_forever()

        self.loop.run_until_complete(main())


def kubeconfig_for(url, path):
    with open(path, "w") as f:
        f.write(f"apiVersion: v1\nkind: Config\nclusters:\n- name: e\n  cluster: {{server: \"{url}\"}}\nusers:\n- name: e\n  user: {{}}\n"
                f"contexts:\n- name: e\n  context: {{cluster: e, user: e, namespace: default}}\ncurrent-context: e\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,25000,50000,100000,150000")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool and size, alternating the order")
    ap.add_argument("--tools", default="kreconcile,kreconcile-gzip,kubectl,python")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    ap.add_argument("--python", default=sys.executable, help="interpreter with the kubernetes package")
    ap.add_argument("--mem-cap-mb", type=int, default=6144, help="per tool (kubectl's default stays near 6 GB: a shared machine)")
    ap.add_argument("--time-limit", type=float, default=300)
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks/results"))
    ap.add_argument("--workdir", default="/tmp/kreconcile-compare")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    tools = args.tools.split(",")
    # Compression off for every tool (kubectl and kreconcile have the same flag; the Python
    # client never asks for gzip): on one 2-core machine the server's gzip of a 1.4 GB
    # listing costs more CPU than any client. kreconcile-gzip is the default, for reference.
    commands = {
        "kreconcile": [os.path.join(args.bin, "kreconcile"), "run", "--dry-run", "-o", "json", "--disable-compression"],
        "kreconcile-gzip": [os.path.join(args.bin, "kreconcile"), "run", "--dry-run", "-o", "json"],
        "kubectl": ["kubectl", "get", "pods,replicasets,deployments,daemonsets", "-A", "-o", "json", "--disable-compression"],
        "python": [args.python, os.path.join(ROOT, "Benchmarks/python-client-list.py")],
    }
    load_before = os.getloadavg()
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "loadavgBefore": load_before},
               "settings": {"runs": args.runs, "memCapMB": args.mem_cap_mb, "timeLimitSeconds": args.time_limit,
                            "seed": args.seed, "commands": commands},
               "sizes": []}
    gave_up = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        spec = cluster_spec(n, args.seed)
        print(f"== {n} pods: {spec}", flush=True)
        emu = Emulator(os.path.join(args.bin, "kube-emulator"), spec, args.workdir)
        env = dict(os.environ, KUBECONFIG=emu.kubeconfig, HOME=args.workdir)
        entry = {"pods": n, "spec": spec, "objects": emu.objects, "loadSeconds": emu.load_seconds,
                 "emulatorRSSMB": round(emu.rss_mb()), "tools": {}}
        logs = {}
        # A tool that hit the limit on every run at a smaller N is not run again: it can
        # only do worse on a bigger cluster (kept in the table as "not run").
        active = [t for t in tools if t not in gave_up]
        for tool in tools:
            if tool in gave_up:
                entry["tools"][tool] = {"runs": [], "notRun": f"did not finish at {gave_up[tool]:,} pods"}
        for rep in range(args.runs):
            order = active[rep % len(active):] + active[:rep % len(active)] if active else []
            for tool in order:
                emu.clear_log()
                status, wall, rss = run_capped(commands[tool], env, args.mem_cap_mb, args.time_limit)
                log = emu.log()
                logs[tool] = log
                t = entry["tools"].setdefault(tool, {"runs": []})
                t["runs"].append({"status": status, "wallSeconds": round(wall, 3), "peakRSSMB": round(rss, 1), "requests": len(log)})
                print(f"   {tool:10} run {rep + 1}: {status:40} {wall:8.2f} s {rss:8.1f} MB {len(log):6} requests  load {os.getloadavg()[0]:.1f}", flush=True)
        for tool, t in entry["tools"].items():
            if not t["runs"]:
                continue
            ok = [r for r in t["runs"] if r["status"] == "ok"]
            t["finished"] = len(ok) == len(t["runs"])
            src = ok or t["runs"]
            t["wallMin"] = min(r["wallSeconds"] for r in src)
            t["wallMedian"] = statistics.median(r["wallSeconds"] for r in src)
            t["peakRSSMedianMB"] = statistics.median(r["peakRSSMB"] for r in src)
            t["requests"] = statistics.median(r["requests"] for r in src)
            if tool.startswith("kreconcile"):
                proxy = CountingProxy(emu.host, emu.port)
                penv = dict(env, KUBECONFIG=kubeconfig_for(f"http://127.0.0.1:{proxy.port}", os.path.join(args.workdir, "proxy-kubeconfig")))
                run_capped(commands[tool], penv, args.mem_cap_mb, args.time_limit)
                t["bytesReceived"] = proxy.received
            else:
                t["bytesReceived"] = emu.replay_bytes([r for r in logs[tool] if r["method"] == "GET"])
            if not ok:
                gave_up[tool] = n
        emu.stop()
        results["sizes"].append(entry)
        results["machine"]["loadavgAfter"] = os.getloadavg()
        write(results, args.out)  # after every size, so a stopped run keeps what it measured
    print(markdown(results))


def write(results, out):
    stamp = results["date"][:10]
    path = os.path.join(out, f"{stamp}.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(out, f"{stamp}.md"), "w") as f:
        f.write(markdown(results))
    plot(results, out)
    print(f"wrote {path}", flush=True)


def fmt_bytes(b):
    return f"{b / 1e6:,.0f} MB" if b >= 1e6 else f"{b / 1e3:,.0f} kB"


def markdown(results):
    lines = ["| pods | tool | wall min | wall median | peak RSS (median) | received | requests | runs |",
             "|---:|---|---:|---:|---:|---:|---:|---|"]
    for e in results["sizes"]:
        for tool, t in e["tools"].items():
            if not t["runs"]:
                lines.append(f"| {e['pods']:,} | {tool} | | | | | | not run: {t['notRun']} |")
                continue
            statuses = sorted({r["status"] for r in t["runs"]})
            done = "all finished" if t["finished"] else "did not finish (" + "; ".join(statuses) + ")"
            lines.append(f"| {e['pods']:,} | {tool} | {t['wallMin']:.2f} s | {t['wallMedian']:.2f} s | {t['peakRSSMedianMB']:,.0f} MB "
                         f"| {fmt_bytes(t['bytesReceived'])} | {t['requests']:.0f} | {len(t['runs'])}, {done} |")
    return "\n".join(lines) + "\n"


def plot(results, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plots", file=sys.stderr)
        return
    for key, label, name in [("wallMedian", "wall time, median (s)", "time"), ("peakRSSMedianMB", "peak RSS, median (MB)", "memory")]:
        fig, ax = plt.subplots(figsize=(6.4, 4))
        tools = sorted({t for e in results["sizes"] for t in e["tools"]})
        for tool in tools:
            ran = [e for e in results["sizes"] if e["tools"].get(tool, {}).get("runs")]
            done = [(e["pods"], e["tools"][tool][key]) for e in ran if e["tools"][tool]["finished"]]
            dnf = [(e["pods"], e["tools"][tool][key]) for e in ran if not e["tools"][tool]["finished"]]
            line, = ax.plot([p for p, _ in done], [v for _, v in done], marker="o", label=tool)
            if dnf:
                ax.plot([p for p, _ in dnf], [v for _, v in dnf], marker="x", linestyle="none", markersize=10,
                        color=line.get_color(), label=f"{tool}: killed at the limit")
        ax.set_xlabel("pods")
        ax.set_ylabel(label)
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        ax.set_title(f"{label.split(',')[0]} vs cluster size ({results['date'][:10]})")
        fig.tight_layout()
        fig.savefig(os.path.join(out, f"{name}.png"), dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
