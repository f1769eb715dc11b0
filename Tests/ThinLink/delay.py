#!/usr/bin/env python3
"""ssh's ProxyCommand that adds a fixed delay each way (the kernel here refuses netem): every chunk read
from one side is written to the other DELAY_MS later, in order.

usage: delay.py HOST PORT DELAY_MS
"""
import os
import socket
import sys
import threading
import time
from collections import deque


def pump(read, write, close, delay):
    queue = deque()
    cond = threading.Condition()
    done = []

    def reader():
        while True:
            try:
                data = read()
            except OSError:
                data = b""
            with cond:
                queue.append((time.monotonic() + delay, data))
                cond.notify()
            if not data:
                return

    threading.Thread(target=reader, daemon=True).start()
    while True:
        with cond:
            while not queue:
                cond.wait()
            due, data = queue.popleft()
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if not data:
            close()
            return
        write(data)


def main():
    host, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write_out(data):
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

    up = threading.Thread(
        target=pump, args=(lambda: os.read(0, 65536), sock.sendall, lambda: sock.shutdown(socket.SHUT_WR), delay),
        daemon=True)
    up.start()
    pump(lambda: sock.recv(65536), write_out, lambda: None, delay)


if __name__ == "__main__":
    main()
