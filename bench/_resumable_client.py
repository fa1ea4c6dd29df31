"""Send a file through the resumable upload API on one keep-alive connection; print JSON.

``python bench/_resumable_client.py URL TOKEN RECORDING FILE`` (URL: the label's
``.../masters/uploads/``). Pieces are the size the server announces (``chunk_bytes``).
Used by bench/masters_upload.py; loopback only.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit


def main() -> None:
    url, token, recording, name = sys.argv[1:5]
    path = Path(name)
    size = path.stat().st_size
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    started = time.perf_counter()
    body = json.dumps({"recording": recording, "filename": path.name, "size": size})
    connection.request("POST", parts.path, body, {**headers, "Content-Type": "application/json"})
    answer = connection.getresponse()
    opened = json.loads(answer.read())
    if answer.status != 201:
        raise SystemExit(f"start answered {answer.status}: {opened}")
    target = f"{parts.path}{opened['id']}/"
    chunk = int(opened["chunk_bytes"])
    offset = 0
    with path.open("rb") as handle:
        while offset < size:
            piece = handle.read(chunk)
            connection.request(
                "PUT",
                target,
                piece,
                {
                    **headers,
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                },
            )
            answer = connection.getresponse()
            result = json.loads(answer.read())
            if answer.status not in (200, 201):
                raise SystemExit(f"piece at {offset} answered {answer.status}: {result}")
            offset = int(result["offset"])
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "received_sha256": result["master"]["received_sha256"]}))


if __name__ == "__main__":
    main()
