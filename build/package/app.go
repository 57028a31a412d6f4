package main

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// appSpec is one macOS .app bundle to build.
type appSpec struct {
	Bin, Models, Icon string // the built binary, the kws model directory, the 512 px app icon
	Plist             string // build/darwin/Info.plist, a template with wails' {{…}} fields
	Version           string // CFBundleShortVersionString: three numbers
	Out               string // the directory CaseyOS.app goes to
}

// appName is the bundle's directory; the executable inside keeps the
// name `caseyos` (CFBundleExecutable).
const (
	appName = "CaseyOS.app"
	appExe  = "caseyos"
)

// buildApp writes Out/CaseyOS.app: Contents/Info.plist, PkgInfo,
// MacOS/caseyos, and in Resources the icon (iconfile.icns, as the plist
// names it) and kws-models, where connectors/kws looks beside
// Contents/MacOS. It replaces a bundle left by an earlier run.
func buildApp(s appSpec) (string, error) {
	app := filepath.Join(s.Out, appName)
	if err := os.RemoveAll(app); err != nil {
		return "", err
	}
	contents := filepath.Join(app, "Contents")
	res := filepath.Join(contents, "Resources")
	for _, d := range []string{filepath.Join(contents, "MacOS"), filepath.Join(res, "kws-models")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	tmpl, err := os.ReadFile(s.Plist)
	if err != nil {
		return "", err
	}
	plist, err := renderPlist(string(tmpl), appExe, s.Version)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.Plist, err)
	}
	if err := os.WriteFile(filepath.Join(contents, "Info.plist"), []byte(plist), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(contents, "PkgInfo"), []byte("APPL????"), 0o644); err != nil {
		return "", err
	}
	if err := copyFile(s.Bin, filepath.Join(contents, "MacOS", appExe), 0o755); err != nil {
		return "", err
	}
	models, err := modelFiles(s.Models)
	if err != nil {
		return "", err
	}
	for _, m := range models {
		if err := copyFile(m, filepath.Join(res, "kws-models", filepath.Base(m)), 0o644); err != nil {
			return "", err
		}
	}
	img, err := loadIcon(s.Icon)
	if err != nil {
		return "", err
	}
	icns, err := makeICNS(img)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(res, "iconfile.icns"), icns, 0o644); err != nil {
		return "", err
	}
	return app, nil
}

// renderPlist fills the template's fields (the ones `wails build` fills
// from wails.json) and checks the result is one well-formed plist.
func renderPlist(tmpl, exe, version string) (string, error) {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	out := strings.NewReplacer(
		"{{.Name}}", esc(exe),
		"{{.Info.ProductVersion}}", esc(version),
		"{{.Info.Copyright}}", esc("© CaseyOS"),
	).Replace(tmpl)
	if i := strings.Index(out, "{{."); i >= 0 {
		return "", fmt.Errorf("a template field is left unfilled: %.40s", out[i:])
	}
	d := xml.NewDecoder(strings.NewReader(out))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			return "", fmt.Errorf("not well-formed XML: %w", err)
		}
	}
	return out, nil
}

// icnsTypes are the PNG-carrying icns entries, each with its pixel size
// (the @2x ones hold twice the points).
var icnsTypes = []struct {
	typ  string
	size int
}{
	{"icp4", 16}, {"icp5", 32}, {"ic11", 32}, {"ic12", 64},
	{"ic07", 128}, {"ic13", 256}, {"ic08", 256}, {"ic14", 512}, {"ic09", 512},
}

// makeICNS builds an Apple icon file: "icns", the file's length, then
// one (type, length, PNG) entry per size; lengths are big-endian and
// include their 8-byte headers.
func makeICNS(img image.Image) ([]byte, error) {
	var body bytes.Buffer
	for _, t := range icnsTypes {
		png, err := scaleIcon(img, t.size)
		if err != nil {
			return nil, err
		}
		body.WriteString(t.typ)
		_ = binary.Write(&body, binary.BigEndian, uint32(8+len(png)))
		body.Write(png)
	}
	var out bytes.Buffer
	out.WriteString("icns")
	_ = binary.Write(&out, binary.BigEndian, uint32(8+body.Len()))
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

// copyFile copies src to dst with mode.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
