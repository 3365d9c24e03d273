-- Training executions (docs/protocol.md §8): one per executed run. The run token itself is never
-- stored, only its sha256. instance_id names the server instance that started a local process,
-- so that a later instance can tell its own jobs from orphans of a previous one.

CREATE TABLE executions (
  execution_id    uuid PRIMARY KEY,
  run_id          uuid        NOT NULL UNIQUE REFERENCES runs,
  executor        text        NOT NULL,
  image_ref       text        NOT NULL,
  image_digest    text,
  command         json,
  resources       json        NOT NULL,
  env_names       json        NOT NULL,
  process_id      bigint,
  job_name        text,
  instance_id     text,
  datapilot_url   text        NOT NULL,
  token_sha256    text        NOT NULL,
  submitted_at    timestamptz,
  ended_at        timestamptz,
  exit_code       integer,
  end_reason      text,
  log_captured_at timestamptz,
  created_at      timestamptz NOT NULL,
  created_by      text        NOT NULL
);
CREATE INDEX executions_open ON executions (created_at) WHERE ended_at IS NULL;
