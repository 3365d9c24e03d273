-- Run search (docs/protocol.md §3.5) asks which runs' latest value of a metric passes a test: the one
-- query of the server that reads series across runs. Both columns never change, so updates of a
-- series row (its last_* columns, every write) stay heap-only.
CREATE INDEX series_by_name ON series (name, run_id);
