"""Every public client method against the real server, plus exact wire shapes against a stub (clearly labelled)."""

import hashlib
import json
import os
import re
import shutil
import tempfile
import unittest

import support
from animus_sdk import AnimusAPIError, DatasetRegistryClient, ExperimentsClient, GitMetadata, RunTelemetryLogger

SERVER = None


def setUpModule():
    global SERVER
    SERVER = support.server()


class ExperimentsClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = ExperimentsClient(gateway_url=SERVER.url, timeout_seconds=30.0)
        cls.name = support.unique("api-exp")
        cls.exp = cls.client.create_experiment(name=cls.name, description="d", metadata={"db_password": "x", "k": "ü"})
        cls.tmp = tempfile.mkdtemp(prefix="animus-api-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_id(self, **kwargs):
        return self.client.create_run(experiment_id=self.exp["experiment_id"], status="running", **kwargs)["run_id"]

    def test_create_and_list_experiments(self):
        self.assertEqual(self.exp["metadata"], {"db_password": "[REDACTED]", "k": "ü"})
        listed = self.client.list_experiments(limit=5, name=self.name)["experiments"]
        self.assertEqual([e["experiment_id"] for e in listed], [self.exp["experiment_id"]])
        self.assertEqual(self.client.get_experiment(experiment_id=self.exp["experiment_id"])["name"], self.name)
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.create_experiment(name=self.name)
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "experiment_name_exists"))
        self.assertRegex(caught.exception.request_id, r"^[0-9a-f]{32}$")

    def test_create_run_with_all_fields_and_get_run(self):
        run = self.client.create_run(
            experiment_id=self.exp["experiment_id"], status="succeeded",
            started_at="2026-01-05T10:00:00Z", ended_at="2026-01-05T11:00:00Z",
            git=GitMetadata(repo="github.com/acme/train", commit="abc", ref="refs/heads/main"),
            params={"lr": 0.1}, metrics={"acc": 0.5}, artifacts_prefix="/custom/prefix/",
        )
        got = self.client.get_run(run_id=run["run_id"])
        self.assertEqual(got["started_at"], "2026-01-05T10:00:00Z")
        self.assertEqual(got["ended_at"], "2026-01-05T11:00:00Z")
        self.assertEqual((got["git_repo"], got["git_commit"], got["git_ref"]),
                         ("github.com/acme/train", "abc", "refs/heads/main"))
        self.assertEqual(got["artifacts_prefix"], "custom/prefix")
        self.assertEqual((got["params"], got["metrics"], got["status"]), ({"lr": 0.1}, {"acc": 0.5}, "succeeded"))

    def test_create_run_with_git_detects_ci_variables(self):
        env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/train", "GITHUB_SHA": "f00d", "GITHUB_REF": "refs/tags/v1"}
        run = self.client.create_run_with_git(experiment_id=self.exp["experiment_id"], status="pending", env=env)
        self.assertEqual((run["git_repo"], run["git_commit"], run["git_ref"]), ("github.com/acme/train", "f00d", "refs/tags/v1"))

    def test_errors_map_to_animus_api_error(self):
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.get_run(run_id="00000000-0000-4000-8000-000000000000")
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))
        self.assertEqual(caught.exception.body["request_id"], caught.exception.request_id)
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.create_run(experiment_id=self.exp["experiment_id"], status="exploded")
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_status"))
        closed = ExperimentsClient(gateway_url="http://127.0.0.1:%d" % support.free_port(), timeout_seconds=2.0)
        with self.assertRaises(AnimusAPIError) as caught:
            closed.get_run(run_id="x")
        self.assertEqual((caught.exception.status, caught.exception.code), (0, "network_error"))

    def test_ci_webhook_duplicate_and_bad_signature(self):
        run_id = self.run_id()
        payload = {"run_id": run_id, "provider": "gitlab_ci", "context": {"note": "é"}}
        first = self.client.post_ci_webhook(payload=payload, ci_secret=support.CI_SECRET)
        self.assertEqual(first["payload"], payload)
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        self.assertEqual(first["payload_sha256"], hashlib.sha256(body).hexdigest())
        again = self.client.post_ci_webhook(payload=payload, ci_secret=support.CI_SECRET)
        self.assertEqual(again["status"], "duplicate")
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.post_ci_webhook(payload=payload, ci_secret="wrong-secret")
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "ci_signature_invalid"))
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.post_ci_report(payload={"repo": "r"}, ci_secret=support.CI_SECRET, ts=None)
        self.assertEqual(caught.exception.code, "image_digest_required")
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.post_ci_webhook(payload=payload, ci_secret=support.CI_SECRET, ts=1000)
        self.assertEqual(caught.exception.code, "ci_signature_invalid")

    def test_artifacts_upload_list_get_download(self):
        run_id = self.run_id()
        path = os.path.join(self.tmp, "weights.bin")
        data = os.urandom(3 * 1024 * 1024 + 17)  # several upload chunks
        with open(path, "wb") as fh:
            fh.write(data)
        created = self.client.upload_run_artifact(run_id=run_id, kind="model", file_path=path, name="w",
                                                  metadata={"api_key": "k", "epochs": 3})["artifact"]
        self.assertEqual((created["size_bytes"], created["sha256"]), (len(data), hashlib.sha256(data).hexdigest()))
        self.assertEqual((created["filename"], created["content_type"]), ("weights.bin", "application/octet-stream"))
        self.assertEqual(created["metadata"], {"api_key": "[REDACTED]", "epochs": 3})
        log_path = os.path.join(self.tmp, "train.log")
        with open(log_path, "w") as fh:
            fh.write("line\n")
        self.client.upload_run_artifact(run_id=run_id, kind="log", file_path=log_path, filename="renamed.txt",
                                        content_type="text/plain")
        self.assertEqual(len(self.client.list_run_artifacts(run_id=run_id)["artifacts"]), 2)
        logs = self.client.list_run_artifacts(run_id=run_id, kind="log", limit=10)["artifacts"]
        self.assertEqual([(a["filename"], a["content_type"]) for a in logs], [("renamed.txt", "text/plain")])
        got = self.client.get_run_artifact(run_id=run_id, artifact_id=created["artifact_id"])
        self.assertEqual(got["artifact_id"], created["artifact_id"])
        dest = os.path.join(self.tmp, "sub", "downloaded.bin")
        info = self.client.download_run_artifact(run_id=run_id, artifact_id=created["artifact_id"], dest_path=dest)
        self.assertEqual(info, {"content_type": "application/octet-stream", "size_bytes": len(data),
                                "sha256": hashlib.sha256(data).hexdigest()})
        with open(dest, "rb") as fh:
            self.assertEqual(fh.read(), data)
        self.assertFalse(os.path.exists(dest + ".tmp"))
        missing = os.path.join(self.tmp, "missing.bin")
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.download_run_artifact(run_id=run_id, artifact_id="00000000-0000-4000-8000-000000000000",
                                              dest_path=missing)
        self.assertEqual(caught.exception.code, "not_found")
        self.assertFalse(os.path.exists(missing) or os.path.exists(missing + ".tmp"))
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.upload_run_artifact(run_id="00000000-0000-4000-8000-000000000000", kind="file", file_path=path)
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))
        self.assertRaises(ValueError, self.client.upload_run_artifact, run_id=run_id, kind="weights", file_path=path)

    def test_list_runs_series_and_events(self):
        run_id = self.run_id(params={"lr": 0.5})
        with RunTelemetryLogger(SERVER.url, run_id) as logger:
            for step in range(50):
                logger.log_metric(step=step, name="train/loss", value=float(50 - step))
        runs = self.client.list_runs(experiment_id=self.exp["experiment_id"], include_latest_metrics=True, limit=500)["runs"]
        mine = [r for r in runs if r["run_id"] == run_id]
        self.assertEqual(mine[0]["latest_metrics"], {"train/loss": 1.0})
        project_runs = self.client.list_runs(status="running", limit=500)["runs"]
        self.assertIn(run_id, [r["run_id"] for r in project_runs])
        series = self.client.get_metric_series(run_id=run_id, name="train/loss", max_points=5)
        self.assertEqual((series["total_points"], series["downsampled"], len(series["buckets"])), (50, True, 5))
        self.assertEqual(series["buckets"][0]["max"], 50.0)

    def test_stream_run_yields_ready_status_and_events(self):
        run_id = self.run_id()
        with RunTelemetryLogger(SERVER.url, run_id) as logger:
            logger.log_event(level="info", message="epoch 1 done")
        frames = []
        stream = self.client.stream_run(run_id=run_id, after_event_id=0, timeout_seconds=20.0)
        try:
            for frame in stream:
                frames.append(frame)
                if frame["event"] == "event":
                    break
        finally:
            stream.close()
        self.assertEqual(frames[0]["event"], "ready")
        self.assertEqual(frames[0]["data"]["run_id"], run_id)
        self.assertEqual(frames[1]["event"], "status")
        self.assertEqual(frames[1]["data"]["status"], "running")
        self.assertEqual(frames[-1]["data"]["message"], "epoch 1 done")
        self.assertEqual(frames[-1]["id"], str(frames[-1]["data"]["event_id"]))

    def test_cancel_run(self):
        run_id = self.run_id()
        try:
            resp = self.client.cancel_run(run_id=run_id)
        except AnimusAPIError as exc:
            if exc.status == 404 and exc.code == "route_not_found":
                self.skipTest("server has no POST /api/experiments/experiment-runs/{run_id}:cancel yet (issue 6)")
            raise
        self.assertEqual((resp["run_id"], resp["status"]), (run_id, "canceled"))

    def test_execute_run_on_the_real_server(self):
        try:
            self.client.execute_run(experiment_id=self.exp["experiment_id"], dataset_version_id="x", image_ref="img")
        except AnimusAPIError as exc:
            if exc.status == 404 and exc.code == "route_not_found":
                self.skipTest("server has no POST /api/experiments/experiments/runs:execute yet (issue 6)")
            self.assertEqual(exc.status // 100, 4)  # an unknown dataset version is a client error once it exists


class DatasetRegistryClientTest(unittest.TestCase):
    def test_create_upload_get_download_and_duplicate(self):
        client = DatasetRegistryClient(gateway_url=SERVER.url)
        name = support.unique("api-ds")
        ds = client.create_dataset(name=name, description="rows", metadata={"owner": "ml"})
        self.assertEqual(client.get_dataset(dataset_id=ds["dataset_id"])["name"], name)
        self.assertIn(ds["dataset_id"], [d["dataset_id"] for d in client.list_datasets(limit=500)["datasets"]])
        tmp = tempfile.mkdtemp(prefix="animus-ds-")
        try:
            path = os.path.join(tmp, "train.csv")
            with open(path, "wb") as fh:
                fh.write(b"a,b\n1,2\n")
            version = client.upload_dataset_version(dataset_id=ds["dataset_id"], file_path=path,
                                                    metadata={"rows": 1}, quality_rule_id="no-nulls")
            self.assertEqual((version["ordinal"], version["quality_rule_id"], version["size_bytes"]), (1, "no-nulls", 8))
            self.assertEqual(version["metadata"]["content_type"], "text/csv")
            self.assertEqual(version["metadata"]["rows"], 1)
            with self.assertRaises(AnimusAPIError) as caught:
                client.upload_dataset_version(dataset_id=ds["dataset_id"], file_path=path)
            self.assertEqual((caught.exception.status, caught.exception.code), (409, "duplicate_content"))
            self.assertEqual(caught.exception.body["details"]["version_id"], version["version_id"])
            got = client.get_dataset_version(dataset_version_id=version["version_id"])
            self.assertEqual(got["content_sha256"], hashlib.sha256(b"a,b\n1,2\n").hexdigest())
            versions = client.list_dataset_versions(dataset_id=ds["dataset_id"])["versions"]
            self.assertEqual([v["version_id"] for v in versions], [version["version_id"]])
            dest = os.path.join(tmp, "out.csv")
            info = client.download_dataset_version(dataset_version_id=version["version_id"], dest_path=dest)
            self.assertEqual(info, {"content_type": "text/csv", "size_bytes": 8, "sha256": got["content_sha256"]})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_from_env_prefers_datapilot_url_and_token(self):
        saved = {k: os.environ.get(k) for k in ("DATAPILOT_URL", "TOKEN")}
        os.environ.update({"DATAPILOT_URL": SERVER.url, "TOKEN": "dev-mode-ignores-this-token"})
        try:
            client = DatasetRegistryClient.from_env()
            self.assertEqual(client.gateway_url, SERVER.url)
            with self.assertRaises(AnimusAPIError) as caught:
                client.get_dataset_version(dataset_version_id="00000000-0000-4000-8000-000000000000")
            self.assertEqual(caught.exception.code, "not_found")
            self.assertEqual(ExperimentsClient.from_env().gateway_url, SERVER.url)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


class WireShapeAgainstStubTest(unittest.TestCase):
    """STUB SERVER, not DataPilot: checks the exact bytes the SDK sends (docs/protocol.md sections 5.1, 8.2, 11)."""

    def setUp(self):
        self.answer = lambda req: support.json_answer(201, {"run_id": "r-1", "status": "running"})
        self.stub = support.StubServer(lambda req: self.answer(req))
        self.client = ExperimentsClient(gateway_url=self.stub.url, auth_token="tok-1")

    def tearDown(self):
        self.stub.close()

    def test_execute_run_request_shape(self):
        resp = self.client.execute_run(experiment_id="e-1", dataset_version_id="dv-1",
                                       image_ref="ghcr.io/acme/train@sha256:" + "a" * 64, git_ref="refs/heads/é")
        self.assertEqual(resp["run_id"], "r-1")
        req = self.stub.requests[0]
        self.assertEqual((req.method, req.path), ("POST", "/api/experiments/experiments/runs:execute"))
        self.assertEqual(req.body, b'{"dataset_version_id":"dv-1","experiment_id":"e-1","git_ref":"refs/heads/\\u00e9",'
                                   b'"image_ref":"ghcr.io/acme/train@sha256:' + b"a" * 64 + b'","params":{},"resources":{}}')
        self.assertEqual(req.headers["Accept"], "application/json")
        self.assertEqual(req.headers["Content-Type"], "application/json")
        self.assertEqual(req.headers["Authorization"], "Bearer tok-1")
        self.assertRegex(req.headers["X-Request-Id"], r"^[0-9a-f]{32}$")
        self.assertNotIn("X-Project-Id", req.headers)

    def test_multipart_upload_is_exactly_the_published_form(self):
        tmp = tempfile.mkdtemp(prefix="animus-mp-")
        try:
            path = os.path.join(tmp, "model.json")
            with open(path, "wb") as fh:
                fh.write(b'{"w":1}')
            self.client.upload_run_artifact(run_id="run-1", kind="model", file_path=path, name="modèle",
                                            metadata={"format": "json"})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        req = self.stub.requests[0]
        match = re.fullmatch(r"multipart/form-data; boundary=(----animus-[0-9a-f]{32})", req.headers["Content-Type"])
        self.assertIsNotNone(match)
        b = match.group(1).encode()
        expected = (
            b"--" + b + b'\r\nContent-Disposition: form-data; name="kind"\r\n\r\nmodel\r\n'
            + b"--" + b + b'\r\nContent-Disposition: form-data; name="name"\r\n\r\n' + "modèle".encode() + b"\r\n"
            + b"--" + b + b'\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"format":"json"}\r\n'
            + b"--" + b + b'\r\nContent-Disposition: form-data; name="file"; filename="model.json"\r\n'
            + b"Content-Type: application/json\r\n\r\n" + b'{"w":1}' + b"\r\n--" + b + b"--\r\n"
        )
        self.assertEqual(req.body, expected)
        self.assertEqual(int(req.headers["Content-Length"]), len(expected))
        self.assertNotIn("Transfer-Encoding", req.headers)
        self.assertEqual(req.path, "/api/experiments/experiment-runs/run-1/artifacts")

    def test_empty_2xx_is_none_and_unparsable_is_invalid_json_response(self):
        self.answer = lambda req: (204, {}, b"")
        self.assertIsNone(self.client.get_run(run_id="r"))
        self.answer = lambda req: (200, {"Content-Type": "application/json"}, b"<html>")
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.get_run(run_id="r")
        self.assertEqual((caught.exception.status, caught.exception.code), (200, "invalid_json_response"))
        self.answer = lambda req: (502, {"Content-Type": "text/plain"}, b"bad gateway")
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.get_run(run_id="r")
        self.assertEqual((caught.exception.status, caught.exception.code), (502, "request_failed"))
        self.assertEqual(caught.exception.request_id, self.stub.requests[-1].headers["X-Request-Id"])

    def test_create_run_drops_empty_values_but_always_sends_params_and_metrics(self):
        self.client.create_run(experiment_id="e-1", dataset_version_id="", status="running", git={"repo": "", "commit": "c"})
        self.assertEqual(self.stub.requests[0].body, b'{"git_commit":"c","metrics":{},"params":{},"status":"running"}')
        self.client.list_experiments(name="a b&c")
        self.assertEqual(self.stub.requests[1].path, "/api/experiments/experiments?limit=100&name=a+b%26c")


if __name__ == "__main__":
    unittest.main()
