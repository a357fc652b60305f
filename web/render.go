package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/internal/settings"
	"kitloan/inventory"
)

const flashCookie = "kitloan_flash"

// Layout is what layout.html and its partials read on every page: who is signed in, their
// menu, the CSRF token for its forms, the service's details, today's date, any
// confirmation waiting and the problems a form was sent back with. Every page's view
// struct embeds it, so a template reads .User or .CSRF whatever the page.
type Layout struct {
	User         *accounts.User
	Nav          nav
	CSRF         string
	Service      settings.Settings
	Today        string
	Flash        string
	FlashWarning bool
	// Errors is the problem a form or an action was refused with, shown in the summary
	// and beside each field; ErrorList is its field problems in the order of the page.
	Errors    *errs.Error
	ErrorList []fieldProblem
}

func (l *Layout) layout() *Layout { return l }

// pageData is a page's view struct: one that embeds Layout, which render fills.
type pageData interface{ layout() *Layout }

// failedWith is the Layout of a page shown again because of err (none when err is nil).
func failedWith(err error) Layout {
	if err == nil {
		return Layout{}
	}
	return Layout{Errors: errs.As(err)}
}

// render fills a page into a buffer and writes it only when the whole page rendered, so a
// template error (a field the view struct does not have) never sends half a page: it is
// logged and answered with a 500. It fills the page's Layout: the user, the CSRF token
// (unless the page brings its own), the service's details, any confirmation waiting.
func (s *Server) render(c *gin.Context, status int, name string, page pageData) {
	t, ok := s.pages[name]
	if !ok {
		s.Log.Error("no such page template", "page", name)
		c.String(http.StatusInternalServerError, "page %q is missing", name)
		return
	}
	l := page.layout()
	if u, ok := currentUser(c); ok {
		l.User = &u
		l.Nav = navFor(u, c.Request.URL.Path)
	}
	if l.CSRF == "" {
		l.CSRF = c.GetString("csrf")
	}
	svc, err := s.Settings.Get(c.Request.Context())
	if err != nil {
		s.Log.Error("settings", "err", err)
		svc = settings.Defaults
	}
	l.Service = svc
	l.Today = s.now().Format(db.DateLayout)
	if f, err := c.Cookie(flashCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(f); err == nil {
			l.Flash, l.FlashWarning = strings.CutPrefix(string(b), warningMark)
		}
		http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	var buf bytes.Buffer
	if l.Errors != nil {
		l.ErrorList = problemsInOrder(l.Errors, nil)
	}
	if err := t.Execute(&buf, page); err != nil {
		s.Log.Error("render", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "Sorry, this page could not be shown.")
		return
	}
	// The error summary lists problems in the order the fields stand on the page, as
	// people read it, which is known only once the page is drawn: draw it again.
	if l.Errors != nil && len(l.Errors.Fields) > 1 {
		l.ErrorList = problemsInOrder(l.Errors, buf.Bytes())
		buf.Reset()
		if err := t.Execute(&buf, page); err != nil {
			s.Log.Error("render", "page", name, "err", err)
			c.String(http.StatusInternalServerError, "Sorry, this page could not be shown.")
			return
		}
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// warningMark starts a flash message that warns rather than confirms.
const warningMark = "!"

// redirectWithWarning tells the next page something went not as hoped (an unknown tag).
func redirectWithWarning(c *gin.Context, to, message string) {
	redirectWithFlash(c, to, warningMark+message)
}

// redirectWithFlash confirms a change on the next page (post, redirect, get).
func redirectWithFlash(c *gin.Context, to, message string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(message)),
		Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(c)})
	redirect(c, http.StatusSeeOther, to)
}

// redirect sends the browser to a path of this service: every redirect goes through it, so
// that none, whatever part of its target came from the request, can lead off the site.
func redirect(c *gin.Context, status int, to string) {
	c.Redirect(status, safeNext(to))
}

func isTLS(c *gin.Context) bool {
	return c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

// formField is what the "input" partial draws.
type formField struct {
	Name, Label, Type, Hint, Error, Class, Autocomplete string
	Value                                               any
}

// WithHint returns the field with hint text.
func (f formField) WithHint(h string) formField { f.Hint = h; return f }

// Short returns the field drawn narrow, for numbers.
func (f formField) Short() formField { f.Class = "input-short"; return f }

// Medium returns the field drawn at a width for dates, phone numbers and NHS numbers.
func (f formField) Medium() formField { f.Class = "input-medium"; return f }

// Auto returns the field with an autocomplete token.
func (f formField) Auto(a string) formField { f.Autocomplete = a; return f }

// fieldProblem is one line of the error summary.
type fieldProblem struct{ Field, Problem string }

// problemsInOrder lists an error's field problems in the order their fields' ids
// (f-NAME) appear in page, and alphabetically when there is no page yet or no such id.
func problemsInOrder(e *errs.Error, page []byte) []fieldProblem {
	out := make([]fieldProblem, 0, len(e.Fields))
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		out = append(out, fieldProblem{f, e.Fields[f]})
	}
	at := func(f string) int {
		if i := bytes.Index(page, []byte(`id="f-`+f+`"`)); i >= 0 {
			return i
		}
		return len(page)
	}
	if page != nil {
		slices.SortStableFunc(out, func(a, b fieldProblem) int { return at(a.Field) - at(b.Field) })
	}
	return out
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"field": func(page pageData, name, label string, value any, typ string) formField {
			f := formField{Name: name, Label: label, Value: value, Type: typ}
			if e := page.layout().Errors; e != nil {
				f.Error = e.Fields[name]
			}
			return f
		},
		"fieldError": func(page pageData, name string) string {
			if e := page.layout().Errors; e != nil {
				return e.Fields[name]
			}
			return ""
		},
		"fieldLabel": func(name string) string {
			name = strings.ReplaceAll(name, "_", " ")
			return strings.ToUpper(name[:1]) + name[1:]
		},
		"choose": func(cond any, a, b string) string {
			if truthy(cond) {
				return a
			}
			return b
		},
		"deref": func(v any) any {
			rv := reflect.ValueOf(v)
			if rv.Kind() == reflect.Pointer {
				if rv.IsNil() {
					return ""
				}
				return rv.Elem().Interface()
			}
			return v
		},
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		"min": func(a, b int) int { return min(a, b) },
		"pageURL": func(u string, offset int) string {
			pu, err := url.Parse(u)
			if err != nil {
				return u
			}
			q := pu.Query()
			q.Set("offset", strconv.Itoa(max(offset, 0)))
			pu.RawQuery = q.Encode()
			return pu.String()
		},
		"dateStr":   showDate,
		"datetime":  func(t time.Time) string { return t.Local().Format("2 Jan 2006, 15:04") },
		"money":     func(p *int) string { return fmt.Sprintf("£%d.%02d", *p/100, *p%100) },
		"eventText": eventText,
		"itemTable": func(items []inventory.Item, selectable bool) itemTable { return itemTable{items, selectable} },
	}
}

func truthy(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.IsValid() && !rv.IsZero()
}

// showDate shows an ISO date the service's way ("22 Nov 2026"); empty shows a dash.
func showDate(v any) string {
	var s string
	switch d := v.(type) {
	case string:
		s = d
	case *string:
		if d != nil {
			s = *d
		}
	}
	if s == "" {
		return "–"
	}
	t, err := time.Parse(db.DateLayout, s)
	if err != nil {
		return s
	}
	return t.Format("2 Jan 2006")
}

// eventText describes a history event in words.
func eventText(e db.Event) string {
	action := strings.ReplaceAll(string(e.Action), "_", " ")
	if e.Action == db.ActionCreated && e.Entity == db.EntityItem {
		return "Added to the inventory"
	}
	var parts []string
	if from, ok := e.Details["from"]; ok {
		parts = append(parts, fmt.Sprintf("%v → %v", from, e.Details["to"]))
	}
	for _, k := range slices.Sorted(maps.Keys(e.Details)) {
		if k == "from" || k == "to" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %v", strings.ReplaceAll(k, "_", " "), e.Details[k]))
	}
	if len(parts) == 0 {
		return strings.ToUpper(action[:1]) + action[1:]
	}
	return strings.ToUpper(action[:1]) + action[1:] + " (" + strings.Join(parts, "; ") + ")"
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }

// nav is the layout's menu for one user on one page: which sections they may open, and
// which one they are in. Worked out here rather than in the layout, which every page
// draws: a template's function calls go through reflection and cost a microsecond each.
type nav struct {
	Caseload, Staff, Reports, Admin bool // may see
	In                              navSection
}

// navSection marks the section a page belongs to, for aria-current.
type navSection struct {
	Items, Products, Children, Requests, Loans, Maintenance, Reports, Settings, Users bool
}

func navFor(u accounts.User, path string) nav {
	n := nav{Caseload: u.Can(caseload...), Staff: u.Can(staff...), Reports: u.Can(accounts.Admin, accounts.Staff, accounts.Viewer), Admin: u.Can(adminsOnly...)}
	in := func(section string) bool { return strings.HasPrefix(path, section) }
	n.In = navSection{Items: in("/items"), Products: in("/products"), Children: in("/children"), Requests: in("/requests"), Loans: in("/loans"),
		Maintenance: in("/maintenance") || in("/recalls"), Reports: in("/reports"), Settings: in("/settings"), Users: in("/users")}
	return n
}

// itemTable is what the "item_table" partial needs.
type itemTable struct {
	Items  []inventory.Item
	Select bool
}

// countCap is how far list pages count matches before saying "more than 1,000".
const countCap = 1000

// pager is what the "pager" partial needs. Capped says the count stopped at countCap+1.
type pager struct {
	Total, Limit, Offset int
	URL                  string
	Capped               bool
}

// Shown is the total as a page says it: "16,000", or "more than 1,000" when capped.
func (p pager) Shown() string {
	if p.Capped {
		return "more than " + thousands(p.Total-1)
	}
	return thousands(p.Total)
}

// thousands writes n with thousands separators, as people read numbers.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// countOf says how many of something: "1 item", "2 items".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// recordPath is a record's page: recordPath("/loans", 3) is "/loans/3".
func recordPath(prefix string, id int64) string { return prefix + "/" + strconv.FormatInt(id, 10) }
