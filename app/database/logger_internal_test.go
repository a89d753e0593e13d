package database

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestGormLoggerRendersSQLOnlyForStatementsItLogs: rendering a statement
// with its arguments costs more than many queries do, so the logger must
// not do it for the fast, successful statements it never prints, and must
// still print failed and slow ones with their SQL.
func TestGormLoggerRendersSQLOnlyForStatementsItLogs(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := newLogger(slog.New(slog.NewTextHandler(&out, nil)))
	rendered := 0
	fc := func() (string, int64) { rendered++; return "SELECT 1", 1 }

	l.Trace(context.Background(), time.Now(), fc, nil)
	if rendered != 0 || out.Len() != 0 {
		t.Errorf("a fast successful statement was rendered %d times and logged %q", rendered, out.String())
	}

	l.Trace(context.Background(), time.Now(), fc, errors.New("boom"))
	if rendered != 1 || !strings.Contains(out.String(), "SELECT 1") {
		t.Errorf("a failed statement: rendered %d times, log %q", rendered, out.String())
	}

	out.Reset()
	l.Trace(context.Background(), time.Now().Add(-2*slowQuery), fc, nil)
	if rendered != 2 || !strings.Contains(out.String(), "SELECT 1") {
		t.Errorf("a slow statement: rendered %d times, log %q", rendered, out.String())
	}
}
