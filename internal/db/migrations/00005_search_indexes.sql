-- +goose Up
-- Searching items by the start of a serial number, in any case, uses this index, as
-- searching by tag uses the tag's own unique index.
CREATE INDEX items_serial ON items(serial COLLATE NOCASE);

-- +goose Down
DROP INDEX items_serial;
