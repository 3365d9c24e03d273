-- Run artifacts and dataset quality evaluations. Blob bytes live in the blob store; rows keep
-- keys, sizes and sha256. Both tables are append-only: artifacts are immutable, evaluations are
-- appended and the newest one counts.

CREATE TABLE artifacts (
  artifact_id  uuid PRIMARY KEY,
  run_id       uuid        NOT NULL REFERENCES runs,
  kind         text        NOT NULL,
  name         text,
  filename     text        NOT NULL,
  content_type text        NOT NULL,
  object_key   text        NOT NULL,
  sha256       text        NOT NULL,
  size_bytes   bigint      NOT NULL,
  metadata     json        NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL,
  created_by   text        NOT NULL,
  CONSTRAINT artifacts_kind_check CHECK (kind IN ('model', 'preview', 'log', 'file')),
  CONSTRAINT artifacts_size_check CHECK (size_bytes >= 0)
);
CREATE INDEX artifacts_run_newest ON artifacts (run_id, created_at DESC, artifact_id DESC);
CREATE INDEX artifacts_run_kind_newest ON artifacts (run_id, kind, created_at DESC, artifact_id DESC);
CREATE TRIGGER artifacts_append_only BEFORE UPDATE OR DELETE ON artifacts
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE INDEX dataset_versions_dataset_newest ON dataset_versions (dataset_id, created_at DESC, version_id DESC);

CREATE TABLE dataset_quality_evaluations (
  evaluation_id      uuid PRIMARY KEY,
  dataset_version_id uuid        NOT NULL REFERENCES dataset_versions,
  rule_id            text        NOT NULL,
  status             text        NOT NULL,
  summary            json        NOT NULL DEFAULT '{}',
  evaluated_at       timestamptz NOT NULL,
  evaluated_by       text        NOT NULL,
  CONSTRAINT dataset_quality_evaluations_status_check CHECK (status IN ('pass', 'fail', 'error'))
);
CREATE INDEX dataset_quality_evaluations_newest
  ON dataset_quality_evaluations (dataset_version_id, rule_id, evaluated_at DESC, evaluation_id DESC);
CREATE TRIGGER dataset_quality_evaluations_append_only BEFORE UPDATE OR DELETE ON dataset_quality_evaluations
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
