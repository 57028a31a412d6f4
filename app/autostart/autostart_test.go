package autostart

import (
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// parseExec splits a desktop entry's raw Exec value into arguments by the
// Desktop Entry Specification: first the string-value escapes, then the
// Exec quoting, then %% for a literal %. Written from the spec, not from
// render.go.
func parseExec(t *testing.T, raw string) []string {
	t.Helper()
	// String-value escapes.
	var v strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			v.WriteByte(c)
			continue
		}
		i++
		if i == len(raw) {
			t.Fatalf("Exec %q ends in a lone backslash", raw)
		}
		switch raw[i] {
		case 's':
			v.WriteByte(' ')
		case 'n':
			v.WriteByte('\n')
		case 't':
			v.WriteByte('\t')
		case 'r':
			v.WriteByte('\r')
		case '\\':
			v.WriteByte('\\')
		default:
			t.Fatalf("Exec %q: unknown escape \\%c", raw, raw[i])
		}
	}
	s := v.String()
	var args []string
	var cur strings.Builder
	have, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\':
			i++
			if i == len(s) || !strings.ContainsRune("\"`$\\", rune(s[i])) {
				t.Fatalf("Exec %q: bad escape inside quotes", s)
			}
			cur.WriteByte(s[i])
		case quoted && c == '"':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '"':
			quoted, have = true, true
		case c == ' ':
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		case strings.ContainsRune("\t\n'\\><~|&;$*?#()`", rune(c)):
			t.Fatalf("Exec %q: reserved %q outside quotes", s, c)
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if quoted {
		t.Fatalf("Exec %q: unterminated quote", s)
	}
	if have {
		args = append(args, cur.String())
	}
	for i, a := range args {
		if strings.Contains(strings.ReplaceAll(a, "%%", ""), "%") {
			t.Fatalf("Exec %q: field code or lone %% in %q", s, a)
		}
		args[i] = strings.ReplaceAll(a, "%%", "%")
	}
	return args
}

func TestDesktopEntry_ExecRunsTheExecutableToTheTray(t *testing.T) {
	for _, exe := range []string{
		"/usr/bin/caseyos",
		"/home/casey/My Apps/caseyos",
		`/opt/we"ird/$HOME/back\slash/100%/caseyos`,
		"/tmp/tab\there/caseyos",
		"/srv/(x)&y;z|`w`/~c*?#<>/caseyos",
	} {
		entry := DesktopEntry(exe)
		keys := desktopKeys([]byte(entry))
		got := parseExec(t, keys["Exec"])
		if len(got) != 2 || got[0] != exe || got[1] != TrayFlag {
			t.Errorf("exe %q: Exec=%s parses to %q, want [%q %q]", exe, keys["Exec"], got, exe, TrayFlag)
		}
		for k, want := range map[string]string{"Type": "Application", "Name": "CaseyOS", "Icon": "caseyos", "X-GNOME-Autostart-enabled": "true"} {
			if keys[k] != want {
				t.Errorf("exe %q: %s=%q, want %q", exe, k, keys[k], want)
			}
		}
		if keys["Comment"] == "" {
			t.Errorf("exe %q: no Comment", exe)
		}
		if !strings.HasPrefix(entry, "[Desktop Entry]\n") {
			t.Errorf("entry does not start with its group: %q", entry)
		}
	}
}

func TestDesktopEntry_PassesDesktopFileValidate(t *testing.T) {
	bin, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
	}
	for _, exe := range []string{"/usr/bin/caseyos", "/home/casey/My Apps/caseyos", `/opt/a"b$c\d/caseyos`} {
		path := filepath.Join(t.TempDir(), DesktopFile)
		if err := os.WriteFile(path, []byte(DesktopEntry(exe)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, path).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("exe %q: desktop-file-validate: %v\n%s", exe, err, out)
		}
	}
}

func TestLaunchAgent_RunsTheExecutableToTheTrayAtLoad(t *testing.T) {
	exe := "/Applications/Casey & Co <beta>.app/Contents/MacOS/caseyos"
	var plist struct {
		Dict struct {
			Items []struct {
				XMLName xml.Name
				Value   string   `xml:",chardata"`
				Strings []string `xml:"string"`
			} `xml:",any"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(LaunchAgent(Label, exe)), &plist); err != nil {
		t.Fatalf("the plist is not XML: %v", err)
	}
	got := map[string]string{}
	var args []string
	items := plist.Dict.Items
	for i := 0; i+1 < len(items); i += 2 {
		if items[i].XMLName.Local != "key" {
			t.Fatalf("item %d is <%s>, want <key>", i, items[i].XMLName.Local)
		}
		k, v := items[i].Value, items[i+1]
		got[k] = v.XMLName.Local + ":" + strings.TrimSpace(v.Value)
		if k == "ProgramArguments" {
			args = v.Strings
		}
	}
	if got["Label"] != "string:"+Label || got["RunAtLoad"] != "true:" {
		t.Errorf("Label, RunAtLoad = %q, %q", got["Label"], got["RunAtLoad"])
	}
	if len(args) != 2 || args[0] != exe || args[1] != TrayFlag {
		t.Errorf("ProgramArguments = %q, want [%q %q]", args, exe, TrayFlag)
	}
}

func linuxLogin(t *testing.T) *Login {
	t.Helper()
	return &Login{GOOS: "linux", Home: t.TempDir(), ConfigDir: t.TempDir(), Exe: "/opt/Case OS/caseyos"}
}

func TestLogin_EnableWritesAndDisableRemovesTheEntry(t *testing.T) {
	l := linuxLogin(t)
	path := filepath.Join(l.ConfigDir, "autostart", DesktopFile)
	if on, err := l.Enabled(); err != nil || on {
		t.Fatalf("before: Enabled = %v, %v", on, err)
	}
	if err := l.Enable(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no entry after Enable: %v", err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if string(b) != DesktopEntry(l.Exe) {
		t.Errorf("entry = %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if on, err := l.Enabled(); err != nil || !on {
		t.Fatalf("after Enable: Enabled = %v, %v", on, err)
	}
	if err := l.Enable(); err != nil { // twice is fine
		t.Fatal(err)
	}
	if err := l.Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("entry still there after Disable: %v", err)
	}
	if err := l.Disable(); err != nil { // nothing to remove is fine
		t.Fatal(err)
	}
	if on, err := l.Enabled(); err != nil || on {
		t.Fatalf("after Disable: Enabled = %v, %v", on, err)
	}
}

func TestLogin_PathFollowsXDGConfigHome(t *testing.T) {
	l := &Login{GOOS: "linux", Home: "/home/c", ConfigDir: "/cfg"}
	if p, _ := l.Path(); p != "/cfg/autostart/caseyos.desktop" {
		t.Errorf("Path = %q", p)
	}
	for _, dir := range []string{"", "relative/cfg"} {
		l.ConfigDir = dir
		if p, _ := l.Path(); p != "/home/c/.config/autostart/caseyos.desktop" {
			t.Errorf("ConfigDir %q: Path = %q", dir, p)
		}
	}
	l.GOOS = "darwin"
	if p, _ := l.Path(); p != "/home/c/Library/LaunchAgents/com.caseyos.desktop.plist" {
		t.Errorf("darwin Path = %q", p)
	}
}

func TestLogin_ForeignEntryIsReportedNeverOverwrittenOrRemoved(t *testing.T) {
	l := linuxLogin(t)
	path := filepath.Join(l.ConfigDir, "autostart", DesktopFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	theirs := "[Desktop Entry]\nType=Application\nName=CaseyOS\nExec=/usr/bin/caseyos --data-dir /mnt/work\n"
	if err := os.WriteFile(path, []byte(theirs), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"Enabled": func() error { _, err := l.Enabled(); return err },
		"Enable":  l.Enable,
		"Disable": l.Disable,
	} {
		err := f()
		if backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(backend.ErrorMessage(err), path) {
			t.Errorf("%s: err = %v, want a conflict naming %s", name, err, path)
		}
		if b, _ := os.ReadFile(path); string(b) != theirs {
			t.Fatalf("%s changed the user's entry: %q", name, b)
		}
	}
}

func TestLogin_EntrySwitchedOffElsewhereReadsAsOff(t *testing.T) {
	l := linuxLogin(t)
	if err := l.Enable(); err != nil {
		t.Fatal(err)
	}
	path, _ := l.Path()
	for _, off := range []string{"X-GNOME-Autostart-enabled=false", "Hidden=true"} {
		b := strings.Replace(DesktopEntry(l.Exe), "X-GNOME-Autostart-enabled=true", off, 1)
		if err := os.WriteFile(path, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
		if on, err := l.Enabled(); err != nil || on {
			t.Errorf("%s: Enabled = %v, %v, want off", off, on, err)
		}
		if err := l.Enable(); err != nil {
			t.Fatal(err)
		}
		if on, _ := l.Enabled(); !on {
			t.Errorf("%s: Enable did not switch it back on", off)
		}
	}
}

func TestLogin_DarwinWritesTheLaunchAgent(t *testing.T) {
	l := &Login{GOOS: "darwin", Home: t.TempDir(), Exe: "/Applications/CaseyOS.app/Contents/MacOS/caseyos"}
	if err := l.Enable(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(l.Home, "Library", "LaunchAgents", Label+".plist"))
	if err != nil || string(b) != LaunchAgent(Label, l.Exe) {
		t.Fatalf("plist = %q, %v", b, err)
	}
	if on, err := l.Enabled(); err != nil || !on {
		t.Fatalf("Enabled = %v, %v", on, err)
	}
	if err := l.Disable(); err != nil {
		t.Fatal(err)
	}
	if on, err := l.Enabled(); err != nil || on {
		t.Fatalf("after Disable: Enabled = %v, %v", on, err)
	}
}

func TestLogin_OtherOSIsNotSupported(t *testing.T) {
	l := &Login{GOOS: "windows", Home: t.TempDir(), Exe: `C:\caseyos.exe`}
	for name, f := range map[string]func() error{
		"Enabled": func() error { _, err := l.Enabled(); return err },
		"Enable":  l.Enable,
		"Disable": l.Disable,
	} {
		if err := f(); backend.ErrorCode(err) != backend.EUNAVAILABLE || !strings.Contains(backend.ErrorMessage(err), "not supported on windows") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
