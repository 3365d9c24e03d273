"""Python SDK telemetry benchmark (issue 8): log_metric call cost and delivered points/s.

Starts the built server jar (embedded, durable PostgreSQL) on a free loopback port, creates a run,
then, with one RunTelemetryLogger:
  1. call cost: times each log_metric call (time.perf_counter_ns) for N calls; reports median and p99;
  2. delivery: from the first call until flush() returns, points/s actually stored, checked with
     GET .../metrics/series (total_points must equal N).

Usage (from the repository root, after ./mvnw -q -B -pl server -am package -DskipTests):
  python3 bench/python/logger_bench.py [points=200000]
  BATCH=10000 python3 bench/python/logger_bench.py   # the logger's batch_max_points (default 5000)
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "sdk", "python", "src"))

from animus_sdk import ExperimentsClient, RunTelemetryLogger  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not become ready")


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))]


def main():
    points = int(dict(a.split("=", 1) for a in sys.argv[1:]).get("points", "200000"))
    jar = os.path.join(ROOT, "server", "target", "datapilot-server.jar")
    data = tempfile.mkdtemp(prefix="logger-bench-")
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    env = dict(os.environ, DATAPILOT_LISTEN="127.0.0.1:%d" % port, DATAPILOT_DATA_DIR=data,
               DATAPILOT_ACCESS_LOG_LEVEL="WARN")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen(["java", "-jar", jar, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(url)
        client = ExperimentsClient(gateway_url=url)
        exp = client.create_experiment(name="logger-bench-%d" % port)
        run = client.create_run(experiment_id=exp["experiment_id"], status="running")
        logger = RunTelemetryLogger(url, run["run_id"], max_queue=points + 1, batch_max_points=int(os.environ.get("BATCH", "5000")))
        costs = []
        refused = 0
        started = time.perf_counter()
        for step in range(points):
            t0 = time.perf_counter_ns()
            ok = logger.log_metric(step=step, name="loss", value=1.0 / (step + 1))
            costs.append(time.perf_counter_ns() - t0)
            refused += 0 if ok else 1
        calls_done = time.perf_counter()
        flushed = logger.flush(timeout_seconds=600.0)
        delivered = time.perf_counter()
        logger.close(flush=True, timeout_seconds=30.0)
        with urllib.request.urlopen("%s/api/experiments/experiment-runs/%s/metrics/series?name=loss&max_points=2"
                                    % (url, run["run_id"]), timeout=30) as r:
            total = json.loads(r.read())["total_points"]
        costs.sort()
        print("log_metric call cost over %d calls: median %.2f us, p99 %.2f us, max %.1f us; refused %d"
              % (points, percentile(costs, 50) / 1000.0, percentile(costs, 99) / 1000.0, costs[-1] / 1000.0,
                 refused))
        print("calls took %.2f s; delivered (first call to flush) %.2f s = %.0f points/s; flush ok: %s; "
              "stored total_points %d of %d" % (calls_done - started, delivered - started,
                                               points / (delivered - started), flushed, total, points))
        print("load average: %s" % open("/proc/loadavg").read().strip())
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        subprocess.call(["rm", "-rf", data])


if __name__ == "__main__":
    main()
