package main

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/app/autostart"
	"github.com/caseyos/caseyos/connectors/kws"
	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// Where the .deb installs things. connectors/kws looks for its models at
// ../share/caseyos/kws-models beside the executable; pocketsphinx's model
// comes from the pocketsphinx-en-us package, where connectors/sphinx
// looks first; the UI is embedded in the binary.
const (
	debBin       = "/usr/bin/caseyos"
	debDesktop   = "/usr/share/applications/" + autostart.DesktopFile
	debModels    = "/usr/share/caseyos/kws-models"
	debIconTheme = "/usr/share/icons/hicolor"
)

// runtimeDepends are what the app needs at run time beyond the libraries
// it links: pocketsphinx's US English model (the recognizer is linked
// statically, the model is data) and espeak-ng (spoken read-back runs the
// espeak-ng command).
var runtimeDepends = []string{"pocketsphinx-en-us", "espeak-ng"}

// recommends serve optional parts: the Secret Service that keeps
// credentials (go-keyring over D-Bus), the browser opener the Google
// sign-in uses (xdg-open), and the sound libraries the microphone loads
// at run time (miniaudio opens PulseAudio or ALSA with dlopen).
var recommends = []string{"gnome-keyring", "xdg-utils", "libpulse0 | libasound2"}

// sonamePackages names the Debian package of each shared library the
// binary may link (DT_NEEDED). A library missing here stops the build,
// so a new link is declared, not discovered by a user.
var sonamePackages = map[string]string{
	"libc.so.6":                      "libc6",
	"libm.so.6":                      "libc6",
	"libpthread.so.0":                "libc6",
	"libdl.so.2":                     "libc6",
	"libresolv.so.2":                 "libc6",
	"libglib-2.0.so.0":               "libglib2.0-0",
	"libgio-2.0.so.0":                "libglib2.0-0",
	"libgobject-2.0.so.0":            "libglib2.0-0",
	"libgtk-3.so.0":                  "libgtk-3-0",
	"libgdk-3.so.0":                  "libgtk-3-0",
	"libgdk_pixbuf-2.0.so.0":         "libgdk-pixbuf-2.0-0",
	"libwebkit2gtk-4.1.so.0":         "libwebkit2gtk-4.1-0",
	"libjavascriptcoregtk-4.1.so.0":  "libjavascriptcoregtk-4.1-0",
	"libsoup-3.0.so.0":               "libsoup-3.0-0",
	"libwebkit2gtk-4.0.so.37":        "libwebkit2gtk-4.0-37",
	"libjavascriptcoregtk-4.0.so.18": "libjavascriptcoregtk-4.0-18",
	"libsoup-2.4.so.1":               "libsoup2.4-1",
	"libayatana-appindicator3.so.1":  "libayatana-appindicator3-1",
	"libX11.so.6":                    "libx11-6",
	"libXtst.so.6":                   "libxtst6",
	"libXi.so.6":                     "libxi6",
}

// elfDepends reads the binary's linked libraries and the newest glibc
// symbol version it imports, and returns the Depends they make:
// "libc6 (>= 2.34)" and one package per library, sorted.
func elfDepends(bin string) ([]string, error) {
	f, err := elf.Open(bin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (the .deb needs the Linux desktop binary: make desktop-build)", bin, err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	syms, err := f.ImportedSymbols()
	if err != nil && len(libs) > 0 {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	var glibc []int
	for _, s := range syms {
		if v, ok := strings.CutPrefix(s.Version, "GLIBC_"); ok {
			if n := parseDotted(v); n != nil && slices.Compare(n, glibc) > 0 {
				glibc = n
			}
		}
	}
	return depends(libs, glibc)
}

// depends turns sonames and a minimum glibc (nil: none) into Depends.
func depends(sonames []string, glibc []int) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, so := range sonames {
		pkg, ok := sonamePackages[so]
		if !ok {
			return nil, fmt.Errorf("the binary links %s, which build/package does not know the Debian package of: add it to sonamePackages", so)
		}
		if !seen[pkg] {
			seen[pkg] = true
			out = append(out, pkg)
		}
	}
	for i, p := range out {
		if p == "libc6" && glibc != nil {
			parts := make([]string, len(glibc))
			for j, n := range glibc {
				parts[j] = strconv.Itoa(n)
			}
			out[i] = "libc6 (>= " + strings.Join(parts, ".") + ")"
		}
	}
	slices.Sort(out)
	return out, nil
}

func parseDotted(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// debSpec is one .deb to build.
type debSpec struct {
	Bin, Models, Icon string // the built binary, the kws model directory, the 512 px app icon
	Version, Arch     string // Debian upstream version, GOARCH
	Depends           []string
	MTime             time.Time // every file's time, for a reproducible package
	Out               string    // the directory the .deb goes to
}

// buildDeb writes the .deb and returns its path.
func buildDeb(s debSpec) (string, error) {
	stage, err := os.MkdirTemp("", "caseyos-package-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(stage)

	contents := files.Contents{
		{Source: s.Bin, Destination: debBin, FileInfo: &files.ContentFileInfo{Mode: 0o755}},
	}
	desktop := filepath.Join(stage, autostart.DesktopFile)
	if err := os.WriteFile(desktop, []byte(autostart.ApplicationEntry(debBin)), 0o644); err != nil {
		return "", err
	}
	contents = append(contents, &files.Content{Source: desktop, Destination: debDesktop, FileInfo: &files.ContentFileInfo{Mode: 0o644}})

	icons, err := writeIcons(s.Icon, filepath.Join(stage, "icons"), IconSizes)
	if err != nil {
		return "", err
	}
	for _, size := range IconSizes {
		dst := fmt.Sprintf("%s/%dx%d/apps/caseyos.png", debIconTheme, size, size)
		contents = append(contents, &files.Content{Source: icons[size], Destination: dst, FileInfo: &files.ContentFileInfo{Mode: 0o644}})
	}

	models, err := modelFiles(s.Models)
	if err != nil {
		return "", err
	}
	for _, m := range models {
		contents = append(contents, &files.Content{Source: m, Destination: debModels + "/" + filepath.Base(m), FileInfo: &files.ContentFileInfo{Mode: 0o644}})
	}

	info := nfpm.WithDefaults(&nfpm.Info{
		Name:          "caseyos",
		Arch:          s.Arch,
		Platform:      "linux",
		Version:       s.Version,
		VersionSchema: "none",
		Section:       "misc",
		Priority:      "optional",
		// A reserved domain (RFC 2606): no one's real address.
		Maintainer:  "CaseyOS <packaging@caseyos.invalid>",
		Vendor:      "CaseyOS",
		Homepage:    "https://github.com/caseyos/caseyos",
		Description: "Local-first command center for go-to-market\nTurns what happens in Gmail, Calendar, HubSpot and X into a short ranked\nlist of moves for today: a desktop window, a tray, a browser mode\n(caseyos serve) and a CLI, with offline voice commands.",
		MTime:       s.MTime,
		Overridables: nfpm.Overridables{
			Depends:    append(slices.Clone(s.Depends), runtimeDepends...),
			Recommends: recommends,
			Contents:   contents,
			Deb:        nfpm.Deb{Compression: "xz"},
		},
	})
	path := filepath.Join(s.Out, deb.Default.ConventionalFileName(info))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		os.Remove(path)
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", err
	}
	return path, nil
}

// modelFiles are the keyword classifier's two model files in dir.
func modelFiles(dir string) ([]string, error) {
	var out []string
	for _, name := range []string{kws.MelModelFile, kws.EmbeddingModelFile} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is missing: make voice-models fetches it", p)
		}
		out = append(out, p)
	}
	return out, nil
}
