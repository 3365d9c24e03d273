"""Shared test fixtures: one real DataPilot server per test run, and small standard-library HTTP stubs.

The server is ``java -jar <DATAPILOT_SERVER_JAR or ../../server/target/datapilot-server.jar> serve`` on a free
loopback port with a temporary data directory (embedded PostgreSQL). It starts on first use and stops at exit.
"""

import atexit
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_JAR = os.path.normpath(os.path.join(HERE, "..", "..", "..", "server", "target", "datapilot-server.jar"))
CI_SECRET = "python-sdk-test-secret"
START_TIMEOUT_SECONDS = 90.0

_lock = threading.Lock()
_server = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RealServer:
    def __init__(self, jar: str) -> None:
        self.jar = jar
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.tmp = tempfile.mkdtemp(prefix="animus-sdk-test-")
        self.log_path = os.path.join(self.tmp, "server.log")
        self._log = None
        self._launch()

    def _launch(self) -> None:
        env = dict(os.environ)
        env.update(
            {
                "DATAPILOT_LISTEN": "127.0.0.1:%d" % self.port,
                "DATAPILOT_DATA_DIR": os.path.join(self.tmp, "data"),
                "ANIMUS_CI_WEBHOOK_SECRET": CI_SECRET,
                # For runs:execute once it exists (issue 6): a local job that simply succeeds.
                "DATAPILOT_EXECUTOR": "local",
                "DATAPILOT_LOCAL_COMMAND": "true",
            }
        )
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["java", "-jar", self.jar, "serve"], env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("DataPilot server exited with %s; log:\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("DataPilot server not ready after %ds; log:\n%s" % (START_TIMEOUT_SECONDS, self.log_tail()))
            time.sleep(0.25)

    def log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                return fh.read()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, keep_data: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()
        if not keep_data:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stops the server (SIGTERM), waits ``down_seconds``, and starts it again on the same port and data."""
        self.stop(keep_data=True)
        time.sleep(down_seconds)
        self._launch()


def server_jar() -> str:
    """The jar to run. Skips when none was built (fails when DATAPILOT_SERVER_JAR names a missing file)."""
    jar = os.environ.get("DATAPILOT_SERVER_JAR", "").strip()
    if jar:
        jar = os.path.abspath(jar)
        if not os.path.isfile(jar):
            raise RuntimeError("DATAPILOT_SERVER_JAR=%s does not exist" % jar)
    else:
        jar = DEFAULT_JAR
        if not os.path.isfile(jar):
            raise unittest.SkipTest("server jar missing: build it with ./mvnw -q -B -pl server -am package -DskipTests")
    if shutil.which("java") is None:
        raise unittest.SkipTest("java is not installed: install a JDK 17+ to run the server tests")
    return jar


def server() -> RealServer:
    """The shared server, started on first use. Skips when no jar was built (fails when DATAPILOT_SERVER_JAR is set)."""
    global _server
    with _lock:
        if _server is None:
            _server = RealServer(server_jar())
            atexit.register(_server.stop)
        return _server


def unique(prefix: str) -> str:
    return "%s-%s" % (prefix, os.urandom(4).hex())


class Recorded:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body


class StubServer:
    """A tiny standard-library HTTP server that records requests and answers with ``responder(request)``.

    ``responder`` returns ``(status, headers_dict, body_bytes)``.
    """

    def __init__(self, responder):
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Recorded(self.command, self.path, dict(self.headers.items()), body)
                stub.requests.append(req)
                status, headers, payload = responder(req)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload and self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def json_answer(status, obj, extra_headers=None):
    headers = {"Content-Type": "application/json"}
    headers.update(extra_headers or {})
    return status, headers, json.dumps(obj).encode("utf-8")
