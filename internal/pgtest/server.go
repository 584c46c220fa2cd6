package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a throwaway PostgreSQL server: a cluster initialised in a temporary directory,
// trust authentication, listening on 127.0.0.1 and a free port, its unix socket in that
// directory. Stop ends it and removes the directory.
type Server struct {
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when the postgres process has exited
	err  error         // the process's exit status, valid after done
}

// superuser is the bootstrap superuser of a throwaway cluster, whatever OS user runs it.
const superuser = "postgres"

// Start initialises and starts a throwaway server. It finds initdb and postgres on PATH or in
// /usr/lib/postgresql/*/bin; as root it runs them as the "postgres" (or else "nobody") user,
// since PostgreSQL refuses to run as root. It returns an error, with the server's log, when
// the binaries are missing or the server does not come up before ctx ends.
func Start(ctx context.Context) (*Server, error) {
	initdb, err := findBinary("initdb")
	if err != nil {
		return nil, err
	}
	postgres, err := findBinary("postgres")
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "concierge-pgtest-")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(dir, "data")
	init := exec.CommandContext(ctx, initdb, "-D", data, "-U", superuser, "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	init.Dir = dir // the test's working directory may be closed to the unprivileged user
	init.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := init.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %w\n%s", err, out))
	}
	// A port picked from a closed listener can be taken by someone else before postgres binds
	// it; try a few.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return fail(err)
		}
		srv := &Server{dir: dir, port: port, done: make(chan struct{})}
		if err := srv.run(ctx, postgres, cred); err != nil {
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		return srv, nil
	}
	return fail(lastErr)
}

// DSN returns the URL of the server's maintenance database "postgres".
func (s *Server) DSN() string {
	return "postgres://" + superuser + "@127.0.0.1:" + strconv.Itoa(s.port) + "/postgres?sslmode=disable"
}

// Stop shuts the server down (a fast shutdown, then SIGKILL after 30 seconds) and removes
// its directory. It returns an error when the directory cannot be removed.
func (s *Server) Stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGINT) // PostgreSQL's "fast" shutdown
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return os.RemoveAll(s.dir)
}

// run starts postgres and waits until it accepts connections, or returns its log on failure.
func (s *Server) run(ctx context.Context, postgres string, cred *syscall.Credential) error {
	logPath := filepath.Join(s.dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	s.cmd = exec.Command(postgres, "-D", filepath.Join(s.dir, "data"),
		"-p", strconv.Itoa(s.port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=500",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.Dir = s.dir
	// Pdeathsig stops the server if the test process dies without Main's cleanup (a test
	// timeout, a crash). It fires when the starting thread exits, so the goroutine below keeps
	// that thread locked and alive for as long as the server runs.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := s.cmd.Start()
		started <- err
		if err == nil {
			s.err = s.cmd.Wait()
		}
		_ = logFile.Close()
		close(s.done)
	}()
	if err := <-started; err != nil {
		<-s.done
		return fmt.Errorf("start postgres: %w", err)
	}
	for {
		conn, err := pgx.Connect(ctx, s.DSN())
		if err == nil {
			_ = conn.Close(context.Background())
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited (%v); its log:\n%s", s.err, readLog(logPath))
		case <-ctx.Done():
			_ = s.cmd.Process.Kill()
			<-s.done
			return fmt.Errorf("postgres did not accept connections: %w; its log:\n%s", ctx.Err(), readLog(logPath))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// findBinary looks name up on PATH, then in the newest /usr/lib/postgresql/*/bin.
func findBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVersion := "", -1
	for _, d := range dirs {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil {
			continue
		}
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil && v > bestVersion {
			best, bestVersion = p, v
		}
	}
	if best == "" {
		return "", fmt.Errorf("%s not found on PATH nor in /usr/lib/postgresql/*/bin "+
			"(install Debian's postgresql package, or set %s)", name, EnvServer)
	}
	return best, nil
}

// credential returns nil when not root, else the credential of an unprivileged user to run
// PostgreSQL as.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var errs []error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			errs = append(errs, fmt.Errorf("user %s: non-numeric uid %q or gid %q", name, u.Uid, u.Gid))
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, fmt.Errorf("running as root and no unprivileged user to run PostgreSQL as: %w", errors.Join(errs...))
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func readLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(bytes.TrimSpace(b))
}
