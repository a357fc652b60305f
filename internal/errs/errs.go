// Package errs is kitloan's one error type. Domain packages return *Error with a code;
// the HTTP layer maps the code to a status in exactly one place (web).
package errs

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
)

// Code says what kind of failure an error is, independent of transport.
type Code string

// The codes every layer understands.
const (
	Invalid      Code = "invalid"
	BadRequest   Code = "bad_request"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooLarge     Code = "too_large"
	Unsupported  Code = "unsupported_media_type"
	TooMany      Code = "too_many_requests"
	Internal     Code = "internal"
)

// Error is an application error: a code, a message safe to show to the user, and, for
// invalid input, what is wrong with each named field.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + ": " + e.Fields[k]
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an invalid-input error for one field.
func Field(name, problem string) *Error {
	return &Error{Code: Invalid, Message: "Check the " + strings.ReplaceAll(name, "_", " ") + ": " + problem, Fields: map[string]string{name: problem}}
}

// FieldsError collects field problems; Err returns nil while it is empty.
type FieldsError map[string]string

// Add records a problem with a field, keeping the first problem found for it.
func (f FieldsError) Add(name, problem string) {
	if _, ok := f[name]; !ok {
		f[name] = problem
	}
}

// Err returns the collected problems as an invalid-input error, or nil when there are none.
func (f FieldsError) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "There is a problem with what was entered", Fields: map[string]string(f)}
}

// CodeOf returns the code of an error: Internal for anything that is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error, wrapping unknown errors as Internal with a generic message
// so that internal details never reach a user.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "Something went wrong on our side. Try again, and tell an admin if it keeps happening."}
}

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// Validate checks the `validate` struct tags of v, and every string in it with
// TextProblem, and returns an Invalid error naming each failing field by its JSON name
// with a sentence a person can act on.
func Validate(v any) error {
	validateOnce.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				return ""
			}
			if name == "" {
				return f.Name
			}
			return name
		})
	})
	fields := FieldsError{}
	if err := validate.Struct(v); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			return &Error{Code: Invalid, Message: err.Error()}
		}
		for _, fe := range verrs {
			fields.Add(fieldPath(fe), problem(fe))
		}
	}
	checkStrings(reflect.ValueOf(v), "", false, fields)
	return fields.Err()
}

// fieldPath drops the struct name from the namespace: "ProductInput.name" → "name",
// "ChildInput.carers[0].name" → "carers[0].name".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

func problem(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		return "must be at most " + fe.Param()
	case "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at least " + fe.Param()
		}
		return "must be at least " + fe.Param()
	case "gte":
		return "must be " + fe.Param() + " or more"
	case "lte":
		return "must be " + fe.Param() + " or less"
	case "gt":
		return "must be more than " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "email":
		return "must be an email address like name@example.org"
	case "datetime":
		return "must be a date like 2026-11-22"
	default:
		return "is not valid (" + fe.Tag() + ")"
	}
}
