"""Run curation for :class:`ExperimentsClient` (docs/protocol.md sections 3.4-3.6 and 4.3): metadata, params,
status, search and archive/restore/delete of runs and experiments."""

from typing import Any, Dict, Iterator, List, Optional, Sequence

from ._common import require_text
from ._http import path_segment

_PREFIX = "/api/experiments"


class RunCuration:
    """Mixed into :class:`ExperimentsClient`; every method needs ``self._http``."""

    _http: Any

    # -- metadata ----------------------------------------------------------------------------------------
    def update_run(
        self,
        *,
        run_id: str,
        name: Optional[str] = None,
        notes: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        remove_tags: Optional[Sequence[str]] = None,
        metrics: Optional[Dict[str, Any]] = None,
        remove_metrics: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]:
        """``PATCH …/experiment-runs/{run_id}``: renames the run, replaces its notes (``""`` clears them), sets
        ``tags`` and summary ``metrics`` key by key and removes the keys of ``remove_tags`` / ``remove_metrics``.
        Answers the run. A name another run of the experiment has is 409 ``run_name_exists``."""
        body: Dict[str, Any] = {}
        if name is not None:
            body["name"] = require_text(name, "name")
        if notes is not None:
            if not isinstance(notes, str):
                raise ValueError("notes must be a string")
            body["notes"] = notes
        tag_changes = _changes(tags, remove_tags, "tags")
        if tag_changes:
            body["tags"] = tag_changes
        metric_changes = _changes(metrics, remove_metrics, "metrics")
        if metric_changes:
            body["metrics"] = metric_changes
        if not body:
            raise ValueError("update_run needs something to change: name, notes, tags, remove_tags, metrics")
        return self._http.call_json("PATCH", _run_path(run_id), payload=body)

    def add_params(self, *, run_id: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """``POST …/{run_id}/params``: adds params after creation. A key already set to another value is 409
        ``param_already_set`` (``body["details"]`` has ``key`` and the stored ``value``) and nothing is stored."""
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict")
        return self._http.call_json("POST", _run_path(run_id) + "/params", payload={"params": params})

    def set_run_status(self, *, run_id: str, status: str, message: Optional[str] = None) -> Dict[str, Any]:
        """``POST …/{run_id}/status``: moves the run, e.g. to ``succeeded`` or ``failed`` when training ends.
        Allowed: ``pending`` → ``running``, and ``pending``/``running`` → a terminal status; another move is 409
        ``invalid_status_transition``. Answers the run."""
        body: Dict[str, Any] = {"status": require_text(status, "status")}
        if message:
            body["message"] = message
        return self._http.call_json("POST", _run_path(run_id) + "/status", payload=body)

    # -- search ------------------------------------------------------------------------------------------
    def search_runs(
        self,
        *,
        filter: Optional[str] = None,
        experiment_ids: Optional[Sequence[str]] = None,
        order_by: Optional[str] = None,
        order: Optional[str] = None,
        limit: Optional[int] = None,
        page_token: Optional[str] = None,
        include_latest_metrics: bool = False,
        include_archived: bool = False,
    ) -> Dict[str, Any]:
        """``POST /experiment-runs:search``: one page ``{"runs": [...], "next_page_token"?}`` of the runs matching
        ``filter``, e.g. ``"metrics.accuracy > 0.9 and params.optimizer = 'adam'"``. A filter that does not parse is
        400 ``invalid_filter`` whose ``body["details"]`` has ``position`` and ``expected``."""
        body: Dict[str, Any] = {}
        if filter:
            body["filter"] = filter
        if experiment_ids:
            if isinstance(experiment_ids, str):
                raise ValueError("experiment_ids must be a list of ids")
            body["experiment_ids"] = list(experiment_ids)
        if order_by:
            body["order_by"] = order_by
        if order:
            body["order"] = order
        if limit is not None:
            body["limit"] = int(limit)
        if page_token:
            body["page_token"] = page_token
        if include_latest_metrics:
            body["include"] = ["latest_metrics"]
        if include_archived:
            body["include_archived"] = True
        return self._http.call_json("POST", _PREFIX + "/experiment-runs:search", payload=body)

    def iter_runs(self, **search: Any) -> Iterator[Dict[str, Any]]:
        """Every run :meth:`search_runs` finds with these arguments, following ``next_page_token`` lazily."""
        search.pop("page_token", None)
        token: Optional[str] = None
        while True:
            page = self.search_runs(page_token=token, **search)
            for run in page.get("runs", []):
                yield run
            token = page.get("next_page_token")
            if not token:
                return

    # -- archive, restore, delete ------------------------------------------------------------------------
    def archive_run(self, *, run_id: str) -> Dict[str, Any]:
        """``POST …/{run_id}:archive``: hidden from lists (``include_archived`` shows it), still readable."""
        return self._http.call_json("POST", _run_path(run_id) + ":archive")

    def restore_run(self, *, run_id: str) -> Dict[str, Any]:
        return self._http.call_json("POST", _run_path(run_id) + ":restore")

    def delete_run(self, *, run_id: str) -> Dict[str, Any]:
        """``DELETE …/{run_id}``: gone at once; answers ``{"deletion_id","kind","target_id","state":"pending"}``."""
        return self._http.call_json("DELETE", _run_path(run_id))

    def archive_experiment(self, *, experiment_id: str) -> Dict[str, Any]:
        """Hides the experiment, and its runs from project-wide lists."""
        return self._http.call_json("POST", _experiment_path(experiment_id) + ":archive")

    def restore_experiment(self, *, experiment_id: str) -> Dict[str, Any]:
        return self._http.call_json("POST", _experiment_path(experiment_id) + ":restore")

    def delete_experiment(self, *, experiment_id: str) -> Dict[str, Any]:
        """Deletes the experiment with all its runs; answers the deletion (see ``get_deletion``)."""
        return self._http.call_json("DELETE", _experiment_path(experiment_id))


def _changes(values: Optional[Dict[str, Any]], removed: Optional[Sequence[str]], name: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if values is not None:
        if not isinstance(values, dict):
            raise ValueError("%s must be a dict" % name)
        out.update(values)
    if removed is not None:
        if isinstance(removed, str):
            raise ValueError("remove_%s must be a list of keys" % name)
        for key in removed:
            out[require_text(key, "remove_%s key" % name)] = None
    return out


def _run_path(run_id: str) -> str:
    return "%s/experiment-runs/%s" % (_PREFIX, path_segment(run_id))


def _experiment_path(experiment_id: str) -> str:
    return "%s/experiments/%s" % (_PREFIX, path_segment(experiment_id))


__all__: List[str] = []
