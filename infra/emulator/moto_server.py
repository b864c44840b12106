"""Runs the moto AWS emulator on a free loopback port for the test suite.

Prints `MOTO_PORT=<port>` once it listens, then serves until its standard input closes, so it
stops by itself when the process that started it ends, however that process ends.

DynamoDB applies each request to an item atomically (a conditional write is checked and applied
as one step). Moto's threaded server does not: two requests racing on one item can both pass a
condition, or read each other's half-applied update. So DynamoDB requests are served one at a
time, which gives the emulator DynamoDB's guarantee; the other services stay concurrent. Tests
that send 50 conditional writes at once then show that our conditions hold the limit, as they
would on DynamoDB.
"""

import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server


class OneDynamoDbRequestAtATime:
    """WSGI middleware serializing DynamoDB requests (named by their `X-Amz-Target` header)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # The whole answer is produced inside the lock.
            return list(self.app(environ, start_response))


def main() -> None:
    app = OneDynamoDbRequestAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"MOTO_PORT={server.server_address[1]}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.shutdown()
        thread.join()


if __name__ == "__main__":
    main()
