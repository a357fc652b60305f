// Package settings holds the service's own details and wording: its name and contact
// details, the words on labels and agreements, the base URL printed in QR codes. They live
// in the settings table; anything not set there takes the default below.
package settings

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"kitloan/internal/db"
	"kitloan/internal/errs"
)

// Settings are the service's details. Field names match the keys in the settings table.
type Settings struct {
	ServiceName    string
	ServiceAddress string
	ServicePhone   string
	ServiceEmail   string
	BaseURL        string
	TagPrefix      string
	LabelFooter    string
	AgreementTerms string
	// PaperSize is what loan agreements and other papers print on: "A4" or "Letter".
	PaperSize string
	// UnsignedAfterDays is how many days after issue a loan's unsigned agreement is chased.
	UnsignedAfterDays string
	// RetentionYearsAfterBirth is how long a discharged child's record is kept: until the
	// birthday of this age (NHS records guidance for children: the 25th), after which
	// it may be anonymised.
	RetentionYearsAfterBirth string
}

// Defaults are what a new service starts with.
var Defaults = Settings{
	ServiceName:       "Children's Equipment Store",
	ServiceAddress:    "",
	ServicePhone:      "0300 000 0000",
	ServiceEmail:      "",
	BaseURL:           "http://127.0.0.1:8080",
	TagPrefix:         "KL-",
	LabelFooter:       "Property of the children's equipment service. Scan to report a fault.",
	AgreementTerms:    "",
	PaperSize:         "A4",
	UnsignedAfterDays: "7",

	RetentionYearsAfterBirth: "25",
}

// UnsignedAfterDaysOrDefault is UnsignedAfterDays as a number of days, 7 when it is not
// a whole number from 0 to 365.
func (s Settings) UnsignedAfterDaysOrDefault() int {
	n, err := strconv.Atoi(strings.TrimSpace(s.UnsignedAfterDays))
	if err != nil || n < 0 || n > 365 {
		return 7
	}
	return n
}

// RetentionYears is RetentionYearsAfterBirth as a number of years, 25 when it is not a
// whole number from 1 to 120.
func (s Settings) RetentionYears() int {
	n, err := strconv.Atoi(strings.TrimSpace(s.RetentionYearsAfterBirth))
	if err != nil || n < 1 || n > 120 {
		return 25
	}
	return n
}

func (s *Settings) fields() map[string]*string {
	return map[string]*string{
		"service_name":        &s.ServiceName,
		"service_address":     &s.ServiceAddress,
		"service_phone":       &s.ServicePhone,
		"service_email":       &s.ServiceEmail,
		"base_url":            &s.BaseURL,
		"tag_prefix":          &s.TagPrefix,
		"label_footer":        &s.LabelFooter,
		"agreement_terms":     &s.AgreementTerms,
		"paper_size":          &s.PaperSize,
		"unsigned_after_days": &s.UnsignedAfterDays,

		"retention_years_after_birth": &s.RetentionYearsAfterBirth,
	}
}

// Store reads and writes settings, keeping a copy in memory because the scan page and
// every label need them and they change rarely.
type Store struct {
	db     *db.DB
	mu     sync.RWMutex
	cached *Settings
}

// NewStore returns a settings store over d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Get returns the current settings.
func (s *Store) Get(ctx context.Context) (Settings, error) {
	s.mu.RLock()
	c := s.cached
	s.mu.RUnlock()
	if c != nil {
		return *c, nil
	}
	out := Defaults
	rows, err := s.db.Query(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	f := out.fields()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return out, err
		}
		if p, ok := f[k]; ok {
			*p = v
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	s.mu.Lock()
	s.cached = &out
	s.mu.Unlock()
	return out, nil
}

// Set stores the given keys (names as in the settings table) in one transaction. A value
// that cannot be shown is refused, whoever sets it (Update checks each field's own rules
// first; the serve command's --base-url only this).
func (s *Store) Set(ctx context.Context, values map[string]string) error {
	for k, v := range values {
		if err := errs.CheckText(k, v, true); err != nil {
			return err
		}
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		for k, v := range values {
			if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		return db.RecordEvent(tx, db.EntitySettings, 0, db.ActionUpdated, map[string]any{"keys": keys(values)})
	})
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
	return err
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Lookup reads one setting inside a transaction, falling back to its default.
func Lookup(tx *db.Tx, key string) (string, error) {
	var v string
	err := tx.QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		d := Defaults
		if p, ok := d.fields()[key]; ok {
			return *p, nil
		}
		return "", nil
	}
	return v, err
}

// Input is what the settings page changes, with the rules each value must meet.
type Input struct {
	ServiceName       string `json:"service_name" form:"service_name" validate:"required,max=200"`
	ServiceAddress    string `json:"service_address" form:"service_address" validate:"max=500" text:"multiline"`
	ServicePhone      string `json:"service_phone" form:"service_phone" validate:"max=50"`
	ServiceEmail      string `json:"service_email" form:"service_email" validate:"max=200"`
	BaseURL           string `json:"base_url" form:"base_url" validate:"required,max=200"`
	TagPrefix         string `json:"tag_prefix" form:"tag_prefix" validate:"max=10"`
	LabelFooter       string `json:"label_footer" form:"label_footer" validate:"max=200"`
	AgreementTerms    string `json:"agreement_terms" form:"agreement_terms" validate:"max=20000" text:"multiline"`
	PaperSize         string `json:"paper_size" form:"paper_size" validate:"required,oneof=A4 Letter"`
	UnsignedAfterDays int    `json:"unsigned_after_days" form:"unsigned_after_days" validate:"gte=0,lte=365"`
	RetentionYears    int    `json:"retention_years_after_birth" form:"retention_years_after_birth" validate:"gte=18,lte=100"`
}

// InputOf is the settings as the page shows them.
func InputOf(s Settings) Input {
	return Input{ServiceName: s.ServiceName, ServiceAddress: s.ServiceAddress, ServicePhone: s.ServicePhone,
		ServiceEmail: s.ServiceEmail, BaseURL: s.BaseURL, TagPrefix: s.TagPrefix, LabelFooter: s.LabelFooter,
		AgreementTerms: s.AgreementTerms, PaperSize: s.PaperSize, UnsignedAfterDays: s.UnsignedAfterDaysOrDefault(),
		RetentionYears: s.RetentionYears()}
}

// Update checks and stores the settings page's values in one transaction.
func (s *Store) Update(ctx context.Context, in Input) error {
	for _, p := range []*string{&in.ServiceName, &in.ServiceAddress, &in.ServicePhone, &in.ServiceEmail, &in.BaseURL, &in.TagPrefix, &in.LabelFooter} {
		*p = strings.TrimSpace(*p)
	}
	in.TagPrefix = strings.ToUpper(in.TagPrefix)
	if err := errs.Validate(in); err != nil {
		return err
	}
	if u, err := url.Parse(in.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errs.Field("base_url", "must be the address phones open, like https://kit.example.org")
	}
	for _, r := range in.TagPrefix {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return errs.Field("tag_prefix", "use only letters, digits and hyphens, like KL-")
		}
	}
	return s.Set(ctx, map[string]string{
		"service_name": in.ServiceName, "service_address": in.ServiceAddress, "service_phone": in.ServicePhone,
		"service_email": in.ServiceEmail, "base_url": strings.TrimRight(in.BaseURL, "/"), "tag_prefix": in.TagPrefix,
		"label_footer": in.LabelFooter, "agreement_terms": in.AgreementTerms, "paper_size": in.PaperSize,
		"unsigned_after_days": strconv.Itoa(in.UnsignedAfterDays), "retention_years_after_birth": strconv.Itoa(in.RetentionYears),
	})
}
