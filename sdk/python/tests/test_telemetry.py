"""RunTelemetryLogger against the real server, through a failing proxy, and against stubs for the fallbacks."""

import http.client
import json
import math
import threading
import time
import unittest
from urllib.parse import urlsplit

import support
from animus_sdk import ExperimentsClient, RunTelemetryLogger

SERVER = None
CLIENT = None
EXPERIMENT_ID = None


def setUpModule():
    global SERVER, CLIENT, EXPERIMENT_ID
    SERVER = support.server()
    CLIENT = ExperimentsClient(gateway_url=SERVER.url)
    EXPERIMENT_ID = CLIENT.create_experiment(name=support.unique("telemetry"))["experiment_id"]


def new_run():
    return CLIENT.create_run(experiment_id=EXPERIMENT_ID, status="running")["run_id"]


class FlakyProxy:
    """Forwards to the real server, but answers 503 to every request for ``outage_seconds`` after the first one."""

    def __init__(self, target_url, outage_seconds):
        target = urlsplit(target_url)
        self.first = None
        self.failed = 0
        self.forwarded = 0
        lock = threading.Lock()

        def respond(req):
            with lock:
                if self.first is None:
                    self.first = time.monotonic()
                failing = time.monotonic() - self.first < outage_seconds
                if failing:
                    self.failed += 1
            if failing:
                return support.json_answer(503, {"error": "service_unavailable", "message": "proxy outage",
                                                 "request_id": req.headers.get("X-Request-Id", "")})
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            try:
                headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(req.method, req.path, body=req.body or None, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                with lock:
                    self.forwarded += 1
                return resp.status, {"Content-Type": resp.getheader("Content-Type", "application/json")}, body
            finally:
                conn.close()

        self.stub = support.StubServer(respond)
        self.url = self.stub.url

    def close(self):
        self.stub.close()


class LoggerDeliveryTest(unittest.TestCase):
    def test_100000_points_arrive_completely_through_a_503_outage(self):
        run_id = new_run()
        proxy = FlakyProxy(SERVER.url, outage_seconds=1.5)
        try:
            logger = RunTelemetryLogger(proxy.url, run_id, max_queue=200000, timeout_seconds=10.0, max_retries=8)
            accepted = sum(1 for step in range(100000) if logger.log_metric(step=step, name="loss", value=step * 0.5))
            self.assertEqual(accepted, 100000)
            self.assertTrue(logger.close(flush=True, timeout_seconds=90.0))
        finally:
            proxy.close()
        stats = logger.stats()
        self.assertEqual(stats["points_sent"], 100000)
        self.assertEqual(stats["dropped"], 0)
        self.assertGreater(proxy.failed, 0, "the proxy never failed a request")
        self.assertGreater(stats["retries"], 0)
        series = CLIENT.get_metric_series(run_id=run_id, name="loss", max_points=10)
        self.assertEqual(series["total_points"], 100000)
        self.assertEqual(series["buckets"][0]["step_min"], 0)
        self.assertEqual(series["buckets"][-1]["step_max"], 99999)
        self.assertEqual(series["buckets"][-1]["last"], 99999 * 0.5)
        self.assertEqual(sum(b["count"] for b in series["buckets"]), 100000)

    def test_nan_and_infinity_are_kept(self):
        run_id = new_run()
        with RunTelemetryLogger(SERVER.url, run_id) as logger:
            self.assertTrue(logger.log_metric(step=0, name="loss", value=1.5))
            self.assertTrue(logger.log_metric(step=1, name="loss", value=float("nan")))
            self.assertTrue(logger.log_metric(step=2, name="loss", value=float("inf")))
            self.assertTrue(logger.log_metrics(step=3, metrics={"loss": float("-inf"), "acc": 0.5}))
        self.assertEqual(logger.stats()["dropped"], 0)
        series = CLIENT.get_metric_series(run_id=run_id, name="loss", max_points=100)
        values = [b["last"] for b in series["buckets"]]
        self.assertEqual(values, [1.5, "NaN", "Infinity", "-Infinity"])
        self.assertEqual(series["buckets"][1]["nan_count"], 1)

    def test_events_metadata_and_duplicate_steps(self):
        run_id = new_run()
        logger = RunTelemetryLogger(SERVER.url, run_id)
        self.assertTrue(logger.log_event(level="WARN", message="disk almost full", metadata={"free_gb": 3}))
        self.assertTrue(logger.log_metrics(step=7, metrics={"acc": 0.75}, metadata={"split": "val"}))
        self.assertTrue(logger.log_metric(step=7, name="acc", value=0.1))  # same (name, step): first write wins
        self.assertTrue(logger.log_progress(step=4, total_steps=10, percent=0.5, message="half"))
        self.assertTrue(logger.close(flush=True, timeout_seconds=10.0))
        events = CLIENT.list_run_events(run_id=run_id)["events"]
        by_message = {e["message"]: e for e in events}
        self.assertEqual(by_message["disk almost full"]["level"], "warn")
        self.assertEqual(by_message["disk almost full"]["metadata"], {"free_gb": 3})
        self.assertTrue(by_message["disk almost full"]["client_event_id"])
        self.assertEqual(by_message["half"]["metadata"],
                         {"progress_step": 4, "progress_total_steps": 10, "progress_percent": 0.5})
        series = CLIENT.get_metric_series(run_id=run_id, name="acc")
        self.assertEqual(series["total_points"], 1)
        self.assertEqual(series["buckets"][0]["last"], 0.75)

    def test_logging_after_close_returns_false(self):
        logger = RunTelemetryLogger(SERVER.url, new_run())
        logger.close()
        self.assertFalse(logger.log_metric(step=0, name="loss", value=1.0))
        self.assertFalse(logger.log_event(level="info", message="late"))
        self.assertTrue(logger.closed)


class LoggerArgumentsTest(unittest.TestCase):
    def setUp(self):
        # Nothing listens on this port; the sender thread never wakes (long interval) so the queue keeps its items.
        self.logger = RunTelemetryLogger("http://127.0.0.1:%d" % support.free_port(), "run-1", max_queue=3,
                                         max_retries=0, flush_interval_seconds=60.0, batch_max_points=100)

    def tearDown(self):
        self.logger.close(flush=False)

    def test_full_queue_returns_false_without_blocking(self):
        self.assertTrue(self.logger.log_metric(step=0, name="a", value=1))
        self.assertTrue(self.logger.log_metric(step=1, name="a", value=1))
        self.assertTrue(self.logger.log_event(level="info", message="x"))
        started = time.monotonic()
        self.assertFalse(self.logger.log_metric(step=2, name="a", value=1))
        self.assertFalse(self.logger.log_status(status="running"))
        self.assertLess(time.monotonic() - started, 0.5)

    def test_invalid_arguments_raise_value_error(self):
        bad_calls = [
            lambda: self.logger.log_metric(step=-1, name="a", value=1.0),
            lambda: self.logger.log_metric(step=1.5, name="a", value=1.0),
            lambda: self.logger.log_metric(step=True, name="a", value=1.0),
            lambda: self.logger.log_metric(step=0, name="", value=1.0),
            lambda: self.logger.log_metric(step=0, name="x" * 256, value=1.0),
            lambda: self.logger.log_metric(step=0, name="a", value="1.0"),
            lambda: self.logger.log_metric(step=0, name="a", value=True),
            lambda: self.logger.log_metric(step=0, name="a", value=None),
            lambda: self.logger.log_metrics(step=0, metrics={}),
            lambda: self.logger.log_event(level="fatal", message="x"),
            lambda: self.logger.log_event(level="info", message="  "),
            lambda: self.logger.log_status(status=""),
            lambda: self.logger.log_progress(step=1, total_steps=0),
            lambda: self.logger.log_progress(step=1, percent=float("nan")),
        ]
        for index, call in enumerate(bad_calls):
            with self.subTest(index=index):
                self.assertRaises(ValueError, call)

    def test_from_env_reads_the_container_variables(self):
        import os

        saved = {k: os.environ.get(k) for k in ("DATAPILOT_URL", "ANIMUS_GATEWAY_URL", "RUN_ID", "TOKEN", "ANIMUS_AUTH_TOKEN")}
        try:
            os.environ.update({"DATAPILOT_URL": "http://127.0.0.1:1", "ANIMUS_GATEWAY_URL": "http://127.0.0.1:2",
                               "RUN_ID": "run-42", "TOKEN": "tok-a", "ANIMUS_AUTH_TOKEN": "tok-b"})
            logger = RunTelemetryLogger.from_env()
            self.assertEqual((logger.run_id, logger._http.gateway_url, logger._http.auth_token),
                             ("run-42", "http://127.0.0.1:1", "tok-a"))
            logger.close(flush=False)
            for key in ("DATAPILOT_URL", "TOKEN", "RUN_ID"):
                del os.environ[key]
            self.assertRaises(ValueError, RunTelemetryLogger.from_env)
            logger = RunTelemetryLogger.from_env(run_id="run-43")
            self.assertEqual((logger._http.gateway_url, logger._http.auth_token), ("http://127.0.0.1:2", "tok-b"))
            logger.close(flush=False)
            del os.environ["ANIMUS_GATEWAY_URL"]
            logger = RunTelemetryLogger.from_env(run_id="run-44")
            self.assertEqual(logger._http.gateway_url, "http://localhost:8080")
            logger.close(flush=False)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


class LoggerFallbackTest(unittest.TestCase):
    """Against stubs (not the real server): behaviours the real server cannot be made to show."""

    def test_batch_404_route_not_found_falls_back_to_single_step_endpoint(self):
        def respond(req):
            if req.path.endswith(":batch"):
                return support.json_answer(404, {"error": "route_not_found", "request_id": "r"})
            return support.json_answer(201, {"inserted": 1})

        stub = support.StubServer(respond)
        try:
            logger = RunTelemetryLogger(stub.url, "run-1")
            logger.log_metric(step=0, name="loss", value=1.0)
            logger.log_metric(step=0, name="acc", value=0.5)
            logger.log_metric(step=1, name="loss", value=float("nan"))
            logger.log_event(level="info", message="hello", metadata={"k": 1})
            self.assertTrue(logger.close(timeout_seconds=10.0))
        finally:
            stub.close()
        singles = [(r.path, r.body) for r in stub.requests if not r.path.endswith(":batch")]
        self.assertIn(("/api/experiments/experiment-runs/run-1/metrics", b'{"metrics":{"acc":0.5,"loss":1.0},"step":0}'), singles)
        self.assertIn(("/api/experiments/experiment-runs/run-1/metrics", b'{"metrics":{"loss":NaN},"step":1}'), singles)
        event_bodies = [json.loads(b) for p, b in singles if p.endswith("/events")]
        self.assertEqual(len(event_bodies), 1)
        self.assertEqual(event_bodies[0]["message"], "hello")
        self.assertNotIn("client_event_id", event_bodies[0])
        self.assertEqual(logger.stats()["points_sent"], 3)

    def test_batch_400_with_index_drops_only_that_point(self):
        bodies = []

        def respond(req):
            body = json.loads(req.body)
            bodies.append(body)
            if len(bodies) == 1:
                return support.json_answer(400, {"error": "invalid_metric_value", "request_id": "r", "details": {"index": 1}})
            return support.json_answer(201, {"received": len(body["points"])})

        stub = support.StubServer(respond)
        try:
            logger = RunTelemetryLogger(stub.url, "run-1")
            for step in range(3):
                logger.log_metric(step=step, name="loss", value=float(step))
            self.assertTrue(logger.close(timeout_seconds=10.0))
        finally:
            stub.close()
        self.assertEqual([p["step"] for p in bodies[0]["points"]], [0, 1, 2])
        self.assertEqual([p["step"] for p in bodies[1]["points"]], [0, 2])
        self.assertEqual(logger.stats()["dropped"], 1)
        self.assertEqual(logger.last_error.code, "invalid_metric_value")

    def test_other_4xx_is_not_retried(self):
        stub = support.StubServer(lambda req: support.json_answer(403, {"error": "forbidden", "request_id": "r"}))
        try:
            logger = RunTelemetryLogger(stub.url, "run-1", auth_token="tok")
            logger.log_metric(step=0, name="loss", value=1.0)
            logger.close(timeout_seconds=10.0)
        finally:
            stub.close()
        self.assertEqual(len(stub.requests), 1)
        self.assertEqual(stub.requests[0].headers["Authorization"], "Bearer tok")
        self.assertEqual((logger.last_error.status, logger.last_error.code), (403, "forbidden"))
        self.assertEqual(logger.stats()["dropped"], 1)

    def test_retries_stop_after_max_retries(self):
        stub = support.StubServer(lambda req: support.json_answer(500, {"error": "internal_error", "request_id": "r"}))
        try:
            logger = RunTelemetryLogger(stub.url, "run-1", max_retries=2, retry_base_seconds=0.01)
            logger.log_metric(step=0, name="loss", value=1.0)
            logger.close(timeout_seconds=10.0)
        finally:
            stub.close()
        self.assertEqual(len(stub.requests), 3)
        ids = {r.headers["X-Request-Id"] for r in stub.requests}
        self.assertEqual(len(ids), 3, "every attempt has a fresh request id")
        self.assertEqual(logger.stats()["dropped"], 1)
        self.assertEqual(logger.last_error.status, 500)


if __name__ == "__main__":
    unittest.main()
