-- +goose Up
-- A loan's agreement: printed for the family or setting to sign, then the signature
-- recorded by staff. A loan with no row here has an agreement nobody has printed yet
-- (state "not printed"), so the loans issued before this migration need no backfill.
CREATE TABLE loan_agreements (
    loan_id             INTEGER PRIMARY KEY REFERENCES loans(id),
    state               TEXT NOT NULL CHECK (state IN ('printed', 'signed')),
    first_printed_at    TEXT,
    first_printed_by    INTEGER REFERENCES users(id),
    last_printed_at     TEXT,
    print_count         INTEGER NOT NULL DEFAULT 0 CHECK (print_count >= 0),
    signer_name         TEXT NOT NULL DEFAULT '',
    signer_relationship TEXT NOT NULL DEFAULT '',
    signed_on           TEXT,
    recorded_at         TEXT,
    recorded_by         INTEGER REFERENCES users(id),
    -- A signature drawn on screen at hand-over, as a greyscale PNG; printed into the
    -- signer's box of the agreement.
    signature_png       BLOB,
    CHECK (state <> 'signed' OR (signer_name <> '' AND signed_on IS NOT NULL AND recorded_at IS NOT NULL))
);

-- The signed copy, byte for byte: the scan or photo uploaded, or, when the agreement was
-- signed on screen, the agreement as printed with the signature. Kept in the database
-- beside the state it proves, so that it commits or rolls back with it and every backup
-- holds it; in a table of its own so that reading states never reads files.
CREATE TABLE agreement_copies (
    loan_id      INTEGER PRIMARY KEY REFERENCES loan_agreements(loan_id),
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    filename     TEXT NOT NULL DEFAULT '',
    content      BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    CHECK (length(content) = size)
);

-- The list of agreements to chase reads open loans by when they were issued.
CREATE INDEX loans_open_issued ON loans(closed_at, issued_at);

-- +goose Down
DROP INDEX loans_open_issued;
DROP TABLE agreement_copies;
DROP TABLE loan_agreements;
