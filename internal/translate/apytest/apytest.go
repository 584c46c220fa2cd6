// Package apytest runs a real Apertium APy server (Debian packages apertium-apy and
// apertium-eng-spa) for tests: on a free loopback port, stopped at the end of the test, and
// able to stop and come back on the same port mid-test.
package apytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ModesDir is where Debian's Apertium language pairs install their modes.
const ModesDir = "/usr/share/apertium/modes"

// startWait is the longest a server may take to answer /listPairs after it was started.
const startWait = 90 * time.Second

// Server is a running (or stopped) APy process.
type Server struct {
	URL  string
	Port int
	t    testing.TB
	dir  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
}

// Available reports whether apertium-apy and the eng-spa pair are installed.
func Available() bool {
	if _, err := exec.LookPath("apertium-apy"); err != nil {
		return false
	}
	_, err := os.Stat(filepath.Join(ModesDir, "spa-eng.mode"))
	return err == nil
}

// Start starts APy for the test. When it is not installed the test is skipped, except under
// CI=true (scripts/test installs it), where it fails.
func Start(t testing.TB) *Server {
	t.Helper()
	if !Available() {
		if os.Getenv("CI") == "true" {
			t.Fatal("apertium-apy or apertium-eng-spa is not installed (scripts/test installs them: apt-get install apertium-apy apertium-eng-spa)")
		}
		t.Skip("apertium-apy and apertium-eng-spa are not installed (apt-get install apertium-apy apertium-eng-spa)")
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("apytest: free port: %v", err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Port: port, t: t, dir: t.TempDir()}
	t.Cleanup(s.Stop)
	s.Restart()
	return s
}

// freePort returns a loopback port nobody listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Restart starts the server (again) on its port and waits until it lists its pairs; the test
// fails when it does not come up.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	logf, err := os.OpenFile(filepath.Join(s.dir, "apy.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatalf("apytest: %v", err)
	}
	defer logf.Close()
	cmd := exec.Command("apertium-apy", "-p", strconv.Itoa(s.Port), ModesDir)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its pipelines die with it
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("apytest: start apertium-apy: %v", err)
	}
	s.cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() { _ = cmd.Wait(); close(exited) }()
	ctx, cancel := context.WithTimeout(context.Background(), startWait)
	defer cancel()
	for {
		if s.answers(ctx) {
			return
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "apy.log"))
			s.cmd = nil
			s.t.Fatalf("apytest: apertium-apy exited at start:\n%s", log)
		case <-ctx.Done():
			s.stopLocked()
			s.t.Fatalf("apytest: apertium-apy did not answer /listPairs within %v", startWait)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// answers reports whether /listPairs answers 200.
func (s *Server) answers(ctx context.Context) bool {
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, s.URL+"/listPairs", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Stop stops the server and its pipelines (a stopped server stays stopped).
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *Server) stopLocked() {
	if s.cmd == nil {
		return
	}
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-s.exited
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // pipelines that outlived their server
	// Wait until the port is free again, so that a Restart binds it.
	for i := 0; i < 200; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	s.cmd = nil
}
