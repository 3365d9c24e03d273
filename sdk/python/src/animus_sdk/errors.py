"""The one exception type raised for failed API calls."""

from typing import Any, Optional


class AnimusAPIError(Exception):
    """An API call failed.

    ``status`` is the HTTP status (0 for network failures), ``code`` the server's stable error code
    (``body["error"]``, else ``"request_failed"``), ``request_id`` the server's request id (else the id this
    client sent), ``body`` the decoded error body when there was one.
    """

    def __init__(self, status: int, code: str, request_id: Optional[str] = None, body: Any = None) -> None:
        self.status = int(status)
        self.code = str(code)
        self.request_id = request_id
        self.body = body
        message = ""
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            message = body["message"]
        self.message = message
        text = "%d %s" % (self.status, self.code)
        if message:
            text += ": " + message
        if request_id:
            text += " (request_id=%s)" % request_id
        super().__init__(text)

    @property
    def retryable(self) -> bool:
        """True for network failures, 429 and 5xx: the answers a telemetry writer should retry."""
        return self.status == 0 or self.status == 429 or self.status >= 500
