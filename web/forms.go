package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"

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
// 413 for a body that is too large and 400 for JSON that does not parse, is not UTF-8 or
// has a field of the wrong type or an unknown field, each naming what is wrong.
func bindJSON(c *gin.Context, v any) error {
	if c.ContentType() != "application/json" {
		return errs.Errorf(errs.Unsupported, "Send the body as JSON, with the header Content-Type: application/json.")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return bodyError(err)
	}
	// The decoder would quietly turn bytes that are not UTF-8 into U+FFFD, storing text
	// no one typed: they are refused here, where they can still be seen.
	if !utf8.Valid(body) {
		return notUTF8(body)
	}
	err = binding.JSON.BindBody(body, v)
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

// notUTF8 refuses a JSON body that is not UTF-8, naming the field whose text holds the
// first bad byte ("carers[0].name").
func notUTF8(body []byte) error {
	at := 0
	for at < len(body) {
		r, size := utf8.DecodeRune(body[at:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		at += size
	}
	field := jsonFieldAt(body, int64(at))
	if field == "" {
		return errs.Errorf(errs.BadRequest, "The body is not UTF-8 text (at byte %d).", at)
	}
	return &errs.Error{Code: errs.BadRequest, Message: "The field " + field + " is not UTF-8 text.",
		Fields: map[string]string{field: errs.NotUTF8}}
}

// jsonFieldAt names the field of a JSON body whose key or value holds the byte at
// offset at, as Validate names fields ("carers[0].name"); "" when it is no field's.
func jsonFieldAt(body []byte, at int64) string {
	type level struct {
		array bool
		index int    // in an array, the element being read
		key   string // in an object, the key of the value being read
		inKey bool   // in an object, whether the next token is a key
	}
	var levels []level
	path := func() string {
		var b strings.Builder
		for _, l := range levels {
			switch {
			case l.array:
				b.WriteString("[" + strconv.Itoa(l.index) + "]")
			case b.Len() > 0:
				b.WriteString("." + l.key)
			default:
				b.WriteString(l.key)
			}
		}
		return b.String()
	}
	// valueRead moves the enclosing level past the value just read.
	valueRead := func() {
		if n := len(levels); n > 0 {
			if levels[n-1].array {
				levels[n-1].index++
			} else {
				levels[n-1].inKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		n := len(levels)
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				levels = append(levels, level{array: d == '[', inKey: d == '{'})
			default:
				levels = levels[:n-1]
				valueRead()
			}
			continue
		}
		if n > 0 && levels[n-1].inKey {
			levels[n-1].key, levels[n-1].inKey = tok.(string), false
			if dec.InputOffset() > at {
				return path()
			}
			continue
		}
		if dec.InputOffset() > at {
			return path()
		}
		valueRead()
	}
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
