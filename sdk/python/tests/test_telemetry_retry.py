"""The telemetry logger's retry budget: computed on a fake clock, and lived through a real server restart."""

import inspect
import logging
import unittest

import support
from animus_sdk import ExperimentsClient, RunTelemetryLogger
from animus_sdk.telemetry import RetryPolicy

# The Java SDK's defaults (RunTelemetryLogger.Builder): 10 retries, 200 ms doubling up to 5 s, jitter in [0.5, 1).
JAVA_RETRIES, JAVA_BASE, JAVA_MAX = 10, 0.2, 5.0
JAVA_LONGEST_WAIT = sum(min(JAVA_MAX, JAVA_BASE * 2 ** n) for n in range(JAVA_RETRIES))  # 31.2 s


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def give_up_after(policy, clock, request_seconds=0.0, retry_after=None):
    """Runs the policy as the sender does; returns (seconds from the first failure to giving up, retries)."""
    clock.now += request_seconds  # the first attempt, which fails
    first = clock.now
    attempt = 0
    while True:
        delay = policy.delay(attempt, first, retry_after)
        if delay is None:
            return clock.now - first, attempt
        assert delay >= 0
        clock.now += delay + request_seconds
        attempt += 1


class RetryPolicyTest(unittest.TestCase):
    def defaults(self):
        params = inspect.signature(RunTelemetryLogger).parameters
        return {name: params[name].default for name in
                ("max_retries", "retry_base_seconds", "retry_max_seconds", "retry_budget_seconds")}

    def test_the_default_budget_outlasts_the_java_sdk_whatever_the_jitter(self):
        d = self.defaults()
        self.assertIsNone(d["max_retries"])
        def policy(clock, jitter):
            return RetryPolicy(d["max_retries"], d["retry_base_seconds"], d["retry_max_seconds"],
                               d["retry_budget_seconds"], clock=clock, rand=lambda: jitter)

        for jitter in (0.0, 0.5, 0.999999):
            clock = FakeClock()
            seconds, retries = give_up_after(policy(clock, jitter), clock)
            self.assertAlmostEqual(seconds, 60.0, places=2)
            self.assertGreaterEqual(seconds, JAVA_LONGEST_WAIT)
            self.assertGreater(retries, JAVA_RETRIES)
            # with slow failures (each attempt timing out) the budget still ends retrying, after one last attempt
            clock = FakeClock()
            seconds, _ = give_up_after(policy(clock, jitter), clock, request_seconds=5.0)
            self.assertGreaterEqual(seconds, 60.0)
            self.assertLessEqual(seconds, 65.0 + 1e-6)  # the last wait ends at 60 s, then one last attempt

    def test_backoff_is_capped_exponential_with_jitter(self):
        clock = FakeClock()
        low = RetryPolicy(None, 0.2, 5.0, 60.0, clock=clock, rand=lambda: 0.0)
        high = RetryPolicy(None, 0.2, 5.0, 60.0, clock=clock, rand=lambda: 0.999999)
        first = clock.now
        self.assertEqual([round(low.delay(n, first), 6) for n in range(7)], [0.1, 0.2, 0.4, 0.8, 1.6, 2.5, 2.5])
        self.assertEqual([round(high.delay(n, first), 3) for n in range(7)], [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0])
        clock.now += 59.0
        self.assertAlmostEqual(high.delay(20, first), 1.0)  # shortened to end at the budget
        clock.now += 1.0
        self.assertIsNone(high.delay(21, first))

    def test_retry_after_is_honoured_up_to_thirty_seconds(self):
        clock = FakeClock()
        policy = RetryPolicy(None, 0.2, 5.0, 60.0, clock=clock, rand=lambda: 0.0)
        self.assertEqual(policy.delay(0, clock.now, 7.0), 7.0)
        self.assertEqual(policy.delay(0, clock.now, 120.0), 30.0)
        seconds, retries = give_up_after(policy, clock, retry_after=20.0)
        self.assertEqual((seconds, retries), (60.0, 3))

    def test_max_retries_and_no_budget(self):
        clock = FakeClock()
        self.assertEqual(give_up_after(RetryPolicy(2, 0.2, 5.0, 60.0, clock=clock), clock)[1], 2)
        self.assertEqual(give_up_after(RetryPolicy(0, 0.2, 5.0, None, clock=clock), clock)[1], 0)
        unlimited = RetryPolicy(None, 0.2, 5.0, None, clock=clock, rand=lambda: 0.0)
        clock.now += 1e6
        self.assertEqual(unlimited.delay(500, 0.0), 2.5)

    def test_invalid_budget_is_refused(self):
        with self.assertRaises(ValueError):
            RunTelemetryLogger("http://127.0.0.1:9", "run-1", retry_budget_seconds=-1)

    def test_what_the_budget_gives_up_on_is_counted_and_logged(self):
        stub = support.StubServer(lambda req: support.json_answer(503, {"error": "service_unavailable",
                                                                        "request_id": "r"}))
        try:
            with self.assertLogs("animus_sdk.telemetry", level=logging.WARNING) as logs:
                logger = RunTelemetryLogger(stub.url, "run-1", retry_base_seconds=0.01, retry_max_seconds=0.02,
                                            retry_budget_seconds=0.3)
                logger.log_metric(step=0, name="loss", value=1.0)
                logger.log_metric(step=1, name="loss", value=2.0)
                self.assertTrue(logger.flush(timeout_seconds=10.0))
                logger.close(timeout_seconds=5.0)
        finally:
            stub.close()
        stats = logger.stats()
        self.assertEqual((stats["dropped"], stats["dropped_after_retries"], stats["points_sent"]), (2, 2, 0))
        self.assertGreater(stats["retries"], 3)
        self.assertTrue(logs.output)
        self.assertTrue(all("retry budget ran out (last: status 503)" in line for line in logs.output), logs.output)


class ServerRestartTest(unittest.TestCase):
    """SIGTERM the server while points are queued, keep it down, start it again: every point arrives once."""

    def test_every_point_arrives_exactly_once_across_a_restart(self):
        server = support.RealServer(support.server_jar())
        try:
            client = ExperimentsClient(gateway_url=server.url)
            experiment = client.create_experiment(name=support.unique("restart"))["experiment_id"]
            run_id = client.create_run(experiment_id=experiment, status="running")["run_id"]
            total = 3000
            # A short backoff (at most 0.5 s a wait) so that the test stays short: with the former count-only
            # budget (6 retries) the logger gave up after about 1-2 s of outage and dropped the batch.
            logger = RunTelemetryLogger(server.url, run_id, max_queue=total, retry_base_seconds=0.05,
                                        retry_max_seconds=0.5, batch_max_points=200, flush_interval_seconds=0.05)
            for step in range(total // 3):
                self.assertTrue(logger.log_metric(step=step, name="loss", value=step * 0.5))
            self.assertTrue(logger.flush(timeout_seconds=30.0))
            server.stop(keep_data=True)
            for step in range(total // 3, total):
                self.assertTrue(logger.log_metric(step=step, name="loss", value=step * 0.5))
            server.restart(down_seconds=3.0)  # plus the time the server takes to start
            self.assertTrue(logger.close(flush=True, timeout_seconds=60.0))
            stats = logger.stats()
            self.assertEqual((stats["points_sent"], stats["dropped"], stats.get("rejected", 0)), (total, 0, 0))
            self.assertGreater(stats["retries"], 0)
            series = client.get_metric_series(run_id=run_id, name="loss", max_points=total)
            self.assertEqual(series["total_points"], total)
            self.assertEqual(sum(b["count"] for b in series["buckets"]), total)
            self.assertEqual([(b["step_min"], b["step_max"], b["count"]) for b in series["buckets"]],
                             [(s, s, 1) for s in range(total)])
            self.assertEqual(series["buckets"][-1]["last"], (total - 1) * 0.5)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
