-- +goose Up
-- How long a loan of each category runs before its review (seating is reviewed as children grow).
ALTER TABLE categories ADD COLUMN review_months INTEGER NOT NULL DEFAULT 12;
UPDATE categories SET review_months = 6 WHERE name = 'Seating';

CREATE TABLE children (
    id             INTEGER PRIMARY KEY,
    reference      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    given_name     TEXT NOT NULL,
    family_name    TEXT NOT NULL,
    date_of_birth  TEXT NOT NULL,
    nhs_number     TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    setting        TEXT NOT NULL DEFAULT '',
    setting_address TEXT NOT NULL DEFAULT '',
    therapist_id   INTEGER NOT NULL REFERENCES users(id),
    notes          TEXT NOT NULL DEFAULT '',
    discharged_on  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX children_therapist ON children(therapist_id);
CREATE INDEX children_name ON children(family_name COLLATE NOCASE, given_name COLLATE NOCASE);

CREATE TABLE carers (
    id           INTEGER PRIMARY KEY,
    child_id     INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    relationship TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX carers_child ON carers(child_id, position);

CREATE TABLE requests (
    id             INTEGER PRIMARY KEY,
    child_id       INTEGER NOT NULL REFERENCES children(id),
    product_id     INTEGER NOT NULL REFERENCES products(id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    priority       TEXT NOT NULL CHECK (priority IN ('urgent', 'standard')),
    deliver_to     TEXT NOT NULL CHECK (deliver_to IN ('home', 'school', 'clinic')),
    delivery_address TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    needed_by      TEXT,
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'allocated', 'fulfilled', 'declined', 'cancelled')),
    status_note    TEXT NOT NULL DEFAULT '',
    requested_by   INTEGER NOT NULL REFERENCES users(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    fulfilled_at   TEXT
);
CREATE INDEX requests_status ON requests(status, priority, created_at);
CREATE INDEX requests_child ON requests(child_id);

-- An item reserved for a request; the row goes when the item is released or issued.
CREATE TABLE allocations (
    item_id    INTEGER PRIMARY KEY REFERENCES items(id),
    request_id INTEGER NOT NULL REFERENCES requests(id),
    created_at TEXT NOT NULL
);
CREATE INDEX allocations_request ON allocations(request_id);

CREATE TABLE loans (
    id             INTEGER PRIMARY KEY,
    child_id       INTEGER NOT NULL REFERENCES children(id),
    request_id     INTEGER REFERENCES requests(id),
    location       TEXT NOT NULL CHECK (location IN ('home', 'school', 'clinic')),
    address        TEXT NOT NULL DEFAULT '',
    recipient      TEXT NOT NULL,
    recipient_relationship TEXT NOT NULL DEFAULT '',
    review_date    TEXT NOT NULL,
    return_date    TEXT,
    issued_at      TEXT NOT NULL,
    issued_by      INTEGER REFERENCES users(id),
    closed_at      TEXT
);
CREATE INDEX loans_child ON loans(child_id);
CREATE INDEX loans_open_review ON loans(closed_at, review_date);

CREATE TABLE loan_items (
    loan_id          INTEGER NOT NULL REFERENCES loans(id),
    item_id          INTEGER NOT NULL REFERENCES items(id),
    issued_condition TEXT NOT NULL,
    returned_at      TEXT,
    return_condition TEXT,
    PRIMARY KEY (loan_id, item_id)
);
-- The database itself refuses an item on two open loans.
CREATE UNIQUE INDEX loan_items_one_open_loan ON loan_items(item_id) WHERE returned_at IS NULL;
CREATE INDEX loan_items_item ON loan_items(item_id);

CREATE TABLE consumable_issues (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    child_id   INTEGER NOT NULL REFERENCES children(id),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    issued_on  TEXT NOT NULL,
    issued_by  INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX consumable_issues_child ON consumable_issues(child_id);
CREATE INDEX consumable_issues_product ON consumable_issues(product_id);

CREATE TABLE stock_adjustments (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    kind       TEXT NOT NULL CHECK (kind IN ('received', 'counted', 'written_off')),
    change     INTEGER NOT NULL,
    stock_after INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL,
    by_user    INTEGER REFERENCES users(id)
);
CREATE INDEX stock_adjustments_product ON stock_adjustments(product_id);

-- +goose Down
DROP TABLE stock_adjustments;
DROP TABLE consumable_issues;
DROP TABLE loan_items;
DROP TABLE loans;
DROP TABLE allocations;
DROP TABLE requests;
DROP TABLE carers;
DROP TABLE children;
ALTER TABLE categories DROP COLUMN review_months;
