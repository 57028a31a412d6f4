//go:build desktop

package app

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// The window's size and place, kept in <data dir>/window.json by the
// window process (window.go) and restored when it opens.

// Window defaults and limits, in logical pixels.
const (
	defaultWidth  = 440
	defaultHeight = 760
	minWidth      = 360
	minHeight     = 480
	maxSavedSide  = 10000 // a saved size beyond this is junk, not a window

	windowFile = "window.json"
	// geometryEvery is how often the window's size and position are read
	// back: Wails v2 has no move/resize event, and a crash or SIGKILL
	// should lose at most this much.
	geometryEvery = 2 * time.Second
)

// windowState is what <data dir>/window.json holds.
type windowState struct {
	Width       int  `json:"width"`
	Height      int  `json:"height"`
	X           int  `json:"x"`
	Y           int  `json:"y"`
	HasPosition bool `json:"has_position"`
	Maximised   bool `json:"maximised,omitempty"`
	AlwaysOnTop bool `json:"always_on_top,omitempty"`
	// Screens are the screen sizes when the position was saved, primary
	// first: with the same screens a position seen before is trusted.
	Screens []screenSize `json:"screens,omitempty"`
}

type screenSize struct {
	W int `json:"w"`
	H int `json:"h"`
}

// loadWindowState reads path; a missing or unreadable file, or nonsense in
// it, gives the defaults (the window is a convenience, never a reason not
// to start).
func loadWindowState(path string) windowState {
	st := windowState{Width: defaultWidth, Height: defaultHeight}
	b, err := os.ReadFile(path)
	if err != nil {
		return st
	}
	var saved windowState
	if json.Unmarshal(b, &saved) != nil {
		return st
	}
	if saved.Width >= minWidth && saved.Width <= maxSavedSide && saved.Height >= minHeight && saved.Height <= maxSavedSide {
		st.Width, st.Height = saved.Width, saved.Height
	}
	if saved.HasPosition && abs(saved.X) <= maxSavedSide && abs(saved.Y) <= maxSavedSide {
		st.X, st.Y, st.HasPosition, st.Screens = saved.X, saved.Y, true, saved.Screens
	}
	st.Maximised, st.AlwaysOnTop = saved.Maximised, saved.AlwaysOnTop
	return st
}

func saveWindowState(path string, st windowState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// positionVisible says whether a saved position may be restored on the
// screens there are now (primary first). Wails reports screen sizes but
// not where secondary screens sit, so: a window whose title strip is on
// the primary screen is fine; one elsewhere is trusted only while the
// screens are the ones it was saved with (the user put it there); anything
// else is centred rather than risk a window nobody can reach.
func positionVisible(st windowState, screens []screenSize) bool {
	if !st.HasPosition || len(screens) == 0 {
		return false
	}
	// The strip a person grabs: the top 32 px of the window. At least
	// 80×16 px of it must be on a screen.
	const stripH, needW, needH = 32, 80, 16
	overlap := func(x0, y0, x1, y1 int) bool {
		w := min(st.X+st.Width, x1) - max(st.X, x0)
		h := min(st.Y+stripH, y1) - max(st.Y, y0)
		return w >= needW && h >= needH
	}
	p := screens[0]
	if overlap(0, 0, p.W, p.H) {
		return true
	}
	if !sameScreens(st.Screens, screens) {
		return false
	}
	sumW, sumH := 0, 0
	for _, s := range screens {
		sumW += s.W
		sumH += s.H
	}
	return overlap(-sumW, -sumH, sumW, sumH)
}

func sameScreens(a, b []screenSize) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// screens lists the screens, primary first.
func screens(wctx context.Context) []screenSize {
	all, err := runtime.ScreenGetAll(wctx)
	if err != nil {
		return nil
	}
	var out []screenSize
	for _, s := range all {
		sz := screenSize{W: s.Size.Width, H: s.Size.Height}
		if s.IsPrimary {
			out = append([]screenSize{sz}, out...)
		} else {
			out = append(out, sz)
		}
	}
	return out
}

func sameState(a, b windowState) bool {
	return a.Width == b.Width && a.Height == b.Height && a.X == b.X && a.Y == b.Y &&
		a.HasPosition == b.HasPosition && a.Maximised == b.Maximised && a.AlwaysOnTop == b.AlwaysOnTop &&
		sameScreens(a.Screens, b.Screens)
}
