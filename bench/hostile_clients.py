#!/usr/bin/env python3
"""Hostile clients for bench/hostile.sh, on loopback only, for a bounded time.

Holds IDLE keep-alive connections (each sends one complete request, reads the answer, then
stays silent) and SLOWLORIS connections (each sends a request head one header line per
second, never finishing it). A connection the server closes is opened again, so the load
stays constant for SECONDS. Prints how many connections were opened and closed by the
server, as JSON.

Usage: hostile_clients.py PORT IDLE SLOWLORIS SECONDS
"""
import json
import selectors
import socket
import sys
import time

port, idle, slow, seconds = (int(a) for a in sys.argv[1:5])
sel = selectors.DefaultSelector()
stats = {"opened": 0, "closed_by_server": 0, "refused": 0}
REQUEST = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"


def open_one(kind):
    s = socket.socket()
    s.setblocking(False)
    try:
        # From another loopback address than wrk's 127.0.0.1: the server caps connections
        # per client address, so the attack and the measured client are told apart.
        s.bind(("127.0.0.2", 0))
        s.connect_ex(("127.0.0.1", port))
    except OSError:
        stats["refused"] += 1
        return
    stats["opened"] += 1
    state = {"kind": kind, "sent_head": False, "next": time.monotonic()}
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, state)


for _ in range(idle):
    open_one("idle")
for _ in range(slow):
    open_one("slow")

end = time.monotonic() + seconds
while time.monotonic() < end:
    for key, events in sel.select(timeout=0.2):
        s, state = key.fileobj, key.data
        if events & selectors.EVENT_READ:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                stats["closed_by_server"] += 1
                open_one(state["kind"])
                continue
        if events & selectors.EVENT_WRITE:
            now = time.monotonic()
            try:
                if state["kind"] == "idle" and not state["sent_head"]:
                    s.send(REQUEST)
                    state["sent_head"] = True
                    sel.modify(s, selectors.EVENT_READ, state)
                elif state["kind"] == "slow" and now >= state["next"]:
                    if not state["sent_head"]:
                        s.send(b"GET /health HTTP/1.1\r\nHost: bench\r\n")
                        state["sent_head"] = True
                    else:
                        s.send(b"X-Trickle: %d\r\n" % int(now))
                    state["next"] = now + 1.0
            except OSError:
                pass
    # Slow connections only need to write once a second: stop polling them for writes
    # until their time comes.
    now = time.monotonic()
    for key in list(sel.get_map().values()):
        st = key.data
        if st["kind"] == "slow":
            want = selectors.EVENT_READ | (selectors.EVENT_WRITE if now >= st["next"] else 0)
            if key.events != want:
                sel.modify(key.fileobj, want, st)
print(json.dumps(stats))
