-- +goose Up
-- When a child's record was anonymised after the retention period (DESIGN.md §3): their
-- personal details are gone, their reference is ANON-…, and their equipment history
-- stays. NULL for every record still held in full.
ALTER TABLE children ADD COLUMN anonymised_at TEXT;

-- Every view of a child's record: who, when, which child, and through which page or API.
-- One row a record view (a list of children writes none). Kept apart from the change
-- history (events) because reads far outnumber changes: the child's history stays
-- readable, and this log can be kept for its own period. It holds no personal data of
-- the child: anonymising a child keeps the rows, which name only staff.
CREATE TABLE child_reads (
    id        INTEGER PRIMARY KEY,
    child_id  INTEGER NOT NULL REFERENCES children(id),
    at        TEXT NOT NULL,
    user_id   INTEGER REFERENCES users(id),
    user_name TEXT NOT NULL,
    user_role TEXT NOT NULL DEFAULT '',
    via       TEXT NOT NULL
);
CREATE INDEX child_reads_child ON child_reads(child_id, id);

-- +goose Down
DROP INDEX child_reads_child;
DROP TABLE child_reads;
ALTER TABLE children DROP COLUMN anonymised_at;
