#!/usr/bin/env python3
"""Keep-alive list client for emulator-scale.sh: one HTTP/1.1 connection for every request,
so the figures are the server's and the loopback's, not process start-up.

  list-client.py URL page  SHAPE [--gzip] [--repeat N]   # first page of /api/v1/pods, median of N
  list-client.py URL pages SHAPE [--gzip]                # every page (limit + continue)

SHAPE is full, metadata or table. Prints one line: key=value pairs.
"""
import argparse
import http.client
import json
import re
import ssl
import statistics
import sys
import time
import urllib.parse
import zlib

ACCEPT = {
    "full": "application/json",
    "metadata": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json",
    "table": "application/json;as=Table;g=meta.k8s.io;v=v1, application/json",
}
CONTINUE = re.compile(rb'"continue":"([^"]+)"')


def connect(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port, context=ssl._create_unverified_context())
    return http.client.HTTPConnection(u.hostname, u.port)


def get(conn, path, shape, gzip):
    headers = {"Accept": ACCEPT[shape]}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    wire = resp.read()
    if resp.status != 200:
        sys.exit(f"GET {path}: HTTP {resp.status}: {wire[:200]!r}")
    body = zlib.decompress(wire, 16 + zlib.MAX_WBITS) if resp.getheader("Content-Encoding") == "gzip" else wire
    return time.perf_counter() - start, len(wire), body


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("mode", choices=["page", "pages"])
    p.add_argument("shape", choices=list(ACCEPT))
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    conn = connect(a.url)
    base = f"/api/v1/pods?limit={a.limit}"
    if a.mode == "page":
        get(conn, base, a.shape, a.gzip)  # warm the connection (and the sorted keys)
        runs = [get(conn, base, a.shape, a.gzip) for _ in range(a.repeat)]
        secs = statistics.median(r[0] for r in runs)
        print(f"shape={a.shape} gzip={int(a.gzip)} seconds={secs:.4f} wire_bytes={runs[0][1]} bytes={len(runs[0][2])}")
        return
    pages = wire = size = 0
    token = None
    start = time.perf_counter()
    while True:
        path = base + (f"&continue={urllib.parse.quote(token)}" if token else "")
        _, n, body = get(conn, path, a.shape, a.gzip)
        pages += 1
        wire += n
        size += len(body)
        m = CONTINUE.search(body, 0, 4096)
        if not m:
            break
        token = m.group(1).decode()
    secs = time.perf_counter() - start
    items = len(json.loads(body).get("items", json.loads(body).get("rows", [])))
    print(f"shape={a.shape} gzip={int(a.gzip)} pages={pages} last_page_items={items} seconds={secs:.2f} "
          f"bytes={size} wire_bytes={wire} MBps={size / 1e6 / secs:.0f} wire_MBps={wire / 1e6 / secs:.0f}")


if __name__ == "__main__":
    main()
