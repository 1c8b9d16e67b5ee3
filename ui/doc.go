// Package ui is rbdtui's interactive console: a bubbletea program that shows
// the configured Ceph sites, their health and their rbd pools.
//
// The console reaches Ceph only through model.Backend. Every call runs in a
// tea.Cmd under a deadline and comes back as a typed message that names its
// site and the refresh generation that asked for it, so Update never blocks
// and a late answer cannot overwrite a newer one. One KeyMap drives key
// dispatch, the hint line and the help overlay; one Styles value, derived
// from a theme, is passed down to every component through Common.
package ui
