-- Archive, delete and the sweeper (docs/protocol.md §3.6). A delete is a tombstone (deleted_at, or a
-- row of dataset_version_tombstones for the immutable versions) plus a row of deletions, in one
-- transaction; the sweeper then removes the rows and blobs and marks the deletion done.

-- Append-only tables stay append-only, except that a purge may remove rows whole: a transaction that
-- says SET LOCAL datapilot.purge = 'on' may DELETE (never UPDATE) their rows.
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('datapilot.purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;

CREATE OR REPLACE FUNCTION refuse_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('datapilot.purge', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;

-- names are free again once the thing is deleted
ALTER TABLE experiments DROP CONSTRAINT experiments_project_name_key;
CREATE UNIQUE INDEX experiments_project_name ON experiments (project_id, name) WHERE deleted_at IS NULL;

ALTER TABLE datasets
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN deleted_at  timestamptz;
ALTER TABLE datasets DROP CONSTRAINT datasets_project_name_key;
CREATE UNIQUE INDEX datasets_project_name ON datasets (project_id, name) WHERE deleted_at IS NULL;

-- A run keeps the id of a version deleted with force=true (dataset_version_deleted = true).
ALTER TABLE runs DROP CONSTRAINT runs_dataset_version_id_fkey;
CREATE INDEX runs_dataset_version ON runs (dataset_version_id) WHERE dataset_version_id IS NOT NULL;

-- A deleted dataset version, until the sweeper removes it (the version row itself never changes).
CREATE TABLE dataset_version_tombstones (
  version_id uuid PRIMARY KEY REFERENCES dataset_versions ON DELETE CASCADE,
  deleted_at timestamptz NOT NULL
);

-- kind: run, experiment, dataset, dataset_version; state: pending until the sweeper is done
CREATE TABLE deletions (
  deletion_id  uuid PRIMARY KEY,
  kind         text        NOT NULL,
  target_id    uuid        NOT NULL,
  project_id   text        NOT NULL,
  state        text        NOT NULL DEFAULT 'pending',
  requested_at timestamptz NOT NULL,
  requested_by text        NOT NULL,
  done_at      timestamptz,
  CONSTRAINT deletions_kind_check CHECK (kind IN ('run', 'experiment', 'dataset', 'dataset_version')),
  CONSTRAINT deletions_state_check CHECK (state IN ('pending', 'done'))
);
CREATE INDEX deletions_pending ON deletions (requested_at) WHERE state = 'pending';
CREATE INDEX deletions_target ON deletions (target_id);

CREATE INDEX runs_archived ON runs (archived_at) WHERE archived_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX experiments_archived ON experiments (archived_at) WHERE archived_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX datasets_archived ON datasets (archived_at) WHERE archived_at IS NOT NULL AND deleted_at IS NULL;
