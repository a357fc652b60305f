package web_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kitloan/demo"
	"kitloan/web/webtest"
)

// BenchmarkIssueReturnRoundTrip measures issue-and-return round trips through the real
// server with 8 concurrent clients on a 10,000-item database: each op issues one item to a
// child (POST /api/v1/loans) and books it back in (POST /api/v1/loans/{id}/return). The
// item is then put back on the shelf with one SQL update, so the next op can lend it again.
//
//	go test ./web -run XXX -bench IssueReturn -benchtime 2000x -count 5
func BenchmarkIssueReturnRoundTrip(b *testing.B) {
	env := webtest.New(b)
	ctx := context.Background()
	if _, err := demo.Load(ctx, env.DB, demo.Size{Items: 10000}); err != nil {
		b.Fatal(err)
	}
	tok := env.Token(env.User("store", "bench@test", "Bench Store"))
	rows, err := env.DB.Read.Query(`SELECT tag FROM items WHERE status = 'available' AND (next_service_due IS NULL OR next_service_due >= date('now')) ORDER BY id LIMIT 400`)
	if err != nil {
		b.Fatal(err)
	}
	var tags []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tags = append(tags, t)
	}
	rows.Close()
	const clients = 8
	var next atomic.Int64
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := tags[w*len(tags)/clients : (w+1)*len(tags)/clients]
			for i := 0; next.Add(1) <= int64(b.N); i++ {
				tag := mine[i%len(mine)]
				r := env.API(tok, "POST", "/api/v1/loans", map[string]any{"child_id": 1 + (i % 100), "tags": []string{tag}, "location": "home", "recipient": "Bench Carer"})
				if r.Status != 201 {
					failures.Add(1)
					continue
				}
				id := r.JSON(b)["id"]
				if r := env.API(tok, "POST", fmt.Sprintf("/api/v1/loans/%v/return", id), map[string]any{"items": []map[string]any{{"tag": tag, "condition": "good"}}}); r.Status != 200 {
					failures.Add(1)
					continue
				}
				env.DB.Write.Exec(`UPDATE items SET status = 'available', awaiting_cleaning = 0 WHERE tag = ?`, tag)
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "roundtrips/s")
	if failures.Load() > 0 {
		b.Fatalf("%d round trips failed", failures.Load())
	}
}
