// Package web is kitloan's HTTP layer: the Gin engine, every route, authentication,
// CSRF, rendering and the handlers. It is the only package that imports Gin; handlers
// turn requests into calls on the domain stores and the answers into HTML or JSON.
package web

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/internal/errs"
	"kitloan/internal/settings"
	"kitloan/inventory"
	"kitloan/loans"
	"kitloan/privacy"
	"kitloan/web/templates"
)

// MaxBodyBytes is the largest request body accepted (413 beyond it).
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	DB        *db.DB
	Inventory *inventory.Store
	Loans     *loans.Store
	Privacy   *privacy.Store
	Accounts  *accounts.Store
	Settings  *settings.Store
	Log       *slog.Logger

	engine   *gin.Engine
	pages    map[string]*template.Template
	throttle *throttle
	// scanLimiter slows anyone opening public scan pages faster than a person would.
	scanLimiter *ipLimiter
	// access records who may use each route, by "METHOD /path"; routes without an entry are public.
	access map[string][]string
	// bodyLimits holds the routes allowed bodies larger than MaxBodyBytes, by "METHOD /path".
	bodyLimits map[string]bodyLimit
}

func init() {
	gin.SetMode(gin.ReleaseMode)
	// A misspelt JSON field is a mistake the client should hear about, not a silent no-op.
	binding.EnableDecoderDisallowUnknownFields = true
}

// New builds the server and its routes. Templates are parsed here, once.
func New(d *db.DB, log *slog.Logger) (*Server, error) {
	s := &Server{
		DB:          d,
		Inventory:   inventory.NewStore(d),
		Loans:       loans.NewStore(d),
		Privacy:     privacy.NewStore(d),
		Accounts:    accounts.NewStore(d),
		Settings:    settings.NewStore(d),
		Log:         log,
		throttle:    newThrottle(),
		scanLimiter: newIPLimiter(),
		access:      map[string][]string{},
		bodyLimits:  map[string]bodyLimit{},
	}
	pages, err := templates.Parse(s.funcs())
	if err != nil {
		return nil, err
	}
	s.pages = pages
	e := gin.New()
	s.engine = e
	if err := s.TrustProxies(DefaultTrustedProxies); err != nil {
		return nil, err
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = true
	e.Use(s.recoverPanics, s.logRequests, securityHeaders, s.limitBody, s.authenticate)
	e.NoRoute(func(c *gin.Context) { s.fail(c, errNoRoute) })
	e.NoMethod(func(c *gin.Context) { s.fail(c, errNoMethod) })
	s.routes()
	return s, nil
}

// DefaultTrustedProxies is the reverse proxy trusted unless kitloan serve is told otherwise:
// one on this machine (README.md: kitloan sits behind a TLS proxy).
const DefaultTrustedProxies = "127.0.0.1,::1"

// TrustProxies sets whose X-Forwarded-For is believed: a comma-separated list of IP
// addresses and CIDR ranges, replacing the previous one (an empty list trusts no proxy).
// From anyone else the connection's address is the client's, so that a made-up header
// cannot dodge the sign-in throttle or the scan-page limit; from a trusted proxy on
// another machine, each client behind it keeps its own allowance. Call it before serving.
// An entry that is neither an address nor a range is an error naming it, and leaves no
// proxy trusted.
func (s *Server) TrustProxies(list string) error {
	var proxies []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	if err := s.engine.SetTrustedProxies(proxies); err != nil {
		// Gin keeps the entries before the bad one; trusting none is the safe state.
		_ = s.engine.SetTrustedProxies(nil)
		return errs.Errorf(errs.Invalid, "trusted proxies: %v (each entry is an IP address or a CIDR range such as 10.0.0.0/8)", err)
	}
	return nil
}

// now is the time every handler goes by: the database's clock, which tests may set, so
// that "today" on a page is the day the stores write.
func (s *Server) now() time.Time { return s.DB.Now() }

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Engine returns the Gin engine, for tests that walk its route table.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Access returns the roles allowed on a route ("GET /items/:tag"), and whether it is public.
func (s *Server) Access(method, path string) (roles []string, public bool) {
	roles, ok := s.access[method+" "+path]
	return roles, !ok
}
