// Package migration reads the versioned schema migrations a store embeds: files named
// NNNN_name.sql, applied in version order. Each store applies them with its own engine's
// transactions and bookkeeping; only the reading and ordering is shared.
package migration

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one schema change: its version (the NNNN of its file name), the file name and
// the SQL it runs.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load returns the migrations in directory dir of fsys, in version order. It returns an error
// when the directory cannot be read, a file is not named NNNN_name.sql with NNNN > 0, or two
// files share a version.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 || path.Ext(name) != ".sql" {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %q and %q share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Latest returns the version of the newest migration in ms (as Load orders them); an error
// when ms is empty.
func Latest(ms []Migration) (int, error) {
	if len(ms) == 0 {
		return 0, fmt.Errorf("no embedded migrations")
	}
	return ms[len(ms)-1].Version, nil
}
