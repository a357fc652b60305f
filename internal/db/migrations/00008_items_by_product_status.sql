-- +goose Up
-- The catalogue counts each product's units and its free units, and a request shows the
-- free stock of what it asks for: with the status beside the product these counts come
-- from the index alone, instead of reading every unit's row (400 ms for the catalogue's
-- first page at 100,000 items).
CREATE INDEX items_product_status ON items(product_id, status);

-- +goose Down
DROP INDEX items_product_status;
