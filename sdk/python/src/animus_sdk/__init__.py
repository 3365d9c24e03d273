"""Animus DataLab SDK for Animus DataPilot (distribution ``animus-datalab``), standard library only."""

from .ci import compute_ci_webhook_signature
from .datasets import DatasetRegistryClient
from .errors import AnimusAPIError
from .experiments import ExperimentsClient
from .git import GitMetadata, get_git_metadata
from .telemetry import RunTelemetryLogger

__version__ = "1.1.0"

__all__ = [
    "AnimusAPIError",
    "DatasetRegistryClient",
    "ExperimentsClient",
    "GitMetadata",
    "RunTelemetryLogger",
    "__version__",
    "compute_ci_webhook_signature",
    "get_git_metadata",
]
