package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// kind is one kind of request in the mix.
type kind string

const (
	lookupAPI  kind = "lookup GET /api/v1/items/{tag}"
	lookupPage kind = "scan page GET /t/{tag}"
	listPage   kind = "list and search pages"
	issueLoan  kind = "issue POST /api/v1/loans"
	returnLoan kind = "return POST /api/v1/loans/{id}/return"
	ceilingReq kind = "ceiling: bare Gin constant JSON"
)

// sample is one finished request.
type sample struct {
	kind kind
	d    time.Duration
	ok   bool
}

type result struct {
	samples []sample
	elapsed time.Duration
}

type loadConfig struct {
	base, token string
	clients     int
	duration    time.Duration
	maxRequests int64
	items       int
	children    int
	client      *http.Client
	// rate, when set, paces the clients to this many requests a second between them,
	// instead of each sending its next request as soon as the last one is answered.
	rate float64
}

func runLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var c loadConfig
	fs.StringVar(&c.base, "url", "http://127.0.0.1:18080", "the kitloan server (loopback only)")
	fs.StringVar(&c.token, "token", os.Getenv("KITLOAD_TOKEN"), "an API token of a store user")
	ceiling := fs.String("ceiling", "", "the bare Gin server started by `kitload ceiling` (loopback only)")
	fs.IntVar(&c.clients, "clients", 32, "concurrent clients")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long each phase runs")
	fs.Int64Var(&c.maxRequests, "max-requests", 2_000_000, "stop a phase after this many requests")
	fs.IntVar(&c.items, "items", 100000, "how many items the database holds (tags KL-000001…)")
	fs.IntVar(&c.children, "children", 10000, "how many children the database holds (ids 1…)")
	pid := fs.Int("pid", 0, "the server's process id, to report its peak memory")
	rounds := fs.Int("rounds", 3, "rounds of ceiling then lookups, for the median ratio")
	withMix := fs.Bool("mix", true, "run the mixed workload after the rounds")
	paced := fs.String("paced", "0.25,0.5", "then run the mix again, paced at each of these shares of the closed loop's throughput")
	if err := fs.Parse(args); err != nil {
		return err
	}
	shares, err := pacedShares(*paced)
	if err != nil {
		return err
	}
	for _, u := range []string{c.base, *ceiling} {
		if u == "" {
			continue
		}
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		if err := loopbackOnly(pu.Host); err != nil {
			return err
		}
	}
	c.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients * 2, MaxConnsPerHost: c.clients * 2}}

	fmt.Fprintf(stdout, "kitload: %d clients, %s a phase, %d items\n\n", c.clients, c.duration, c.items)
	// The ceiling and the lookups take turns, round after round, so that a slow spell of
	// this shared machine falls on both; the ratio reported is the median of the rounds'.
	var ratios []float64
	for round := 1; round <= *rounds; round++ {
		if *ceiling != "" {
			cc := c
			cc.base = *ceiling
			ceil := phase(ctx, cc, func(rng *rand.Rand, _ *clientState) (kind, *http.Request) {
				req, _ := http.NewRequest(http.MethodGet, cc.base+"/api/v1/items/"+randomTag(rng, c.items), nil)
				return ceilingReq, req
			})
			report(stdout, fmt.Sprintf("Round %d: ceiling (bare Gin handler, constant JSON)", round), ceil)
			lookups := lookupPhase(ctx, c)
			report(stdout, fmt.Sprintf("Round %d: lookups alone (GET /api/v1/items/{tag}, signed in with a token)", round), lookups)
			ratios = append(ratios, throughput(lookups, lookupAPI)/throughput(ceil, ceilingReq))
			fmt.Fprintf(stdout, "Round %d: lookup throughput ÷ ceiling throughput: %.2f\n\n", round, ratios[len(ratios)-1])
		} else {
			report(stdout, "Lookups alone (GET /api/v1/items/{tag}, signed in with a token)", lookupPhase(ctx, c))
		}
	}
	if len(ratios) > 0 {
		slices.Sort(ratios)
		fmt.Fprintf(stdout, "Lookup throughput ÷ ceiling throughput, median of %d rounds: %.2f (target ≥ 0.5; rounds %.2f)\n\n", len(ratios), ratios[len(ratios)/2], ratios)
	}
	if *withMix {
		mixed := phase(ctx, c, c.mixed)
		report(stdout, "Mixed workload, closed loop (80% lookups and scan pages, 10% lists and search, 5% issue, 5% return)", mixed)
		for _, f := range shares {
			pc := c
			pc.rate = f * float64(len(mixed.samples)) / mixed.elapsed.Seconds()
			report(stdout, fmt.Sprintf("Mixed workload, paced at %.0f req/s (%.0f%% of the closed loop's throughput; latency from each request's scheduled start)", pc.rate, f*100), phase(ctx, pc, pc.mixed))
		}
	}
	if *pid != 0 {
		if hwm, err := peakMemory(*pid); err == nil {
			fmt.Fprintf(stdout, "Server peak memory (VmHWM): %s (target < 150 MB)\n", hwm)
		}
	}
	return nil
}

// pacedShares reads --paced: shares of the closed loop's throughput, each above 0 and at
// most 1; "" or "0" is none.
func pacedShares(list string) ([]float64, error) {
	var out []float64
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" || s == "0" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 1 {
			return nil, fmt.Errorf("--paced: %q is not a share between 0 and 1", s)
		}
		out = append(out, f)
	}
	return out, nil
}

// lookupPhase runs signed-in lookups of random tags alone.
func lookupPhase(ctx context.Context, c loadConfig) result {
	return phase(ctx, c, func(rng *rand.Rand, _ *clientState) (kind, *http.Request) {
		return lookupAPI, c.get("/api/v1/items/" + randomTag(rng, c.items))
	})
}

func (c loadConfig) get(path string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	return req
}

func (c loadConfig) post(path string, body any) *http.Request {
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(js))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func randomTag(rng *rand.Rand, items int) string {
	return fmt.Sprintf("KL-%06d", 1+rng.IntN(items))
}

// clientState is what one client remembers between requests: the loans it issued, so
// that its returns book in real loans.
type clientState struct {
	loans []issued
}

type issued struct {
	id  int64
	tag string
}

var searchWords = []string{"chair", "seat", "frame", "slope", "KL-0001", "cushion", "hoist", "SN3-000123", "KL-099999"}

// mixed picks the next request of the mixed workload.
func (c loadConfig) mixed(rng *rand.Rand, st *clientState) (kind, *http.Request) {
	switch r := rng.IntN(100); {
	case r < 40:
		return lookupAPI, c.get("/api/v1/items/" + randomTag(rng, c.items))
	case r < 80:
		return lookupPage, c.get("/t/" + randomTag(rng, c.items))
	case r < 90:
		if rng.IntN(2) == 0 {
			return listPage, c.get("/items?q=" + searchWords[rng.IntN(len(searchWords))])
		}
		return listPage, c.get("/items?status=available&offset=" + strconv.Itoa(50*rng.IntN(20)))
	case r < 95 || len(st.loans) == 0:
		return issueLoan, c.post("/api/v1/loans", map[string]any{"child_id": 1 + rng.IntN(c.children),
			"tags": []string{randomTag(rng, c.items)}, "location": "home", "recipient": "Load Test Carer"})
	default:
		l := st.loans[len(st.loans)-1]
		st.loans = st.loans[:len(st.loans)-1]
		return returnLoan, c.post(fmt.Sprintf("/api/v1/loans/%d/return", l.id), map[string]any{"items": []map[string]any{{"tag": l.tag, "condition": "good"}}})
	}
}

// phase runs the clients until the duration or the request budget is spent.
//
// Unpaced, each client sends its next request as soon as the last is answered (a closed
// loop): the server is saturated, which measures its throughput, and every latency is
// then mostly time spent queueing behind the other clients. Paced (c.rate), each client
// keeps a fixed schedule and a request's latency runs from its scheduled start, so a
// slow answer that delays the requests behind it counts against each of them.
func phase(ctx context.Context, c loadConfig, next func(*rand.Rand, *clientState) (kind, *http.Request)) result {
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	var count atomic.Int64
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	start := time.Now()
	for i := range c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			st := &clientState{}
			var mine []sample
			var interval time.Duration
			scheduled := start
			if c.rate > 0 {
				interval = time.Duration(float64(c.clients) / c.rate * float64(time.Second))
				scheduled = start.Add(interval * time.Duration(i) / time.Duration(c.clients))
			}
			for ctx.Err() == nil && count.Add(1) <= c.maxRequests {
				if c.rate > 0 && !sleep(ctx, time.Until(scheduled)) {
					break
				}
				k, req := next(rng, st)
				t0 := time.Now()
				if c.rate > 0 {
					t0, scheduled = scheduled, scheduled.Add(interval)
				}
				res, err := c.client.Do(req.WithContext(ctx))
				ok := false
				if err == nil {
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					// An issue refused because the random item is not available is the
					// service working, not an error; anything 5xx or unexpected is.
					ok = res.StatusCode < 400 || (k == issueLoan && res.StatusCode == http.StatusConflict) ||
						(res.StatusCode == http.StatusNotFound && (k == lookupAPI || k == lookupPage))
					if k == issueLoan && res.StatusCode == http.StatusCreated {
						var l struct {
							ID    int64 `json:"id"`
							Items []struct {
								Tag string `json:"tag"`
							} `json:"items"`
						}
						if json.Unmarshal(body, &l) == nil && len(l.Items) == 1 {
							st.loans = append(st.loans, issued{l.ID, l.Items[0].Tag})
						}
					}
				} else if ctx.Err() != nil {
					break
				}
				mine = append(mine, sample{k, time.Since(t0), ok})
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return result{samples: all, elapsed: time.Since(start)}
}

// sleep waits for d (no time if d is not positive), or less if ctx ends first; it
// reports whether it waited the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func throughput(r result, k kind) float64 {
	n := 0
	for _, s := range r.samples {
		if s.kind == k {
			n++
		}
	}
	return float64(n) / r.elapsed.Seconds()
}

func report(w io.Writer, title string, r result) {
	fmt.Fprintf(w, "%s\n", title)
	byKind := map[kind][]time.Duration{}
	errors := map[kind]int{}
	for _, s := range r.samples {
		byKind[s.kind] = append(byKind[s.kind], s.d)
		if !s.ok {
			errors[s.kind]++
		}
	}
	kinds := make([]kind, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "  %-42s %10s %9s %9s %9s %7s\n", "request", "req/s", "p50 ms", "p99 ms", "count", "errors")
	for _, k := range kinds {
		ds := byKind[k]
		slices.Sort(ds)
		fmt.Fprintf(w, "  %-42s %10.0f %9.2f %9.2f %9d %7d\n", k, float64(len(ds))/r.elapsed.Seconds(),
			ms(ds[len(ds)/2]), ms(ds[min(len(ds)-1, len(ds)*99/100)]), len(ds), errors[k])
	}
	fmt.Fprintf(w, "  %-42s %10.0f\n\n", "all", float64(len(r.samples))/r.elapsed.Seconds())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakMemory reads the process's peak resident memory from /proc.
func peakMemory(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return fmt.Sprintf("%.1f MB", float64(kb)/1024), nil
		}
	}
	return "", fmt.Errorf("no VmHWM for %d", pid)
}
