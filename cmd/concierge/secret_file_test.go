package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretFromFile: every secret flag has a --NAME-file flag and CONCIERGE_NAME_FILE variable
// naming a file that holds it (white space around it ignored); giving the secret both ways,
// an unreadable file and an empty one are errors that say what to fix.
func TestSecretFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "translator.key")
	if err := os.WriteFile(keyFile, []byte("  lt-secret-42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.key")
	if err := os.WriteFile(empty, []byte("\n \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	noEnv := env(nil)

	for name, c := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"flag": {args: []string{"--translator-key-file", keyFile}},
		"env":  {env: map[string]string{"CONCIERGE_TRANSLATOR_KEY_FILE": keyFile}},
	} {
		cfg, err := parseConfig("serve", c.args, env(c.env), io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.TranslatorKey != "lt-secret-42" {
			t.Errorf("%s: translator key %q, want the file's content trimmed", name, cfg.TranslatorKey)
		}
	}
	if cfg, err := parseConfig("serve", []string{"--translator-key", "direct"}, noEnv, io.Discard); err != nil || cfg.TranslatorKey != "direct" {
		t.Errorf("--translator-key alone: %q, %v", cfg.TranslatorKey, err)
	}

	for name, c := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"both flags":     {args: []string{"--translator-key", "x", "--translator-key-file", keyFile}, want: "both set"},
		"flag and env":   {args: []string{"--translator-key-file", keyFile}, env: map[string]string{"CONCIERGE_TRANSLATOR_KEY": "x"}, want: "CONCIERGE_TRANSLATOR_KEY_FILE"},
		"missing file":   {args: []string{"--translator-key-file", filepath.Join(dir, "nope")}, want: "--translator-key-file"},
		"empty file":     {args: []string{"--translator-key-file", empty}, want: "is empty"},
		"directory file": {env: map[string]string{"CONCIERGE_TRANSLATOR_KEY_FILE": dir}, want: "--translator-key-file"},
	} {
		_, err := parseConfig("serve", c.args, env(c.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}

	// Every secret flag has its file flag, listed in the help.
	var help strings.Builder
	printHelp(&help)
	for _, sf := range secretFlags {
		if !strings.Contains(help.String(), "--"+sf.name+"-file") || !strings.Contains(help.String(), envName(sf.name+"-file")) {
			t.Errorf("help lacks --%s-file", sf.name)
		}
	}
}
