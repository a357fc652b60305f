package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"kitloan/accounts"
	"kitloan/internal/errs"
)

type loginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

// loginPage is pages/login.html. Its CSRF token is the sign-in form's own, as there is
// no session yet.
type loginPage struct {
	Layout
	Next string
	Form loginForm
}

// safeNext returns target when it is a path of this service, and "/" otherwise, so that
// no redirect (a sign-in's next above all) can send the browser to another site. A browser
// reads a URL more loosely than net/url: it drops tabs and newlines anywhere, reads a
// backslash as a slash and, for "/\evil.com" or "/<TAB>/evil.com", goes to evil.com. So a
// control character or a backslash anywhere in the target, or decoded in its path, refuses
// it; so does a scheme, a host or user, or a target that is not a path. The path that
// remains is cleaned ("/%2F/evil.com" and "///evil.com" are "/evil.com") and sent encoded
// afresh, with the query and fragment kept.
func safeNext(target string) string {
	if !strings.HasPrefix(target, "/") || strings.ContainsFunc(target, leadsOffSite) {
		return "/"
	}
	u, err := url.Parse(target)
	// "//" alone parses as an empty host and no path at all.
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.ContainsFunc(u.Path, leadsOffSite) {
		return "/"
	}
	local := url.URL{Path: path.Clean(u.Path), RawQuery: u.RawQuery, Fragment: u.Fragment}
	return local.String()
}

// leadsOffSite is a character a browser drops or reads as a slash in a URL: a control
// character or a backslash.
func leadsOffSite(r rune) bool {
	return r < 0x20 || r == 0x7f || r == '\\'
}

// loginCSRF returns the sign-in form's CSRF token, setting its cookie when there is none.
func loginCSRF(c *gin.Context) string {
	if v, err := c.Cookie(loginCSRFCookie); err == nil && len(v) >= 32 {
		return v
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(c.Writer, &http.Cookie{Name: loginCSRFCookie, Value: v, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: isTLS(c), MaxAge: 3600})
	return v
}

func (s *Server) handleLoginForm(c *gin.Context) {
	if _, ok := currentUser(c); ok {
		redirect(c, http.StatusSeeOther, c.Query("next"))
		return
	}
	s.render(c, http.StatusOK, "login", &loginPage{Layout: Layout{CSRF: loginCSRF(c)}, Next: safeNext(c.Query("next"))})
}

func (s *Server) handleLogin(c *gin.Context) {
	var f loginForm
	if err := bindForm(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	want, _ := c.Cookie(loginCSRFCookie)
	// A signed-in browser's post was checked against its session's token already.
	if _, signedIn := currentUser(c); !signedIn && !validCSRF(c, want) {
		s.fail(c, errs.Errorf(errs.Forbidden, "The sign-in form expired. Go back, reload the page and sign in again."))
		return
	}
	emailKey, ipKey := "email:"+strings.ToLower(strings.TrimSpace(f.Email)), "ip:"+c.ClientIP()
	again := func(status int, err *errs.Error) {
		f.Password = ""
		s.render(c, status, "login", &loginPage{Layout: Layout{CSRF: want, Errors: err}, Next: safeNext(f.Next), Form: f})
	}
	if s.throttle.blocked(emailKey, ipKey) {
		again(http.StatusTooManyRequests, &errs.Error{Code: errs.TooMany,
			Message: "Too many failed sign-in attempts. Wait 15 minutes and try again, or ask an admin to reset your password.",
			Fields:  map[string]string{"email": "too many failed attempts: wait 15 minutes and try again"}})
		return
	}
	u, err := s.Accounts.Authenticate(c.Request.Context(), f.Email, f.Password)
	if err != nil {
		if errs.CodeOf(err) != errs.Unauthorized {
			s.fail(c, err)
			return
		}
		s.throttle.failed(emailKey, ipKey)
		again(http.StatusUnauthorized, errs.As(err))
		return
	}
	s.throttle.succeeded(emailKey)
	// Any session id the browser had is replaced: a new id at every sign-in.
	if old, err := c.Cookie(sessionCookie); err == nil {
		_ = s.Accounts.DeleteSession(c.Request.Context(), old)
	}
	id, _, err := s.Accounts.CreateSession(c.Request.Context(), u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isTLS(c), MaxAge: int(accounts.SessionLifetime.Seconds())})
	http.SetCookie(c.Writer, &http.Cookie{Name: loginCSRFCookie, Path: "/login", MaxAge: -1})
	redirect(c, http.StatusSeeOther, f.Next)
}

func (s *Server) handleLogout(c *gin.Context) {
	if id, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.DeleteSession(c.Request.Context(), id); err != nil {
			s.fail(c, err)
			return
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	redirectWithFlash(c, "/login", "You have signed out.")
}

func (s *Server) handleHealth(c *gin.Context) {
	if err := s.DB.Ping(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
