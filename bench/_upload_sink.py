"""A bare HTTP upload sink, the control of bench/masters_upload.py: no framework, one thread,
``recv_into`` a 1 MiB buffer, SHA-256 and write each block, answer the digest. What a Python
server on this machine can do at best at the same moment (docs: performance.md, Appendix B).

``python bench/_upload_sink.py PORT TARGET`` serves until killed; one request at a time.
"""

from __future__ import annotations

import hashlib
import socket
import sys


def main() -> None:
    port, target = int(sys.argv[1]), sys.argv[2]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(4)
    buffer = bytearray(1024 * 1024)
    view = memoryview(buffer)
    while True:
        conn, _address = server.accept()
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(65536)
        header, _sep, rest = head.partition(b"\r\n\r\n")
        length = 0
        for line in header.split(b"\r\n"):
            name, _colon, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            if name.strip().lower() == b"expect":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        digest = hashlib.sha256(rest)
        received = len(rest)
        with open(target, "wb", buffering=0) as out:
            out.write(rest)
            while received < length:
                count = conn.recv_into(buffer)
                if not count:
                    break
                digest.update(view[:count])
                out.write(view[:count])
                received += count
        answer = digest.hexdigest().encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 64\r\n\r\n" + answer)
        conn.close()


if __name__ == "__main__":
    main()
