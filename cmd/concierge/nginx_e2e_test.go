package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"

	"github.com/coder/websocket"
)

// The shipped nginx configuration (deploy/nginx/concierge.conf) in front of the real server:
// Debian's nginx terminates TLS, passes the live event streams through unbuffered and forwards
// each client's address, which the server trusts (--trusted-proxies 127.0.0.1/32).

// nginxShippedConf is the configuration operators install, relative to this package.
const nginxShippedConf = "../../deploy/nginx/concierge.conf"

// nginxHost is the server name in the shipped configuration and in the test certificate.
const nginxHost = "concierge.example.com"

// nginxPath finds nginx. Without it the test skips, except under CI=true where a missing nginx
// is a failure (scripts/test installs Debian's nginx).
func nginxPath(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("CONCIERGE_NGINX"), "nginx", "/usr/sbin/nginx"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no nginx found (apt-get install nginx, or set CONCIERGE_NGINX); the reverse proxy test cannot be skipped under CI=true")
	}
	t.Skip("no nginx found (apt-get install nginx, or set CONCIERGE_NGINX)")
	return ""
}

// selfSignedCert writes a self-signed certificate for nginxHost and 127.0.0.1, and its key, as
// PEM files in dir, and returns their paths and a pool trusting the certificate.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: nginxHost},
		DNSNames:              []string{nginxHost},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// renderShipped returns the shipped file with each placeholder (an example value operators
// replace) substituted; every placeholder must occur exactly as often as said.
func renderShipped(t *testing.T, path string, subst []struct {
	old, new string
	n        int
}) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, r := range subst {
		if got := strings.Count(s, r.old); got != r.n {
			t.Fatalf("%s: %q occurs %d times, want %d (the test substitutes it)", path, r.old, got, r.n)
		}
		s = strings.ReplaceAll(s, r.old, r.new)
	}
	return s
}

// proxy is a running nginx with the shipped configuration.
type proxy struct {
	HTTPS string // https://127.0.0.1:port
	HTTP  string // http://127.0.0.1:port
	pool  *x509.CertPool
}

// startNginx runs nginx in front of upstream (HOST:PORT) with the shipped configuration, its
// own prefix, temporary and pid files in a temporary directory, until the test ends.
func startNginx(t *testing.T, upstream string) *proxy {
	t.Helper()
	bin := nginxPath(t)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedCert(t, dir)
	httpsPort, httpPort := freePort(t), freePort(t)
	site := renderShipped(t, nginxShippedConf, []struct {
		old, new string
		n        int
	}{
		{"server 127.0.0.1:8080;", "server " + upstream + ";", 1},
		{"listen 443 ssl http2;", fmt.Sprintf("listen 127.0.0.1:%d ssl http2;", httpsPort), 1},
		{"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", httpPort), 1},
		{"/etc/letsencrypt/live/concierge.example.com/fullchain.pem", certFile, 1},
		{"/etc/letsencrypt/live/concierge.example.com/privkey.pem", keyFile, 1},
	})
	sitePath := filepath.Join(dir, "concierge.conf")
	if err := os.WriteFile(sitePath, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	// The main configuration around it, as /etc/nginx/nginx.conf is, but with every path
	// in dir: no root-only paths. Workers run as the current user.
	for _, d := range []string{"logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tmp := filepath.Join(dir, "tmp")
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // else nginx switches to nobody, who may not read the temp dir
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
pid %s;
lock_file %s;
error_log stderr notice;
events { worker_connections 256; }
http {
    access_log %s;
    client_body_temp_path %s/body;
    proxy_temp_path %s/proxy;
    fastcgi_temp_path %s/fastcgi;
    uwsgi_temp_path %s/uwsgi;
    scgi_temp_path %s/scgi;
    include %s;
}
`, user, filepath.Join(dir, "nginx.pid"), filepath.Join(dir, "nginx.lock"), filepath.Join(dir, "logs", "access.log"),
		tmp, tmp, tmp, tmp, tmp, sitePath)
	mainPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(mainPath, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	if out, err := exec.Command(bin, "-t", "-p", dir, "-e", "stderr", "-c", mainPath).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-p", dir, "-e", "stderr", "-c", mainPath, "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT) // graceful stop
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("nginx output:\n%s", stderr.String())
		}
	})
	p := &proxy{HTTPS: fmt.Sprintf("https://127.0.0.1:%d", httpsPort), HTTP: fmt.Sprintf("http://127.0.0.1:%d", httpPort), pool: pool}
	c := p.client(t, "127.0.0.1", false)
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("nginx exited: %v\n%s", err, stderr.String())
		default:
		}
		resp, err := c.Get(p.HTTPS + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not answer /healthz: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// client returns an HTTPS client trusting the test certificate whose connections leave from
// the local address ip; h2 makes it speak HTTP/2 (else HTTP/1.1).
func (p *proxy) client(t testing.TB, ip string, h2 bool) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: h2,
		TLSClientConfig: &tls.Config{RootCAs: p.pool, ServerName: nginxHost}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestNginx: through the shipped nginx configuration, over HTTPS, a guest's SSE stream and a
// staff WebSocket stream carry live events, bodies up to the server's limit pass, plain HTTP
// redirects to HTTPS, and the per-address rate limit applies to each real client (not to
// nginx's address, and not to addresses clients claim).
func TestNginx(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, args: []string{"--trusted-proxies", "127.0.0.1/32",
		"--rate-address", "1", "--rate-address-burst", "20"}}) // the clock stands still: no refill
	p := startNginx(t, strings.TrimPrefix(s.URL, "http://"))

	t.Run("Streams", func(t *testing.T) {
		// Its own client address (127.0.0.5), so that its requests leave the others' limits alone.
		c, h2 := p.client(t, "127.0.0.5", false), p.client(t, "127.0.0.5", true)
		// The Go client, pointed at nginx, checks every exchange against the OpenAPI documents.
		guestWire, staffWire := &wireLog{next: c.Transport}, &wireLog{next: c.Transport}
		guest := testClient(t, p.HTTPS, client.NewGuest, guestWire, nil)
		need(guest.Initialise(t.Context(), api.GuestInitialiseRequest{PropertyCode: "DEMO", InterfaceToken: demoToken,
			RoomNumber: "101", LastName: "Garcia"}))(t)
		staff := testClient(t, p.HTTPS, client.NewStaff, staffWire, nil)
		fd := need(staff.Login(t.Context(), "frontdesk", demoPassword))(t).Token

		// The guest's stream over HTTP/2, the staff WebSocket over HTTP/1.1.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.HTTPS+guestEventsPath(guest.Token()), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := h2.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("guest stream: HTTP %d, %s, Content-Type %q", resp.StatusCode, resp.Proto, resp.Header.Get("Content-Type"))
		}
		lines := make(chan string, 1000)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		ws, wsResp, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(p.HTTPS, "https")+pathStaffEvents+"/ws",
			&websocket.DialOptions{HTTPClient: c, HTTPHeader: http.Header{"Authorization": {"Bearer " + fd}}})
		if err != nil {
			t.Fatalf("WebSocket through nginx: %v (%v)", err, wsResp)
		}
		defer ws.CloseNow()

		// The guest writes: the staff stream hears of the new conversation.
		code := need(guest.CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: "FRONTDESK",
			Message: "towels through the proxy", ConversationType: "guest"}, ""))(t).Code
		for {
			rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
			typ, msg, err := ws.Read(rctx)
			rcancel()
			if err != nil || typ != websocket.MessageText {
				t.Fatalf("staff WebSocket: %v %v", typ, err)
			}
			var ev struct {
				Kind string          `json:"kind"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(msg, &ev); err != nil {
				t.Fatalf("WebSocket message %s: %v", msg, err)
			}
			if ev.Kind == "message.created" && strings.Contains(string(ev.Data), code) && strings.Contains(string(ev.Data), "towels through the proxy") {
				break
			}
		}

		// The staff replies: the guest's stream gets the message at once (nothing buffered).
		need(staff.AddMessage(ctx, code, api.AddMessageRequest{Type: "Staff", Content: "on their way"}, ""))(t)
		lastAnswer(t, staffWire).wantStatus(t, http.StatusCreated)
		timeout := time.After(10 * time.Second)
		for event := ""; ; {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatal("the guest stream ended")
				}
				if v, ok := strings.CutPrefix(line, "event: "); ok {
					event = v
				}
				if event == "message.created" && strings.HasPrefix(line, "data: ") && strings.Contains(line, "on their way") {
					return
				}
			case <-timeout:
				t.Fatal("the staff reply did not reach the guest's stream through nginx within 10 s")
			}
		}
	})

	t.Run("BodySizeAndRedirect", func(t *testing.T) {
		c := p.client(t, "127.0.0.6", false)
		// A body of exactly the server's limit reaches the server; one byte more is refused.
		for _, n := range []int{64 << 10, 64<<10 + 1} {
			body := `{"SessionToken":"x","Message":"` + strings.Repeat("a", n-len(`{"SessionToken":"x","Message":""}`)) + `"}`
			req, err := http.NewRequest(http.MethodPost, p.HTTPS+pathCreate, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			tooLarge := resp.StatusCode == http.StatusRequestEntityTooLarge
			if tooLarge != (n > 64<<10) {
				t.Errorf("POST of %d bytes: HTTP %d", n, resp.StatusCode)
			}
		}
		r := send(t, c, http.MethodGet, p.HTTP+"/healthz", nil, nil)
		if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "https://127.0.0.1/healthz" {
			t.Errorf("plain HTTP: HTTP %d Location %q, want a redirect to HTTPS", r.Status, r.Header.Get("Location"))
		}
	})

	t.Run("PerClientLimits", func(t *testing.T) {
		// 127.0.0.1 (nginx's own address, so inside the trusted range) uses its burst of 20,
		// claiming a new address each time in X-Forwarded-For and Forwarded: nginx replaces
		// Forwarded, which the server reads, so the claims change nothing.
		a, b := p.client(t, "127.0.0.1", false), p.client(t, "127.0.0.2", false)
		for i := range 21 {
			want := http.StatusUnauthorized
			if i == 20 {
				want = http.StatusTooManyRequests
			}
			claim := "203.0.113." + strconv.Itoa(i+1)
			r := send(t, a, http.MethodGet, p.HTTPS+"/api/v1/me", nil,
				map[string]string{"X-Forwarded-For": claim, "Forwarded": "for=" + claim})
			if r.Status != want {
				t.Fatalf("client 127.0.0.1, request %d: HTTP %d, want %d: %s", i+1, r.Status, want, r.Raw)
			}
		}
		// 127.0.0.2 has its own limit.
		for i := range 21 {
			want := http.StatusUnauthorized
			if i == 20 {
				want = http.StatusTooManyRequests
			}
			if r := send(t, b, http.MethodGet, p.HTTPS+"/api/v1/me", nil, nil); r.Status != want {
				t.Fatalf("client 127.0.0.2, request %d: HTTP %d, want %d: %s", i+1, r.Status, want, r.Raw)
			}
		}
		// The server's log names each client and nginx as the proxy.
		n := requestClients(s, "/api/v1/me")
		if n["127.0.0.2 via 127.0.0.1"] != 21 || n["127.0.0.1 via "] != 21 || len(n) != 2 {
			t.Errorf("request log clients: %v, want 21 from 127.0.0.1 and 21 from 127.0.0.2 via 127.0.0.1", n)
		}
	})
}
