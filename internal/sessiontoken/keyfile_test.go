package sessiontoken

import (
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readKeyLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "secrets")
	path := filepath.Join(dir, "session.key")

	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if dst, err := os.Stat(dir); err != nil || dst.Mode().Perm() != 0o700 {
		t.Fatalf("key dir mode: %v %v", dst.Mode().Perm(), err)
	}
	lines := readKeyLines(t, path)
	if len(lines) != 1 || len(lines[0]) != 2*NewKeySize {
		t.Fatalf("key file contents %q", lines)
	}
	if _, err := hex.DecodeString(lines[0]); err != nil {
		t.Fatalf("key not hex: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("leftover files in key dir: %v", entries)
	}

	tok := k1.Sign(3, time.Unix(1000, 0))

	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("second load: created=%v err=%v", created, err)
	}
	if k2.Sign(3, time.Unix(1000, 0)) != tok {
		t.Fatal("reloaded keyring signs differently")
	}
	if _, err := k2.Parse(tok); err != nil {
		t.Fatalf("reloaded keyring rejects token: %v", err)
	}
	if again := readKeyLines(t, path); again[0] != lines[0] {
		t.Fatal("second load rewrote the key file")
	}

	// A second, independent file gets a different key.
	k3, created, err := LoadOrCreateKeyFile(filepath.Join(dir, "other.key"))
	if err != nil || !created {
		t.Fatalf("other file: created=%v err=%v", created, err)
	}
	expectInvalid(t, k3, "other file's key", tok)
}

func TestRotateKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "session.key")
	if err := RotateKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("rotate missing file: %v", err)
	}

	k1, _, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before := readKeyLines(t, path)
	oldTok := k1.Sign(1, time.Unix(100, 0))

	if err := RotateKeyFile(path); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	after := readKeyLines(t, path)
	if len(after) != 2 || after[1] != before[0] || after[0] == before[0] {
		t.Fatalf("after rotation %q, before %q", after, before)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode after rotation %v", st.Mode().Perm())
	}

	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("reload: created=%v err=%v", created, err)
	}
	if _, err := k2.Parse(oldTok); err != nil {
		t.Fatalf("old token rejected after one rotation: %v", err)
	}
	newTok := k2.Sign(1, time.Unix(100, 0))
	if newTok == oldTok {
		t.Fatal("rotation did not change the signing key")
	}
	expectInvalid(t, k1, "new token under pre-rotation keyring", newTok)

	// A second rotation drops the oldest key.
	if err := RotateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	third := readKeyLines(t, path)
	if len(third) != 2 || third[1] != after[0] {
		t.Fatalf("after second rotation %q", third)
	}
	k3, _, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	expectInvalid(t, k3, "token two rotations old", oldTok)
	if _, err := k3.Parse(newTok); err != nil {
		t.Fatalf("token one rotation old: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("leftover files: %v", entries)
	}
}

func TestKeyFileManualEdits(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k")
	a := strings.Repeat("ab", 32)
	b := strings.Repeat("CD", 40) // upper case, longer than 32 bytes
	if err := os.WriteFile(path, []byte("\n  "+a+"  \r\n\n"+b+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("created=%v err=%v", created, err)
	}
	if len(k.keys) != 2 {
		t.Fatalf("%d keys, want 2", len(k.keys))
	}
}

func TestBadKeyFile(t *testing.T) {
	t.Parallel()
	good := strings.Repeat("ab", 32)
	cases := map[string]string{
		"empty":           "",
		"blank lines":     "\n\n  \n",
		"not hex":         strings.Repeat("zz", 32) + "\n",
		"odd hex":         good + "a\n",
		"short":           strings.Repeat("ab", 31) + "\n",
		"bad previous":    good + "\nnothex\n",
		"short previous":  good + "\nabcd\n",
		"two on one line": good + " " + good + "\n",
		"base64 key":      "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8M=\n",
		"too big":         strings.Repeat(good+"\n", 2000),
	}
	for name, contents := range cases {
		path := filepath.Join(t.TempDir(), "k")
		if err := os.WriteFile(path, []byte(contents), 0o600); err != nil {
			t.Fatal(err)
		}
		_, created, err := LoadOrCreateKeyFile(path)
		if !errors.Is(err, ErrBadKey) || created {
			t.Errorf("%s: created=%v err=%v, want ErrBadKey", name, created, err)
		}
		if err != nil && len(contents) > 10 && strings.Contains(err.Error(), strings.TrimSpace(contents)[:10]) {
			t.Errorf("%s: error quotes the file contents: %v", name, err)
		}
		if err := RotateKeyFile(path); !errors.Is(err, ErrBadKey) {
			t.Errorf("%s: rotate err=%v, want ErrBadKey", name, err)
		}
		if data, _ := os.ReadFile(path); string(data) != contents {
			t.Errorf("%s: bad key file was overwritten", name)
		}
	}

	// A directory where the file should be is an I/O error, not a silent re-create.
	dir := t.TempDir()
	if _, _, err := LoadOrCreateKeyFile(dir); err == nil {
		t.Error("loading a directory succeeded")
	}
}

func TestLoadOrCreateLosesRace(t *testing.T) {
	t.Parallel()
	// writeKeyFile without replace must not clobber a file that appeared meanwhile.
	path := filepath.Join(t.TempDir(), "k")
	k1, _, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	won, err := writeKeyFile(path, [][]byte{testKey(9)}, false)
	if err != nil || won {
		t.Fatalf("won=%v err=%v, want lost race", won, err)
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatal(created, err)
	}
	if k1.Sign(1, time.Unix(1, 0)) != k2.Sign(1, time.Unix(1, 0)) {
		t.Fatal("existing key file was replaced")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("leftover files: %v", entries)
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	a, b, c := strings.Repeat("11", 32), strings.Repeat("22", 32), strings.Repeat("33", 32)
	k, err := ParseKeys(" "+a+"\n", "")
	if err != nil || len(k.keys) != 1 {
		t.Fatalf("current only: %v", err)
	}
	k, err = ParseKeys(a, b+", "+c+"\n")
	if err != nil || len(k.keys) != 3 {
		t.Fatalf("with previous: %v", err)
	}
	tokB := mustKeyring(t, testKey(0x22)).Sign(4, time.Unix(4, 0))
	if _, err := k.Parse(tokB); err != nil {
		t.Fatalf("previous key not accepted: %v", err)
	}

	bad := [][2]string{
		{"", ""},
		{"   ", b},
		{"xyz", ""},
		{strings.Repeat("11", 16), ""},
		{a, "nothex"},
		{a, strings.Repeat("22", 8)},
		{a, b + ",zz"},
	}
	for _, tc := range bad {
		if _, err := ParseKeys(tc[0], tc[1]); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseKeys(%q, %q) = %v, want ErrBadKey", tc[0], tc[1], err)
		}
	}
}
