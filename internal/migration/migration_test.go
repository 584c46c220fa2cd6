package migration

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadOrdersByVersion(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"m/0010_late.sql":  {Data: []byte("SELECT 10;")},
		"m/0002_two.sql":   {Data: []byte("SELECT 2;")},
		"m/0001_first.sql": {Data: []byte("SELECT 1;")},
	}
	ms, err := Load(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Name+"="+m.SQL)
	}
	want := "0001_first.sql=SELECT 1;,0002_two.sql=SELECT 2;,0010_late.sql=SELECT 10;"
	if strings.Join(got, ",") != want {
		t.Errorf("Load = %v; want %s", got, want)
	}
	if v, err := Latest(ms); err != nil || v != 10 {
		t.Errorf("Latest = %d, %v; want 10", v, err)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	for name, fsys := range map[string]fstest.MapFS{
		"no version":     {"m/init.sql": {}},
		"zero version":   {"m/0000_zero.sql": {}},
		"not sql":        {"m/0001_a.txt": {}},
		"shared version": {"m/0001_a.sql": {}, "m/01_b.sql": {}},
		"no directory":   {},
	} {
		if _, err := Load(fsys, "m"); err == nil {
			t.Errorf("%s: Load succeeded; want an error", name)
		}
	}
	if _, err := Latest(nil); err == nil {
		t.Error("Latest(nil) succeeded; want an error")
	}
}
