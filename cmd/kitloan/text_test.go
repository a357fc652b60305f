package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCommandsRefuseTextThatCannotBeShown: text given to a command passes the same check
// as the API's and the forms': a user's name, a token's name and the base URL with a
// control character are refused naming what was given.
func TestCommandsRefuseTextThatCannotBeShown(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	vars := env(map[string]string{"KITLOAN_DB": path, "KITLOAN_PASSWORD": "a-long-enough-password"})
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "add", "sam@store.test", "--name", "Sam Store", "--role", "store"}, vars, nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		field string
	}{
		{[]string{"user", "add", "ot@store.test", "--name", "Olu\x1b[2J", "--role", "therapist"}, "name"},
		{[]string{"token", "create", "sam@store.test", "--name", "scanner\x00"}, "name"},
		{[]string{"serve", "--addr", freeAddr(t), "--base-url", "https://kit.example.org/\x07"}, "base_url"},
	} {
		// A serve that wrongly starts is stopped, so that the test fails rather than waits.
		stopped, stop := context.WithTimeout(ctx, 10*time.Second)
		err := run(stopped, c.args, vars, nil, &out)
		stop()
		if err == nil || !strings.Contains(err.Error(), c.field+": contains a control character") {
			t.Errorf("%q: %v, want a refusal naming %s", c.args, err, c.field)
		}
	}
}
