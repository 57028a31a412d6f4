package app

import (
	"github.com/caseyos/caseyos/app/autostart"
)

// StartAtLoginDTO is whether the session starts CaseyOS (to its tray) at
// login, and the file that says so (an XDG autostart entry on Linux, a
// LaunchAgent on macOS).
type StartAtLoginDTO struct {
	On    bool   `json:"on"`
	Entry string `json:"entry"`
}

// StartAtLogin says whether the session starts CaseyOS at login: the
// truth is the entry on disk. An entry CaseyOS did not write is a
// conflict naming its file; an OS without autostart is unavailable.
func (svc *SettingsService) StartAtLogin() (StartAtLoginDTO, error) {
	l, err := autostart.Current()
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	path, err := l.Path()
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	on, err := l.Enabled()
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	return StartAtLoginDTO{On: on, Entry: path}, nil
}

// SetStartAtLogin writes (on) or removes (off) the login entry that opens
// this executable to its tray; a change is kept in the audit log.
func (svc *SettingsService) SetStartAtLogin(on bool, via string) (StartAtLoginDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	was, err := svc.StartAtLogin()
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	l, err := autostart.Current()
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	if err := l.Set(on); err != nil {
		return StartAtLoginDTO{}, err
	}
	now, err := svc.StartAtLogin()
	if err != nil {
		return StartAtLoginDTO{}, err
	}
	if now.On != was.On {
		if err := a.queue.Settings.NoteStartAtLogin(a.ctx, now.On, now.Entry, who); err != nil {
			return now, err
		}
	}
	return now, nil
}
