//go:build crash

package main

// The crash test of issue 8. It builds the real binary, kills the server with SIGKILL in
// the middle of a stream of issues and returns, restarts it on the same database and
// checks that nothing acknowledged was lost and nothing is half done. It builds and runs
// the binary (10 to 20 seconds), so it has its own build tag; make test runs it:
//
//	go test -race -tags crash -run Crash -count=1 ./cmd/kitloan/

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	crashOps     = 2000 // operations in all, before and after the crash
	crashClients = 16
	crashAfter   = 1000 // acknowledged operations before the SIGKILL
)

// buildKitloan builds the real binary into dir.
func buildKitloan(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "kitloan")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the crash test builds the binary and needs the go command: %v", err)
	}
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// kitloanCmd runs one command of the binary and returns its standard output.
func kitloanCmd(t *testing.T, bin string, extraEnv []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kitloan %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// server is `kitloan serve` running as a child process.
type server struct {
	cmd  *exec.Cmd
	addr string
	log  *os.File
	done chan error
}

func startBinary(t *testing.T, bin, dbPath, addr, logPath string) *server {
	t.Helper()
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dbPath)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, addr: addr, log: log, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
		log.Close()
	})
	waitHealthy(t, addr)
	return s
}

func TestCrashKeepsEveryAcknowledgedIssueAndReturn(t *testing.T) {
	started := time.Now()
	dir := t.TempDir()
	bin := buildKitloan(t, dir)
	dbPath := filepath.Join(dir, "data", "kitloan.db")
	logPath := filepath.Join(dir, "serve.log")
	kitloanCmd(t, bin, nil, "demo", "--items", "2000", "--db", dbPath)
	kitloanCmd(t, bin, []string{"KITLOAN_PASSWORD=a-long-enough-password"}, "user", "add", "crash@store.test", "--name", "Crash Test", "--role", "store", "--db", dbPath)
	out := strings.Split(strings.TrimSpace(kitloanCmd(t, bin, nil, "token", "create", "crash@store.test", "--db", dbPath)), "\n")
	token := out[len(out)-1]
	tags, children := availableTagsAndChildren(t, dbPath)
	t.Logf("built and seeded in %s: %d available items, %d children", time.Since(started).Round(time.Millisecond), len(tags), len(children))

	addr := freeAddr(t)
	srv := startBinary(t, bin, dbPath, addr, logPath)
	l := newLender("http://"+addr, token, tags, children)
	g := newLedger()

	// gate: every operation holds a read lock while it runs; the crash handler takes the
	// write lock after the kill, so nothing reaches the restarted server until the checks
	// are done. crashed is set just before the kill: a transport error after it is the
	// crash, before it a failure.
	var gate sync.RWMutex
	var crashed atomic.Bool
	resumed := make(chan struct{})
	var attempted atomic.Int64
	var unknown atomic.Int64

	var clients sync.WaitGroup
	for c := range crashClients {
		clients.Add(1)
		go func() {
			defer clients.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 8))
			type line struct {
				loan int64
				tag  string
			}
			var open []line
			transportError := func(what string, err error) {
				if crashed.Load() {
					unknown.Add(1)
					return
				}
				t.Errorf("%s: %v (the server was not killed yet)", what, err)
			}
			for attempted.Add(1) <= crashOps && !t.Failed() {
				gate.RLock()
				if crashed.Load() {
					gate.RUnlock()
					<-resumed
					gate.RLock()
				}
				if len(open) > 0 && rng.IntN(2) == 0 {
					i := rng.IntN(len(open))
					o := open[i]
					// Taken off the list whatever happens: once the answer is lost, whether
					// the return happened is unknown, and it is not tried again.
					open = append(open[:i], open[i+1:]...)
					status, body, err := l.giveBack(o.loan, o.tag)
					switch {
					case err != nil:
						transportError("return", err)
					case status == http.StatusOK:
						g.giveBack(o.loan, o.tag)
					default:
						t.Errorf("return %s from loan %d: %d %s", o.tag, o.loan, status, body)
					}
					gate.RUnlock()
					continue
				}
				n := 1
				if rng.IntN(10) == 0 {
					n = 2
				}
				issue := l.take(rng, n)
				if len(issue) == 0 {
					gate.RUnlock()
					continue // nothing left to lend; the operation is spent
				}
				id, status, body, err := l.issue(rng, issue)
				switch {
				case err != nil && status == 0:
					transportError("issue", err)
				case err != nil:
					t.Errorf("issue %v: %v", issue, err)
				case status == http.StatusCreated:
					g.issue(id, issue)
					for _, tag := range issue {
						open = append(open, line{id, tag})
					}
				case status == http.StatusConflict:
					// An item due a service, say: refused whole, and not tried again.
				default:
					t.Errorf("issue %v: %d %s", issue, status, body)
				}
				gate.RUnlock()
			}
		}()
	}

	// Kill the server once crashAfter operations have been acknowledged, while the
	// clients carry on sending.
	deadline := time.Now().Add(3 * time.Minute)
	for g.acked.Load() < crashAfter {
		if time.Now().After(deadline) || t.Failed() {
			crashed.Store(true)
			close(resumed)
			clients.Wait()
			t.Fatalf("only %d operations acknowledged before the deadline", g.acked.Load())
		}
		time.Sleep(time.Millisecond)
	}
	crashed.Store(true)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := g.acked.Load()
	if err := <-srv.done; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the server did not die of SIGKILL: %v", err)
	}
	gate.Lock() // every operation in flight has had its answer, or its error
	t.Logf("SIGKILL after %d acknowledged operations; %d operations lost their answer", killedAt, unknown.Load())

	// Restart on the same database: SQLite recovers from its write-ahead log.
	srv = startBinary(t, bin, dbPath, addr, logPath)
	l.client.CloseIdleConnections() // connections to the dead server are no use
	c := openReadOnly(t, dbPath)
	checkConsistent(t, c, "after the crash")
	issues, returns := g.check(t, c, "after the crash")
	t.Logf("after the restart: %d acknowledged issue lines and %d returns all present", issues, returns)
	c.Close()
	if t.Failed() {
		gate.Unlock()
		close(resumed)
		clients.Wait()
		t.FailNow()
	}

	// The rest of the operations against the restarted server.
	crashed.Store(false)
	gate.Unlock()
	close(resumed)
	clients.Wait()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-srv.done; err != nil {
		t.Fatalf("the restarted server did not stop cleanly: %v", err)
	}
	c = openReadOnly(t, dbPath)
	checkConsistent(t, c, "at the end")
	issues, returns = g.check(t, c, "at the end")
	t.Logf("%d operations, %d acknowledged (%d issue lines, %d returns) in %s", min(attempted.Load(), crashOps), g.acked.Load(), issues, returns,
		time.Since(started).Round(time.Millisecond))
	if g.acked.Load() < crashOps*3/4 {
		t.Errorf("only %d of %d operations were acknowledged", g.acked.Load(), crashOps)
	}
}
