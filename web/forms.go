package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/internal/errs"
)

// bindForm fills v (a pointer to a struct with `form` tags) from a posted form. Unlike a
// generic binder it names the field that could not be read ("stock: must be a whole
// number"), so the page can show the message beside it. A checkbox that is not ticked
// is not sent, so bool fields are false unless present.
func bindForm(c *gin.Context, v any) error {
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		err = c.Request.ParseMultipartForm(MaxBodyBytes)
	} else {
		err = c.Request.ParseForm()
	}
	if err != nil {
		return bodyError(err)
	}
	return decodeValues(c.Request.PostForm, v)
}

func decodeValues(form url.Values, v any) error {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	problems := errs.FieldsError{}
	for i := range rt.NumField() {
		sf := rt.Field(i)
		name := sf.Tag.Get("form")
		if name == "" || name == "-" {
			continue
		}
		raw, present := form[name]
		val := ""
		if present && len(raw) > 0 {
			val = strings.TrimSpace(raw[0])
		}
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(val)
		case reflect.Bool:
			f.SetBool(present && val != "" && val != "false")
		case reflect.Int, reflect.Int64:
			if val == "" {
				continue
			}
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				problems.Add(name, "must be a whole number, like 12")
				continue
			}
			f.SetInt(n)
		case reflect.Pointer:
			switch f.Type().Elem().Kind() {
			case reflect.Bool:
				b := present && val != "" && val != "false"
				f.Set(reflect.ValueOf(&b))
			case reflect.Int:
				if val == "" {
					continue
				}
				n, err := strconv.Atoi(val)
				if err != nil {
					problems.Add(name, "must be a whole number, like 12")
					continue
				}
				f.Set(reflect.ValueOf(&n))
			}
		}
	}
	return problems.Err()
}

// bindJSON decodes a JSON request body into v, answering 415 for another content type,
// 413 for a body that is too large and 400 for JSON that does not parse or has a field of
// the wrong type or an unknown field, each naming what is wrong.
func bindJSON(c *gin.Context, v any) error {
	if c.ContentType() != "application/json" {
		return errs.Errorf(errs.Unsupported, "Send the body as JSON, with the header Content-Type: application/json.")
	}
	err := c.ShouldBindJSON(v)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return errs.Errorf(errs.BadRequest, "The body must be a JSON object.")
		}
		return &errs.Error{Code: errs.BadRequest, Message: "The field " + field + " must be " + jsonKind(typeErr.Type) + ".",
			Fields: map[string]string{field: "must be " + jsonKind(typeErr.Type)}}
	case errors.As(err, &syntax):
		return errs.Errorf(errs.BadRequest, "The body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.Is(err, io.EOF):
		return errs.Errorf(errs.BadRequest, "The body is empty: send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Errorf(errs.BadRequest, "The body is not valid JSON: it ends too soon.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &errs.Error{Code: errs.BadRequest, Message: "There is no field called " + field + ".",
			Fields: map[string]string{field: "is not a known field"}}
	}
	return bodyError(err)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}
