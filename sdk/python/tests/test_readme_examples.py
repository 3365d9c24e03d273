"""Every example of the seed README (python-sdk-README.md), in its order, verbatim apart from ids, URLs and paths.

Setup that the README leaves to the reader (a dataset version, the environment variables Animus gives training
containers) is done around each example; each example's result is then checked against the server.
"""

import hashlib
import os
import os as _os  # the examples' own "import os" makes "os" local inside a test
import tempfile
import unittest

import support
from animus_sdk import AnimusAPIError, DatasetRegistryClient, ExperimentsClient

SERVER = None
STATE = {}
DIGEST = "sha256:" + hashlib.sha256(b"readme-example-image").hexdigest()
COMMIT = "deadbeef" + hashlib.sha1(b"readme").hexdigest()[8:]
DATASET_BYTES = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive


def setUpModule():
    global SERVER
    SERVER = support.server()
    STATE["tmp"] = tempfile.mkdtemp(prefix="animus-readme-")
    datasets = DatasetRegistryClient(gateway_url=SERVER.url)
    ds = datasets.create_dataset(name=support.unique("readme-dataset"))
    path = os.path.join(STATE["tmp"], "dataset.zip")
    with open(path, "wb") as fh:
        fh.write(DATASET_BYTES)
    STATE["dataset_version_id"] = datasets.upload_dataset_version(dataset_id=ds["dataset_id"], file_path=path)[
        "version_id"
    ]


class _Env:
    """Sets environment variables for one example and restores them afterwards."""

    def __init__(self, **values):
        self.values, self.saved = values, {}

    def __enter__(self):
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value

    def __exit__(self, *exc):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class ReadmeExamplesTest(unittest.TestCase):
    """Methods are numbered so that unittest runs them in the README's order."""

    def test_1_experiments_usage(self):
        with _Env(ANIMUS_CI_WEBHOOK_SECRET=support.CI_SECRET):
            # --- README: Experiments Usage ---
            from animus_sdk import ExperimentsClient

            client = ExperimentsClient(gateway_url=SERVER.url)

            exp = client.create_experiment(
                name="baseline",
                description="Baseline training run",
                metadata={"team": "ml", "project": "fraud"},
            )

            run = client.create_run(
                experiment_id=exp["experiment_id"],
                dataset_version_id=STATE["dataset_version_id"],
                status="succeeded",
                params={"lr": 1e-3},
                metrics={"accuracy": 0.91},
            )

            client.post_ci_webhook(
                payload={
                    "run_id": run["run_id"],
                    "provider": "github_actions",
                    "context": {"workflow": "train.yml", "job": "train"},
                }
            )
            # --- end of example ---
        self.assertEqual(exp["name"], "baseline")
        self.assertEqual(exp["description"], "Baseline training run")
        self.assertEqual(exp["metadata"], {"team": "ml", "project": "fraud"})
        fetched = client.get_run(run_id=run["run_id"])
        self.assertEqual(fetched["status"], "succeeded")
        self.assertEqual(fetched["params"], {"lr": 0.001})
        self.assertEqual(fetched["metrics"], {"accuracy": 0.91})
        self.assertEqual(fetched["dataset_version_id"], STATE["dataset_version_id"])
        STATE["experiment_id"] = exp["experiment_id"]
        STATE["run_id"] = run["run_id"]

    def test_2_ci_image_registration(self):
        with _Env(ANIMUS_GATEWAY_URL=SERVER.url, ANIMUS_CI_WEBHOOK_SECRET=support.CI_SECRET):
            # --- README: CI image registration (signed) ---
            import os

            from animus_sdk import ExperimentsClient

            client = ExperimentsClient(gateway_url=os.environ.get("ANIMUS_GATEWAY_URL"))

            client.post_ci_report(
                payload={
                    "image_digest": DIGEST,
                    "repo": "ghcr.io/acme/train",
                    "commit_sha": COMMIT,
                    "pipeline_id": "build-123",
                    "provider": "github_actions",
                }
            )
            # --- end of example ---
        again = client.post_ci_report(
            payload={"image_digest": DIGEST, "repo": "ghcr.io/acme/train", "commit_sha": COMMIT,
                     "pipeline_id": "build-123", "provider": "github_actions"},
            ci_secret=support.CI_SECRET,
        )
        self.assertEqual(again["status"], "duplicate")
        self.assertEqual(again["image_digest"], DIGEST)

    def test_3_execute_training_run(self):
        # The README's example, with the digest registered by the CI example above (the CI binding fills git).
        from animus_sdk import ExperimentsClient

        client = ExperimentsClient(gateway_url=SERVER.url)
        try:
            resp = client.execute_run(
                experiment_id=STATE["experiment_id"],
                dataset_version_id=STATE["dataset_version_id"],
                image_ref="ghcr.io/acme/train@" + DIGEST,
            )
        except AnimusAPIError as exc:
            if exc.status == 404 and exc.code == "route_not_found":
                self.skipTest(
                    "server has no POST /api/experiments/experiments/runs:execute yet (issue 6); "
                    "the request shape is tested against a stub in test_client_api"
                )
            raise
        print(resp["run_id"])
        run = client.get_run(run_id=resp["run_id"])
        self.assertEqual(run["git_repo"], "ghcr.io/acme/train")
        self.assertEqual(run["git_commit"], COMMIT)

    def test_4_live_telemetry(self):
        experiments = ExperimentsClient(gateway_url=SERVER.url)
        run_id = experiments.create_run(experiment_id=STATE["experiment_id"], status="running")["run_id"]
        with _Env(DATAPILOT_URL=SERVER.url, RUN_ID=run_id, TOKEN="dev-mode-ignores-this-token"):
            # --- README: Live Telemetry (training containers) ---
            from animus_sdk import RunTelemetryLogger

            logger = RunTelemetryLogger.from_env(timeout_seconds=2.0)
            logger.log_status(status="starting")

            for step in range(100):
                loss = 1.0 / (step + 1)
                logger.log_metric(step=step, name="loss", value=loss)
                logger.log_progress(step=step, total_steps=100, percent=(step + 1) / 100.0)

            logger.log_status(status="finished")
            logger.close(flush=True, timeout_seconds=5.0)
            # --- end of example ---
        self.assertIsNone(logger.last_error)
        series = experiments.get_metric_series(run_id=run_id, name="loss", max_points=1000)
        self.assertEqual(series["total_points"], 100)
        self.assertEqual(series["buckets"][0]["last"], 1.0)
        self.assertEqual(series["buckets"][-1]["last"], 1.0 / 100)
        events = experiments.list_run_events(run_id=run_id, limit=1000)["events"]
        self.assertEqual(len(events), 102)
        self.assertEqual(events[0]["metadata"], {"status": "finished"})
        self.assertEqual(events[-1]["message"], "status: starting")
        run = experiments.get_run(run_id=run_id)
        self.assertEqual(run["reported_status"], "finished")
        self.assertEqual(run["progress"]["step"], 99)
        self.assertEqual(run["progress"]["total_steps"], 100)
        self.assertEqual(run["progress"]["percent"], 1.0)
        self.assertEqual(run["status"], "running")  # log_status never changes the run status

    def test_5_dataset_download(self):
        dest = _os.path.join(STATE["tmp"], "dataset-download.zip")
        with _Env(DATAPILOT_URL=SERVER.url, TOKEN="dev-mode-ignores-this-token",
                  DATASET_VERSION_ID=STATE["dataset_version_id"]):
            # --- README: Dataset download (training containers) ---
            import os

            from animus_sdk import DatasetRegistryClient

            datasets = DatasetRegistryClient(gateway_url=os.environ["DATAPILOT_URL"], auth_token=os.environ["TOKEN"])
            datasets.download_dataset_version(dataset_version_id=os.environ["DATASET_VERSION_ID"], dest_path=dest)
            # --- end of example ---
        with open(dest, "rb") as fh:
            self.assertEqual(fh.read(), DATASET_BYTES)
        self.assertFalse(_os.path.exists(dest + ".tmp"))

    def test_6_run_artifacts(self):
        model_path = _os.path.join(STATE["tmp"], "model.json")
        with open(model_path, "w") as fh:
            fh.write('{"weights": [0.1, 0.2]}')
        with _Env(DATAPILOT_URL=SERVER.url, TOKEN="dev-mode-ignores-this-token", RUN_ID=STATE["run_id"]):
            # --- README: Run artifacts (training/evaluation containers) ---
            import os

            from animus_sdk import ExperimentsClient

            exp = ExperimentsClient(gateway_url=os.environ["DATAPILOT_URL"], auth_token=os.environ["TOKEN"])
            exp.upload_run_artifact(
                run_id=os.environ["RUN_ID"],
                kind="model",
                file_path=model_path,
                name="model",
                metadata={"format": "json"},
            )
            # --- end of example ---
        listed = exp.list_run_artifacts(run_id=STATE["run_id"], kind="model")["artifacts"]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["name"], "model")
        self.assertEqual(listed[0]["filename"], "model.json")
        self.assertEqual(listed[0]["content_type"], "application/json")
        self.assertEqual(listed[0]["metadata"], {"format": "json"})
        self.assertEqual(listed[0]["sha256"], hashlib.sha256(b'{"weights": [0.1, 0.2]}').hexdigest())


if __name__ == "__main__":
    unittest.main()
