"""Small helpers shared by the clients."""

import datetime as _dt
import json
import mimetypes
import os
from typing import Any, Dict, List, Optional, Tuple, Union

from ._http import dumps

TimeLike = Union[None, str, _dt.datetime, int, float]


def format_time(value: TimeLike) -> Optional[str]:
    """ISO 8601 with ``Z``; strings pass through; naive datetimes are taken as UTC; numbers are unix seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError("a time must be a datetime, an ISO 8601 string or unix seconds")
    if isinstance(value, (int, float)):
        value = _dt.datetime.fromtimestamp(float(value), tz=_dt.timezone.utc)
    if not isinstance(value, _dt.datetime):
        raise ValueError("a time must be a datetime, an ISO 8601 string or unix seconds")
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    value = value.astimezone(_dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def drop_empty(body: Dict[str, Any], keep: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """Drops keys whose value is None or "" (the published SDK's rule), except those in ``keep``."""
    return {k: v for k, v in body.items() if k in keep or (v is not None and v != "")}


def object_or_empty(value: Any, name: str) -> Dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("%s must be a dict" % name)
    return value


def require_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("%s must be a non-empty string" % name)
    return value


def file_part(
    file_path: Union[str, "os.PathLike[str]"], filename: Optional[str], content_type: Optional[str]
) -> Tuple[str, str, str]:
    path = os.fspath(file_path)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    name = filename or os.path.basename(path) or "artifact.bin"
    ctype = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return path, name, ctype


def metadata_field(fields: List[Tuple[str, str]], metadata: Any) -> None:
    if metadata is None:
        return
    if isinstance(metadata, str):
        if metadata:
            json.loads(metadata)  # refuse text that is not JSON before uploading gigabytes
            fields.append(("metadata", metadata))
        return
    if not isinstance(metadata, dict):
        raise ValueError("metadata must be a dict")
    fields.append(("metadata", dumps(metadata).decode("ascii")))
