"""Live run telemetry for training code: metrics and events queued in memory, sent by one background thread.

Logging calls never perform I/O: they validate, append to a bounded in-memory queue and return True (False when the
queue is full or the logger is closed). The sender coalesces metric points into ``metrics:batch`` requests (up to
``batch_max_points`` each) and events into ``events:batch`` requests carrying ``client_event_id``s, so retries never
duplicate: the server ignores a repeated (run, name, step) and a repeated ``client_event_id``. Network errors, 429 and
5xx are retried with capped exponential backoff and jitter, honouring ``Retry-After``, for ``retry_budget_seconds``
(default 60 s, longer than the Java SDK's ten retries; so that a server restart loses nothing) and, when given, at
most ``max_retries`` times. What is finally dropped is counted in ``stats()`` and logged as a warning on the
``animus_sdk.telemetry`` logger, never silently. When the server lacks a batch endpoint (404 ``route_not_found``)
the logger falls back to the single-step endpoints the published SDK uses.
"""

import itertools
import logging
import math
import operator
import os
import random
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Tuple

from ._http import Response, Transport, api_error, dumps, path_segment, resolve_gateway_url, resolve_token
from .errors import AnimusAPIError

_LEVELS = {"debug": "debug", "info": "info", "warn": "warn", "warning": "warn", "error": "error"}
_MAX_BODY_BYTES = 3 * 1024 * 1024  # below the server's 4 MiB batch limit
_MAX_EVENTS_PER_BATCH = 1000
_SERVER_MAX_POINTS = 10000
_MAX_RETRY_AFTER_SECONDS = 30.0
DEFAULT_RETRY_BUDGET_SECONDS = 60.0
_log = logging.getLogger("animus_sdk.telemetry")


class RetryPolicy:
    """When a failed request (network error, 429, 5xx) is tried again.

    The wait before retry ``n`` (from 0) is ``min(max_seconds, base_seconds * 2**n)`` times a jitter factor in
    [0.5, 1), raised to the server's ``Retry-After`` (at most 30 s). Retries stop once ``budget_seconds`` have
    passed since the request first failed (the last wait is shortened to end at the budget, then one last attempt
    is made) or after ``max_retries`` retries; ``None`` lifts either limit.
    """

    def __init__(
        self,
        max_retries: Optional[int],
        base_seconds: float,
        max_seconds: float,
        budget_seconds: Optional[float],
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.max_retries = max_retries
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds
        self.budget_seconds = budget_seconds
        self.clock = clock
        self.rand = rand

    def delay(self, attempt: int, first_failure: float, retry_after: Optional[float] = None) -> Optional[float]:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up."""
        if self.max_retries is not None and attempt >= self.max_retries:
            return None
        wait = min(self.max_seconds, self.base_seconds * (2 ** min(attempt, 30))) * (0.5 + self.rand() / 2)
        if self.budget_seconds is not None:
            left = self.budget_seconds - (self.clock() - first_failure)
            if left < 0.001:  # spent (a shortened last wait ends a hair early on a float clock)
                return None
            wait = min(wait, left)
        if retry_after is not None:
            wait = max(wait, min(retry_after, _MAX_RETRY_AFTER_SECONDS))
        return wait


class RunTelemetryLogger:
    """Append-only metrics and events for one run, delivered in the background (see the module docstring)."""

    def __init__(
        self,
        gateway_url: str,
        run_id: str,
        auth_token: Optional[str] = None,
        timeout_seconds: float = 5.0,
        max_queue: int = 2048,
        max_retries: Optional[int] = None,
        *,
        batch_max_points: int = 5000,
        flush_interval_seconds: float = 0.2,
        retry_base_seconds: float = 0.2,
        retry_max_seconds: float = 5.0,
        retry_budget_seconds: Optional[float] = DEFAULT_RETRY_BUDGET_SECONDS,
    ) -> None:
        if not isinstance(run_id, str) or not run_id.strip():
            raise ValueError("run_id must be a non-empty string")
        if int(max_queue) < 1:
            raise ValueError("max_queue must be at least 1")
        if max_retries is not None and int(max_retries) < 0:
            raise ValueError("max_retries must be >= 0")
        if retry_budget_seconds is not None and not float(retry_budget_seconds) >= 0:
            raise ValueError("retry_budget_seconds must be >= 0")
        self._http = Transport(resolve_gateway_url(gateway_url), auth_token, timeout_seconds)
        self._run_id = run_id.strip()
        self._base = "/api/experiments/experiment-runs/" + path_segment(self._run_id)
        self._max_queue = int(max_queue)
        self._retry = RetryPolicy(
            None if max_retries is None else int(max_retries),
            float(retry_base_seconds),
            float(retry_max_seconds),
            None if retry_budget_seconds is None else float(retry_budget_seconds),
        )
        self._batch_points = max(1, min(int(batch_max_points), _SERVER_MAX_POINTS))
        self._interval = float(flush_interval_seconds)
        # Wake the sender early once half the queue (or a full batch) is waiting, so a fast loop rarely sees False.
        self._wake_at = max(1, min(self._batch_points, self._max_queue // 2))
        # Queued items, in call order. Metrics: points (step, name, value, unix time) and groups with metadata
        # (step, {name: value}, metadata), one queue so that the first write of a (name, step) stays first.
        # Events: dicts in the events:batch shape with a float "occurred_at".
        self._points: Deque[Tuple[Any, ...]] = deque()
        self._events: Deque[Dict[str, Any]] = deque()
        self._event_ids = itertools.count(1)
        self._event_prefix = uuid.uuid4().hex[:16]
        self._closed = False
        self._stopping = False
        self._abort = threading.Event()
        self._wake = threading.Event()
        self._busy = False
        self._metrics_batch = True
        self._events_batch = True
        self._conn = None
        self.last_error: Optional[AnimusAPIError] = None
        self._stats = {"points_sent": 0, "events_sent": 0, "dropped": 0, "dropped_after_retries": 0, "rejected": 0,
                       "retries": 0, "requests": 0}
        self._thread = threading.Thread(target=self._run, name="animus-telemetry-" + self._run_id[:8], daemon=True)
        self._thread.start()

    @classmethod
    def from_env(
        cls,
        *,
        gateway_url: Optional[str] = None,
        run_id: Optional[str] = None,
        auth_token: Optional[str] = None,
        **kwargs: Any,
    ) -> "RunTelemetryLogger":
        """Reads ``DATAPILOT_URL`` (then ``ANIMUS_GATEWAY_URL``, then http://localhost:8080), ``RUN_ID`` and
        ``TOKEN`` (then ``ANIMUS_AUTH_TOKEN``), as set by Animus in training containers."""
        url = resolve_gateway_url(gateway_url, "DATAPILOT_URL", "ANIMUS_GATEWAY_URL")
        rid = run_id or os.environ.get("RUN_ID", "").strip()
        if not rid:
            raise ValueError("RUN_ID is not set: pass run_id or set the RUN_ID environment variable")
        token = resolve_token(auth_token, "TOKEN", "ANIMUS_AUTH_TOKEN")
        return cls(url, rid, auth_token=token, **kwargs)

    # -- public state ------------------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def closed(self) -> bool:
        return self._closed

    def stats(self) -> Dict[str, int]:
        """Counters: points_sent, events_sent, dropped (of which dropped_after_retries: given up on after the retry
        budget), rejected (logging calls that returned False), retries, requests, queued."""
        out = dict(self._stats)
        out["queued"] = self._queued()
        return out

    def _queued(self) -> int:
        return len(self._points) + len(self._events)

    # -- logging calls (never block) ---------------------------------------------------------------------
    def log_metric(self, step: int, name: str, value: float, metadata: Optional[Dict[str, Any]] = None) -> bool:
        """Queues one metric point; NaN and Infinity are kept. True when queued."""
        if type(step) is not int or step < 0:
            step = _step(step)
        if type(name) is not str or not 0 < len(name) <= 255 or name != name.strip():
            name = _metric_name(name)
        if type(value) is not float:
            value = _metric_value(value)
        if metadata is not None:
            return self.log_metrics(step, {name: value}, metadata)
        if self._closed or len(self._points) + len(self._events) >= self._max_queue:
            self._stats["rejected"] += 1
            return False
        self._points.append((step, name, value, time.time()))
        if len(self._points) >= self._wake_at:
            self._wake.set()
        return True

    def log_metrics(self, step: int, metrics: Mapping[str, float], metadata: Optional[Dict[str, Any]] = None) -> bool:
        """Queues several metrics of one step (all or none). True when queued."""
        step = _step(step)
        if not isinstance(metrics, Mapping) or not metrics:
            raise ValueError("metrics must be a non-empty dict of name -> number")
        clean = {}
        for key, val in metrics.items():
            clean[_metric_name(key)] = _metric_value(val)
        if metadata is not None and not isinstance(metadata, dict):
            raise ValueError("metadata must be a dict")
        if self._closed or self._queued() + len(clean) > self._max_queue:
            self._stats["rejected"] += 1
            return False
        if metadata:
            self._points.append((step, clean, dict(metadata)))
        else:
            now = time.time()
            self._points.extend((step, key, val, now) for key, val in clean.items())
        if self._queued() >= self._wake_at:
            self._wake.set()
        return True

    def log_event(self, level: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> bool:
        """Queues a run event (level debug, info, warn or error). True when queued."""
        if not isinstance(level, str) or level.strip().lower() not in _LEVELS:
            raise ValueError("level must be one of debug, info, warn, error")
        if not isinstance(message, str) or not message.strip():
            raise ValueError("message must be a non-empty string")
        if metadata is not None and not isinstance(metadata, dict):
            raise ValueError("metadata must be a dict")
        return self._queue_event(_LEVELS[level.strip().lower()], message, dict(metadata or {}))

    def log_status(self, status: str, message: Optional[str] = None, metadata: Optional[Dict[str, Any]] = None) -> bool:
        """Queues an event reporting the worker's own status (``metadata.status``); the run status is unchanged."""
        if not isinstance(status, str) or not status.strip():
            raise ValueError("status must be a non-empty string")
        if metadata is not None and not isinstance(metadata, dict):
            raise ValueError("metadata must be a dict")
        if message is not None and not isinstance(message, str):
            raise ValueError("message must be a string")
        meta = dict(metadata or {})
        meta["status"] = status.strip()
        return self._queue_event("info", message or "status: " + status.strip(), meta)

    def log_progress(
        self,
        step: int,
        total_steps: Optional[int] = None,
        percent: Optional[float] = None,
        message: Optional[str] = None,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> bool:
        """Queues a progress event (``progress_step``, ``progress_total_steps``, ``progress_percent`` as a 0..1 fraction)."""
        meta = dict(metadata or {}) if metadata is None or isinstance(metadata, dict) else None
        if meta is None:
            raise ValueError("metadata must be a dict")
        meta["progress_step"] = _step(step)
        if total_steps is not None:
            total = _step(total_steps)
            if total < 1:
                raise ValueError("total_steps must be a positive integer")
            meta["progress_total_steps"] = total
        if percent is not None:
            pct = _metric_value(percent)
            if not math.isfinite(pct) or pct < 0:
                raise ValueError("percent must be a finite number >= 0")
            meta["progress_percent"] = pct
        if message is not None and not isinstance(message, str):
            raise ValueError("message must be a string")
        return self._queue_event("info", message or "progress", meta)

    def _queue_event(self, level: str, message: str, metadata: Dict[str, Any]) -> bool:
        queued = self._queued()
        if self._closed or queued >= self._max_queue:
            self._stats["rejected"] += 1
            return False
        if queued + 1 >= self._wake_at:
            self._wake.set()
        self._events.append(
            {
                "client_event_id": "%s-%d" % (self._event_prefix, next(self._event_ids)),
                "level": level,
                "message": message,
                "metadata": metadata,
                "occurred_at": time.time(),
            }
        )
        return True

    # -- flush / close -----------------------------------------------------------------------------------
    def flush(self, timeout_seconds: float = 5.0) -> bool:
        """Waits until everything queued so far was sent (or dropped); True when the queue drained in time."""
        deadline = time.monotonic() + max(0.0, float(timeout_seconds))
        self._wake.set()
        while True:
            if not self._busy and self._queued() == 0:
                return True
            if not self._thread.is_alive() or time.monotonic() >= deadline:
                return False
            self._wake.set()
            time.sleep(0.005)

    def close(self, flush: bool = True, timeout_seconds: float = 5.0) -> bool:
        """Stops accepting data; with ``flush`` waits up to ``timeout_seconds`` for delivery. Returns True when
        nothing was left undelivered."""
        self._closed = True
        drained = self.flush(timeout_seconds) if flush else False
        left = self._queued()
        if left:
            self._drop(left, "the logger was closed before they were sent")
            self._points.clear()
            self._events.clear()
        self._stopping = True
        self._abort.set()
        self._wake.set()
        self._thread.join(timeout=max(1.0, float(timeout_seconds)))
        return drained and left == 0

    def __enter__(self) -> "RunTelemetryLogger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- sender thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self._interval)
            self._wake.clear()
            while self._queued() and not self._abort.is_set():
                self._busy = True
                try:
                    self._send_round()
                except Exception as exc:  # never let the sender die: record and keep going
                    self.last_error = AnimusAPIError(0, "client_error", None, {"message": repr(exc)})
                finally:
                    self._busy = False
        if self._conn is not None:
            self._conn.close()

    def _send_round(self) -> None:
        if self._points:
            if len(self._points[0]) == 3:
                step, metrics, metadata = self._points.popleft()
                self._send_single_metrics(step, metrics, metadata, len(metrics))
            else:
                self._send_points(_pop_points(self._points, self._batch_points))
        if self._events:
            self._send_events(_pop(self._events, _MAX_EVENTS_PER_BATCH))

    def _send_points(self, points: List[Tuple[int, str, float, float]]) -> None:
        if not self._metrics_batch:
            self._send_points_singly(points)
            return
        while points:
            body = dumps({"points": [{"name": n, "step": s, "timestamp": _iso(t), "value": v} for s, n, v, t in points]})
            if len(body) > _MAX_BODY_BYTES and len(points) > 1:
                half = len(points) // 2
                self._send_points(points[:half])
                points = points[half:]
                continue
            resp = self._post("/metrics:batch", body)
            if resp is None:
                self._give_up(len(points), None)
                return
            if resp.status < 300:
                self._stats["points_sent"] += len(points)
                return
            error = api_error(resp)
            if resp.status == 404 and error.code == "route_not_found":
                self._metrics_batch = False
                self._send_points_singly(points)
                return
            self.last_error = error
            bad = _bad_index(error, len(points))
            if resp.status == 400 and bad is not None:
                self._give_up(1, resp)
                points = points[:bad] + points[bad + 1 :]
                continue
            self._give_up(len(points), resp)
            return

    def _send_points_singly(self, points: List[Tuple[int, str, float, float]]) -> None:
        by_step: Dict[int, Dict[str, float]] = {}
        for step, name, value, _ in points:
            by_step.setdefault(step, {}).setdefault(name, value)
        for step, metrics in by_step.items():
            self._send_single_metrics(step, metrics, None, len(metrics))

    def _send_single_metrics(self, step: int, metrics: Dict[str, float], metadata: Any, count: int) -> None:
        payload: Dict[str, Any] = {"metrics": metrics, "step": step}
        if metadata:
            payload["metadata"] = metadata
        resp = self._post("/metrics", dumps(payload))
        if resp is not None and resp.status < 300:
            self._stats["points_sent"] += count
        else:
            if resp is not None:
                self.last_error = api_error(resp)
            self._give_up(count, resp)

    def _send_events(self, events: List[Dict[str, Any]]) -> None:
        if not self._events_batch:
            self._send_events_singly(events)
            return
        while events:
            wire = [_event_wire(e, True) for e in events]
            body = dumps({"events": wire})
            if len(body) > _MAX_BODY_BYTES and len(events) > 1:
                half = len(events) // 2
                self._send_events(events[:half])
                events = events[half:]
                continue
            resp = self._post("/events:batch", body)
            if resp is None:
                self._give_up(len(events), None)
                return
            if resp.status < 300:
                self._stats["events_sent"] += len(events)
                return
            error = api_error(resp)
            if resp.status == 404 and error.code == "route_not_found":
                self._events_batch = False
                self._send_events_singly(events)
                return
            self.last_error = error
            bad = _bad_index(error, len(events))
            if resp.status == 400 and bad is not None:
                self._give_up(1, resp)
                events = events[:bad] + events[bad + 1 :]
                continue
            self._give_up(len(events), resp)
            return

    def _send_events_singly(self, events: List[Dict[str, Any]]) -> None:
        for event in events:
            resp = self._post("/events", dumps(_event_wire(event, False)))
            if resp is not None and resp.status < 300:
                self._stats["events_sent"] += 1
            else:
                if resp is not None:
                    self.last_error = api_error(resp)
                self._give_up(1, resp)

    def _post(self, suffix: str, body: bytes) -> Optional[Response]:
        """POSTs, retrying network errors, 429 and 5xx as the retry policy allows. None when the last attempt got no
        answer."""
        attempt = 0
        first_failure = None
        while True:
            if self._conn is None:
                self._conn = self._http.connect()
            self._stats["requests"] += 1
            resp: Optional[Response] = None
            try:
                resp = self._http.exchange("POST", self._base + suffix, body=body, conn=self._conn)
            except AnimusAPIError as exc:
                self.last_error = exc
            if resp is not None and not (resp.status == 429 or resp.status >= 500):
                return resp
            if resp is not None:
                self.last_error = api_error(resp)
            if self._abort.is_set():
                return resp
            if first_failure is None:
                first_failure = time.monotonic()
            retry_after = resp.headers.get("retry-after", "").strip() if resp is not None else ""
            delay = self._retry.delay(attempt, first_failure, float(retry_after) if retry_after.isdigit() else None)
            if delay is None:
                return resp
            attempt += 1
            self._stats["retries"] += 1
            if self._abort.wait(delay):
                return resp

    def _give_up(self, count: int, resp: Optional[Response]) -> None:
        """Drops ``count`` items that ``resp`` (None: no answer) did not accept, saying why."""
        if resp is not None and resp.status != 429 and resp.status < 500:
            error = api_error(resp)
            self._drop(count, "the server refused them (%d %s)" % (resp.status, error.code))
        elif self._abort.is_set():
            self._drop(count, "the logger was closed while they were being retried")
        else:
            self._stats["dropped_after_retries"] += count
            last = "no answer" if resp is None else "status %d" % resp.status
            self._drop(count, "the retry budget ran out (last: %s)" % last)

    def _drop(self, count: int, reason: str) -> None:
        self._stats["dropped"] += count
        _log.warning("run %s: dropped %d telemetry item(s), %d in all: %s", self._run_id, count,
                     self._stats["dropped"], reason)


def _pop(queue: Deque[Any], limit: int) -> List[Any]:
    out = []
    popleft = queue.popleft
    try:
        for _ in range(limit):
            out.append(popleft())
    except IndexError:
        pass
    return out


def _pop_points(queue: Deque[Tuple[Any, ...]], limit: int) -> List[Tuple[int, str, float, float]]:
    """Pops consecutive plain points (4-tuples), stopping before a group with metadata."""
    out = []
    popleft = queue.popleft
    while queue and len(out) < limit and len(queue[0]) == 4:
        out.append(popleft())
    return out


def _bad_index(error: AnimusAPIError, size: int) -> Optional[int]:
    body = error.body
    if not isinstance(body, dict) or not isinstance(body.get("details"), dict):
        return None
    index = body["details"].get("index")
    if type(index) is int and 0 <= index < size:
        return index
    return None


def _event_wire(event: Dict[str, Any], with_client_id: bool) -> Dict[str, Any]:
    wire = {"level": event["level"], "message": event["message"], "occurred_at": _iso(event["occurred_at"])}
    if event["metadata"]:
        wire["metadata"] = event["metadata"]
    if with_client_id:
        wire["client_event_id"] = event["client_event_id"]
    return wire


_iso_cache = [-1, ""]


def _iso(t: float) -> str:
    sec = int(t)
    if _iso_cache[0] != sec:
        _iso_cache[1] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        _iso_cache[0] = sec
    return "%s.%06dZ" % (_iso_cache[1], int((t - sec) * 1e6))


def _step(step: Any) -> int:
    if isinstance(step, bool):
        raise ValueError("step must be an integer >= 0")
    try:
        value = operator.index(step)
    except TypeError:
        raise ValueError("step must be an integer >= 0") from None
    if value < 0:
        raise ValueError("step must be an integer >= 0")
    return value


def _metric_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 255:
        raise ValueError("metric name must be a string of 1 to 255 characters")
    return name.strip()


def _metric_value(value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, (str, bytes)) or value is None:
        raise ValueError("metric value must be a number")
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("metric value must be a number") from None
