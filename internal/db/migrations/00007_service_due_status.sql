-- +goose Up
-- The service-due counts and lists filter the due items by status as well as by date: with
-- the status in the index they are counted from the index alone, instead of reading each
-- due item's row (10,000 of them at 100,000 items: 20 ms a count).
CREATE INDEX items_service_due ON items(next_service_due, status) WHERE next_service_due IS NOT NULL;
DROP INDEX items_next_service_due;

-- The returned items waiting for cleaning and for inspection, counted for the home page
-- and listed for the maintenance queues, from a small index of their own.
CREATE INDEX items_returned ON items(awaiting_cleaning) WHERE status = 'returned';

-- +goose Down
DROP INDEX items_returned;
CREATE INDEX items_next_service_due ON items(next_service_due) WHERE next_service_due IS NOT NULL;
DROP INDEX items_service_due;
