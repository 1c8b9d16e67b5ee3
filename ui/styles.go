package ui

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/rbdtui/rbdtui/themes"
)

// level is the severity a status maps to; it picks a colour, never alone:
// every status is drawn as symbol + word as well.
type level int

const (
	levelUnknown level = iota
	levelOK
	levelWarn
	levelErr
	numLevels
)

// Styles is every style the console draws with, derived once from a theme
// and handed down through Common. Components never build styles of their
// own, so a theme change is one call to NewStyles.
type Styles struct {
	Theme string // name of the theme the styles came from

	Text   lipgloss.Style
	Muted  lipgloss.Style
	Accent lipgloss.Style
	Border lipgloss.Style // box-drawing characters of panes

	PaneTitle lipgloss.Style
	Selected  lipgloss.Style // the cursor row, drawn in addition to its ▌ marker

	Header      lipgloss.Style // the header bar's base (padding carries its background)
	HeaderTitle lipgloss.Style
	HeaderMuted lipgloss.Style

	Crumb    lipgloss.Style
	CrumbSep lipgloss.Style

	Label lipgloss.Style // detail pane labels
	Value lipgloss.Style // detail pane values

	HintKey      lipgloss.Style
	HintDesc     lipgloss.Style
	HintDisabled lipgloss.Style

	HelpBox   lipgloss.Style
	HelpTitle lipgloss.Style

	TooSmall lipgloss.Style

	// byLevel and headerByLevel colour a status by level; the header variant
	// keeps the header bar's background behind coloured words.
	byLevel       [numLevels]lipgloss.Style
	headerByLevel [numLevels]lipgloss.Style

	ok bool // set by NewStyles, so Common can tell a zero Styles apart
}

// NewStyles derives the console's styles from a theme.
func NewStyles(t themes.Theme) Styles {
	base := lipgloss.NewStyle()
	hdr := base.Foreground(t.Header).Background(t.HeaderBg)
	s := Styles{
		Theme:  t.Name,
		Text:   base.Foreground(t.Fg),
		Muted:  base.Foreground(t.Muted),
		Accent: base.Foreground(t.Accent),
		Border: base.Foreground(t.Border),

		PaneTitle: base.Foreground(t.Accent).Bold(true),
		Selected:  base.Foreground(t.SelectedFg).Background(t.SelectedBg).Bold(true),

		Header:      hdr,
		HeaderTitle: hdr.Bold(true),
		HeaderMuted: hdr.Faint(true),

		Crumb:    base.Foreground(t.Accent),
		CrumbSep: base.Foreground(t.Muted),

		Label: base.Foreground(t.Muted),
		Value: base.Foreground(t.Fg),

		HintKey:      base.Foreground(t.Accent).Bold(true),
		HintDesc:     base.Foreground(t.Muted),
		HintDisabled: base.Foreground(t.Muted).Faint(true).Strikethrough(true),

		HelpBox:   base.Foreground(t.Fg),
		HelpTitle: base.Foreground(t.Accent).Bold(true),

		TooSmall: base.Foreground(t.Warn).Bold(true),
		ok:       true,
	}
	colours := [numLevels]lipgloss.TerminalColor{
		levelUnknown: t.Unknown,
		levelOK:      t.OK,
		levelWarn:    t.Warn,
		levelErr:     t.Err,
	}
	for l, c := range colours {
		s.byLevel[l] = base.Foreground(c).Bold(level(l) != levelOK)
		s.headerByLevel[l] = hdr.Foreground(c).Bold(true)
	}
	return s
}

// DefaultStyles are the styles of themes.Default.
func DefaultStyles() Styles {
	t, err := themes.Load(themes.Default)
	if err != nil {
		panic("ui: default theme missing: " + err.Error())
	}
	return NewStyles(t)
}

// status returns the style for a status of level l.
func (s *Styles) status(l level) lipgloss.Style { return s.byLevel[l] }

// headerStatus is status on the header bar's background.
func (s *Styles) headerStatus(l level) lipgloss.Style { return s.headerByLevel[l] }
