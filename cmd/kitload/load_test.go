package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// pacedConfig is a load of clients against srv at rate requests a second for d.
func pacedConfig(srv *httptest.Server, clients int, rate float64, d time.Duration) loadConfig {
	return loadConfig{base: srv.URL, clients: clients, duration: d, maxRequests: 1_000_000, client: srv.Client(), rate: rate}
}

func lookups(c loadConfig) func(*rand.Rand, *clientState) (kind, *http.Request) {
	return func(rng *rand.Rand, _ *clientState) (kind, *http.Request) {
		return lookupAPI, c.get("/api/v1/items/" + randomTag(rng, 100))
	}
}

func TestPacedPhaseKeepsToItsRate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	c := pacedConfig(srv, 4, 200, time.Second)
	got := len(phase(context.Background(), c, lookups(c)).samples)
	// 200 a second for a second; a closed loop would send thousands.
	if got < 170 || got > 210 {
		t.Fatalf("paced at 200/s for 1 s sent %d requests", got)
	}
}

func TestPacedLatencyCountsFromTheScheduledStart(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			time.Sleep(100 * time.Millisecond) // one stall holds up the requests scheduled behind it
		}
		w.Write([]byte("{}"))
	}))
	defer srv.Close()
	c := pacedConfig(srv, 1, 100, 400*time.Millisecond)
	late := 0
	for _, s := range phase(context.Background(), c, lookups(c)).samples {
		if s.d >= 40*time.Millisecond {
			late++
		}
	}
	// The stalled request and the ones due 10, 20, … 60 ms after it: measured from when
	// each was sent, only the first would look slow.
	if late < 5 {
		t.Fatalf("%d requests counted as late behind a 100 ms stall; want at least 5", late)
	}
}

func TestPacedSharesAreChecked(t *testing.T) {
	if got, err := pacedShares("0.25, 0.5"); err != nil || len(got) != 2 || got[0] != 0.25 || got[1] != 0.5 {
		t.Errorf("0.25, 0.5: %v, %v", got, err)
	}
	if got, err := pacedShares("0"); err != nil || len(got) != 0 {
		t.Errorf("0: %v, %v", got, err)
	}
	for _, bad := range []string{"2", "-0.5", "half"} {
		if _, err := pacedShares(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}
