-- +goose Up
-- Every scan of a label asks whether a recall is in force for that item: by item, through
-- this index, instead of reading every recall line.
CREATE INDEX recall_items_item ON recall_items(item_id);

-- +goose Down
DROP INDEX recall_items_item;
