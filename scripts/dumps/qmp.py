#!/usr/bin/env python3
"""Minimal QMP client for make-dumps.sh.

  qmp.py SOCKET dump FILE [FORMAT]   dump-guest-memory (default kdump-zlib), wait for it
  qmp.py SOCKET quit                 end qemu

Prints each QMP exchange to stderr; exits non-zero if the dump failed.
"""
import json
import socket
import sys
import time


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        greeting = self.read()
        log("greeting: %s" % json.dumps(greeting["QMP"]["version"]["qemu"]))
        self.cmd("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("qmp socket closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        log("-> %s" % json.dumps(msg))
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.read()
            if "event" in r:
                log("<- event %s %s" % (r["event"], json.dumps(r.get("data", {}))))
                self.events.append(r)
                continue
            log("<- %s" % json.dumps(r))
            if "error" in r:
                raise RuntimeError("%s: %s" % (name, r["error"].get("desc")))
            return r.get("return")


def log(msg):
    print("[qmp] %s" % msg, file=sys.stderr, flush=True)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    q = Qmp(sys.argv[1])
    if sys.argv[2] == "dump":
        fmt = sys.argv[4] if len(sys.argv) > 4 else "kdump-zlib"
        q.cmd("query-status")
        q.cmd("dump-guest-memory", paging=False, protocol="file:" + sys.argv[3],
              detach=True, format=fmt)
        deadline = time.time() + 600
        while time.time() < deadline:
            st = q.cmd("query-dump")
            if st["status"] == "completed":
                return 0
            if st["status"] == "failed":
                return 1
            time.sleep(1)
        return 1
    if sys.argv[2] == "quit":
        try:
            q.cmd("quit")
        except EOFError:
            pass
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
