"""HTTP transport shared by the clients and the telemetry logger (docs/protocol.md section 11).

Standard library only. Every attempt sends ``Accept: application/json``, a fresh ``X-Request-Id`` (uuid4 hex) and
``Authorization: Bearer`` when a token is known, and ``X-Project-Id`` only when a project was named (the client's
``project_id`` argument, else ``DATAPILOT_PROJECT_ID``; the published SDK never sends it). JSON bodies are compact, key-sorted and
ASCII-only. Status >= 400 becomes :class:`AnimusAPIError`; network failures become status 0 ``network_error``.
"""

import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import uuid
from typing import Any, BinaryIO, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import quote, urlencode, urlsplit

from .errors import AnimusAPIError

DEFAULT_GATEWAY_URL = "http://localhost:8080"
_PROJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CHUNK = 1024 * 1024


def dumps(value: Any) -> bytes:
    """Compact JSON, sorted keys, non-ASCII escaped; NaN and Infinity are written as Python writes them."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True).encode("ascii")


def path_segment(value: Any) -> str:
    """An id inserted into a path; ids are plain tokens, reserved characters are escaped rather than trusted."""
    text = str(value)
    if not text:
        raise ValueError("an id must be a non-empty string")
    return quote(text, safe=":@-._~")


def resolve_gateway_url(gateway_url: Optional[str], *env_names: str) -> str:
    if gateway_url:
        return gateway_url
    for name in env_names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return DEFAULT_GATEWAY_URL


def resolve_token(auth_token: Optional[str], *env_names: str) -> Optional[str]:
    if auth_token:
        return auth_token
    for name in env_names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def resolve_project_id(project_id: Optional[str]) -> Optional[str]:
    """The explicit ``project_id``, else ``DATAPILOT_PROJECT_ID``, else None (the server's ``default``)."""
    value = project_id if project_id else os.environ.get("DATAPILOT_PROJECT_ID", "")
    value = (value or "").strip()
    if not value:
        return None
    if not _PROJECT_ID.fullmatch(value):
        raise ValueError("project_id must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}, got %r" % value)
    return value


class Response:
    """A finished exchange: status, headers (lower-case names) and body bytes."""

    def __init__(self, status: int, headers: Dict[str, str], body: bytes, request_id: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = request_id


class Transport:
    """Sends requests to one gateway. Each call opens its own connection unless a ``Connection`` is passed."""

    def __init__(
        self, gateway_url: str, auth_token: Optional[str], timeout_seconds: float, project_id: Optional[str] = None
    ) -> None:
        parts = urlsplit(gateway_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("gateway_url must be an http(s) URL, got %r" % gateway_url)
        if timeout_seconds is None or float(timeout_seconds) <= 0:
            raise ValueError("timeout_seconds must be positive")
        self.gateway_url = gateway_url
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.base_path = parts.path.rstrip("/")
        self.auth_token = auth_token
        self.project_id = project_id
        self.timeout_seconds = float(timeout_seconds)

    # -- connections -------------------------------------------------------------------------------------
    def connect(self, timeout_seconds: Optional[float] = None) -> http.client.HTTPConnection:
        timeout = self.timeout_seconds if timeout_seconds is None else timeout_seconds
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def url_path(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        full = self.base_path + path
        if query:
            pairs = [(k, v) for k, v in query.items() if v is not None]
            if pairs:
                full += "?" + urlencode(pairs)
        return full

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Tuple[Dict[str, str], str]:
        request_id = uuid.uuid4().hex
        headers = {"Accept": "application/json", "X-Request-Id": request_id}
        if self.auth_token:
            headers["Authorization"] = "Bearer " + self.auth_token
        if self.project_id:
            headers["X-Project-Id"] = self.project_id
        if extra:
            headers.update(extra)
        return headers, request_id

    # -- plain requests ----------------------------------------------------------------------------------
    def exchange(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        conn: Optional[http.client.HTTPConnection] = None,
    ) -> Response:
        """One attempt. Raises AnimusAPIError(0, "network_error") on transport failure; returns any status."""
        headers, request_id = self.headers(extra_headers)
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
            headers["Content-Length"] = str(len(body))
        own = conn is None
        connection = self.connect() if own else conn
        try:
            connection.request(method, self.url_path(path, query), body=body, headers=headers)
            resp = connection.getresponse()
            data = resp.read()
            result = Response(resp.status, _lower(resp.getheaders()), data, request_id)
            if resp.will_close and not own:
                connection.close()
            return result
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise network_error(request_id, exc) from exc
        finally:
            if own:
                connection.close()

    def call_json(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        payload: Any = None,
        raw_body: Optional[bytes] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> Any:
        """A JSON request whose 2xx answer is decoded (empty body: None)."""
        body = raw_body if raw_body is not None else (dumps(payload) if payload is not None else None)
        resp = self.exchange(method, path, query=query, body=body, extra_headers=extra_headers)
        return decode(resp)

    # -- streaming upload --------------------------------------------------------------------------------
    def post_multipart(
        self, path: str, fields: List[Tuple[str, str]], file_path: str, filename: str, content_type: str
    ) -> Any:
        """Streams ``file_path`` as the ``file`` part after ``fields``, with an exact Content-Length."""
        boundary = "----animus-" + uuid.uuid4().hex
        head = bytearray()
        for name, value in fields:
            head += ("--%s\r\n" % boundary).encode("ascii")
            head += ('Content-Disposition: form-data; name="%s"\r\n\r\n' % _header_safe(name)).encode("utf-8")
            head += value.encode("utf-8") + b"\r\n"
        head += ("--%s\r\n" % boundary).encode("ascii")
        head += ('Content-Disposition: form-data; name="file"; filename="%s"\r\n' % _header_safe(filename)).encode(
            "utf-8"
        )
        head += ("Content-Type: %s\r\n\r\n" % content_type).encode("utf-8")
        tail = ("\r\n--%s--\r\n" % boundary).encode("ascii")
        with open(file_path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            headers, request_id = self.headers(
                {
                    "Content-Type": "multipart/form-data; boundary=" + boundary,
                    "Content-Length": str(len(head) + size + len(tail)),
                }
            )
            conn = self.connect()
            try:
                conn.putrequest("POST", self.url_path(path), skip_accept_encoding=True)
                for key, value in headers.items():
                    conn.putheader(key, value)
                conn.endheaders()
                send_error = None
                try:
                    conn.send(bytes(head))
                    sent = 0
                    while sent < size:
                        chunk = fh.read(min(_CHUNK, size - sent))
                        if not chunk:
                            raise ValueError("%s shrank while it was being uploaded" % file_path)
                        conn.send(chunk)
                        sent += len(chunk)
                    conn.send(tail)
                except (BrokenPipeError, ConnectionResetError) as exc:
                    # The server may answer (404, 413) before reading the whole body: read that answer.
                    send_error = exc
                try:
                    resp = conn.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException) as exc:
                    raise network_error(request_id, send_error or exc) from exc
                return decode(Response(resp.status, _lower(resp.getheaders()), data, request_id))
            except (OSError, http.client.HTTPException) as exc:
                raise network_error(request_id, exc) from exc
            finally:
                conn.close()

    # -- streaming download ------------------------------------------------------------------------------
    def download(self, path: str, dest_path: str) -> Dict[str, Any]:
        """GETs ``path`` into ``dest_path`` atomically (``<dest>.tmp``, hash, rename)."""
        dest_path = os.fspath(dest_path)
        tmp_path = dest_path + ".tmp"
        parent = os.path.dirname(os.path.abspath(dest_path))
        os.makedirs(parent, exist_ok=True)
        headers, request_id = self.headers()
        headers["Accept"] = "*/*"
        conn = self.connect()
        try:
            try:
                conn.request("GET", self.url_path(path), headers=headers)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                raise network_error(request_id, exc) from exc
            if resp.status >= 300:
                data = resp.read()
                raise api_error(Response(resp.status, _lower(resp.getheaders()), data, request_id))
            digest = hashlib.sha256()
            size = 0
            try:
                with open(tmp_path, "wb") as out:
                    while True:
                        chunk = resp.read(_CHUNK)
                        if not chunk:
                            break
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                expected = resp.getheader("Content-Length")
                if expected is not None and expected.isdigit() and int(expected) != size:
                    raise network_error(request_id, "incomplete body: %d of %s bytes" % (size, expected))
                os.replace(tmp_path, dest_path)
            except (OSError, http.client.HTTPException) as exc:
                _remove_quietly(tmp_path)
                if isinstance(exc, OSError) and exc.filename in (tmp_path, dest_path):
                    raise
                raise network_error(request_id, exc) from exc
            except BaseException:
                _remove_quietly(tmp_path)
                raise
            return {
                "content_type": resp.getheader("Content-Type") or "application/octet-stream",
                "size_bytes": size,
                "sha256": digest.hexdigest(),
            }
        finally:
            conn.close()

    # -- server-sent events ------------------------------------------------------------------------------
    def stream_events(
        self, path: str, query: Optional[Mapping[str, Any]], timeout_seconds: float, last_event_id: Optional[int]
    ) -> Iterator[Dict[str, Any]]:
        extra = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            extra["Last-Event-ID"] = str(int(last_event_id))
        headers, request_id = self.headers(extra)
        conn = self.connect(timeout_seconds)
        try:
            try:
                conn.request("GET", self.url_path(path, query), headers=headers)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                raise network_error(request_id, exc) from exc
            if resp.status >= 300:
                raise api_error(Response(resp.status, _lower(resp.getheaders()), resp.read(), request_id))
            for frame in _sse_frames(_lines(resp, request_id)):
                yield frame
        finally:
            conn.close()


def _lines(resp: http.client.HTTPResponse, request_id: str) -> Iterable[str]:
    while True:
        try:
            raw = resp.readline(1024 * 1024)
        except (OSError, http.client.HTTPException) as exc:
            raise network_error(request_id, exc) from exc
        if not raw:
            return
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


def _sse_frames(lines: Iterable[str]) -> Iterator[Dict[str, Any]]:
    event, event_id, data = None, None, []
    for line in lines:
        if line == "":
            if data or event is not None:
                text = "\n".join(data)
                try:
                    parsed: Any = json.loads(text) if text else None
                except ValueError:
                    parsed = text
                frame: Dict[str, Any] = {"event": event or "message", "data": parsed}
                if event_id is not None:
                    frame["id"] = event_id
                yield frame
            event, event_id, data = None, None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            event_id = value


def decode(resp: Response) -> Any:
    if resp.status >= 400:
        raise api_error(resp)
    if not resp.body.strip():
        return None
    try:
        return json.loads(resp.body.decode("utf-8"))
    except ValueError:
        raise AnimusAPIError(resp.status, "invalid_json_response", _server_request_id(resp), resp.body) from None


def api_error(resp: Response) -> AnimusAPIError:
    body: Any = None
    try:
        body = json.loads(resp.body.decode("utf-8")) if resp.body else None
    except ValueError:
        body = resp.body
    code = "request_failed"
    request_id = _server_request_id(resp)
    if isinstance(body, dict):
        if isinstance(body.get("error"), str) and body["error"]:
            code = body["error"]
        if isinstance(body.get("request_id"), str) and body["request_id"]:
            request_id = body["request_id"]
    return AnimusAPIError(resp.status, code, request_id, body)


def network_error(request_id: str, exc: Any) -> AnimusAPIError:
    if isinstance(exc, socket.timeout):
        detail = "timed out"
    else:
        detail = str(exc) or exc.__class__.__name__
    return AnimusAPIError(0, "network_error", request_id, {"error": "network_error", "message": detail})


def _server_request_id(resp: Response) -> str:
    return resp.headers.get("x-request-id") or resp.request_id


def _lower(headers: List[Tuple[str, str]]) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers}


def _header_safe(text: str) -> str:
    return text.replace("\r", "").replace("\n", "").replace('"', "%22")


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


class ClientBase:
    """What both clients share: the gateway URL, the token, the project and their environment fallbacks.

    ``project_id`` (else ``DATAPILOT_PROJECT_ID``) is sent as ``X-Project-Id``: creates and lists use that project,
    reads by id find nothing in another one. Unset, the server uses its ``default`` project.
    """

    def __init__(
        self,
        *,
        gateway_url: Optional[str] = None,
        auth_token: Optional[str] = None,
        timeout_seconds: float = 30.0,
        project_id: Optional[str] = None,
    ) -> None:
        self._http = Transport(
            resolve_gateway_url(gateway_url, "ANIMUS_GATEWAY_URL"),
            resolve_token(auth_token, "ANIMUS_AUTH_TOKEN"),
            timeout_seconds,
            resolve_project_id(project_id),
        )

    @classmethod
    def from_env(cls, *, timeout_seconds: float = 30.0, project_id: Optional[str] = None):
        """``DATAPILOT_URL`` then ``ANIMUS_GATEWAY_URL``; ``TOKEN`` then ``ANIMUS_AUTH_TOKEN`` (training containers)."""
        return cls(
            gateway_url=resolve_gateway_url(None, "DATAPILOT_URL", "ANIMUS_GATEWAY_URL"),
            auth_token=resolve_token(None, "TOKEN", "ANIMUS_AUTH_TOKEN"),
            timeout_seconds=timeout_seconds,
            project_id=project_id,
        )

    @property
    def project_id(self) -> Optional[str]:
        """The project this client names (``X-Project-Id``), or None for the server's ``default``."""
        return self._http.project_id

    def get_deletion(self, *, deletion_id: str) -> Dict[str, Any]:
        """``GET /api/deletions/{id}``: ``{"deletion_id","kind","target_id","state":"pending"|"done",...}``."""
        return self._http.call_json("GET", "/api/deletions/%s" % path_segment(deletion_id))

    @property
    def gateway_url(self) -> str:
        return self._http.gateway_url
