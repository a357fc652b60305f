package web_test

import (
	"net/http"
	"testing"

	"kitloan/web/webtest"
)

// TestBearerSchemeIsCaseInsensitive: the authentication scheme is case-insensitive (RFC
// 9110, section 11.1), and spaces before the token are forgiven; anything but a bearer
// token is 401.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	env := webtest.New(t)
	token := env.Token(env.User("store", "store@test", "Sam Store"))
	for _, tc := range []struct {
		header string
		status int
	}{
		{"Bearer " + token, http.StatusOK},
		{"bearer " + token, http.StatusOK},
		{"BEARER " + token, http.StatusOK},
		{"bEaReR " + token, http.StatusOK},
		{"Bearer   " + token, http.StatusOK},
		{"bearer  " + token + " ", http.StatusOK},
		{"Bearer" + token, http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
		{"Basic " + token, http.StatusUnauthorized},
		{"Bearer not-a-token", http.StatusUnauthorized},
		{" Bearer " + token + "x", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, env.HTTP.URL+"/api/v1/items", nil)
		req.Header.Set("Authorization", tc.header)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("Authorization: %q: %d, want %d", tc.header, res.StatusCode, tc.status)
		}
	}
}
