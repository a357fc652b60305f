-- +goose Up
-- A returned item of a product that needs decontamination waits for cleaning before it
-- can be inspected; the flag is set by the return and cleared by the cleaning record.
ALTER TABLE items ADD COLUMN awaiting_cleaning INTEGER NOT NULL DEFAULT 0;
CREATE INDEX items_next_service_due ON items(next_service_due) WHERE next_service_due IS NOT NULL;

-- The inspection checklist of each category, one point a line.
ALTER TABLE categories ADD COLUMN checklist TEXT NOT NULL DEFAULT '';
UPDATE categories SET checklist = 'Frame and welds
Straps and harness
Castors and brakes
Upholstery
Height and depth adjusters' WHERE name = 'Seating';
UPDATE categories SET checklist = 'Frame and legs
Suction feet or non-slip pads
Straps and fastenings
Surfaces free of cracks' WHERE name = 'Bathing & toileting';
UPDATE categories SET checklist = 'Frame and welds
Wheels, castors and brakes
Handles and grips
Lifting mechanism and sling attachment points' WHERE name = 'Mobility';
UPDATE categories SET checklist = 'Complete and undamaged
Clean and free of stains' WHERE checklist = '';

CREATE TABLE maintenance_records (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items(id),
    kind          TEXT NOT NULL CHECK (kind IN ('service', 'inspection', 'loler', 'electrical', 'repair', 'decontamination')),
    outcome       TEXT NOT NULL CHECK (outcome IN ('pass', 'fail', 'repaired')),
    performed_on  TEXT NOT NULL,
    performed_by  INTEGER REFERENCES users(id),
    notes         TEXT NOT NULL DEFAULT '',
    checklist     TEXT NOT NULL DEFAULT '{}',
    parts         TEXT NOT NULL DEFAULT '',
    cost_pence    INTEGER CHECK (cost_pence >= 0),
    next_due      TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX maintenance_item ON maintenance_records(item_id, id);

CREATE TABLE recalls (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    reference   TEXT NOT NULL,
    issued_on   TEXT NOT NULL,
    action      TEXT NOT NULL,
    closed_at   TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX recalls_product ON recalls(product_id);

-- Every item a recall affects, as it stood when the recall was recorded, with its action.
CREATE TABLE recall_items (
    recall_id     INTEGER NOT NULL REFERENCES recalls(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    status_before TEXT NOT NULL,
    loan_id       INTEGER REFERENCES loans(id),
    child_id      INTEGER REFERENCES children(id),
    done_at       TEXT,
    notes         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (recall_id, item_id)
);

-- +goose Down
DROP TABLE recall_items;
DROP TABLE recalls;
DROP TABLE maintenance_records;
DROP INDEX items_next_service_due;
ALTER TABLE categories DROP COLUMN checklist;
ALTER TABLE items DROP COLUMN awaiting_cleaning;
