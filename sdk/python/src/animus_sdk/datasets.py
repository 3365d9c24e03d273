"""Dataset registry client (``/api/dataset-registry``)."""

from typing import Any, Dict, List, Optional, Tuple

from ._common import drop_empty, file_part, metadata_field, object_or_empty, require_text
from ._http import ClientBase, path_segment

_PREFIX = "/api/dataset-registry"


class DatasetRegistryClient(ClientBase):
    """Reads, downloads and (beyond the published SDK) creates datasets and uploads versions."""

    # -- published API -----------------------------------------------------------------------------------
    def get_dataset_version(self, *, dataset_version_id: str) -> Dict[str, Any]:
        return self._http.call_json("GET", "%s/dataset-versions/%s" % (_PREFIX, path_segment(dataset_version_id)))

    def download_dataset_version(self, *, dataset_version_id: str, dest_path: str) -> Dict[str, Any]:
        """Streams the version's bytes to ``dest_path`` atomically; returns content_type, size_bytes, sha256."""
        return self._http.download(
            "%s/dataset-versions/%s/download" % (_PREFIX, path_segment(dataset_version_id)), dest_path
        )

    # -- beyond the published SDK ------------------------------------------------------------------------
    def create_dataset(self, *, name: str, description: str = "", metadata: Optional[Dict[str, Any]] = None) -> Any:
        body = {"name": require_text(name, "name"), "description": description or "",
                "metadata": object_or_empty(metadata, "metadata")}
        return self._http.call_json("POST", _PREFIX + "/datasets", payload=body)

    def get_dataset(self, *, dataset_id: str) -> Any:
        return self._http.call_json("GET", "%s/datasets/%s" % (_PREFIX, path_segment(dataset_id)))

    def list_datasets(self, *, limit: int = 100, page_token: Optional[str] = None) -> Any:
        return self._http.call_json(
            "GET", _PREFIX + "/datasets", query=drop_empty({"limit": int(limit), "page_token": page_token})
        )

    def list_dataset_versions(self, *, dataset_id: str, limit: int = 100, page_token: Optional[str] = None) -> Any:
        return self._http.call_json(
            "GET",
            "%s/datasets/%s/versions" % (_PREFIX, path_segment(dataset_id)),
            query=drop_empty({"limit": int(limit), "page_token": page_token}),
        )

    def upload_dataset_version(
        self,
        *,
        dataset_id: str,
        file_path: str,
        metadata: Optional[Dict[str, Any]] = None,
        quality_rule_id: Optional[str] = None,
        filename: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> Any:
        """Streams ``file_path`` as a new immutable version (409 ``duplicate_content`` for the same bytes)."""
        path, name, ctype = file_part(file_path, filename, content_type)
        fields: List[Tuple[str, str]] = []
        metadata_field(fields, metadata)
        if quality_rule_id:
            fields.append(("quality_rule_id", quality_rule_id))
        return self._http.post_multipart(
            "%s/datasets/%s/versions/upload" % (_PREFIX, path_segment(dataset_id)), fields, path, name, ctype
        )

    def archive_dataset(self, *, dataset_id: str) -> Any:
        """``POST /datasets/{id}:archive``: hidden from lists; the dataset and its versions stay readable."""
        return self._http.call_json("POST", "%s/datasets/%s:archive" % (_PREFIX, path_segment(dataset_id)))

    def restore_dataset(self, *, dataset_id: str) -> Any:
        return self._http.call_json("POST", "%s/datasets/%s:restore" % (_PREFIX, path_segment(dataset_id)))

    def delete_dataset(self, *, dataset_id: str) -> Any:
        """Deletes the dataset with all its versions (409 ``dataset_version_in_use`` when a run uses one)."""
        return self._http.call_json("DELETE", "%s/datasets/%s" % (_PREFIX, path_segment(dataset_id)))

    def delete_dataset_version(self, *, version_id: str, force: bool = False) -> Any:
        """Deletes one version; a version runs use is 409 ``dataset_version_in_use`` unless ``force``."""
        return self._http.call_json(
            "DELETE",
            "%s/dataset-versions/%s" % (_PREFIX, path_segment(version_id)),
            query={"force": "true" if force else "false"},
        )


__all__ = ["DatasetRegistryClient"]
