package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplicationEntry_ExecOpensTheWindowNotTheTray(t *testing.T) {
	for _, exe := range []string{"/usr/bin/caseyos", "/home/casey/My Apps/caseyos", `/opt/we"ird/$HOME/100%/caseyos`} {
		entry := ApplicationEntry(exe)
		keys := desktopKeys([]byte(entry))
		got := parseExec(t, keys["Exec"])
		if len(got) != 1 || got[0] != exe {
			t.Errorf("exe %q: Exec=%s parses to %q, want [%q]", exe, keys["Exec"], got, exe)
		}
		for k, want := range map[string]string{"Type": "Application", "Name": "CaseyOS", "Icon": "caseyos", "Terminal": "false"} {
			if keys[k] != want {
				t.Errorf("exe %q: %s=%q, want %q", exe, k, keys[k], want)
			}
		}
		if _, ok := keys["X-GNOME-Autostart-enabled"]; ok {
			t.Errorf("exe %q: the menu entry carries the autostart key: %q", exe, entry)
		}
		if keys["Comment"] == "" || strings.Contains(keys["Comment"], "tray") {
			t.Errorf("exe %q: Comment=%q, want one that does not promise the tray", exe, keys["Comment"])
		}
		if !strings.HasPrefix(entry, "[Desktop Entry]\n") {
			t.Errorf("entry does not start with its group: %q", entry)
		}
	}
}

// The autostart entry and the menu entry come from one renderer: they
// differ only in what the login adds.
func TestApplicationEntry_SharesTheAutostartEntrysKeys(t *testing.T) {
	app, login := desktopKeys([]byte(ApplicationEntry("/usr/bin/caseyos"))), desktopKeys([]byte(DesktopEntry("/usr/bin/caseyos")))
	for k, v := range login {
		switch k {
		case "Exec", "Comment", "X-GNOME-Autostart-enabled":
			continue
		}
		if app[k] != v {
			t.Errorf("%s: menu entry %q, autostart entry %q", k, app[k], v)
		}
	}
}

func TestApplicationEntry_PassesDesktopFileValidate(t *testing.T) {
	bin, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
	}
	for _, exe := range []string{"/usr/bin/caseyos", "/home/casey/My Apps/caseyos"} {
		path := filepath.Join(t.TempDir(), DesktopFile)
		if err := os.WriteFile(path, []byte(ApplicationEntry(exe)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, path).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("exe %q: desktop-file-validate: %v\n%s", exe, err, out)
		}
	}
}
