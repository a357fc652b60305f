-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE categories (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    position INTEGER NOT NULL DEFAULT 0
);

INSERT INTO categories (name, position) VALUES
    ('Seating', 1), ('Cutlery', 2), ('Grips', 3), ('Writing aids', 4),
    ('Bathing & toileting', 5), ('Mobility', 6), ('Sensory', 7), ('Other', 8);

CREATE TABLE products (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    category_id           INTEGER NOT NULL REFERENCES categories(id),
    kind                  TEXT NOT NULL CHECK (kind IN ('returnable', 'consumable')),
    manufacturer          TEXT NOT NULL DEFAULT '',
    model                 TEXT NOT NULL DEFAULT '',
    size                  TEXT NOT NULL DEFAULT '',
    service_interval_days INTEGER NOT NULL DEFAULT 0 CHECK (service_interval_days >= 0),
    needs_decontamination INTEGER NOT NULL DEFAULT 1,
    reorder_level         INTEGER NOT NULL DEFAULT 0 CHECK (reorder_level >= 0),
    stock                 INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    unit_cost_pence       INTEGER CHECK (unit_cost_pence >= 0),
    min_age_years         INTEGER,
    max_age_years         INTEGER,
    notes                 TEXT NOT NULL DEFAULT '',
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX products_category ON products(category_id);
CREATE INDEX products_name ON products(name COLLATE NOCASE);

CREATE TABLE items (
    id               INTEGER PRIMARY KEY,
    tag              TEXT NOT NULL UNIQUE,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    serial           TEXT NOT NULL DEFAULT '',
    condition        TEXT NOT NULL CHECK (condition IN ('new', 'good', 'fair', 'poor')),
    status           TEXT NOT NULL CHECK (status IN ('available', 'reserved', 'on_loan', 'returned', 'in_repair', 'quarantined', 'lost', 'retired')),
    location         TEXT NOT NULL DEFAULT '',
    acquired_on      TEXT,
    next_service_due TEXT,
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX items_product ON items(product_id);
CREATE INDEX items_status ON items(status);
CREATE UNIQUE INDEX items_product_serial ON items(product_id, serial) WHERE serial <> '';

-- events is the append-only history: every change to an item, loan, request or child
-- writes one row in the same transaction as the change.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT NOT NULL,
    details   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events(entity, entity_id, id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'store', 'therapist', 'viewer')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE events;
DROP TABLE items;
DROP TABLE products;
DROP TABLE categories;
DROP TABLE counters;
DROP TABLE settings;
