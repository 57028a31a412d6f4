package autostart

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"strings"
)

// DesktopEntry renders the XDG autostart entry that starts exe to the tray
// (Desktop Entry Specification 1.4; Desktop Application Autostart
// Specification).
func DesktopEntry(exe string) string {
	return desktopEntry(desktopExec(exe), "Today's go-to-market moves, ranked; starts in the tray",
		"X-GNOME-Autostart-enabled=true\n")
}

// ApplicationEntry renders the application menu's entry
// (/usr/share/applications/caseyos.desktop in the .deb): the same entry
// as DesktopEntry, opening the window instead of the tray.
func ApplicationEntry(exe string) string {
	return desktopEntry(escapeString(quoteExecArg(exe)), "Today's go-to-market moves, ranked", "")
}

// desktopEntry is the entry both render: exec is the escaped Exec value,
// extra any keys one of them adds (whole lines).
func desktopEntry(exec, comment, extra string) string {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Version=1.4\n")
	b.WriteString("Name=CaseyOS\n")
	b.WriteString("Comment=" + escapeString(comment) + "\n")
	b.WriteString("Exec=" + exec + "\n")
	b.WriteString("Icon=caseyos\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("Categories=Office;\n")
	b.WriteString(extra)
	return b.String()
}

// desktopExec is the Exec value (escaped as a string value) that runs exe
// with TrayFlag.
func desktopExec(exe string) string {
	return escapeString(quoteExecArg(exe) + " " + TrayFlag)
}

// quoteExecArg quotes one argument by the Exec key's rules: an argument
// holding a reserved character goes in double quotes, where ", `, $ and \
// take a backslash; a literal % is written %%.
func quoteExecArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// escapeString escapes a string value of a desktop entry: backslash,
// newline, tab and carriage return.
func escapeString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// desktopKeys reads the [Desktop Entry] group's keys, raw (unescaped
// values are compared with what desktopExec renders, so both sides stay
// escaped).
func desktopKeys(b []byte) map[string]string {
	keys := map[string]string{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			in = line == "[Desktop Entry]"
			continue
		}
		if !in {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, seen := keys[k]; !seen {
			keys[k] = strings.TrimSpace(v)
		}
	}
	return keys
}

// LaunchAgent renders the launchd property list that starts exe to the
// tray at login.
func LaunchAgent(label, exe string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString(`<plist version="1.0">` + "\n<dict>\n")
	b.WriteString("\t<key>Label</key>\n\t<string>" + xmlText(label) + "</string>\n")
	b.WriteString("\t<key>ProgramArguments</key>\n\t<array>\n")
	for _, a := range []string{exe, TrayFlag} {
		b.WriteString("\t\t<string>" + xmlText(a) + "</string>\n")
	}
	b.WriteString("\t</array>\n")
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n")
	b.WriteString("\t<key>ProcessType</key>\n\t<string>Interactive</string>\n")
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
