package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
)

// IconSizes are the hicolor theme sizes the .deb installs (and the .app's
// icns carries the ones macOS uses).
var IconSizes = []int{16, 32, 48, 64, 128, 256, 512}

// loadIcon reads the app icon: a square PNG at least as large as the
// largest size asked for.
func loadIcon(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < IconSizes[len(IconSizes)-1] {
		return nil, fmt.Errorf("%s is %dx%d: the app icon must be square and at least %d px", path, b.Dx(), b.Dy(), IconSizes[len(IconSizes)-1])
	}
	return img, nil
}

// scaleIcon returns img at size×size as a PNG: Catmull-Rom over
// premultiplied alpha (image.RGBA), so transparent edges do not darken.
func scaleIcon(img image.Image, size int) ([]byte, error) {
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	if img.Bounds().Dx() == size {
		draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Src)
	} else {
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, dst); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeIcons writes caseyos-SIZE.png into dir for each size and returns
// their paths by size.
func writeIcons(icon, dir string, sizes []int) (map[int]string, error) {
	img, err := loadIcon(icon)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	out := map[int]string{}
	for _, size := range sizes {
		b, err := scaleIcon(img, size)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("caseyos-%d.png", size))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		out[size] = p
	}
	return out, nil
}
