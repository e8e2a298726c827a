#!/usr/bin/env python3
"""Hostile clients for bench/hostile.sh: loopback only, bounded in time and connections.

Every attacking socket is bound to a source address other than wrk's 127.0.0.1 (default
127.0.0.2) before it connects, so the server's per-client connection cap sees the attack and
the measured client as two clients. Whatever the server closes (a refusal past a cap, a
header-read or write timeout) is opened again, at most --reopen-rate a second, so the load
stays near constant for --seconds without the reconnect loop itself eating a core. At the end
(or on SIGTERM / SIGINT) it prints its counts as one JSON line.

Modes (--conns is the number of connections the attack keeps trying to hold):

  idle-slowloris  --idle N keep-alive connections that send one complete request, read the
                  answer and then stay silent; --slow N that send a request head one header
                  line a second and never finish it.
  half-head       --conns N connections that send half a request head and then nothing.
  slow-read       --conns N connections with a small receive buffer (--rcvbuf, set before
                  connect) that ask for a large answer (--path) and never read it.
  events          --conns N `GET --path` (server-sent events) held open, read and discarded.
  preview         --conns N keep-alive connections, each asking for --path again as soon as
                  its answer is in (a flood of concurrent requests for one preview).

Counts printed: opened (connections, re-opens included), closed_by_server, connect_errors,
reopen_deferred (the most waiting for the re-open rate at once), held_now / held_max
(connections the server held for the attack at a census every 0.5 s: an answer 200 seen, or,
for heads that are never finished, no answer a second after connecting, which also counts
connections still waiting in the server's accept queue), answers (first status line per
connection; every answer for preview), bytes_read.

Usage: hostile_clients.py MODE --port PORT --seconds S [options]
       hostile_clients.py PORT IDLE SLOWLORIS SECONDS     (the old form: idle-slowloris)
"""
import argparse
import collections
import json
import selectors
import signal
import socket
import struct
import sys
import time

# TCP_INFO's first byte is the connection's state; Linux's numbering.
TCP_ESTABLISHED = 1


def parse_args(argv):
    if len(argv) == 4 and all(a.isdigit() for a in argv):
        port, idle, slow, seconds = (int(a) for a in argv)
        argv = ["idle-slowloris", "--port", str(port), "--idle", str(idle),
                "--slow", str(slow), "--seconds", str(seconds)]
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["idle-slowloris", "half-head", "slow-read", "events",
                                    "preview"])
    p.add_argument("--host", default="127.0.0.1", help="server address (loopback only)")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--source", default="127.0.0.2", help="address the sockets bind to")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--conns", type=int, default=64)
    p.add_argument("--idle", type=int, default=0)
    p.add_argument("--slow", type=int, default=0)
    p.add_argument("--path", default="/health")
    p.add_argument("--host-header", default="127.0.0.1")
    p.add_argument("--rcvbuf", type=int, default=4096)
    p.add_argument("--reopen-rate", type=float, default=200.0,
                   help="most connections re-opened a second (a token bucket)")
    p.add_argument("--max-conns", type=int, default=4000,
                   help="refuse to run with more connections than this")
    a = p.parse_args(argv)
    for addr in (a.host, a.source):
        if not addr.startswith("127."):
            p.error(f"{addr} is not a loopback (127.0.0.0/8) address")
    total = a.idle + a.slow if a.mode == "idle-slowloris" else a.conns
    if not 0 < total <= a.max_conns:
        p.error(f"{total} connections: want 1..{a.max_conns}")
    if a.seconds <= 0 or a.seconds > 600:
        p.error("--seconds must be in (0, 600]")
    return a


args = parse_args(sys.argv[1:])
sel = selectors.DefaultSelector()
stats = collections.OrderedDict(
    mode=args.mode, opened=0, closed_by_server=0, connect_errors=0, reopen_deferred=0,
    held_now=0, held_max=0, answers=collections.Counter(), bytes_read=0)
pending = collections.deque()  # kinds waiting to be re-opened
stop = False


def on_signal(_signum, _frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)


def request(path):
    return (f"GET {path} HTTP/1.1\r\nHost: {args.host_header}\r\n"
            f"User-Agent: hostile-bench\r\n\r\n").encode()


# Half of a request head: the request line, Host, and half a header name.
HALF_HEAD = (f"GET /api/v1/random?length=32&type=uint8 HTTP/1.1\r\n"
             f"Host: {args.host_header}\r\nUser-Ag").encode()


class Conn:
    __slots__ = ("sock", "kind", "sent", "next", "buf", "status", "opened_at")

    def __init__(self, sock, kind):
        self.sock, self.kind = sock, kind
        self.sent = False        # the (first) request or head has been sent
        self.next = 0.0          # slowloris: when the next header line is due
        self.buf = b""           # preview: the answer read so far
        self.status = None       # the first answer's status on this connection
        self.opened_at = time.monotonic()

    def held(self, now):
        """Whether the server is holding this connection for the attack: an answer 200 (or,
        for a head that is never finished, no answer at all after a second)."""
        if self.kind in ("half-head", "slow"):
            return self.sent and self.status is None and now - self.opened_at >= 1.0
        return self.status == "200"


conns = {}  # fd -> Conn


def open_one(kind):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        if kind == "slow-read":
            # Before connect, so the window the server sees is small from the start.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, args.rcvbuf)
        s.bind((args.source, 0))
        s.connect_ex((args.host, args.port))
    except OSError:
        s.close()
        stats["connect_errors"] += 1
        pending.append(kind)
        return
    stats["opened"] += 1
    c = Conn(s, kind)
    conns[s.fileno()] = c
    sel.register(s, selectors.EVENT_WRITE, c)


def close(c, by_server=True):
    try:
        sel.unregister(c.sock)
    except (KeyError, ValueError):
        pass
    conns.pop(c.sock.fileno(), None)
    c.sock.close()
    if by_server:
        stats["closed_by_server"] += 1
        pending.append(c.kind)


def count_status(c, data):
    if c.status is None and data.startswith(b"HTTP/"):
        parts = data.split(b"\r\n", 1)[0].split(b" ")
        c.status = parts[1].decode(errors="replace") if len(parts) > 1 else "?"
        stats["answers"][c.status] += 1


def preview_answers(c):
    """Counts the complete answers in c.buf and sends the next request for each."""
    while True:
        end = c.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = c.buf[:end].decode(errors="replace").split("\r\n")
        length, closing = None, False
        for line in head[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                closing = True
        if length is None:
            return  # not a fixed-length answer: read to EOF (counted when it comes)
        if len(c.buf) < end + 4 + length:
            return
        code = head[0].split(" ")[1] if " " in head[0] else "?"
        stats["answers"][code] += 1
        c.buf = c.buf[end + 4 + length:]
        if c.status is None or code == "200":
            c.status = code
        if closing:
            return
        c.sock.send(request(args.path))


def on_writable(c, now):
    s = c.sock
    if not c.sent:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            close(c)
            stats["closed_by_server"] -= 1
            stats["connect_errors"] += 1
            return
        if c.kind in ("idle", "slow-read", "events", "preview"):
            path = "/health" if c.kind == "idle" else args.path
            s.send(request(path))
        elif c.kind == "half-head":
            s.send(HALF_HEAD)
        elif c.kind == "slow":
            s.send(f"GET /health HTTP/1.1\r\nHost: {args.host_header}\r\n".encode())
            c.next = now + 1.0
        c.sent = True
    elif c.kind == "slow" and now >= c.next:
        s.send(b"X-Trickle: %d\r\n" % int(now))
        c.next = now + 1.0
    want = selectors.EVENT_READ
    if c.kind == "slow" and now >= c.next:
        want |= selectors.EVENT_WRITE
    if c.kind == "slow-read":
        # Never read: a held slow reader is watched through TCP_INFO, not the selector.
        sel.unregister(s)
        return
    sel.modify(s, want, c)


def on_readable(c):
    try:
        data = c.sock.recv(65536)
    except OSError:
        data = b""
    if not data:
        close(c)
        return
    stats["bytes_read"] += len(data)
    if c.kind == "preview":
        c.buf += data
        try:
            preview_answers(c)
        except OSError:
            close(c)
        return
    count_status(c, data)


def check_slow_readers():
    """A slow reader's socket is never read, so the server's close (a 503 past the cap, the
    write deadline) shows only in its TCP state; a connection whose answer has started to
    arrive is held."""
    for c in list(conns.values()):
        if c.kind != "slow-read" or not c.sent:
            continue
        try:
            info = c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
            state = info[0]
            if state == TCP_ESTABLISHED:
                count_status(c, c.sock.recv(16, socket.MSG_PEEK | socket.MSG_DONTWAIT))
                continue
        except BlockingIOError:
            continue
        except OSError:
            pass
        try:
            peek = c.sock.recv(16, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            count_status(c, peek)
        except OSError:
            pass
        close(c)


kinds = (["idle"] * args.idle + ["slow"] * args.slow if args.mode == "idle-slowloris"
         else [args.mode] * args.conns)
for kind in kinds:
    open_one(kind)

tokens, last = args.reopen_rate, time.monotonic()
end = last + args.seconds
last_check = last_census = 0.0
while not stop and time.monotonic() < end:
    for key, events in sel.select(timeout=0.1):
        c = key.data
        if c.sock.fileno() < 0 or c.sock.fileno() not in conns:
            continue
        now = time.monotonic()
        try:
            if events & selectors.EVENT_READ:
                on_readable(c)
                if c.sock.fileno() < 0:
                    continue
            if events & selectors.EVENT_WRITE:
                on_writable(c, now)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            close(c)
    now = time.monotonic()
    # Slowloris connections write once a second: poll them for writes only when due.
    if args.slow:
        for c in list(conns.values()):
            if c.kind == "slow" and c.sent:
                want = selectors.EVENT_READ | (selectors.EVENT_WRITE if now >= c.next else 0)
                try:
                    if sel.get_key(c.sock).events != want:
                        sel.modify(c.sock, want, c)
                except (KeyError, ValueError):
                    pass
    if args.mode == "slow-read" and now - last_check >= 0.5:
        last_check = now
        check_slow_readers()
    tokens = min(args.reopen_rate, tokens + (now - last) * args.reopen_rate)
    last = now
    while pending and tokens >= 1:
        tokens -= 1
        open_one(pending.popleft())
    stats["reopen_deferred"] = max(stats["reopen_deferred"], len(pending))
    if now - last_census >= 0.5:
        last_census = now
        stats["held_now"] = sum(1 for c in conns.values() if c.held(now))
        stats["held_max"] = max(stats["held_max"], stats["held_now"])

for c in list(conns.values()):
    close(c, by_server=False)
stats["answers"] = dict(stats["answers"])
print(json.dumps(stats), flush=True)
