package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on Linux).
const clockTicks = 100

// CPUTime returns the CPU time (user and system) the server's process used so far, read from
// /proc; it fails for a server given by URL, or when /proc cannot be read.
func (s *Server) CPUTime() (time.Duration, error) {
	pid := s.PID()
	if pid == 0 {
		return 0, errors.New("not a child process")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStatCPU(string(raw))
}

// parseProcStatCPU returns utime+stime of a /proc/PID/stat line. The command name (2nd field)
// is in parentheses and may hold spaces, so the fields are counted after its closing one.
func parseProcStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 { // state is f[0]; utime and stime are fields 14 and 15 of the line
		return 0, errors.New("/proc stat: too few fields")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// ownCPUTime returns the CPU time (user and system) this process, the load tool, used so far.
func ownCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuWindow is the CPU time the server and the load tool used during a measured window.
type cpuWindow struct {
	server, tool time.Duration
	serverOK     bool
}

// measureCPU returns the CPU the server and this process use over the next d (or until ctx
// ends).
func measureCPU(ctx context.Context, srv *Server, d time.Duration) cpuWindow {
	s0, err0 := srv.CPUTime()
	t0 := ownCPUTime()
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	s1, err1 := srv.CPUTime()
	return cpuWindow{server: s1 - s0, tool: ownCPUTime() - t0, serverOK: err0 == nil && err1 == nil}
}
