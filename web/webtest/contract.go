package webtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"kitloan/web/openapi"
)

// The API's contract (web/openapi/openapi.yaml) holds every test's use of the API: each
// request under /api/v1 that a test sends through an Env or a Browser, and its answer, is
// checked against the document, and a mismatch fails the test. So a handler that answers
// a field, a status or a content type the document does not describe fails the tests that
// call it, and so does a document that refuses what the handler accepts.
//
// Every answer is checked. A request is checked when the server accepted it (a 2xx):
// tests send bad requests on purpose to see them refused, and a refused request needs no
// contract; one the server accepted must be one the document allows.

// contract is the document, loaded and validated once for the test binary, and a router
// that finds each request's operation in it.
var contract = sync.OnceValues(func() (*contractDoc, error) {
	b, err := openapi.JSON()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &contractDoc{doc: doc, router: router}, nil
})

type contractDoc struct {
	doc    *openapi3.T
	router routers.Router
}

// Contract returns the API's OpenAPI document, loaded and validated by kin-openapi.
func Contract(t testing.TB) *openapi3.T {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	return c.doc
}

var validation = &openapi3filter.Options{
	IncludeResponseStatus: true, // a status the operation does not list is a mismatch
	MultiError:            true,
	// Who may call what is the access matrix's to check (access_matrix_test.go); here
	// any token or session will do.
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
}

// check returns what in the exchange breaks the contract, or "" when nothing does. An
// address the document does not know is the route coverage test's to report.
func (c *contractDoc) check(req *http.Request, reqBody []byte, res *http.Response, resBody []byte) string {
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return ""
	}
	ctx := context.Background()
	sent := req.Clone(ctx)
	sent.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: sent, PathParams: params, Route: route, Options: validation}
	var problems []string
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			problems = append(problems, "the request, which the server accepted, does not fit the document: "+err.Error())
		}
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{RequestValidationInput: in,
		Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(resBody)), Options: validation})
	if err != nil {
		problems = append(problems, "the answer does not fit the document: "+err.Error())
	}
	if len(problems) == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s answered %d: %s\nanswer: %.500s", req.Method, req.URL.RequestURI(), res.StatusCode,
		strings.Join(problems, "; "), resBody)
}

// contractTransport sends requests and checks those under /api/v1 against the contract,
// failing t on a mismatch.
type contractTransport struct {
	t    testing.TB
	base http.RoundTripper
}

// Transport returns a transport that checks every API request and answer against the
// contract, failing t on a mismatch: for tests that build their own requests. Benchmarks
// are not checked, so that the checking does not count in their timings.
func Transport(t testing.TB) http.RoundTripper {
	if _, bench := t.(*testing.B); bench {
		return http.DefaultTransport
	}
	return contractTransport{t: t, base: http.DefaultTransport}
}

func (ct contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return ct.base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	res, err := ct.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	if err != nil {
		return res, nil // the caller reads the body and reports the failure
	}
	c, err := contract()
	if err != nil {
		ct.t.Errorf("API contract: %v", err)
		return res, nil
	}
	if problem := c.check(req, reqBody, res, resBody); problem != "" {
		ct.t.Errorf("API contract: %s", problem)
	}
	return res, nil
}
