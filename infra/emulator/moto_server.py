"""Runs the moto AWS emulator on a free loopback port for the test suite.

Prints `MOTO_PORT=<port>` once it listens, then serves until its standard input closes, so it
stops by itself when the process that started it ends, however that process ends.
"""

import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"MOTO_PORT={port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
