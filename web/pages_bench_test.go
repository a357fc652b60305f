package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kitloan/accounts"
	"kitloan/internal/db"
	"kitloan/web"
)

// BenchmarkPagesAt100k renders the staff's everyday pages on a large database, in the
// process, with no network: the time a page costs the server. It opens the database,
// applies any migration and adds two users, so point KITLOAN_BENCH_DB at a copy:
//
//	cp bench/seed-100000.db /tmp/p.db
//	KITLOAN_BENCH_DB=/tmp/p.db CGO_CFLAGS="-O2 -g -DSQLITE_ENABLE_QPSG" \
//		go test ./web -run '^$' -bench PagesAt100k -benchtime 5x
func BenchmarkPagesAt100k(b *testing.B) {
	path := os.Getenv("KITLOAN_BENCH_DB")
	if path == "" {
		b.Skip("KITLOAN_BENCH_DB is not set")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	srv, err := web.New(d, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	srv.Accounts.HashCost = bcrypt.MinCost
	tokens := map[string]string{}
	for _, role := range []string{accounts.Staff, accounts.Admin} {
		u, err := srv.Accounts.CreateUser(ctx, accounts.UserInput{Email: fmt.Sprintf("bench-%s-%d@bench.test", role, os.Getpid()), Name: "Bench", Role: role, Password: "correct-horse-battery"})
		if err != nil {
			b.Fatal(err)
		}
		if tokens[role], _, err = srv.Accounts.CreateToken(ctx, u.ID, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	for _, page := range []struct{ role, path string }{
		{accounts.Staff, "/"}, {accounts.Admin, "/"}, {accounts.Staff, "/t/KL-000500"}, {accounts.Staff, "/items?status=available"},
		{accounts.Staff, "/loans"}, {accounts.Staff, "/loans?view=overdue"}, {accounts.Staff, "/requests"}, {accounts.Staff, "/children"},
		{accounts.Staff, "/products"}, {accounts.Staff, "/maintenance"}, {accounts.Staff, "/agreements/unsigned"}, {accounts.Admin, "/reports"},
	} {
		b.Run(page.role+strings.ReplaceAll(page.path, "/", "_"), func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, page.path, nil)
				req.Header.Set("Authorization", "Bearer "+tokens[page.role])
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", page.path, w.Code)
				}
			}
		})
	}
}
