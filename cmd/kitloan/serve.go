package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"kitloan/accounts"
	"kitloan/demo"
	"kitloan/web"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("serve", getenv)
	addr := fs.String("addr", envOr(getenv, "KITLOAN_ADDR", "127.0.0.1:8080"), "address to listen on")
	baseURL := fs.String("base-url", getenv("KITLOAN_BASE_URL"), "the address printed in QR codes")
	withDemo := fs.Bool("demo", false, "load demo data into an empty database")
	trustedProxies := fs.String("trusted-proxies", envOr(getenv, "KITLOAN_TRUSTED_PROXIES", web.DefaultTrustedProxies),
		"comma-separated IP addresses and CIDR ranges of the reverse proxies whose X-Forwarded-For is believed")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file until the server stops (for make bench)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	tuneGC(getenv)
	logs := newLogBuffer(stdout)
	defer logs.Close()
	log := slog.New(slog.NewJSONHandler(logs, nil))
	d, err := openDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer d.Close()
	srv, err := web.New(d, log)
	if err != nil {
		return err
	}
	if err := srv.TrustProxies(*trustedProxies); err != nil {
		return err
	}
	// An import a stopped server was moving in is finished before anyone looks.
	if moved, removed, err := srv.Inventory.FinishImports(ctx); err != nil {
		log.Error("finishing the imports a stopped process left", "err", err.Error())
	} else if moved+removed > 0 {
		log.Info("imports a stopped process left", "moved_in", moved, "removed", removed)
	}
	if err := ensureAdmin(ctx, srv.Accounts, getenv, stdout); err != nil {
		return err
	}
	if *withDemo {
		loaded, err := demo.Load(ctx, d, demo.Small)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if loaded {
			log.Info("demo data loaded", "db", *dbPath)
		} else {
			log.Info("demo data not loaded: the database already holds data", "db", *dbPath)
		}
	}
	if err := ensureBaseURL(ctx, srv, *baseURL, *addr); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if stable, err := d.StablePlans(ctx); err == nil && !stable {
		log.Warn("SQLite was built without -DSQLITE_ENABLE_QPSG: many queries are compiled again on every run; build with make")
	}
	log.Info("listening", "addr", "http://"+ln.Addr().String(), "db", *dbPath)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Let requests in flight finish before the database closes.
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// tuneGC lets the heap grow to five times what is live before collecting (GOGC=400),
// within a soft limit of 100 MiB (GOMEMLIMIT), unless either is set in the environment.
// The server keeps little alive (about 15 MB at 100,000 items) but pages allocate freely,
// so at Go's default the collector ran several times a second under load and took a
// quarter of the CPU; with this the mixed load's throughput rose by about a third.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(100 << 20)
	}
}

// ensureAdmin creates admin@localhost on first start, when there is no user at all, with
// the password in KITLOAN_ADMIN_PASSWORD or a random one printed once.
func ensureAdmin(ctx context.Context, acc *accounts.Store, getenv func(string) string, stdout io.Writer) error {
	n, err := acc.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw := getenv("KITLOAN_ADMIN_PASSWORD")
	printed := pw == ""
	if printed {
		b := make([]byte, 15)
		_, _ = rand.Read(b)
		pw = base64.RawURLEncoding.EncodeToString(b)
	}
	if _, err := acc.CreateUser(ctx, accounts.UserInput{Email: "admin@localhost", Name: "Administrator", Role: accounts.Admin, Password: pw}); err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	if printed {
		fmt.Fprintf(stdout, "Created admin@localhost with password %s (shown once: change it after signing in)\n", pw)
	}
	return nil
}

// ensureBaseURL stores the base URL printed in QR codes: the flag when given, otherwise
// the listening address if none has been set.
func ensureBaseURL(ctx context.Context, srv *web.Server, flagValue, addr string) error {
	if flagValue != "" {
		return srv.Settings.Set(ctx, map[string]string{"base_url": flagValue})
	}
	var stored int
	if err := srv.DB.Read.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = 'base_url'`).Scan(&stored); err != nil || stored > 0 {
		return err
	}
	return srv.Settings.Set(ctx, map[string]string{"base_url": "http://" + addr})
}
