package web

import (
	"maps"
	"slices"
	"strings"

	"kitloan/internal/errs"
	"kitloan/inventory"
)

// Tags as people scan or type them into a box, and the problems of a refused list of tags.

// tagsFrom splits what was scanned or typed into a box of tags: one a line, or separated
// by spaces or commas. A scanner that reads a label's QR code types its whole address,
// which the domain turns back into the tag.
func tagsFrom(s string) []string {
	return strings.Fields(strings.ReplaceAll(s, ",", " "))
}

// tagProblem is why one scanned tag was refused.
type tagProblem struct{ Tag, Message string }

// tagProblems picks out the problems keyed by tag from an error (issue, allocate and
// return refuse the lot and name each item), tidying each message so it reads after the
// tag in the error summary ("KL-000002 is in repair"). The fields the form itself has are
// left alone. The error's message is replaced by one that says what to do next.
func tagProblems(err error, formFields []string, verb string) ([]tagProblem, error) {
	if err == nil {
		return nil, nil
	}
	e := errs.As(err)
	var out []tagProblem
	fields := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		msg := e.Fields[k]
		if slices.Contains(formFields, k) || inventory.NormalizeTag(k) != k {
			fields[k] = msg
			continue
		}
		msg = strings.TrimPrefix(msg, k+" ")
		if msg == "there is no item with this tag" {
			msg = "is not the tag of any item: check it"
		}
		fields[k] = msg
		out = append(out, tagProblem{Tag: k, Message: msg})
	}
	if len(out) == 0 {
		return nil, e
	}
	msg := "Nothing was " + verb + ". Take the items below off the list, or correct their tags, and try again."
	return out, &errs.Error{Code: e.Code, Message: msg, Fields: fields}
}
