package sessiontoken

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// NewKeySize is the size, in bytes, of the keys LoadOrCreateKeyFile and RotateKeyFile generate.
const NewKeySize = 32

// maxKeyFileSize bounds how much of a key file is read; a real one is well under 1 KiB.
const maxKeyFileSize = 64 << 10

// ParseKeys builds a Keyring from hex-encoded keys, as given by a flag or an environment variable.
// current is one hex key; previous holds zero or more hex keys separated by commas or white space
// (empty means none). Surrounding white space is ignored. It returns an error wrapping ErrBadKey
// when a key is missing, not hex, or shorter than MinKeySize bytes.
func ParseKeys(current string, previous string) (*Keyring, error) {
	cur, err := decodeHexKey(strings.TrimSpace(current))
	if err != nil {
		return nil, fmt.Errorf("current key: %w", err)
	}
	var prev [][]byte
	fields := strings.FieldsFunc(previous, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	for i, f := range fields {
		key, err := decodeHexKey(f)
		if err != nil {
			return nil, fmt.Errorf("previous key %d: %w", i+1, err)
		}
		prev = append(prev, key)
	}
	return NewKeyring(cur, prev...)
}

// decodeHexKey decodes one hex key. Errors wrap ErrBadKey and never quote the key.
func decodeHexKey(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrBadKey)
	}
	key, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not valid hex", ErrBadKey)
	}
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrBadKey, len(key), MinKeySize)
	}
	return key, nil
}

// LoadOrCreateKeyFile loads the Keyring stored at path. The file holds one hex key per line: the
// first is the current key, any further lines are previous keys; blank lines and surrounding white
// space are ignored. When the file does not exist it is created (with its directory, mode 0700)
// holding one fresh random key, written atomically with mode 0600, and created is true. If another
// process creates the file at the same moment, the file that won is loaded instead.
//
// Errors: contents that are not valid key lines wrap ErrBadKey; failures to read, create or write
// the file are returned as the underlying *fs.PathError (or similar) wrapped with context; a
// failure to read random bytes is returned wrapped.
func LoadOrCreateKeyFile(path string) (kr *Keyring, created bool, err error) {
	kr, err = loadKeyFile(path)
	if err == nil {
		return kr, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}

	key, err := newKey()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("sessiontoken: create key directory: %w", err)
	}
	won, err := writeKeyFile(path, [][]byte{key}, false)
	if err != nil {
		return nil, false, err
	}
	if !won {
		// Someone else created the file between our read and our write: use theirs.
		kr, err = loadKeyFile(path)
		return kr, false, err
	}
	kr, err = NewKeyring(key)
	return kr, true, err
}

// RotateKeyFile replaces the keys in the key file at path with a fresh random current key and the
// old current key as the only previous key; older previous keys are dropped. The file is replaced
// atomically with mode 0600. Running processes must reload the file to sign with the new key.
// Rotations of the same file by two processes at once are not coordinated.
//
// Errors: a missing file is an error wrapping fs.ErrNotExist; malformed contents wrap ErrBadKey;
// I/O and random-source failures are returned wrapped with context.
func RotateKeyFile(path string) error {
	kr, err := loadKeyFile(path)
	if err != nil {
		return err
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	_, err = writeKeyFile(path, [][]byte{key, kr.keys[0]}, true)
	return err
}

func newKey() ([]byte, error) {
	key := make([]byte, NewKeySize)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, fmt.Errorf("sessiontoken: generate key: %w", err)
	}
	return key, nil
}

func loadKeyFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sessiontoken: read key file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("sessiontoken: read key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w: key file %s is larger than %d bytes", ErrBadKey, path, maxKeyFileSize)
	}
	var keys [][]byte
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, err := decodeHexKey(line)
		if err != nil {
			return nil, fmt.Errorf("key file %s line %d: %w", path, i+1, err)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: key file %s holds no key", ErrBadKey, path)
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// writeKeyFile writes keys to a temporary file in path's directory and then moves it into place.
// With replace, an existing file is replaced (rename). Without it, the file is published with a
// hard link, which fails if path already exists: won is then false and nothing was changed. On
// file systems without hard links it falls back to rename.
func writeKeyFile(path string, keys [][]byte, replace bool) (won bool, err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("sessiontoken: write key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a rename or link this is a no-op or drops the extra link

	var b strings.Builder
	for _, k := range keys {
		b.WriteString(hex.EncodeToString(k))
		b.WriteByte('\n')
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fmt.Errorf("sessiontoken: write key file: %w", err)
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return false, fmt.Errorf("sessiontoken: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("sessiontoken: write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("sessiontoken: write key file: %w", err)
	}

	if !replace {
		err := os.Link(tmpName, path)
		switch {
		case err == nil:
			syncDir(dir)
			return true, nil
		case errors.Is(err, fs.ErrExist):
			return false, nil
		}
		// No hard links here: fall through to rename.
	}
	if err := os.Rename(tmpName, path); err != nil {
		return false, fmt.Errorf("sessiontoken: write key file: %w", err)
	}
	syncDir(dir)
	return true, nil
}

// syncDir makes a rename or link durable; it is best effort (not every platform supports it).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
