package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a server under test: a child process this tool started, or a URL it was given.
type Server struct {
	URL string
	// DebugURL is the child's profile listener (--debug-addr), when it was started with one.
	DebugURL string
	cmd      *exec.Cmd // nil for a server given by URL
	log      *os.File
}

// ConciergeOptions says how to start a Concierge child server.
type ConciergeOptions struct {
	Bin      string   // the concierge binary
	DB       string   // SQLite file (created with the demo data when new)
	LogLevel string   // --log-level (default info, as in production)
	LogFile  string   // where its stderr goes (default: discarded)
	Debug    bool     // serve Go's profiles on a second loopback listener (Server.DebugURL)
	Extra    []string // more flags
}

// BuildConcierge builds ./cmd/concierge of the module in the working directory into dir and
// returns the binary's path. It fails outside the repository (use --server-bin there).
func BuildConcierge(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "concierge")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "concierge/cmd/concierge")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build concierge (run from the repository, or give --server-bin): %v\n%s", err, out)
	}
	return bin, nil
}

// StartConcierge starts `concierge serve --demo` on 127.0.0.1 (a free port) with every rate
// limit and the per-session stream cap off, so that the server, not a limiter, is measured.
// It returns once the server listens.
func StartConcierge(ctx context.Context, o ConciergeOptions) (*Server, error) {
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	args := append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", o.DB,
		"--log-level", o.LogLevel, "--rate-address", "0", "--rate-session", "0",
		"--rate-interface-token", "0", "--event-streams-per-session", "0"}, o.Extra...)
	if !o.Debug {
		return startChild(ctx, o.Bin, args, o.LogFile, "Concierge listening on ")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	debug := fmt.Sprintf("127.0.0.1:%d", port)
	s, err := startChild(ctx, o.Bin, append(args, "--debug-addr", debug), o.LogFile, "Concierge listening on ")
	if err == nil {
		s.DebugURL = "http://" + debug
	}
	return s, err
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// CPUProfile records the child's CPU profile for d (through its debug listener) into path.
// It fails for a server started without Debug.
func (s *Server) CPUProfile(ctx context.Context, d time.Duration, path string) error {
	if s.DebugURL == "" {
		return errors.New("the server has no debug listener")
	}
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", s.DebugURL, secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("CPU profile: HTTP %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// StartTrivial starts this program's trivial-server subcommand (self is the path of this
// program) and returns once it listens.
func StartTrivial(ctx context.Context, self string) (*Server, error) {
	return startChild(ctx, self, []string{"trivial-server", "--addr", "127.0.0.1:0"}, "", TrivialBanner)
}

// startChild runs bin with args and waits for the line starting with banner on its stdout,
// followed by the server's URL.
func startChild(ctx context.Context, bin string, args []string, logFile, banner string) (*Server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd}
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			return nil, err
		}
		s.log, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		if s.log != nil {
			s.log.Close()
		}
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), banner); i >= 0 {
				found <- strings.TrimSpace(sc.Text()[i+len(banner):])
				break
			}
		}
		close(found)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case url, ok := <-found:
		if ok {
			s.URL = url
			return s, nil
		}
	case <-time.After(60 * time.Second):
	case <-ctx.Done():
	}
	_ = s.Stop()
	return nil, fmt.Errorf("%s %s did not start (see its log %s)", bin, strings.Join(args, " "), logFile)
}

// External returns a Server for a server running at url.
func External(url string) *Server { return &Server{URL: strings.TrimRight(url, "/")} }

// PID returns the child's process id, or 0 for an external server.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop interrupts the child (a graceful shutdown), kills it after 20 s, and waits for it.
// It does nothing for an external server.
func (s *Server) Stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		err = <-done
	}
	if s.log != nil {
		s.log.Close()
	}
	s.cmd = nil
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil // interrupted: its exit status does not matter here
	}
	return err
}

// RSS returns the server's resident memory in bytes: VmRSS of the child's /proc status, or
// process_resident_memory_bytes of /metrics for an external server.
func (s *Server) RSS(ctx context.Context) (int64, error) {
	if pid := s.PID(); pid != 0 {
		return procStatusBytes(pid, "VmRSS")
	}
	return s.metric(ctx, "process_resident_memory_bytes")
}

// PeakRSS returns the largest resident set the child has had since it started (VmHWM), or an
// error for a server given by URL.
func (s *Server) PeakRSS() (int64, error) {
	if pid := s.PID(); pid != 0 {
		return procStatusBytes(pid, "VmHWM")
	}
	return 0, errors.New("not a child of this tool: no peak RSS")
}

// procStatusBytes reads a size field (in kB) of process pid's /proc status, in bytes.
func procStatusBytes(pid int, field string) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(raw)
	if m == nil {
		return 0, fmt.Errorf("no %s in /proc status", field)
	}
	kb, err := strconv.ParseInt(string(m[1]), 10, 64)
	return kb * 1024, err
}

// metric returns the sum of a metric's samples on the server's /metrics.
func (s *Server) metric(ctx context.Context, name string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `(\{[^}]*\})? (\S+)$`)
	var sum float64
	found := false
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err == nil {
			sum += v
			found = true
		}
	}
	if !found {
		return 0, fmt.Errorf("metric %s not found", name)
	}
	return int64(sum), nil
}

// RaiseFileLimit raises this process's open-files limit to its hard limit (children inherit
// it) and returns the new soft limit.
func RaiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	return lim.Cur, nil
}

// selfProfile writes this process's (the load tool's) CPU profile over the next d to path, so
// that the tool's own share of the machine can be read next to the server's. It fails when
// another CPU profile of this process is running or path cannot be written.
func selfProfile(ctx context.Context, d time.Duration, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	pprof.StopCPUProfile()
	return f.Close()
}
