// Package themes defines the console's colour themes as typed sets of
// semantic colours. The UI derives its styles from a Theme once at start-up,
// so a theme is plain data: no lipgloss styles, no package state that a
// caller could mutate. Status is never carried by colour alone (the UI pairs
// every colour with a symbol and a word), so a theme only has to keep those
// colours distinguishable and readable on its background.
package themes

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Default is the theme used when none is configured.
const Default = "dark"

// Theme is a named set of semantic colours. Fields name what a colour means,
// not what it looks like, so a skin can change every hue without the UI
// caring. Each field is a lipgloss.TerminalColor: a lipgloss.Color for themes
// written for one kind of background, a lipgloss.AdaptiveColor for themes
// that follow the terminal's background.
type Theme struct {
	Name string

	Fg     lipgloss.TerminalColor // ordinary text
	Muted  lipgloss.TerminalColor // secondary text: labels, hints, ages
	Accent lipgloss.TerminalColor // keys in hints, titles, breadcrumbs
	Border lipgloss.TerminalColor // pane borders

	SelectedBg lipgloss.TerminalColor // cursor row background
	SelectedFg lipgloss.TerminalColor // cursor row text

	Header   lipgloss.TerminalColor // header line text
	HeaderBg lipgloss.TerminalColor // header line background

	OK      lipgloss.TerminalColor // HEALTH_OK, success
	Warn    lipgloss.TerminalColor // HEALTH_WARN, warnings
	Err     lipgloss.TerminalColor // HEALTH_ERR, unreachable, errors
	Unknown lipgloss.TerminalColor // not yet known, unknown health
}

// builtins lists the shipped themes in the order Names reports them. It is a
// function rather than a package variable so every Load hands out a fresh
// value and no caller can alter what the next caller gets.
func builtins() []Theme {
	return []Theme{dark(), light(), highContrast(), colorblind()}
}

// Names returns the names of the built-in themes, default first.
func Names() []string {
	bs := builtins()
	names := make([]string, len(bs))
	for i, t := range bs {
		names[i] = t.Name
	}
	return names
}

// Load returns the built-in theme called name. Names are matched without
// regard to case or surrounding space, because they come from hand-written
// config files; the empty name selects Default.
func Load(name string) (Theme, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	if want == "" {
		want = Default
	}
	for _, t := range builtins() {
		if t.Name == want {
			return t, nil
		}
	}
	return Theme{}, fmt.Errorf("unknown theme %q: valid themes are %s", name, strings.Join(Names(), ", "))
}

// dark is for dark terminal backgrounds.
func dark() Theme {
	return Theme{
		Name:       "dark",
		Fg:         lipgloss.Color("#D8DEE9"),
		Muted:      lipgloss.Color("#7B8494"),
		Accent:     lipgloss.Color("#5FAFFF"),
		Border:     lipgloss.Color("#4C566A"),
		SelectedBg: lipgloss.Color("#3B4252"),
		SelectedFg: lipgloss.Color("#FFFFFF"),
		Header:     lipgloss.Color("#ECEFF4"),
		HeaderBg:   lipgloss.Color("#2E3440"),
		OK:         lipgloss.Color("#A3BE8C"),
		Warn:       lipgloss.Color("#EBCB8B"),
		Err:        lipgloss.Color("#FF6E6E"),
		Unknown:    lipgloss.Color("#8F9BB3"),
	}
}

// light is for light backgrounds; hues are darkened so text keeps a contrast
// ratio well above 4.5:1 on white (the complaint behind lazygit #508).
func light() Theme {
	return Theme{
		Name:       "light",
		Fg:         lipgloss.Color("#1F2328"),
		Muted:      lipgloss.Color("#59636E"),
		Accent:     lipgloss.Color("#0550AE"),
		Border:     lipgloss.Color("#8C959F"),
		SelectedBg: lipgloss.Color("#DDF4FF"),
		SelectedFg: lipgloss.Color("#000000"),
		Header:     lipgloss.Color("#1F2328"),
		HeaderBg:   lipgloss.Color("#EAEEF2"),
		OK:         lipgloss.Color("#116329"),
		Warn:       lipgloss.Color("#7D4E00"),
		Err:        lipgloss.Color("#A40E26"),
		Unknown:    lipgloss.Color("#59636E"),
	}
}

// highContrast uses only the 16 basic ANSI colours, which every terminal
// maps to its own high-contrast palette, and follows the background so it
// works on both light and dark terminals.
func highContrast() Theme {
	fg := lipgloss.AdaptiveColor{Light: "0", Dark: "15"}
	bg := lipgloss.AdaptiveColor{Light: "15", Dark: "0"}
	return Theme{
		Name:       "high-contrast",
		Fg:         fg,
		Muted:      fg,
		Accent:     lipgloss.AdaptiveColor{Light: "4", Dark: "14"},
		Border:     fg,
		SelectedBg: fg,
		SelectedFg: bg,
		Header:     bg,
		HeaderBg:   fg,
		OK:         lipgloss.AdaptiveColor{Light: "2", Dark: "10"},
		Warn:       lipgloss.AdaptiveColor{Light: "5", Dark: "11"},
		Err:        lipgloss.AdaptiveColor{Light: "1", Dark: "9"},
		Unknown:    fg,
	}
}

// colorblind draws its status colours from the Okabe-Ito palette, whose
// bluish green, orange and vermillion stay apart under deuteranopia,
// protanopia and tritanopia.
func colorblind() Theme {
	return Theme{
		Name:       "colorblind",
		Fg:         lipgloss.AdaptiveColor{Light: "#000000", Dark: "#F0F0F0"},
		Muted:      lipgloss.AdaptiveColor{Light: "#5A5A5A", Dark: "#A0A0A0"},
		Accent:     lipgloss.AdaptiveColor{Light: "#0072B2", Dark: "#56B4E9"},
		Border:     lipgloss.AdaptiveColor{Light: "#7A7A7A", Dark: "#6A6A6A"},
		SelectedBg: lipgloss.Color("#0072B2"),
		SelectedFg: lipgloss.Color("#FFFFFF"),
		Header:     lipgloss.Color("#FFFFFF"),
		HeaderBg:   lipgloss.Color("#0072B2"),
		OK:         lipgloss.Color("#009E73"),
		Warn:       lipgloss.Color("#E69F00"),
		Err:        lipgloss.Color("#D55E00"),
		Unknown:    lipgloss.AdaptiveColor{Light: "#5A5A5A", Dark: "#A0A0A0"},
	}
}
