package app

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

// The tray icon's drawing, read back as a person (or tray_dbus_test.go's
// host) reads it: the badge's digits from the pixels, the body's colour.

func decodeIcon(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds(); s.Dx() != trayIconSize || s.Dy() != trayIconSize {
		t.Fatalf("the icon is %v, want %d px square", s, trayIconSize)
	}
	return img
}

func TestTrayIcon_BadgeReadsTheCount(t *testing.T) {
	for _, st := range []struct {
		name string
		s    trayIconState
		body string
	}{
		{"Normal", trayIconState{}, "indigo"},
		{"Offline", trayIconState{Offline: true}, "grey"},
		{"Killed", trayIconState{Killed: true}, "red"},
		{"KilledAndOffline", trayIconState{Killed: true, Offline: true}, "red"},
	} {
		t.Run(st.name, func(t *testing.T) {
			for n, want := range map[int]string{0: "", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7", 8: "8", 9: "9", 10: "9+", 250: "9+", -1: ""} {
				s := st.s
				s.Badge = trayBadgeText(n)
				img := decodeIcon(t, trayIconPNG(s))
				if got := readBadge(img); got != want {
					t.Errorf("%d moves: the badge reads %q, want %q", n, got, want)
				}
				if got := bodyColour(img); got != st.body {
					t.Errorf("%d moves: the body is %s, want %s", n, got, st.body)
				}
			}
		})
	}
}

// Each state is its own icon, and the badge changes only its corner.
func TestTrayIcon_StatesDiffer(t *testing.T) {
	seen := map[string]trayIconState{}
	for _, s := range []trayIconState{{}, {Offline: true}, {Killed: true}, {Badge: "3"}, {Badge: "9+"}, {Badge: "3", Offline: true}, {Badge: "3", Killed: true}} {
		b := string(trayIconPNG(s))
		if prev, ok := seen[b]; ok {
			t.Errorf("%+v draws the same icon as %+v", s, prev)
		}
		seen[b] = s
	}
	plain := decodeIcon(t, trayIconPNG(trayIconState{})).(*image.NRGBA)
	badged := decodeIcon(t, trayIconPNG(trayIconState{Badge: "9+"})).(*image.NRGBA)
	for y := 0; y < trayIconSize; y++ {
		for x := 0; x < trayIconSize; x++ {
			if (x < trayIconSize/3 || y >= trayIconSize/2) && plain.NRGBAAt(x, y) != badged.NRGBAAt(x, y) {
				t.Fatalf("the badge changed pixel %d,%d outside the top right corner", x, y)
			}
		}
	}
	if mark := decodeIcon(t, markPNG(trayIconSize)).(*image.NRGBA); !bytes.Equal(mark.Pix, plain.Pix) {
		t.Error("with nothing waiting and all well the tray icon is not the plain mark")
	}
}

func BenchmarkTrayIconPNG(b *testing.B) {
	for i := 0; i < b.N; i++ {
		trayIconPNG(trayIconState{Badge: "9+", Offline: i%2 == 0})
	}
}

// --- reading the icon ----------------------------------------------------

// bodyColour names the colour of the mark's body at a point clear of the
// ring and the badge (bottom left): indigo, red or grey.
func bodyColour(img image.Image) string {
	b := img.Bounds()
	c := color.NRGBAModel.Convert(img.At(b.Min.X+b.Dx()/8, b.Max.Y-b.Dy()/8)).(color.NRGBA)
	r, g, bl := int(c.R), int(c.G), int(c.B)
	switch {
	case c.A < 200:
		return fmt.Sprintf("transparent %v", c)
	case max(r, g, bl)-min(r, g, bl) < 24:
		return "grey"
	case bl > r+40 && bl > g+40:
		return "indigo"
	case r > g+80 && r > bl+80:
		return "red"
	}
	return fmt.Sprintf("%v", c)
}

// readBadge reads the count in the icon's top-right badge the way a
// person does: the badge is the patch of a badge colour in the top half;
// its text is the light pixels with badge colour on either side, cut into
// glyphs at empty columns, each matched against the digit shapes. ""
// when there is no badge.
func readBadge(img image.Image) string {
	b := img.Bounds()
	w, hgt := b.Dx(), b.Dy()
	at := func(x, y int) color.NRGBA {
		if x < 0 || y < 0 || x >= w || y >= hgt {
			return color.NRGBA{}
		}
		return color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
	}
	isFill := func(c color.NRGBA) bool { return c == trayBadgeFill || c == trayBadgeFillKilled }
	isInk := func(c color.NRGBA) bool { return c == trayBadgeInk }
	x0, y0, x1, y1 := w, hgt, -1, -1
	for y := 0; y < hgt/2; y++ {
		for x := w / 3; x < w; x++ {
			if isFill(at(x, y)) {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return ""
	}
	// Ink enclosed by fill: the first other colour along the row and the
	// column, both ways, is the badge's (the mark's white ring is not).
	enclosed := func(x, y, dx, dy int) bool {
		for x, y = x+dx, y+dy; x >= x0 && x <= x1 && y >= y0 && y <= y1; x, y = x+dx, y+dy {
			if c := at(x, y); !isInk(c) {
				return isFill(c)
			}
		}
		return false
	}
	text := func(x, y int) bool {
		return isInk(at(x, y)) && enclosed(x, y, -1, 0) && enclosed(x, y, 1, 0) && enclosed(x, y, 0, -1) && enclosed(x, y, 0, 1)
	}
	tx0, ty0, tx1, ty1 := x1, y1, x0-1, y0-1
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			if text(x, y) {
				tx0, ty0, tx1, ty1 = min(tx0, x), min(ty0, y), max(tx1, x), max(ty1, y)
			}
		}
	}
	if tx1 < tx0 {
		return "?"
	}
	rows := len(trayGlyphs['0'])
	scale := (ty1 - ty0 + 1) / rows
	if scale < 1 || (ty1-ty0+1)%rows != 0 {
		return fmt.Sprintf("?%dpx", ty1-ty0+1)
	}
	// Cells of scale×scale pixels, read at their centres.
	cols := (tx1 - tx0 + scale) / scale
	cell := func(cx, cy int) bool { return text(tx0+cx*scale+scale/2, ty0+cy*scale+scale/2) }
	blank := func(cx int) bool {
		for cy := 0; cy < rows; cy++ {
			if cell(cx, cy) {
				return false
			}
		}
		return true
	}
	var out strings.Builder
	for cx := 0; cx < cols; {
		if blank(cx) {
			cx++
			continue
		}
		start := cx
		for cx < cols && !blank(cx) {
			cx++
		}
		var shape []string
		for cy := 0; cy < rows; cy++ {
			var row strings.Builder
			for x := start; x < cx; x++ {
				if cell(x, cy) {
					row.WriteByte('#')
				} else {
					row.WriteByte('.')
				}
			}
			shape = append(shape, row.String())
		}
		out.WriteString(matchGlyph(shape))
	}
	return out.String()
}

// matchGlyph is the character whose shape is shape (trimmed of empty
// columns), or "?".
func matchGlyph(shape []string) string {
	for r, g := range trayGlyphs {
		if strings.Join(trimGlyph(g), "|") == strings.Join(shape, "|") {
			return string(r)
		}
	}
	return "?"
}

func trimGlyph(g []string) []string {
	left, right := len(g[0]), -1
	for _, row := range g {
		if i := strings.IndexByte(row, '#'); i >= 0 && i < left {
			left = i
		}
		if i := strings.LastIndexByte(row, '#'); i > right {
			right = i
		}
	}
	out := make([]string, len(g))
	for i, row := range g {
		out[i] = row[left : right+1]
	}
	return out
}
