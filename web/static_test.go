package web_test

import (
	"net/http"
	"strings"
	"testing"

	"kitloan/web/webtest"
)

// TestStaticServesFilesButListsNoFolder: a folder of /static is not listed (it would show
// every file the service has), it is 404 like any address with nothing at it; the files
// are served as before.
func TestStaticServesFilesButListsNoFolder(t *testing.T) {
	env := webtest.New(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/static/", http.StatusNotFound},
		{http.MethodHead, "/static/", http.StatusNotFound},
		{http.MethodGet, "/static/./", http.StatusNotFound},
		{http.MethodGet, "/static/nowhere/", http.StatusNotFound},
		{http.MethodGet, "/static/style.css", http.StatusOK},
		{http.MethodHead, "/static/app.js", http.StatusOK},
	} {
		req, _ := http.NewRequest(tc.method, env.HTTP.URL+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := make([]byte, 4096)
		n, _ := res.Body.Read(body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d: %.300s", tc.method, tc.path, res.StatusCode, tc.status, body[:n])
		}
		if listing := string(body[:n]); strings.Contains(listing, `href="style.css"`) || strings.Contains(listing, `<pre>`) {
			t.Errorf("%s %s lists the folder: %.300s", tc.method, tc.path, listing)
		}
	}
}
