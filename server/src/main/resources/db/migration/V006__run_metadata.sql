-- Runs people can find and curate (docs/protocol.md §3.4-§3.6): names, tags, notes, archive and
-- delete marks, and run_values, the search index of params, summary metrics and tags.

-- A number read from text the way the search language reads one (RunValues.number): an optional
-- sign, digits with an optional fraction, an optional exponent; null for anything else or out of range.
CREATE FUNCTION datapilot_number(value text) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF value ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$' THEN
    RETURN CAST(value AS float8);
  END IF;
  RETURN NULL;
EXCEPTION WHEN numeric_value_out_of_range THEN
  RETURN NULL;
END;
$$;

ALTER TABLE experiments
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN deleted_at  timestamptz;

ALTER TABLE runs
  ADD COLUMN name                    text,
  ADD COLUMN notes                   text        NOT NULL DEFAULT '',
  ADD COLUMN tags                    json        NOT NULL DEFAULT '{}',
  ADD COLUMN archived_at             timestamptz,
  ADD COLUMN deleted_at              timestamptz,
  ADD COLUMN dataset_version_deleted boolean     NOT NULL DEFAULT false;

-- runs from before names: run-1, run-2, ... in the order they were created, per experiment
UPDATE runs SET name = numbered.name
FROM (SELECT run_id, 'run-' || row_number() OVER (PARTITION BY experiment_id ORDER BY created_at, run_id) AS name
      FROM runs) AS numbered
WHERE runs.run_id = numbered.run_id;

ALTER TABLE runs ALTER COLUMN name SET NOT NULL;
CREATE UNIQUE INDEX runs_experiment_name ON runs (experiment_id, name) WHERE deleted_at IS NULL;

-- One row per param, summary metric and tag of a run: what search and sort read (docs/adr/0036).
--   kind: 'p' param, 'm' summary metric, 't' tag
--   type: 'n' JSON number, 's' JSON string, 'b' JSON boolean, 'o' object or array (JSON null is not stored)
--   num:  the number (a JSON number, or text that reads as one); txt: a string's value, else the JSON text
CREATE TABLE run_values (
  run_id uuid   NOT NULL REFERENCES runs ON DELETE CASCADE,
  kind   "char" NOT NULL,
  key    text   NOT NULL,
  type   "char" NOT NULL,
  num    float8,
  txt    text   NOT NULL,
  PRIMARY KEY (run_id, kind, key)
);
CREATE INDEX run_values_number ON run_values (kind, key, num, run_id) WHERE num IS NOT NULL;
CREATE INDEX run_values_text ON run_values (kind, key, left(txt, 200));

INSERT INTO run_values (run_id, kind, key, type, num, txt)
SELECT run_id, kind, key,
       CASE json_typeof(value) WHEN 'number' THEN 'n' WHEN 'string' THEN 's' WHEN 'boolean' THEN 'b' ELSE 'o' END,
       CASE json_typeof(value) WHEN 'number' THEN datapilot_number(value::text)
                               WHEN 'string' THEN datapilot_number(value #>> '{}') END,
       CASE json_typeof(value) WHEN 'string' THEN value #>> '{}' ELSE value::text END
FROM (SELECT run_id, 'p' AS kind, e.key, e.value FROM runs, json_each(runs.params) AS e
      UNION ALL
      SELECT run_id, 'm', e.key, e.value FROM runs, json_each(runs.metrics) AS e) AS given
WHERE json_typeof(value) <> 'null'
ON CONFLICT DO NOTHING;
