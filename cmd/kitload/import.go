package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// runImportLoad measures issue and return while a large import runs: first issues and
// returns alone, paced, as the baseline; then the same while the server imports a CSV
// of new items (POST /imports), until every row is in.
func runImportLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	var c loadConfig
	fs.StringVar(&c.base, "url", "http://127.0.0.1:18080", "the kitloan server (loopback only)")
	fs.StringVar(&c.token, "token", os.Getenv("KITLOAD_TOKEN"), "an API token of a store user")
	fs.IntVar(&c.clients, "clients", 8, "concurrent clients issuing and returning")
	fs.Float64Var(&c.rate, "rate", 50, "issues and returns a second between the clients")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long the baseline runs")
	fs.IntVar(&c.items, "items", 100000, "how many items the database holds (tags KL-000001…)")
	fs.IntVar(&c.children, "children", 10000, "how many children the database holds (ids 1…)")
	rows := fs.Int("rows", 200_000, "rows in the imported file")
	pid := fs.Int("pid", 0, "the server's process id, to report its peak memory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pu, err := url.Parse(c.base)
	if err != nil {
		return err
	}
	if err := loopbackOnly(pu.Host); err != nil {
		return err
	}
	c.maxRequests = 1_000_000
	c.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients * 2, MaxConnsPerHost: c.clients * 2}}
	product, err := c.productOf("KL-000001")
	if err != nil {
		return err
	}
	run := "KLI" + strconv.FormatInt(time.Now().Unix(), 36)
	file := unitsCSV(run, product, *rows)
	fmt.Fprintf(stdout, "kitload import: %d clients paced at %.0f issues and returns a second; a %d-row import (%.1f MB)\n\n",
		c.clients, c.rate, *rows, float64(len(file))/1e6)

	report(stdout, fmt.Sprintf("Issues and returns alone, paced at %.0f/s for %s (baseline)", c.rate, c.duration), phase(ctx, c, c.issueOrReturn))

	importCtx, stop := context.WithCancel(ctx)
	defer stop()
	started := time.Now()
	answer := make(chan string, 1)
	go func() {
		defer stop()
		said, answered := c.postImport(importCtx, file)
		answer <- said
		if answered {
			return
		}
		// The server may take longer to import than it gives itself to answer: the last
		// row's arrival says the import is done.
		last := fmt.Sprintf("%s-%06d", run, *rows)
		for importCtx.Err() == nil {
			if res, err := c.client.Do(c.get("/api/v1/items/" + last).WithContext(importCtx)); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					break
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	during := c
	during.duration = time.Hour // until the import is done
	r := phase(importCtx, during, c.issueOrReturn)
	took := time.Since(started)
	report(stdout, fmt.Sprintf("Issues and returns while the import runs, paced at %.0f/s", c.rate), r)
	fmt.Fprintf(stdout, "Import of %d rows: %s, %.0f rows/s; the server answered: %s\n", *rows, took.Round(100*time.Millisecond), float64(*rows)/took.Seconds(), <-answer)
	if *pid != 0 {
		if hwm, err := peakMemory(*pid); err == nil {
			fmt.Fprintf(stdout, "Server peak memory (VmHWM): %s\n", hwm)
		}
	}
	return nil
}

// issueOrReturn issues a random item, or returns one this client issued.
func (c loadConfig) issueOrReturn(rng *rand.Rand, st *clientState) (kind, *http.Request) {
	if len(st.loans) > 0 && rng.IntN(2) == 0 {
		l := st.loans[len(st.loans)-1]
		st.loans = st.loans[:len(st.loans)-1]
		return returnLoan, c.post(fmt.Sprintf("/api/v1/loans/%d/return", l.id), map[string]any{"items": []map[string]any{{"tag": l.tag, "condition": "good"}}})
	}
	return issueLoan, c.post("/api/v1/loans", map[string]any{"child_id": 1 + rng.IntN(c.children),
		"tags": []string{randomTag(rng, c.items)}, "location": "home", "recipient": "Load Test Carer"})
}

// productOf reads the product of an item, for the imported units to be more of.
func (c loadConfig) productOf(tag string) (int64, error) {
	res, err := c.client.Do(c.get("/api/v1/items/" + tag))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var it struct {
		Product struct {
			ID int64 `json:"id"`
		} `json:"product"`
	}
	if err := json.NewDecoder(res.Body).Decode(&it); err != nil || it.Product.ID == 0 {
		return 0, fmt.Errorf("read %s's product (%s): %v", tag, res.Status, err)
	}
	return it.Product.ID, nil
}

// unitsCSV is an items file of n new units of product, tagged run-000001….
func unitsCSV(run string, product int64, n int) []byte {
	var b bytes.Buffer
	b.WriteString("tag,product,serial,condition,location,acquired_on\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s-%06d,%d,%s-SN-%06d,good,Store,2026-01-%02d\n", run, i, product, run, i, 1+i%28)
	}
	return b.Bytes()
}

// postImport sends the file to the import page as the store would, straight to import,
// and says how the server answered, or that it did not.
func (c loadConfig) postImport(ctx context.Context, file []byte) (string, bool) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "items")
	mw.WriteField("action", "import")
	fw, _ := mw.CreateFormFile("file", "units.csv")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/imports", &body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := (&http.Client{Timeout: 15 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		return err.Error(), false
	}
	defer res.Body.Close()
	return res.Status + " " + res.Header.Get("Location"), true
}
