"""Run curation (docs/protocol.md sections 3.4-3.6, 4.3, 8.2): names, tags, notes, params, status, search, archive and
delete; the project setting. Exact request shapes against a stub (labelled), behaviour against the real server."""

import json
import os
import unittest
from unittest import mock

import support
from animus_sdk import AnimusAPIError, DatasetRegistryClient, ExperimentsClient

RUN = {"run_id": "r-1", "experiment_id": "e-1", "status": "running", "name": "brisk-river-7", "tags": {}}


class CurationWireAgainstStubTest(unittest.TestCase):
    """STUB SERVER, not DataPilot: the exact requests the new calls send."""

    def setUp(self):
        self.answer = lambda req: support.json_answer(200, RUN)
        self.stub = support.StubServer(lambda req: self.answer(req))
        self.client = ExperimentsClient(gateway_url=self.stub.url)

    def tearDown(self):
        self.stub.close()

    def sent(self, index=-1):
        req = self.stub.requests[index]
        return req.method, req.path, (json.loads(req.body) if req.body else None)

    def test_create_run_sends_name_tags_and_notes_only_when_given(self):
        self.client.create_run(experiment_id="e-1", status="running", name="a", tags={"stage": "dev"}, notes="n")
        self.assertEqual(self.stub.requests[0].body,
                         b'{"metrics":{},"name":"a","notes":"n","params":{},"status":"running","tags":{"stage":"dev"}}')
        self.client.create_run(experiment_id="e-1", status="running", tags={})
        self.assertEqual(self.stub.requests[1].body, b'{"metrics":{},"params":{},"status":"running"}')

    def test_update_run_merges_sets_and_removals(self):
        self.client.update_run(run_id="r-1", name="best", notes="", tags={"stage": "prod"}, remove_tags=["debug"],
                               metrics={"acc": 0.93}, remove_metrics=["old"])
        self.assertEqual(self.sent(), ("PATCH", "/api/experiments/experiment-runs/r-1",
                                       {"name": "best", "notes": "", "tags": {"stage": "prod", "debug": None},
                                        "metrics": {"acc": 0.93, "old": None}}))
        with self.assertRaises(ValueError):
            self.client.update_run(run_id="r-1")
        with self.assertRaises(ValueError):
            self.client.update_run(run_id="r-1", remove_tags="debug")
        self.assertEqual(len(self.stub.requests), 1)

    def test_add_params_set_status_and_execute_with_command_and_env(self):
        self.client.add_params(run_id="r-1", params={"epochs": 10})
        self.assertEqual(self.sent(), ("POST", "/api/experiments/experiment-runs/r-1/params", {"params": {"epochs": 10}}))
        self.client.set_run_status(run_id="r-1", status="succeeded")
        self.assertEqual(self.sent(), ("POST", "/api/experiments/experiment-runs/r-1/status", {"status": "succeeded"}))
        self.client.set_run_status(run_id="r-1", status="failed", message="oom")
        self.assertEqual(self.sent()[2], {"status": "failed", "message": "oom"})
        self.client.execute_run(experiment_id="e", dataset_version_id="v", image_ref="img", git_commit="c",
                                command=["python3", "train.py"], env={"EPOCHS": "3"})
        self.assertEqual(self.stub.requests[-1].body,
                         b'{"command":["python3","train.py"],"dataset_version_id":"v","env":{"EPOCHS":"3"},'
                         b'"experiment_id":"e","git_commit":"c","image_ref":"img","params":{},"resources":{}}')
        with self.assertRaises(ValueError):
            self.client.execute_run(experiment_id="e", dataset_version_id="v", image_ref="i", command="python3 x")
        with self.assertRaises(ValueError):
            self.client.add_params(run_id="r-1", params={})

    def test_search_runs_body_and_iter_runs_follows_pages(self):
        pages = {None: {"runs": [{"run_id": "a"}], "next_page_token": "t2"}, "t2": {"runs": [{"run_id": "b"}]}}
        self.answer = lambda req: support.json_answer(200, pages[json.loads(req.body).get("page_token")])
        first = self.client.search_runs(filter="metrics.acc > 0.9", experiment_ids=["e-1", "e-2"], order_by="metrics.acc",
                                        order="asc", limit=1, include_latest_metrics=True, include_archived=True)
        self.assertEqual(first["next_page_token"], "t2")
        self.assertEqual(self.sent(), ("POST", "/api/experiments/experiment-runs:search",
                                       {"filter": "metrics.acc > 0.9", "experiment_ids": ["e-1", "e-2"],
                                        "order_by": "metrics.acc", "order": "asc", "limit": 1,
                                        "include": ["latest_metrics"], "include_archived": True}))
        self.assertEqual([r["run_id"] for r in self.client.iter_runs(filter="metrics.acc > 0.9", limit=1)], ["a", "b"])
        self.assertEqual(json.loads(self.stub.requests[-1].body), {"filter": "metrics.acc > 0.9", "limit": 1,
                                                                    "page_token": "t2"})
        self.client.search_runs()
        self.assertEqual(self.stub.requests[-1].body, b"{}")

    def test_list_runs_with_filter_and_archived(self):
        self.answer = lambda req: support.json_answer(200, {"runs": []})
        self.client.list_runs(experiment_id="e-1", filter="tags.stage = 'prod'", include_archived=True, limit=5)
        self.assertEqual(self.stub.requests[-1].path, "/api/experiments/experiments/e-1/runs?limit=5&"
                         "filter=tags.stage+%3D+%27prod%27&include_archived=true")

    def test_archive_restore_delete_and_deletions(self):
        datasets = DatasetRegistryClient(gateway_url=self.stub.url)
        calls = [
            lambda: self.client.archive_run(run_id="r"), lambda: self.client.restore_run(run_id="r"),
            lambda: self.client.delete_run(run_id="r"), lambda: self.client.archive_experiment(experiment_id="e"),
            lambda: self.client.restore_experiment(experiment_id="e"),
            lambda: self.client.delete_experiment(experiment_id="e"), lambda: datasets.archive_dataset(dataset_id="d"),
            lambda: datasets.restore_dataset(dataset_id="d"), lambda: datasets.delete_dataset(dataset_id="d"),
            lambda: datasets.delete_dataset_version(version_id="v"),
            lambda: datasets.delete_dataset_version(version_id="v", force=True),
            lambda: self.client.get_deletion(deletion_id="x"), lambda: datasets.get_deletion(deletion_id="x"),
        ]
        for call in calls:
            call()
        self.assertEqual([(r.method, r.path) for r in self.stub.requests], [
            ("POST", "/api/experiments/experiment-runs/r:archive"),
            ("POST", "/api/experiments/experiment-runs/r:restore"),
            ("DELETE", "/api/experiments/experiment-runs/r"),
            ("POST", "/api/experiments/experiments/e:archive"),
            ("POST", "/api/experiments/experiments/e:restore"),
            ("DELETE", "/api/experiments/experiments/e"),
            ("POST", "/api/dataset-registry/datasets/d:archive"),
            ("POST", "/api/dataset-registry/datasets/d:restore"),
            ("DELETE", "/api/dataset-registry/datasets/d"),
            ("DELETE", "/api/dataset-registry/dataset-versions/v?force=false"),
            ("DELETE", "/api/dataset-registry/dataset-versions/v?force=true"),
            ("GET", "/api/deletions/x"),
            ("GET", "/api/deletions/x"),
        ])

    def test_project_id_argument_wins_over_the_environment(self):
        with mock.patch.dict(os.environ, {"DATAPILOT_PROJECT_ID": "from-env"}):
            ExperimentsClient(gateway_url=self.stub.url).get_run(run_id="r")
            ExperimentsClient(gateway_url=self.stub.url, project_id="team-a").get_run(run_id="r")
            DatasetRegistryClient(gateway_url=self.stub.url).get_dataset(dataset_id="d")
        with mock.patch.dict(os.environ, {"DATAPILOT_PROJECT_ID": ""}):
            ExperimentsClient(gateway_url=self.stub.url).get_run(run_id="r")
            with self.assertRaises(ValueError):
                ExperimentsClient(gateway_url=self.stub.url, project_id="bad project")
        headers = [r.headers.get("X-Project-Id") for r in self.stub.requests]
        self.assertEqual(headers, ["from-env", "team-a", "from-env", None])


class CurationAgainstServerTest(unittest.TestCase):
    """The real server."""

    @classmethod
    def setUpClass(cls):
        cls.server = support.server()
        cls.client = ExperimentsClient(gateway_url=cls.server.url)
        cls.exp = cls.client.create_experiment(name=support.unique("cur"))["experiment_id"]

    def new_run(self, **kwargs):
        return self.client.create_run(experiment_id=self.exp, status="running", **kwargs)

    def test_names_tags_notes_and_patch(self):
        run = self.new_run(name=support.unique("resnet"), tags={"stage": "dev", "debug": "1"}, notes="# first")
        self.assertEqual((run["tags"], run["notes"]), ({"stage": "dev", "debug": "1"}, "# first"))
        picked = self.new_run()
        self.assertRegex(picked["name"], r"^[a-z]+-[a-z]+-\d+$")
        patched = self.client.update_run(run_id=run["run_id"], name=run["name"] + "-b", tags={"stage": "prod"},
                                         remove_tags=["debug"], notes="", metrics={"test_acc": 0.93})
        self.assertEqual(patched["name"], run["name"] + "-b")
        self.assertEqual(patched["tags"], {"stage": "prod"})
        self.assertNotIn("notes", patched)
        self.assertEqual(patched["metrics"], {"test_acc": 0.93})
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.update_run(run_id=picked["run_id"], name=run["name"] + "-b")
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "run_name_exists"))
        self.assertEqual(caught.exception.body["details"]["run_id"], run["run_id"])

    def test_add_params_conflict_is_409_with_the_stored_value(self):
        run = self.new_run(params={"lr": 0.1})
        self.assertEqual(self.client.add_params(run_id=run["run_id"], params={"epochs": 10, "lr": 0.1})["params"],
                         {"lr": 0.1, "epochs": 10})
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.add_params(run_id=run["run_id"], params={"lr": 0.2, "batch": 32})
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "param_already_set"))
        self.assertEqual(caught.exception.body["details"]["key"], "lr")
        self.assertEqual(caught.exception.body["details"]["value"], 0.1)
        self.assertNotIn("batch", self.client.get_run(run_id=run["run_id"])["params"])

    def test_set_run_status_finishes_a_run(self):
        run = self.new_run()
        self.assertEqual(self.client.set_run_status(run_id=run["run_id"], status="succeeded")["status"], "succeeded")
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.set_run_status(run_id=run["run_id"], status="running")
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "invalid_status_transition"))

    def test_search_and_list_with_filters(self):
        tag = support.unique("t")
        for acc in (0.5, 0.8, 0.95):
            self.new_run(tags={"batch": tag}, metrics={"acc": acc}, params={"opt": "adam" if acc > 0.6 else "sgd"})
        flt = "tags.batch = '%s' and params.opt = 'adam'" % tag
        found = self.client.search_runs(filter=flt, order_by="metrics.acc", order="asc", experiment_ids=[self.exp])
        self.assertEqual([r["metrics"]["acc"] for r in found["runs"]], [0.8, 0.95])
        listed = self.client.list_runs(experiment_id=self.exp, filter="tags.batch = '%s'" % tag,
                                       order_by="metrics.acc")
        self.assertEqual([r["metrics"]["acc"] for r in listed["runs"]], [0.95, 0.8, 0.5])
        paged = list(self.client.iter_runs(filter="tags.batch = '%s'" % tag, limit=1, order_by="metrics.acc"))
        self.assertEqual([r["metrics"]["acc"] for r in paged], [0.95, 0.8, 0.5])

    def test_bad_filter_and_unknown_parameter(self):
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.search_runs(filter="metrics.acc >> 1")
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_filter"))
        self.assertEqual(caught.exception.body["details"]["position"], 13)
        with self.assertRaises(AnimusAPIError) as caught:
            self.client._http.call_json("GET", "/api/experiments/experiment-runs", query={"colour": "red"})
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "unknown_parameter"))
        self.assertEqual(caught.exception.body["details"]["parameter"], "colour")

    def test_archive_restore_delete(self):
        tag = support.unique("arch")
        run = self.new_run(tags={"arch": tag})
        flt = "tags.arch = '%s'" % tag
        self.assertIn("archived_at", self.client.archive_run(run_id=run["run_id"]))
        self.assertEqual(self.client.search_runs(filter=flt)["runs"], [])
        self.assertEqual(len(self.client.search_runs(filter=flt, include_archived=True)["runs"]), 1)
        self.assertNotIn("archived_at", self.client.restore_run(run_id=run["run_id"]))
        deletion = self.client.delete_run(run_id=run["run_id"])
        self.assertEqual((deletion["kind"], deletion["target_id"], deletion["state"]), ("run", run["run_id"], "pending"))
        with self.assertRaises(AnimusAPIError) as caught:
            self.client.get_run(run_id=run["run_id"])
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(self.client.get_deletion(deletion_id=deletion["deletion_id"])["target_id"], run["run_id"])

    def test_project_id_scopes_creates_and_lists(self):
        project = support.unique("proj")
        scoped = ExperimentsClient(gateway_url=self.server.url, project_id=project)
        exp = scoped.create_experiment(name=support.unique("p"))
        self.assertEqual(exp["project_id"], project)
        self.assertEqual([e["experiment_id"] for e in scoped.list_experiments()["experiments"]], [exp["experiment_id"]])
        with self.assertRaises(AnimusAPIError) as caught:
            ExperimentsClient(gateway_url=self.server.url, project_id="other").get_experiment(
                experiment_id=exp["experiment_id"])
        self.assertEqual(caught.exception.status, 404)


if __name__ == "__main__":
    unittest.main()
