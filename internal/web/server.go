// Package web is kitloan's HTTP layer: the Gin engine, every route, authentication,
// CSRF, rendering and the handlers. It is the only package that imports Gin; handlers
// turn requests into calls on the domain stores and the answers into HTML or JSON.
package web

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"

	"kitloan/internal/accounts"
	"kitloan/internal/db"
	"kitloan/internal/settings"
	"kitloan/inventory"
	"kitloan/loans"
	"kitloan/templates"
)

// MaxBodyBytes is the largest request body accepted (API.md: 413 beyond it).
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	DB        *db.DB
	Inventory *inventory.Store
	Loans     *loans.Store
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
	// X-Forwarded-For is believed only from a proxy on this machine (README.md: kitloan
	// sits behind a TLS proxy); from anyone else the connection's address is the client's,
	// so that a made-up header cannot dodge the sign-in throttle or the scan-page limit.
	if err := e.SetTrustedProxies([]string{"127.0.0.1", "::1"}); err != nil {
		return nil, err
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = true
	e.Use(s.recoverPanics, s.logRequests, securityHeaders, s.limitBody, s.authenticate)
	e.NoRoute(func(c *gin.Context) { s.fail(c, errNoRoute) })
	e.NoMethod(func(c *gin.Context) { s.fail(c, errNoMethod) })
	s.engine = e
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Engine returns the Gin engine, for tests that walk its route table.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Access returns the roles allowed on a route ("GET /items/:tag"), and whether it is public.
func (s *Server) Access(method, path string) (roles []string, public bool) {
	roles, ok := s.access[method+" "+path]
	return roles, !ok
}
