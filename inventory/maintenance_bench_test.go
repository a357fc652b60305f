package inventory_test

import (
	"context"
	"os"
	"testing"

	"kitloan/internal/db"
	"kitloan/inventory"
)

// BenchmarkMaintenancePage times the reads of the maintenance page on a large database:
// the whole lists, as the API reads them and as the page read them before it read only
// the rows it shows, against the first 200 rows of each list with their counts. It opens
// the database and applies any migration, so point KITLOAN_BENCH_DB at a copy:
//
//	cp bench/seed-100000.db /tmp/m.db
//	KITLOAN_BENCH_DB=/tmp/m.db go test ./inventory -run '^$' -bench MaintenancePage
func BenchmarkMaintenancePage(b *testing.B) {
	path := os.Getenv("KITLOAN_BENCH_DB")
	if path == "" {
		b.Skip("KITLOAN_BENCH_DB is not set")
	}
	if _, err := os.Stat(path); err != nil {
		b.Skip(err)
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	s := inventory.NewStore(d)
	ctx := context.Background()
	b.Run("whole lists", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.AfterReturn(ctx); err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.ServiceDue(ctx, 30); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first 200 and counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.AfterReturnQueues(ctx, 200); err != nil {
				b.Fatal(err)
			}
			if _, err := s.ServiceDueLists(ctx, 30, 200, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("service due whole", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.ServiceDue(ctx, 30); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("service due first 200", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ServiceDueLists(ctx, 30, 200, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("visit list of 1000", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ServiceDueLists(ctx, 30, 0, 1000); err != nil {
				b.Fatal(err)
			}
		}
	})
}
