package loans

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/internal/nhs"
)

// ChildFilter selects children for a list.
type ChildFilter struct {
	Query       string
	TherapistID int64
	Setting     string
	Discharged  bool
	Limit       int
	Offset      int
}

const childSelect = `SELECT c.id, c.reference, c.given_name, c.family_name, c.date_of_birth, c.nhs_number, c.address,
	c.setting, c.setting_address, c.therapist_id, u.name, u.email, c.notes, c.discharged_on, c.created_at, c.updated_at
	FROM children c JOIN users u ON u.id = c.therapist_id`

func scanChild(r interface{ Scan(...any) error }) (Child, error) {
	var c Child
	var created, updated string
	err := r.Scan(&c.ID, &c.Reference, &c.GivenName, &c.FamilyName, &c.DateOfBirth, &c.NHSNumber, &c.Address,
		&c.Setting, &c.SettingAddress, &c.TherapistID, &c.TherapistName, &c.TherapistEmail, &c.Notes, &c.DischargedOn, &created, &updated)
	c.CreatedAt, c.UpdatedAt = ParseStamp(created), ParseStamp(updated)
	return c, err
}

// ChildFor reads a child the user may see; a child the user may not see does not exist
// for them (404, not 403), so a therapist cannot probe for other therapists' children.
func ChildFor(q db.Querier, u accounts.User, id int64) (Child, error) {
	c, err := scanChild(q.QueryRow(childSelect+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSee(u, c.TherapistID)) {
		return Child{}, errs.Errorf(errs.NotFound, "There is no child %d, or they are not on your caseload.", id)
	}
	return c, err
}

// Child returns one child with their carers.
func (s *Store) Child(ctx context.Context, u accounts.User, id int64) (Child, error) {
	c, err := ChildFor(s.db.Reader(ctx), u, id)
	if err != nil {
		return c, err
	}
	c.Carers, err = carersIn(ctx, s.db.Reader(ctx), id)
	return c, err
}

// Children lists the children the user may see, by family name.
func (s *Store) Children(ctx context.Context, u accounts.User, f ChildFilter) ([]Child, int, error) {
	where, args, err := caseloadScope(u)
	if err != nil {
		return nil, 0, err
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := db.LikePattern(q)
		where = append(where, `(c.given_name || ' ' || c.family_name LIKE ? ESCAPE '\' OR c.reference LIKE ? ESCAPE '\' OR c.nhs_number = ? OR c.setting LIKE ? ESCAPE '\')`)
		args = append(args, like, like, strings.ReplaceAll(q, " ", ""), like)
	}
	if f.TherapistID != 0 {
		where, args = append(where, "c.therapist_id = ?"), append(args, f.TherapistID)
	}
	if f.Setting != "" {
		where, args = append(where, "c.setting = ?"), append(args, f.Setting)
	}
	if f.Discharged {
		where = append(where, "c.discharged_on IS NOT NULL")
	} else {
		where = append(where, "c.discharged_on IS NULL")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM children c`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.Query(ctx, childSelect+cond+` ORDER BY c.family_name COLLATE NOCASE, c.given_name COLLATE NOCASE, c.id LIMIT ? OFFSET ?`,
		append(args, db.PageSize(f.Limit), f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Child
	for rows.Next() {
		c, err := scanChild(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// earliestBirth is the earliest date of birth of a child the service sees, and so the
// earliest they can have been discharged.
var earliestBirth = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// cleanChild trims and checks a child's details, returning the NHS number's digits.
func cleanChild(in *ChildInput, today string) error {
	for _, p := range []*string{&in.Reference, &in.GivenName, &in.FamilyName, &in.DateOfBirth, &in.NHSNumber, &in.Address,
		&in.Setting, &in.SettingAddress, &in.TherapistEmail, &in.Notes} {
		*p = strings.TrimSpace(*p)
	}
	var kept []Carer
	for _, k := range in.Carers {
		k.Name, k.Relationship, k.Phone, k.Email = strings.TrimSpace(k.Name), strings.TrimSpace(k.Relationship), strings.TrimSpace(k.Phone), strings.TrimSpace(k.Email)
		if k != (Carer{}) {
			kept = append(kept, k)
		}
	}
	in.Carers = kept
	if err := errs.Validate(in); err != nil {
		return err
	}
	if in.DateOfBirth > today {
		return errs.Field("date_of_birth", "must be today or in the past")
	}
	if in.DateOfBirth < earliestBirth.Format(db.DateLayout) {
		return errs.Field("date_of_birth", "must be a child's date of birth: check the year")
	}
	if in.NHSNumber != "" {
		n, err := nhs.Normalize(in.NHSNumber)
		if err != nil {
			return err
		}
		in.NHSNumber = n
	}
	return nil
}

// leadTherapist finds the therapist a child is to be led by: the one named, or the user
// adding the child when they are a therapist. A therapist cannot hand a child to another.
func leadTherapist(tx *db.Tx, u accounts.User, email string) (int64, error) {
	if email == "" {
		if u.Role == accounts.Therapist {
			return u.ID, nil
		}
		return 0, errs.Field("therapist_email", "is required: give the email of the child's lead therapist")
	}
	var id int64
	var role string
	err := tx.QueryRow(`SELECT id, role FROM users WHERE email = ? AND active = 1`, strings.ToLower(email)).Scan(&id, &role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != accounts.Therapist) {
		return 0, errs.Field("therapist_email", "is not the email of a therapist who can sign in")
	}
	if err != nil {
		return 0, err
	}
	if u.Role == accounts.Therapist && id != u.ID {
		return 0, errs.Field("therapist_email", "must be your own: ask the store to move a child to another therapist")
	}
	return id, nil
}

// CreateChild adds a child to a therapist's caseload.
func (s *Store) CreateChild(ctx context.Context, u accounts.User, in ChildInput) (Child, error) {
	if err := cleanChild(&in, s.db.Now().Format(db.DateLayout)); err != nil {
		return Child{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		therapist, err := leadTherapist(tx, u, in.TherapistEmail)
		if err != nil {
			return err
		}
		if in.Reference == "" {
			n, err := db.NextCounter(tx, "child_reference")
			if err != nil {
				return err
			}
			in.Reference = Reference("C", n)
		}
		if err := uniqueReference(tx, in.Reference, 0); err != nil {
			return err
		}
		err = tx.QueryRow(`INSERT INTO children (reference, given_name, family_name, date_of_birth, nhs_number, address, setting,
			setting_address, therapist_id, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Reference, in.GivenName, in.FamilyName, in.DateOfBirth, in.NHSNumber, in.Address, in.Setting, in.SettingAddress,
			therapist, in.Notes, tx.Stamp(), tx.Stamp()).Scan(&id)
		if err != nil {
			return err
		}
		if err := writeCarers(tx, id, in.Carers); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityChild, id, db.ActionCreated, map[string]any{"reference": in.Reference})
	})
	if err != nil {
		return Child{}, err
	}
	return s.Child(ctx, u, id)
}

func uniqueReference(tx *db.Tx, ref string, except int64) error {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM children WHERE reference = ? AND id <> ?`, ref, except).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &errs.Error{Code: errs.Conflict, Message: "Another child already has the reference " + ref + ".",
			Fields: map[string]string{"reference": "is already used by another child"}}
	}
	return nil
}

func writeCarers(tx *db.Tx, childID int64, carers []Carer) error {
	if _, err := tx.Exec(`DELETE FROM carers WHERE child_id = ?`, childID); err != nil {
		return err
	}
	for i, k := range carers {
		if _, err := tx.Exec(`INSERT INTO carers (child_id, position, name, relationship, phone, email) VALUES (?, ?, ?, ?, ?, ?)`,
			childID, i, k.Name, k.Relationship, k.Phone, k.Email); err != nil {
			return err
		}
	}
	return nil
}

// UpdateChild changes a child's details and carers.
func (s *Store) UpdateChild(ctx context.Context, u accounts.User, id int64, in ChildInput) (Child, error) {
	if err := cleanChild(&in, s.db.Now().Format(db.DateLayout)); err != nil {
		return Child{}, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		old, err := ChildFor(tx, u, id)
		if err != nil {
			return err
		}
		if in.TherapistEmail == "" {
			in.TherapistEmail = old.TherapistEmail
		}
		therapist, err := leadTherapist(tx, u, in.TherapistEmail)
		if err != nil {
			return err
		}
		if in.Reference == "" {
			in.Reference = old.Reference
		}
		if err := uniqueReference(tx, in.Reference, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE children SET reference = ?, given_name = ?, family_name = ?, date_of_birth = ?, nhs_number = ?,
			address = ?, setting = ?, setting_address = ?, therapist_id = ?, notes = ?, updated_at = ? WHERE id = ?`,
			in.Reference, in.GivenName, in.FamilyName, in.DateOfBirth, in.NHSNumber, in.Address, in.Setting, in.SettingAddress,
			therapist, in.Notes, tx.Stamp(), id); err != nil {
			return err
		}
		if err := writeCarers(tx, id, in.Carers); err != nil {
			return err
		}
		details := map[string]any{}
		if therapist != old.TherapistID {
			details["therapist_id"] = therapist
		}
		if in.Address != old.Address {
			details["address_changed"] = true
		}
		if in.Setting != old.Setting {
			details["setting"] = in.Setting
		}
		return db.RecordEvent(tx, db.EntityChild, id, db.ActionUpdated, details)
	})
	if err != nil {
		return Child{}, err
	}
	return s.Child(ctx, u, id)
}

// DischargeChild marks a child discharged from the service. Equipment they still hold
// stays on loan until it is returned: discharge does not pretend it came back.
func (s *Store) DischargeChild(ctx context.Context, u accounts.User, id int64, on string) (Child, error) {
	if on == "" {
		on = s.db.Now().Format(db.DateLayout)
	}
	if err := errs.DateWithin("discharged_on", on, earliestBirth, s.db.Now().AddDate(1, 0, 0)); err != nil {
		return Child{}, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := ChildFor(tx, u, id)
		if err != nil {
			return err
		}
		if c.DischargedOn != nil {
			return errs.Errorf(errs.Conflict, "%s was already discharged on %s.", c.Name(), *c.DischargedOn)
		}
		if _, err := tx.Exec(`UPDATE children SET discharged_on = ?, updated_at = ? WHERE id = ?`, on, tx.Stamp(), id); err != nil {
			return err
		}
		return db.RecordEvent(tx, db.EntityChild, id, db.ActionDischarged, map[string]any{"on": on})
	})
	if err != nil {
		return Child{}, err
	}
	return s.Child(ctx, u, id)
}
