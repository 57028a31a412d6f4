package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"sync"
)

// The CaseyOS mark, and the tray's icon drawn from it: the mark in the
// colours of the tray's state (indigo; grey while offline; red while the
// kill switch is on) with the number of moves waiting in a badge. Plain
// image/png, no fonts: the badge's digits are a 3×5 pixel font scaled up.
// The tray draws a new icon only when what it shows changes (tray.go).

// markPalette colours the mark: its square's gradient (top left to bottom
// right), the ring and the dot.
type markPalette struct {
	top, bottom, ring, dot [3]float64
}

var (
	markIndigo = markPalette{top: [3]float64{0x6D, 0x6A, 0xF5}, bottom: [3]float64{0x37, 0x26, 0xA6},
		ring: [3]float64{0xFF, 0xFF, 0xFF}, dot: [3]float64{0xFF, 0xC8, 0x57}}
	// markGrey: an account cannot be reached, or an action waits offline
	// in the outbox.
	markGrey = markPalette{top: [3]float64{0xA6, 0xA6, 0xAE}, bottom: [3]float64{0x5A, 0x5A, 0x62},
		ring: [3]float64{0xF2, 0xF2, 0xF2}, dot: [3]float64{0xD0, 0xD0, 0xD0}}
	// markRed: the kill switch is on.
	markRed = markPalette{top: [3]float64{0xEF, 0x44, 0x44}, bottom: [3]float64{0x99, 0x1B, 0x1B},
		ring: [3]float64{0xFF, 0xFF, 0xFF}, dot: [3]float64{0xFF, 0xFF, 0xFF}}
)

// markPNG draws the CaseyOS mark — an indigo rounded square, a white open
// ring and an amber dot in its opening: the next move — as a size×size PNG.
// build/appicon.png is markPNG(512) (a test keeps them the same).
func markPNG(size int) []byte {
	return encodePNG(markImage(size, markIndigo))
}

func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// markImage draws the mark in p at size×size.
func markImage(size int, p markPalette) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	k := float64(size) / 512 // the design is on a 512 grid
	const ss = 4             // supersampling per axis
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, n float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / k
					y := (float64(py) + (float64(sy)+0.5)/ss) / k
					if !inRoundRect(x, y, 16, 16, 496, 496, 108) {
						continue
					}
					f := (x + y) / 1024
					c := [3]float64{
						p.top[0] + (p.bottom[0]-p.top[0])*f,
						p.top[1] + (p.bottom[1]-p.top[1])*f,
						p.top[2] + (p.bottom[2]-p.top[2])*f,
					}
					switch {
					case math.Hypot(x-352, y-256) <= 40:
						c = p.dot
					case inRing(x, y):
						c = p.ring
					}
					r, g, b, n = r+c[0], g+c[1], b+c[2], n+1
				}
			}
			if n > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / n), uint8(g / n), uint8(b / n), uint8(255 * n / (ss * ss))})
			}
		}
	}
	return img
}

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return math.Hypot(x-cx, y-cy) <= r
}

// inRing is the open ring: centre (240, 256), radius 128, 60 wide, open
// 50° either side of the right-hand axis, with round ends.
func inRing(x, y float64) bool {
	const cx, cy, radius, width = 240.0, 256.0, 128.0, 60.0
	const gap = 50 * math.Pi / 180
	d := math.Hypot(x-cx, y-cy)
	if math.Abs(d-radius) <= width/2 && math.Abs(math.Atan2(y-cy, x-cx)) >= gap {
		return true
	}
	for _, s := range []float64{1, -1} {
		if math.Hypot(x-(cx+radius*math.Cos(gap)), y-(cy+s*radius*math.Sin(gap))) <= width/2 {
			return true
		}
	}
	return false
}

// trayIconSize is the tray icon's side in pixels; hosts scale it to the
// panel (22–32 px usually), so the badge is drawn large.
const trayIconSize = 64

// trayIconState is what the tray's icon shows; the tray redraws only when
// it changes.
type trayIconState struct {
	Badge   string // the moves waiting: "" (none), "1"…"9", "9+"
	Offline bool
	Killed  bool // wins over Offline: nothing leaves either way
}

// trayBadgeText is the badge for n moves waiting.
func trayBadgeText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n > 9:
		return "9+"
	}
	return strconv.Itoa(n)
}

// The badge's colours: white on red, and white on near-black over the
// kill switch's red mark.
var (
	trayBadgeFill       = color.NRGBA{0xE5, 0x48, 0x4D, 0xFF}
	trayBadgeFillKilled = color.NRGBA{0x1F, 0x1F, 0x1F, 0xFF}
	trayBadgeInk        = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
)

// trayGlyphs is the badge's font: 3×5 cells, '#' drawn.
var trayGlyphs = map[rune][]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", ".##", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", ".#.", ".#.", ".#."},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'+': {"...", ".#.", "###", ".#.", "..."},
}

// trayIconPNG draws the tray's icon for s.
func trayIconPNG(s trayIconState) []byte {
	p, fill := markIndigo, trayBadgeFill
	switch {
	case s.Killed:
		p, fill = markRed, trayBadgeFillKilled
	case s.Offline:
		p = markGrey
	}
	base := trayMarks[p]()
	img := image.NewNRGBA(base.Rect)
	copy(img.Pix, base.Pix)
	drawBadge(img, s.Badge, fill)
	// systray decodes it at once: compressing it would be wasted work.
	var buf bytes.Buffer
	_ = (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img)
	return buf.Bytes()
}

// trayMarks are the marks the tray draws on, each drawn once when first
// needed (16 KB each): a new count then costs only its badge.
var trayMarks = map[markPalette]func() *image.NRGBA{
	markIndigo: sync.OnceValue(func() *image.NRGBA { return markImage(trayIconSize, markIndigo) }),
	markGrey:   sync.OnceValue(func() *image.NRGBA { return markImage(trayIconSize, markGrey) }),
	markRed:    sync.OnceValue(func() *image.NRGBA { return markImage(trayIconSize, markRed) }),
}

// drawBadge draws text in a pill of fill in img's top right corner: a
// disc for one character, longer for two. The pill's edge is smoothed;
// the text is whole cells of ink, unsmoothed, to stay sharp when scaled.
func drawBadge(img *image.NRGBA, text string, fill color.NRGBA) {
	if text == "" {
		return
	}
	size := img.Bounds().Dx()
	cell := max(1, size/16)
	n := len([]rune(text))
	textW, textH := n*3*cell+(n-1)*cell, 5*cell
	h := textH + 2*cell
	rad := float64(h) / 2
	// As narrow as it can be with the text, and a pixel of fill around
	// it, inside the pill's round ends.
	w := max(h, textW+2*cell)
	for {
		dx := float64(textW)/2 + 1 - float64(w-h)/2
		dy := float64(textH)/2 + 1
		if dx <= 0 || dx*dx+dy*dy <= rad*rad {
			break
		}
		w++
	}
	x0 := size - w
	const ss = 4
	for py := 0; py < h; py++ {
		for px := x0; px < size; px++ {
			in := 0
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					if inRoundRect(x, y, float64(x0), 0, float64(size), float64(h), rad) {
						in++
					}
				}
			}
			if in == 0 {
				continue
			}
			if in == ss*ss {
				img.SetNRGBA(px, py, fill)
				continue
			}
			img.SetNRGBA(px, py, over(fill, float64(in)/(ss*ss), img.NRGBAAt(px, py)))
		}
	}
	x := x0 + (w-textW)/2
	y := (h - textH) / 2
	for _, r := range text {
		for gy, row := range trayGlyphs[r] {
			for gx, c := range row {
				if c != '#' {
					continue
				}
				for dy := 0; dy < cell; dy++ {
					for dx := 0; dx < cell; dx++ {
						img.SetNRGBA(x+gx*cell+dx, y+gy*cell+dy, trayBadgeInk)
					}
				}
			}
		}
		x += 4 * cell
	}
}

// over is c at coverage a over dst (both straight alpha).
func over(c color.NRGBA, a float64, dst color.NRGBA) color.NRGBA {
	da := float64(dst.A) / 255 * (1 - a)
	outA := a + da
	mix := func(s, d uint8) uint8 { return uint8((float64(s)*a + float64(d)*da) / outA) }
	return color.NRGBA{mix(c.R, dst.R), mix(c.G, dst.G), mix(c.B, dst.B), uint8(outA * 255)}
}
