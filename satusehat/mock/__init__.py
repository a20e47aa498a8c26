"""The local SATUSEHAT (satusehat/mock/app.py), served by `make satusehat-mock`.

Not imported by the clinic at run time: only by its own command-line entry point
(`python -m satusehat.mock`) and by the tests, which start it on a free port."""

import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from satusehat.mock.app import DEFAULT_DATASET, MockSatusehat

__all__ = ["DEFAULT_DATASET", "MockSatusehat", "MockServer"]


class _ThreadingServer(WSGIServer):
    """One thread per connection (workers send in parallel), daemon threads."""

    daemon_threads = True
    request_queue_size = 128

    def process_request(self, request, client_address):
        thread = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        thread.start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - a client gone away mid-answer (a timeout)
            pass
        finally:
            self.shutdown_request(request)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class MockServer:
    """The mock on 127.0.0.1:`port` (0: a free port) in a background thread."""

    def __init__(self, port: int = 0, dataset: dict | None = None, *, quiet: bool = True):
        self.app = MockSatusehat(dataset)
        handler = _QuietHandler if quiet else WSGIRequestHandler
        self.server = make_server("127.0.0.1", port, self.app, server_class=_ThreadingServer, handler_class=handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "MockServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
