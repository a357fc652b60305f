package labels

import (
	"errors"
	"testing"

	"kitloan/internal/errs"
)

// assertInvalid checks that err is an *errs.Error with code Invalid naming field.
func assertInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *errs.Error", err, err)
	}
	if e.Code != errs.Invalid {
		t.Errorf("code %q, want %q", e.Code, errs.Invalid)
	}
	if _, ok := e.Fields[field]; !ok {
		t.Errorf("fields %v, want a problem with %q", e.Fields, field)
	}
}
