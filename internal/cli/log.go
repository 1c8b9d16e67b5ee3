package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rbdtui/rbdtui/internal/grammar"
)

// logRotateAt is the size past which the log is moved to rbdtui.log.1
// when rbdtui starts, so the log never grows without bound.
const logRotateAt = 10 << 20

// DefaultLogPath is $XDG_STATE_HOME/rbdtui/rbdtui.log, or
// ~/.local/state/rbdtui/rbdtui.log; "" when neither is known.
func DefaultLogPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "rbdtui", "rbdtui.log")
}

// openLog opens the log a run writes: --log-file, else the App's default
// (set by main; tests leave it empty and log nothing). A --log-file that
// cannot be opened is a usage error before anything runs; a default log
// that cannot be opened is skipped silently, so a read-only home never
// stops a command.
func (a *App) openLog(g grammar.Globals) (*slog.Logger, io.Closer, error) {
	path := g.LogFile
	if path == "" && a.LogPath != nil {
		path = a.LogPath()
	}
	if path == "" {
		return discardLog, nil, nil
	}
	f, err := openLogFile(path)
	if err != nil {
		if g.LogFile != "" {
			return nil, nil, Usagef("--log-file %s: %v", path, err)
		}
		return discardLog, nil, nil
	}
	level := slog.LevelInfo
	if g.Debug {
		level = slog.LevelDebug
	}
	l := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr}))
	return l.With("pid", os.Getpid()), f, nil
}

func openLogFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && st.Size() > logRotateAt {
		_ = os.Rename(path, path+".1")
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

var discardLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// Secrets that may appear on a command line or in an error: a cephx key
// (base64 of 28 bytes, "AQ..."), a `key = ...` line, and a peer bootstrap
// token (long base64 of JSON, "eyJ..."). They are replaced before a line
// reaches the log.
var secretRE = regexp.MustCompile(`AQ[A-Za-z0-9+/]{36}==|eyJ[A-Za-z0-9+/=_-]{20,}|(?i)(key\s*[=:]\s*)\S+`)

// Redact replaces secrets in s.
func Redact(s string) string {
	return secretRE.ReplaceAllStringFunc(s, func(m string) string {
		if sub := secretRE.FindStringSubmatch(m); len(sub) > 1 && sub[1] != "" {
			return sub[1] + "<redacted>"
		}
		return "<redacted>"
	})
}

// redactAttr is the log handler's last word on every value: whatever a
// caller logs, a key or token never reaches the file.
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(Redact(a.Value.String()))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(Redact(err.Error()))
		} else {
			a.Value = slog.StringValue(Redact(fmt.Sprint(a.Value.Any())))
		}
	}
	return a
}

// argvForLog is the command line as the log shows it: the values of
// options and arguments that name a secret are replaced, as is anything
// that looks like a key or token.
func argvForLog(argv []string) string {
	out := make([]string, 0, len(argv))
	hide := false
	for _, a := range argv {
		switch {
		case hide:
			out = append(out, "<redacted>")
			hide = false
		default:
			out = append(out, Redact(a))
			// `mirror pool peer set <pool> <uuid> key <value>` and similar.
			hide = a == "key" || a == "--key" || a == "token" || a == "--token"
		}
	}
	return strings.Join(out, " ")
}

// logCommand records one command run: its route (cli or console), its
// words, its site, how long it took and how it ended.
func logCommand(l *slog.Logger, route string, argv []string, inv *grammar.Invocation, siteName string, took time.Duration, code int, err error) {
	if l == nil {
		return
	}
	attrs := []any{"route", route, "argv", argvForLog(argv), "took", took.Round(time.Millisecond), "exit", code}
	if inv != nil && inv.Cmd != nil {
		attrs = append(attrs, "command", inv.Cmd.Name())
	}
	if siteName != "" {
		attrs = append(attrs, "site", siteName)
	}
	switch {
	case err == nil:
		l.Info("command done", attrs...)
	case errors.Is(err, context.Canceled):
		l.Info("command canceled", append(attrs, "err", err)...)
	default:
		l.Warn("command failed", append(attrs, "err", err)...)
	}
}
