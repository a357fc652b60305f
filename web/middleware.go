package web

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
)

const (
	sessionCookie = "kitloan_session"
	// loginCSRFCookie carries the sign-in form's CSRF token before there is a session.
	loginCSRFCookie = "kitloan_login_csrf"
	csrfField       = "csrf_token"
	csrfHeader      = "X-CSRF-Token"
)

// recoverPanics turns a panic into a logged 500 in the usual error shape; it should never fire.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic", "path", c.Request.URL.Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			s.fail(c, fmt.Errorf("panic: %v", r))
			c.Abort()
		}
	}()
	c.Next()
}

// logRequests writes one structured line a request.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	// Typed attributes, which slog records without boxing each value: this runs for
	// every request, the scan lookups included.
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs, slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int("bytes", c.Writer.Size()))
	if u, ok := currentUser(c); ok {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	s.Log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request", attrs...)
}

// securityHeaders sets a strict policy. Pages get the documents' policy: scripts and
// styles only from our own origin, no framing, no sniffing, and no referrer leaving the
// site. The API's answers get what OWASP's REST guidance asks of them: no framing, no
// sniffing, and never kept in a cache, since they carry children's details; a document
// policy means nothing to JSON, and these headers go out with every scan lookup.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if isAPI(c) {
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
	}
	c.Next()
}

// bodyLimit is a larger body limit than MaxBodyBytes, for a route that takes an upload,
// and the field and problem to name when a body is larger still.
type bodyLimit struct {
	bytes          int64
	field, problem string
}

// allowBody lets one route take bodies up to limit.bytes: uploads, checked in full by
// their handler. Every other route keeps MaxBodyBytes.
func (s *Server) allowBody(method, path string, limit bodyLimit) {
	s.bodyLimits[method+" "+path] = limit
}

// limitBody caps every request body at MaxBodyBytes, or at its route's own limit. It runs
// before authentication, which may read a form for its CSRF token: a body that says it is
// larger than the cap is refused at once with 413, and reading past the cap of one that
// does not say fails, so the handlers answer 413.
func (s *Server) limitBody(c *gin.Context) {
	limit, ok := s.bodyLimits[c.Request.Method+" "+c.FullPath()]
	if !ok {
		limit = bodyLimit{bytes: MaxBodyBytes}
	}
	if c.Request.ContentLength > limit.bytes {
		e := errs.Errorf(errs.TooLarge, "The request body is larger than %d bytes.", limit.bytes)
		if limit.field != "" {
			e = &errs.Error{Code: errs.TooLarge, Message: "Check the " + strings.ReplaceAll(limit.field, "_", " ") + ": " + limit.problem,
				Fields: map[string]string{limit.field: limit.problem}}
		}
		s.fail(c, e)
		c.Abort()
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit.bytes)
	}
	c.Next()
}

// authenticate finds who is asking: a bearer token, or a session cookie. A session's
// state-changing requests must carry its CSRF token; a bearer token needs none, because a
// browser never sends one by itself.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		// The scheme is case-insensitive (RFC 9110, section 11.1); spaces before the token
		// are forgiven.
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			s.fail(c, errs.Errorf(errs.Unauthorized, "Send the API token as: Authorization: Bearer TOKEN"))
			c.Abort()
			return
		}
		u, err := s.Accounts.UserByToken(ctx, strings.TrimSpace(secret))
		if err != nil {
			s.fail(c, err)
			c.Abort()
			return
		}
		s.setUser(c, u, "")
		c.Next()
		return
	}
	if id, err := c.Cookie(sessionCookie); err == nil && id != "" {
		if sess, err := s.Accounts.SessionByID(ctx, id); err == nil {
			s.setUser(c, sess.User, sess.CSRF)
			if !safeMethod(c.Request.Method) && !validCSRF(c, sess.CSRF) {
				s.fail(c, errs.Errorf(errs.Forbidden, "This form has expired or did not come from kitloan. Go back, reload the page and try again."))
				c.Abort()
				return
			}
		} else if errs.CodeOf(err) != errs.Unauthorized {
			s.fail(c, err)
			c.Abort()
			return
		}
	}
	c.Next()
}

func (s *Server) setUser(c *gin.Context, u accounts.User, csrf string) {
	c.Set("user", u)
	c.Set("csrf", csrf)
	c.Request = c.Request.WithContext(db.WithActor(c.Request.Context(), db.Actor{UserID: u.ID, Name: u.Name}))
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// validCSRF compares the request's token (header, else form field) with the expected one.
func validCSRF(c *gin.Context, want string) bool {
	got := c.GetHeader(csrfHeader)
	if got == "" {
		got = c.PostForm(csrfField)
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// currentUser returns the signed-in user, if any.
func currentUser(c *gin.Context) (accounts.User, bool) {
	v, ok := c.Get("user")
	if !ok {
		return accounts.User{}, false
	}
	u, ok := v.(accounts.User)
	return u, ok
}

// user returns the signed-in user; only call it behind requireRole.
func user(c *gin.Context) accounts.User {
	u, _ := currentUser(c)
	return u
}

// requireRole lets through only signed-in users with one of the roles. A page asked for
// without a session sends the browser to sign in and back; the API answers 401.
func requireRole(roles []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, ok := currentUser(c)
		if !ok {
			if isAPI(c) || !safeMethod(c.Request.Method) {
				c.Abort()
				failWith(c, errs.Errorf(errs.Unauthorized, "Sign in first, or send an API token."))
				return
			}
			redirect(c, http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if !u.Can(roles...) {
			c.Abort()
			failWith(c, errs.Errorf(errs.Forbidden, "Your role (%s) cannot do this. Ask an admin if you need to.", u.Role))
			return
		}
		c.Next()
	}
}

// isAPI reports whether a request is for the JSON API. The API's reference, /api/docs, is
// a page: it signs a person in, and has the pages' Content-Security-Policy.
func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/v1/") }
