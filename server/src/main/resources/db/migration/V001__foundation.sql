-- Foundation schema: experiments, runs and their state history, datasets (referenced by runs),
-- Free-form objects use json (not jsonb) so that key order and number text come back as sent.
-- API tokens, idempotency records and the audit log.

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;

CREATE TABLE experiments (
  experiment_id uuid PRIMARY KEY,
  project_id    text        NOT NULL,
  name          text        NOT NULL,
  description   text        NOT NULL DEFAULT '',
  metadata      json        NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL,
  created_by    text        NOT NULL,
  CONSTRAINT experiments_project_name_key UNIQUE (project_id, name)
);
CREATE INDEX experiments_project_newest ON experiments (project_id, created_at DESC, experiment_id DESC);

CREATE TABLE datasets (
  dataset_id  uuid PRIMARY KEY,
  project_id  text        NOT NULL,
  name        text        NOT NULL,
  description text        NOT NULL DEFAULT '',
  metadata    json        NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL,
  created_by  text        NOT NULL,
  CONSTRAINT datasets_project_name_key UNIQUE (project_id, name)
);
CREATE INDEX datasets_project_newest ON datasets (project_id, created_at DESC, dataset_id DESC);

CREATE TABLE dataset_versions (
  version_id      uuid PRIMARY KEY,
  dataset_id      uuid        NOT NULL REFERENCES datasets,
  project_id      text        NOT NULL,
  quality_rule_id text,
  ordinal         integer     NOT NULL,
  content_sha256  text        NOT NULL,
  object_key      text        NOT NULL,
  size_bytes      bigint      NOT NULL,
  metadata        json        NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL,
  created_by      text        NOT NULL,
  CONSTRAINT dataset_versions_ordinal_key UNIQUE (dataset_id, ordinal),
  CONSTRAINT dataset_versions_content_key UNIQUE (dataset_id, content_sha256)
);
CREATE TRIGGER dataset_versions_append_only BEFORE UPDATE OR DELETE ON dataset_versions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE runs (
  run_id             uuid PRIMARY KEY,
  experiment_id      uuid        NOT NULL REFERENCES experiments,
  project_id         text        NOT NULL,
  dataset_version_id uuid        REFERENCES dataset_versions,
  -- the effective status (newest state), kept in step with run_states by compare-and-set
  status             text        NOT NULL,
  started_at         timestamptz NOT NULL,
  ended_at           timestamptz,
  terminal_at        timestamptz,
  git_repo           text,
  git_commit         text,
  git_ref            text,
  params             json        NOT NULL DEFAULT '{}',
  metrics            json        NOT NULL DEFAULT '{}',
  artifacts_prefix   text,
  last_heartbeat_at  timestamptz,
  created_at         timestamptz NOT NULL,
  created_by         text        NOT NULL,
  CONSTRAINT runs_status_check CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'canceled'))
);
CREATE INDEX runs_experiment_newest ON runs (experiment_id, started_at DESC, run_id DESC);
CREATE INDEX runs_project_newest ON runs (project_id, started_at DESC, run_id DESC);
CREATE INDEX runs_project_active ON runs (project_id, started_at DESC) WHERE status IN ('pending', 'running');

CREATE TABLE run_states (
  state_id    uuid PRIMARY KEY,
  run_id      uuid        NOT NULL REFERENCES runs,
  status      text        NOT NULL,
  observed_at timestamptz NOT NULL,
  details     json        NOT NULL DEFAULT '{}',
  CONSTRAINT run_states_run_status_key UNIQUE (run_id, status)
);
CREATE TRIGGER run_states_append_only BEFORE UPDATE OR DELETE ON run_states
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE api_tokens (
  token_id     uuid PRIMARY KEY,
  name         text        NOT NULL,
  role         text        NOT NULL,
  token_sha256 text        NOT NULL UNIQUE,
  token_prefix text        NOT NULL,
  created_at   timestamptz NOT NULL,
  created_by   text        NOT NULL,
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  CONSTRAINT api_tokens_role_check CHECK (role IN ('viewer', 'editor', 'admin'))
);
CREATE INDEX api_tokens_newest ON api_tokens (created_at DESC, token_id DESC) WHERE revoked_at IS NULL;

CREATE TABLE idempotency_records (
  scope_sha256   text PRIMARY KEY,
  request_sha256 text        NOT NULL,
  created_at     timestamptz NOT NULL,
  completed_at   timestamptz,
  status         integer,
  location       text,
  response_body  bytea
);

CREATE TABLE audit_events (
  audit_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  request_id  text        NOT NULL,
  actor       text        NOT NULL,
  action      text        NOT NULL,
  path        text        NOT NULL,
  status      integer     NOT NULL,
  outcome     text        NOT NULL,
  project_id  text,
  details     json        NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
