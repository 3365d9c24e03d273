"""Experiments client (``/api/experiments``): experiments, runs, CI, execution and artifacts."""

import os
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from ._common import (
    TimeLike,
    drop_empty,
    file_part,
    format_time,
    metadata_field,
    object_or_empty,
    require_text,
)
from ._curation import RunCuration
from ._http import ClientBase, dumps, path_segment
from .ci import compute_ci_webhook_signature
from .git import GitMetadata, get_git_metadata

_PREFIX = "/api/experiments"
_ARTIFACT_KINDS = ("model", "preview", "log", "file")

GitLike = Union[None, GitMetadata, Mapping[str, str]]


class ExperimentsClient(RunCuration, ClientBase):
    """The published animus-datalab ``ExperimentsClient``, plus run listing, search and curation (names, tags,
    notes, params, archive, delete), status, series, cancel and live streams."""

    # -- experiments -------------------------------------------------------------------------------------
    def create_experiment(
        self, *, name: str, description: str = "", metadata: Optional[Dict[str, Any]] = None
    ) -> Dict[str, Any]:
        body = {
            "name": require_text(name, "name"),
            "description": description or "",
            "metadata": object_or_empty(metadata, "metadata"),
        }
        return self._http.call_json("POST", _PREFIX + "/experiments", payload=body)

    def list_experiments(self, *, limit: int = 100, name: Optional[str] = None) -> Dict[str, Any]:
        return self._http.call_json(
            "GET", _PREFIX + "/experiments", query=drop_empty({"limit": int(limit), "name": name})
        )

    # -- runs --------------------------------------------------------------------------------------------
    def create_run(
        self,
        *,
        experiment_id: str,
        dataset_version_id: Optional[str] = None,
        status: str,
        started_at: TimeLike = None,
        ended_at: TimeLike = None,
        git: GitLike = None,
        params: Optional[Dict[str, Any]] = None,
        metrics: Optional[Dict[str, Any]] = None,
        artifacts_prefix: Optional[str] = None,
        name: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        notes: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Records a run; ``git`` (a GitMetadata or a dict with repo/commit/ref) is sent only when given.

        ``name`` (unique in the experiment; the server picks one such as ``brisk-river-7`` when absent), ``tags``
        (string keys and values) and ``notes`` (markdown) are sent only when given.
        """
        repo, commit, ref = _git_fields(git)
        body = drop_empty(
            {
                "dataset_version_id": dataset_version_id,
                "status": require_text(status, "status"),
                "started_at": format_time(started_at),
                "ended_at": format_time(ended_at),
                "git_repo": repo,
                "git_commit": commit,
                "git_ref": ref,
                "params": object_or_empty(params, "params"),
                "metrics": object_or_empty(metrics, "metrics"),
                "artifacts_prefix": artifacts_prefix,
                "name": name,
                "tags": _string_map(tags, "tags") or None,
                "notes": notes,
            },
            keep=("params", "metrics"),
        )
        return self._http.call_json(
            "POST", "%s/experiments/%s/runs" % (_PREFIX, path_segment(experiment_id)), payload=body
        )

    def create_run_with_git(
        self,
        *,
        experiment_id: str,
        dataset_version_id: Optional[str] = None,
        status: str,
        started_at: TimeLike = None,
        ended_at: TimeLike = None,
        git: GitLike = None,
        params: Optional[Dict[str, Any]] = None,
        metrics: Optional[Dict[str, Any]] = None,
        artifacts_prefix: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        cwd: Optional[str] = None,
        name: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        notes: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Like :meth:`create_run`, detecting git metadata (CI variables, else ``git`` in ``cwd``) when not given."""
        if git is None:
            git = get_git_metadata(env=env, cwd=cwd)
        return self.create_run(
            experiment_id=experiment_id,
            dataset_version_id=dataset_version_id,
            status=status,
            started_at=started_at,
            ended_at=ended_at,
            git=git,
            params=params,
            metrics=metrics,
            artifacts_prefix=artifacts_prefix,
            name=name,
            tags=tags,
            notes=notes,
        )

    def get_run(self, *, run_id: str) -> Dict[str, Any]:
        return self._http.call_json("GET", "%s/experiment-runs/%s" % (_PREFIX, path_segment(run_id)))

    # -- CI ----------------------------------------------------------------------------------------------
    def post_ci_webhook(
        self, *, payload: Dict[str, Any], ci_secret: Optional[str] = None, ts: Optional[int] = None
    ) -> Dict[str, Any]:
        """Attaches CI context to a run; signed with ``ci_secret`` or ``ANIMUS_CI_WEBHOOK_SECRET``."""
        return self._post_ci("/ci/webhook", payload, ci_secret, ts)

    def post_ci_report(
        self, *, payload: Dict[str, Any], ci_secret: Optional[str] = None, ts: Optional[int] = None
    ) -> Dict[str, Any]:
        """Registers a CI-built image digest with its repo, commit and pipeline."""
        return self._post_ci("/ci/report", payload, ci_secret, ts)

    def _post_ci(self, path: str, payload: Dict[str, Any], ci_secret: Optional[str], ts: Optional[int]) -> Any:
        if not isinstance(payload, dict):
            raise ValueError("payload must be a dict")
        secret = ci_secret if ci_secret else os.environ.get("ANIMUS_CI_WEBHOOK_SECRET", "").strip()
        if not secret:
            raise ValueError("a CI secret is required: pass ci_secret or set ANIMUS_CI_WEBHOOK_SECRET")
        stamp = str(int(time.time()) if ts is None else int(ts))
        body = dumps(payload)
        signature = compute_ci_webhook_signature(secret, stamp, "POST", body)
        return self._http.call_json(
            "POST",
            _PREFIX + path,
            raw_body=body,
            extra_headers={"X-Animus-CI-Ts": stamp, "X-Animus-CI-Sig": signature},
        )

    # -- execution ---------------------------------------------------------------------------------------
    def execute_run(
        self,
        *,
        experiment_id: str,
        dataset_version_id: str,
        image_ref: str,
        git_repo: str = "",
        git_commit: str = "",
        git_ref: str = "",
        params: Optional[Dict[str, Any]] = None,
        resources: Optional[Dict[str, Any]] = None,
        command: Optional[List[str]] = None,
        env: Optional[Dict[str, str]] = None,
    ) -> Dict[str, Any]:
        """Starts a training job (``runs:execute``); the image's CI registration fills the git fields.

        ``command`` (a list such as ``["python3", "train.py"]``) is what the job runs: for the ``local`` executor
        instead of ``DATAPILOT_LOCAL_COMMAND``, for Docker and Kubernetes instead of the image's entrypoint.
        ``env`` adds variables to the job (names ``[A-Za-z_][A-Za-z0-9_]*``; ``RUN_ID``, ``TOKEN`` and the other
        reserved names are refused with ``invalid_env``). Both are sent only when given.
        """
        body = drop_empty(
            {
                "experiment_id": require_text(experiment_id, "experiment_id"),
                "dataset_version_id": require_text(dataset_version_id, "dataset_version_id"),
                "image_ref": require_text(image_ref, "image_ref"),
                "git_repo": git_repo,
                "git_commit": git_commit,
                "git_ref": git_ref,
                "params": object_or_empty(params, "params"),
                "resources": object_or_empty(resources, "resources"),
                "command": _command(command),
                "env": _string_map(env, "env") or None,
            },
            keep=("params", "resources"),
        )
        return self._http.call_json("POST", _PREFIX + "/experiments/runs:execute", payload=body)

    # -- artifacts ---------------------------------------------------------------------------------------
    def list_run_artifacts(self, *, run_id: str, kind: Optional[str] = None, limit: int = 200) -> Dict[str, Any]:
        return self._http.call_json(
            "GET",
            "%s/experiment-runs/%s/artifacts" % (_PREFIX, path_segment(run_id)),
            query=drop_empty({"limit": int(limit), "kind": kind}),
        )

    def get_run_artifact(self, *, run_id: str, artifact_id: str) -> Dict[str, Any]:
        return self._http.call_json(
            "GET", "%s/experiment-runs/%s/artifacts/%s" % (_PREFIX, path_segment(run_id), path_segment(artifact_id))
        )

    def download_run_artifact(self, *, run_id: str, artifact_id: str, dest_path: str) -> Dict[str, Any]:
        """Streams the artifact to ``dest_path`` atomically; returns content_type, size_bytes, sha256."""
        return self._http.download(
            "%s/experiment-runs/%s/artifacts/%s/download" % (_PREFIX, path_segment(run_id), path_segment(artifact_id)),
            dest_path,
        )

    def upload_run_artifact(
        self,
        *,
        run_id: str,
        kind: str,
        file_path: str,
        name: Optional[str] = None,
        metadata: Optional[Dict[str, Any]] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Streams ``file_path`` as a multipart upload with an exact Content-Length; returns ``{"artifact": {...}}``."""
        if not isinstance(kind, str) or kind.strip().lower() not in _ARTIFACT_KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(_ARTIFACT_KINDS))
        path, part_name, ctype = file_part(file_path, filename, content_type)
        fields: List[Tuple[str, str]] = [("kind", kind)]
        if name:
            fields.append(("name", name))
        metadata_field(fields, metadata)
        return self._http.post_multipart(
            "%s/experiment-runs/%s/artifacts" % (_PREFIX, path_segment(run_id)), fields, path, part_name, ctype
        )

    # -- beyond the published SDK ------------------------------------------------------------------------
    def get_experiment(self, *, experiment_id: str) -> Dict[str, Any]:
        return self._http.call_json("GET", "%s/experiments/%s" % (_PREFIX, path_segment(experiment_id)))

    def list_runs(
        self,
        *,
        experiment_id: Optional[str] = None,
        limit: int = 100,
        status: Optional[str] = None,
        order_by: Optional[str] = None,
        order: Optional[str] = None,
        include_latest_metrics: bool = False,
        page_token: Optional[str] = None,
        filter: Optional[str] = None,
        include_archived: bool = False,
    ) -> Dict[str, Any]:
        """An experiment's runs (with ``experiment_id``) or the project's runs; ``{"runs": [...], ...}``.

        ``filter`` is the search language of :meth:`search_runs`; archived runs are left out unless
        ``include_archived``.
        """
        query = drop_empty(
            {
                "limit": int(limit),
                "status": status,
                "filter": filter,
                "order_by": order_by,
                "order": order,
                "include": "latest_metrics" if include_latest_metrics else None,
                "include_archived": "true" if include_archived else None,
                "page_token": page_token,
            }
        )
        if experiment_id is not None:
            path = "%s/experiments/%s/runs" % (_PREFIX, path_segment(experiment_id))
        else:
            path = _PREFIX + "/experiment-runs"
        return self._http.call_json("GET", path, query=query)

    def get_metric_series(self, *, run_id: str, name: str, max_points: int = 1000) -> Dict[str, Any]:
        """Downsampled series: ``{"total_points", "downsampled", "buckets": [{"step_min", ..., "last"}]}``."""
        return self._http.call_json(
            "GET",
            "%s/experiment-runs/%s/metrics/series" % (_PREFIX, path_segment(run_id)),
            query={"name": require_text(name, "name"), "max_points": int(max_points)},
        )

    def list_run_events(self, *, run_id: str, limit: int = 200, before_event_id: Optional[int] = None) -> Any:
        return self._http.call_json(
            "GET",
            "%s/experiment-runs/%s/events" % (_PREFIX, path_segment(run_id)),
            query=drop_empty({"limit": int(limit), "before_event_id": before_event_id}),
        )

    def cancel_run(self, *, run_id: str) -> Dict[str, Any]:
        """``POST …/{run_id}:cancel`` (202 ``{"run_id","status":"canceled"}``)."""
        return self._http.call_json("POST", "%s/experiment-runs/%s:cancel" % (_PREFIX, path_segment(run_id)))

    def stream_run(
        self, *, run_id: str, after_event_id: Optional[int] = None, timeout_seconds: float = 60.0
    ) -> Iterator[Dict[str, Any]]:
        """Iterates the run's live Server-Sent Events as ``{"event", "data", "id"?}`` (``data`` decoded JSON).

        The iterator ends when the server closes the stream; a read waiting longer than ``timeout_seconds``
        (the server pings every 15 s) raises AnimusAPIError status 0. Close the generator to disconnect.
        """
        query = {} if after_event_id is None else {"after_event_id": int(after_event_id)}
        return self._http.stream_events(
            "%s/experiment-runs/%s/stream" % (_PREFIX, path_segment(run_id)), query, float(timeout_seconds), None
        )


def _string_map(value: Any, name: str) -> Dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ValueError("%s must be a dict with string keys" % name)
    return dict(value)


def _command(command: Any) -> Optional[List[str]]:
    if command is None:
        return None
    if isinstance(command, str) or not all(isinstance(c, str) for c in command) or not command or not command[0]:
        raise ValueError("command must be a non-empty list of strings, such as ['python3', 'train.py']")
    return list(command)


def _git_fields(git: GitLike) -> Tuple[str, str, str]:
    if git is None:
        return "", "", ""
    if isinstance(git, GitMetadata):
        return git.repo, git.commit, git.ref
    if isinstance(git, Mapping):
        return (
            str(git.get("repo") or git.get("git_repo") or ""),
            str(git.get("commit") or git.get("git_commit") or ""),
            str(git.get("ref") or git.get("git_ref") or ""),
        )
    raise ValueError("git must be a GitMetadata or a dict with repo, commit and ref")
