package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestRequestIDOnEveryRecord(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test").WithGroup("g")
	ctx := WithRequestID(context.Background(), "req-42")
	logger.InfoContext(ctx, "with id", "k", 1)
	logger.InfoContext(context.Background(), "without id")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.Bytes())
	}
	var first, second map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(lines[1], &second); err != nil {
		t.Fatal(err)
	}
	g, _ := first["g"].(map[string]any)
	if first["component"] != "test" || g["request_id"] != "req-42" || g["k"] != float64(1) {
		t.Fatalf("first record %v", first)
	}
	if _, ok := second["g"]; ok || RequestID(context.Background()) != "" {
		t.Fatalf("a record without a request id got one: %v", second)
	}
}
