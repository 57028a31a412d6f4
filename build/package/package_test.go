package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// repo is the checkout's root (this module lives in build/package).
const repo = "../.."

// fakeModels writes the two model files under a temp dir.
func fakeModels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"melspectrogram.onnx", "embedding_model.onnx"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("model "+n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDepends_FromSonamesAndGlibc(t *testing.T) {
	got, err := depends([]string{"libm.so.6", "libgtk-3.so.0", "libc.so.6", "libgdk-3.so.0", "libwebkit2gtk-4.1.so.0"}, []int{2, 34})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"libc6 (>= 2.34)", "libgtk-3-0", "libwebkit2gtk-4.1-0"}
	if !slices.Equal(got, want) {
		t.Errorf("depends = %q, want %q", got, want)
	}
}

// A library nobody declared stops the build instead of reaching a user
// as "error while loading shared libraries".
func TestDepends_UnknownLibraryIsAnError(t *testing.T) {
	_, err := depends([]string{"libc.so.6", "libnew-1.so.3"}, nil)
	if err == nil || !strings.Contains(err.Error(), "libnew-1.so.3") {
		t.Errorf("depends with an unknown soname: err = %v, want one naming it", err)
	}
}

func TestElfDepends_NotAnELFSaysWhatToBuild(t *testing.T) {
	p := filepath.Join(t.TempDir(), "caseyos")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := elfDepends(p); err == nil || !strings.Contains(err.Error(), "make desktop-build") {
		t.Errorf("elfDepends(script) = %v, want an error pointing at make desktop-build", err)
	}
}

func TestScaleIcon_EverySizeFromTheAppIcon(t *testing.T) {
	img, err := loadIcon(filepath.Join(repo, "build", "appicon.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range IconSizes {
		b, err := scaleIcon(img, size)
		if err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%d px: %v", size, err)
		}
		if got.Bounds().Dx() != size || got.Bounds().Dy() != size {
			t.Errorf("%d px icon is %v", size, got.Bounds())
		}
		// The mark survives scaling: transparent corners, something opaque
		// in the middle third.
		if _, _, _, a := got.At(0, 0).RGBA(); a != 0 {
			t.Errorf("%d px: corner alpha %d, want transparent", size, a)
		}
		opaque := 0
		for y := size / 3; y < 2*size/3; y++ {
			for x := 0; x < size; x++ {
				if _, _, _, a := got.At(x, y).RGBA(); a > 0xc000 {
					opaque++
				}
			}
		}
		if opaque == 0 {
			t.Errorf("%d px: nothing opaque left of the mark", size)
		}
	}
}

func TestLoadIcon_RejectsASmallOrOblongIcon(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 256, 256), image.Rect(0, 0, 512, 600)} {
		p := filepath.Join(t.TempDir(), "icon.png")
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewNRGBA(r)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadIcon(p); err == nil {
			t.Errorf("loadIcon(%v) accepted it", r)
		}
	}
}

// The .deb as dpkg reads it: the files where the app looks for them, the
// declared dependencies, a menu entry from autostart's renderer.
func TestBuildDeb_ContentsAndControl(t *testing.T) {
	dpkgDeb, err := exec.LookPath("dpkg-deb")
	if err != nil {
		t.Skip("dpkg-deb is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "caseyos")
	if err := os.WriteFile(bin, []byte("\x7fELF not really"), 0o700); err != nil {
		t.Fatal(err)
	}
	path, err := buildDeb(debSpec{Bin: bin, Models: fakeModels(t), Icon: filepath.Join(repo, "build", "appicon.png"),
		Version: "0~12.gabc1234", Arch: "amd64", Depends: []string{"libc6 (>= 2.34)", "libgtk-3-0", "libwebkit2gtk-4.1-0"},
		MTime: time.Unix(1700000000, 0), Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "caseyos_0~12.gabc1234_amd64.deb" {
		t.Errorf("file name %q", filepath.Base(path))
	}
	out, err := exec.Command(dpkgDeb, "-c", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v\n%s", err, out)
	}
	listing := string(out)
	want := []string{"-rwxr-xr-x root/root .* ./usr/bin/caseyos$", "-rw-r--r-- root/root .* ./usr/share/applications/caseyos.desktop$",
		"./usr/share/caseyos/kws-models/melspectrogram.onnx$", "./usr/share/caseyos/kws-models/embedding_model.onnx$"}
	for _, s := range IconSizes {
		want = append(want, "./usr/share/icons/hicolor/"+strconv.Itoa(s)+"x"+strconv.Itoa(s)+"/apps/caseyos.png$")
	}
	for _, w := range want {
		if !matchLine(listing, w) {
			t.Errorf("the .deb has no line matching %q:\n%s", w, listing)
		}
	}
	for field, want := range map[string]string{
		"Package":    "caseyos",
		"Version":    "0~12.gabc1234",
		"Depends":    "libc6 (>= 2.34), libgtk-3-0, libwebkit2gtk-4.1-0, pocketsphinx-en-us, espeak-ng",
		"Recommends": "gnome-keyring, xdg-utils, libpulse0 | libasound2",
	} {
		got, err := exec.Command(dpkgDeb, "-f", path, field).Output()
		if err != nil || strings.TrimSpace(string(got)) != want {
			t.Errorf("%s: %q (%v), want %q", field, strings.TrimSpace(string(got)), err, want)
		}
	}
	x := t.TempDir()
	if out, err := exec.Command(dpkgDeb, "-x", path, x).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	entry, err := os.ReadFile(filepath.Join(x, "usr/share/applications/caseyos.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(entry), "\nExec=/usr/bin/caseyos\n") || strings.Contains(string(entry), "--tray") {
		t.Errorf("menu entry:\n%s", entry)
	}
	if v, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command(v, filepath.Join(x, "usr/share/applications/caseyos.desktop")).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("desktop-file-validate: %v\n%s", err, out)
		}
	}
}

func TestBuildDeb_MissingModelsSayHowToGetThem(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "caseyos")
	if err := os.WriteFile(bin, []byte("x"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := buildDeb(debSpec{Bin: bin, Models: t.TempDir(), Icon: filepath.Join(repo, "build", "appicon.png"), Version: "1", Arch: "amd64", Out: dir})
	if err == nil || !strings.Contains(err.Error(), "make voice-models") {
		t.Errorf("buildDeb without models: %v", err)
	}
}

// The .app as macOS reads it, checked here on any OS: the executable the
// plist names, the icon file it names, the models beside Contents/MacOS
// where connectors/kws looks.
func TestBuildApp_Bundle(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "caseyos-bin")
	if err := os.WriteFile(bin, []byte("mach-o"), 0o700); err != nil {
		t.Fatal(err)
	}
	app, err := buildApp(appSpec{Bin: bin, Models: fakeModels(t), Icon: filepath.Join(repo, "build", "appicon.png"),
		Plist: filepath.Join(repo, "build", "darwin", "Info.plist"), Version: "1.2.3", Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(app) != "CaseyOS.app" {
		t.Errorf("bundle %q", app)
	}
	plist, err := os.ReadFile(filepath.Join(app, "Contents", "Info.plist"))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"CFBundleExecutable": "caseyos", "CFBundleIconFile": "iconfile",
		"CFBundleShortVersionString": "1.2.3", "CFBundleVersion": "1.2.3", "CFBundleIdentifier": "com.caseyos.desktop"} {
		if got := plistString(string(plist), key); got != want {
			t.Errorf("Info.plist %s = %q, want %q", key, got, want)
		}
	}
	exe := filepath.Join(app, "Contents", "MacOS", plistString(string(plist), "CFBundleExecutable"))
	if fi, err := os.Stat(exe); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("executable %s: %v", exe, err)
	}
	for _, m := range []string{"melspectrogram.onnx", "embedding_model.onnx"} {
		if _, err := os.Stat(filepath.Join(app, "Contents", "Resources", "kws-models", m)); err != nil {
			t.Error(err)
		}
	}
	icns, err := os.ReadFile(filepath.Join(app, "Contents", "Resources", plistString(string(plist), "CFBundleIconFile")+".icns"))
	if err != nil {
		t.Fatal(err)
	}
	checkICNS(t, icns)
	// Built again, it replaces the bundle.
	if _, err := buildApp(appSpec{Bin: bin, Models: fakeModels(t), Icon: filepath.Join(repo, "build", "appicon.png"),
		Plist: filepath.Join(repo, "build", "darwin", "Info.plist"), Version: "1.2.4", Out: dir}); err != nil {
		t.Fatal(err)
	}
}

func TestRenderPlist_EscapesAndRefusesLeftoverFields(t *testing.T) {
	out, err := renderPlist("<plist><string>{{.Name}}</string><string>{{.Info.ProductVersion}}</string></plist>", "a&b", "1<2")
	if err != nil || out != "<plist><string>a&amp;b</string><string>1&lt;2</string></plist>" {
		t.Errorf("renderPlist = %q, %v", out, err)
	}
	if _, err := renderPlist("<plist><string>{{.Info.CompanyName}}</string></plist>", "x", "1"); err == nil {
		t.Error("renderPlist left a field unfilled without an error")
	}
	if _, err := renderPlist("<plist><string>{{.Name}}</plist>", "x", "1"); err == nil {
		t.Error("renderPlist accepted malformed XML")
	}
}

// checkICNS reads the icon file the way macOS does: the header's length
// is the file's, each entry's length covers it, each entry is a PNG of
// its type's size.
func checkICNS(t *testing.T, b []byte) {
	t.Helper()
	if len(b) < 8 || string(b[:4]) != "icns" || int(binary.BigEndian.Uint32(b[4:8])) != len(b) {
		t.Fatalf("icns header %q, length %d of %d", b[:min(8, len(b))], binary.BigEndian.Uint32(b[4:8]), len(b))
	}
	sizes := map[string]int{}
	for _, e := range icnsTypes {
		sizes[e.typ] = e.size
	}
	seen := 0
	for off := 8; off < len(b); {
		typ, n := string(b[off:off+4]), int(binary.BigEndian.Uint32(b[off+4:off+8]))
		if n < 8 || off+n > len(b) {
			t.Fatalf("icns entry %q at %d: length %d overruns", typ, off, n)
		}
		img, err := png.Decode(bytes.NewReader(b[off+8 : off+n]))
		if err != nil {
			t.Fatalf("icns entry %q: %v", typ, err)
		}
		if want, ok := sizes[typ]; !ok || img.Bounds().Dx() != want || img.Bounds().Dy() != want {
			t.Errorf("icns entry %q is %v, want %d px", typ, img.Bounds(), sizes[typ])
		}
		seen++
		off += n
	}
	if seen != len(icnsTypes) {
		t.Errorf("icns has %d entries, want %d", seen, len(icnsTypes))
	}
}

// plistString is the <string> after <key>key</key>.
func plistString(plist, key string) string {
	_, rest, ok := strings.Cut(plist, "<key>"+key+"</key>")
	if !ok {
		return ""
	}
	_, rest, ok = strings.Cut(rest, "<string>")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "</string>")
	return v
}

func matchLine(listing, pattern string) bool {
	re := regexp.MustCompile(pattern)
	for _, l := range strings.Split(listing, "\n") {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}
