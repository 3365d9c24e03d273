-- Telemetry: metric samples (narrow rows keyed by a small series id), per-block summaries kept at
-- ingest for fast downsampled reads, run events with per-run ordered ids, and the run's
-- denormalised live fields.

CREATE FUNCTION refuse_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;

ALTER TABLE runs
  ADD COLUMN last_seen_at    timestamptz,
  ADD COLUMN reported_status text,
  ADD COLUMN progress        json;

CREATE TABLE metric_series (
  series_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id    uuid NOT NULL REFERENCES runs,
  name      text NOT NULL,
  CONSTRAINT metric_series_run_name_key UNIQUE (run_id, name)
);

-- One row per accepted metrics request: who wrote it and the (redacted) metadata of its samples.
CREATE TABLE metric_writes (
  write_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      uuid        NOT NULL,
  recorded_by text        NOT NULL,
  metadata    json        NOT NULL DEFAULT '{}'
);

-- The samples: first write of (series, step) wins. No foreign keys, to keep ingest narrow and
-- fast; series and writes are only ever created by the same statement that references them.
CREATE TABLE metric_samples (
  series_id   integer     NOT NULL,
  step        bigint      NOT NULL,
  value       float8      NOT NULL,
  recorded_at timestamptz NOT NULL,
  write_id    bigint      NOT NULL,
  PRIMARY KEY (series_id, step)
);
CREATE TRIGGER metric_samples_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON metric_samples
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement();

-- Summary of the samples whose step falls in [block * 64, block * 64 + 63]; min/max ignore NaN.
CREATE TABLE metric_blocks (
  series_id    integer NOT NULL,
  block        bigint  NOT NULL,
  sample_count bigint  NOT NULL,
  first_step   bigint  NOT NULL,
  last_step    bigint  NOT NULL,
  last_value   float8  NOT NULL,
  min_value    float8,
  max_value    float8,
  nan_count    bigint  NOT NULL,
  PRIMARY KEY (series_id, block)
);

CREATE SEQUENCE run_event_ids;

CREATE TABLE run_events (
  event_id        bigint PRIMARY KEY,
  run_id          uuid        NOT NULL REFERENCES runs,
  occurred_at     timestamptz NOT NULL,
  actor           text        NOT NULL,
  level           text        NOT NULL,
  message         text        NOT NULL,
  metadata        json        NOT NULL DEFAULT '{}',
  client_event_id text,
  CONSTRAINT run_events_level_check CHECK (level IN ('debug', 'info', 'warn', 'error'))
);
CREATE INDEX run_events_run_newest ON run_events (run_id, event_id DESC);
CREATE UNIQUE INDEX run_events_client_id_key ON run_events (run_id, client_event_id)
  WHERE client_event_id IS NOT NULL;
CREATE TRIGGER run_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON run_events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement();
