package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
)

// The login scenario is a password-guessing flood: Concurrency clients send failed staff logins
// (the staff user of Credentials, a wrong password) one after the other as fast as the answers
// come, each from its own loopback address (127.1.x.y: Linux routes all of 127.0.0.0/8 to
// loopback), so that neither the back-off of one address nor that of one username and address
// stops the flood for long. 401 (the password is wrong) and 429 (backing off, or too many
// passwords being checked at once) are the expected answers and count as successes, per status
// in Result.Ops; any other answer is an error. What it measures is the server's memory under
// the flood: Result.ServerRSSPeakBytes.

// loginOp returns the operation of the login scenario and a function closing its clients.
func loginOp(base string, creds Credentials, workers int) (Op, func()) {
	clients := make([]*Client, max(workers, 1))
	for i := range clients {
		clients[i] = newClientFrom(base, 1, loginAddress(i))
	}
	body := map[string]string{"username": creds.StaffUser, "password": "not-" + creds.StaffPassword}
	op := func(ctx context.Context, w int, rng *rand.Rand) (string, string) {
		status, _, err := clients[w%len(clients)].do(ctx, "POST", pathStaffLogin, nil, body)
		switch {
		case err != nil:
			return "login", kindOf(err)
		case status == http.StatusUnauthorized:
			return "login_401", ""
		case status == http.StatusTooManyRequests:
			return "login_429", ""
		}
		return "login", fmt.Sprintf("http_%d", status)
	}
	return op, func() {
		for _, c := range clients {
			c.Close()
		}
	}
}

// loginAddress is the loopback address of login client i: 127.1.0.1, 127.1.0.2, …
func loginAddress(i int) net.IP {
	n := i + 1
	return net.IPv4(127, 1, byte(n>>8), byte(n))
}
