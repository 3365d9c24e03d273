-- CI records: contexts attached to runs by signed webhooks, and images registered by signed reports.
-- Both are append-only; payloads are kept in their canonical form (sorted keys, as hashed).

CREATE TABLE ci_contexts (
  context_id     uuid PRIMARY KEY,
  run_id         uuid        NOT NULL REFERENCES runs,
  provider       text        NOT NULL,
  payload        json        NOT NULL,
  payload_sha256 text        NOT NULL,
  received_at    timestamptz NOT NULL,
  received_by    text        NOT NULL,
  CONSTRAINT ci_contexts_run_payload_key UNIQUE (run_id, payload_sha256)
);
CREATE INDEX ci_contexts_run_newest ON ci_contexts (run_id, received_at DESC, context_id DESC);
CREATE TRIGGER ci_contexts_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ci_contexts
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement();

CREATE TABLE model_images (
  image_digest   text PRIMARY KEY,
  repo           text        NOT NULL,
  commit_sha     text        NOT NULL,
  pipeline_id    text        NOT NULL,
  provider       text,
  payload        json        NOT NULL,
  payload_sha256 text        NOT NULL,
  received_at    timestamptz NOT NULL,
  received_by    text        NOT NULL
);
CREATE INDEX model_images_newest ON model_images (received_at DESC, image_digest DESC);
CREATE TRIGGER model_images_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON model_images
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_statement();
