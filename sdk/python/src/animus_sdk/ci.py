"""CI request signing (docs/protocol.md section 7.1)."""

import base64
import hashlib
import hmac
from typing import Union


def compute_ci_webhook_signature(secret: str, ts: Union[int, str], method: str, body: Union[bytes, str]) -> str:
    """Signature for ``X-Animus-CI-Sig``: unpadded base64url HMAC-SHA256 over ``ts\\nMETHOD\\nsha256hex(body)``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    body_hash = hashlib.sha256(body).hexdigest()
    message = "%s\n%s\n%s" % (str(ts).strip(), method.upper(), body_hash)
    mac = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")
