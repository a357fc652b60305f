-- +goose Up
-- An import writes its rows here in short batches and then moves them into products or
-- items in short batches (inventory/import_write.go), so that it never holds the one
-- writer for long. state says how far it got: 'staging' while rows are written and
-- checked again (an import stopped here is removed and changes nothing), 'moving' once
-- every row was written and good (an import stopped here is moved in by whoever finds it).
-- touched_at is when it last wrote, so that an import another process is still writing is
-- told apart from one left behind. A staged tag, serial or product id counts as taken.
CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('products', 'items')),
    state      TEXT NOT NULL CHECK (state IN ('staging', 'moving')),
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    started_at TEXT NOT NULL,
    touched_at TEXT NOT NULL
);

CREATE TABLE import_products (
    import_id             INTEGER NOT NULL REFERENCES imports(id),
    line                  INTEGER NOT NULL,
    id                    INTEGER UNIQUE, -- the id the file gives, else NULL
    name                  TEXT NOT NULL,
    category_id           INTEGER NOT NULL REFERENCES categories(id),
    kind                  TEXT NOT NULL,
    manufacturer          TEXT NOT NULL,
    model                 TEXT NOT NULL,
    size                  TEXT NOT NULL,
    service_interval_days INTEGER NOT NULL,
    needs_decontamination INTEGER NOT NULL,
    reorder_level         INTEGER NOT NULL,
    stock                 INTEGER NOT NULL,
    unit_cost_pence       INTEGER,
    min_age_years         INTEGER,
    max_age_years         INTEGER,
    notes                 TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE import_items (
    import_id        INTEGER NOT NULL REFERENCES imports(id),
    line             INTEGER NOT NULL,
    tag              TEXT NOT NULL UNIQUE,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    serial           TEXT NOT NULL,
    condition        TEXT NOT NULL,
    location         TEXT NOT NULL,
    acquired_on      TEXT,
    next_service_due TEXT,
    notes            TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
);
CREATE UNIQUE INDEX import_items_product_serial ON import_items(product_id, serial) WHERE serial <> '';

-- +goose Down
DROP TABLE import_items;
DROP TABLE import_products;
DROP TABLE imports;
