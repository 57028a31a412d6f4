package app

import (
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// ConnectionsService is bound for the Connections view (the sync and
// transcription stores): accounts, sync, the webhook receiver and the online
// recognizer. It runs on the App's core and is bound as ConnectionsService.<Method>
// in the window and served as POST /api/ConnectionsService.<Method>
// (docs/api.md).
type ConnectionsService struct{ a *App }

// Connections lists the outside accounts, their state and their last sync.
func (svc *ConnectionsService) Connections() ([]ConnectionDTO, error) {
	a := svc.a
	out := make([]ConnectionDTO, 0, len(plannedAccounts)+len(a.connectors))
	seen := map[string]bool{}
	for _, c := range a.connectors {
		seen[c.Account], seen[c.Group] = true, true
		dto := ConnectionDTO{Account: c.Account, Label: c.Label, State: "not_connected", Detail: c.Detail, ConnectHint: c.Hint}
		st, found, err := a.syncStatus(c.Account)
		if err != nil {
			return nil, err
		}
		if found {
			s := toSyncStatusDTO(st)
			dto.State, dto.Sync = connectionState(st.State), &s
			if st.State == backend.SyncReconnect {
				dto.ConnectHint = c.Hint
			}
		}
		out = append(out, dto)
	}
	for _, p := range plannedAccounts {
		if !seen[p.Account] {
			out = append(out, p)
		}
	}
	return out, nil
}

// SyncNow asks for a pass of account ("" for every connected account) now
// and returns at once; the passes report through sync:status. An account
// connected from the command line while the app runs starts syncing here.
func (svc *ConnectionsService) SyncNow(account string) ([]SyncStatusDTO, error) {
	a := svc.a
	if account != "" {
		c, ok := a.connector(account)
		if !ok {
			return nil, backend.Errorf(backend.ENOTFOUND, "there is no account %q to sync", account)
		}
		if err := a.attach(c); err != nil {
			return nil, err
		}
	}
	if err := a.syncer.Kick(account); err != nil {
		return nil, err
	}
	return a.syncStatuses(account)
}

// SyncPass runs one pass of account ("" for every connected account) and
// returns when it is done. A failed pass is reported in its status, and
// as the error when every pass failed.
func (svc *ConnectionsService) SyncPass(account string) ([]SyncStatusDTO, error) {
	a := svc.a
	if account != "" {
		c, ok := a.connector(account)
		if !ok {
			return nil, backend.Errorf(backend.ENOTFOUND, "there is no account %q to sync", account)
		}
		if err := a.attach(c); err != nil {
			return nil, err
		}
	} else if n, err := a.loadAccounts(a.ctx); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, backend.Errorf(backend.ENOTFOUND, "no account is connected: run `caseyos connect hubspot --token-stdin`")
	}
	sts, err := a.syncer.SyncOnce(a.ctx, account)
	out := make([]SyncStatusDTO, 0, len(sts))
	for _, st := range sts {
		out = append(out, toSyncStatusDTO(st))
	}
	if err != nil && len(sts) == 0 {
		return out, err
	}
	return out, nil // a failed pass says so in its status
}

// Disconnect stops syncing account, forgets its cursor and status and
// removes its credentials from the keychain. What it already brought in
// stays.
func (svc *ConnectionsService) Disconnect(account string) (ConnectionDTO, error) {
	a := svc.a
	c, ok := a.connector(account)
	if !ok {
		return ConnectionDTO{}, backend.Errorf(backend.ENOTFOUND, "there is no account %q", account)
	}
	if err := a.syncer.Remove(account); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
		return ConnectionDTO{}, err
	}
	a.dropAccount(account)
	if a.secrets != nil {
		if err := a.secrets.Delete(account); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
			return ConnectionDTO{}, err
		}
	}
	if err := backend.ForgetSync(a.ctx, a.store, account); err != nil {
		return ConnectionDTO{}, err
	}
	a.events.Publish(backend.EventSyncStatus, SyncStatusDTO{Account: account, State: "not_connected"})
	return ConnectionDTO{Account: c.Account, Label: c.Label, State: "not_connected", Detail: c.Detail, ConnectHint: c.Hint}, nil
}

// ConnectWebhook stores the webhook secret in the keychain (it never comes
// back) and the receiver uses it from the next request: the old one is
// refused at once.
func (svc *ConnectionsService) ConnectWebhook(secret string) (WebhookDTO, error) {
	a := svc.a
	if a.secrets == nil {
		return WebhookDTO{}, backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain to keep credentials in")
	}
	if err := CheckWebhookSecret(secret); err != nil {
		return WebhookDTO{}, err
	}
	defer a.forgetWebhookSecret()
	if err := a.secrets.Set(WebhookSecretAccount, secret); err != nil {
		return WebhookDTO{}, err
	}
	return WebhookDTO{Addr: a.webhookAddr, HasSecret: true}, nil
}

// DisconnectWebhook removes the webhook secret: from the next request the
// receiver refuses every webhook.
func (svc *ConnectionsService) DisconnectWebhook() (WebhookDTO, error) {
	a := svc.a
	if a.secrets == nil {
		return WebhookDTO{}, backend.Errorf(backend.EUNAVAILABLE, "this build of CaseyOS has no keychain")
	}
	defer a.forgetWebhookSecret()
	if err := a.secrets.Delete(WebhookSecretAccount); err != nil && backend.ErrorCode(err) != backend.ENOTFOUND {
		return WebhookDTO{}, err
	}
	return WebhookDTO{Addr: a.webhookAddr}, nil
}

// Transcription returns the online recognizer's configuration.
func (svc *ConnectionsService) Transcription() (TranscriptionDTO, error) {
	a := svc.a
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	t := st.Transcription
	out := TranscriptionDTO{URL: t.URL, Model: t.Model, TimeoutMS: t.Timeout.Milliseconds()}
	if t.Configured() {
		key, err := transcriptionKey(a.secrets)
		out.HasKey = err == nil && key != ""
	}
	return out, nil
}

// ConfigureTranscription sets the online recognizer (a URL of "" removes
// it); voice hears with it from the next utterance. The key is stored in
// the keychain beforehand (`caseyos connect whisper --key-stdin`).
func (svc *ConnectionsService) ConfigureTranscription(in TranscriptionDTO, via string) (TranscriptionDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	if err := a.setTranscription(in.Transcription(), who); err != nil {
		return TranscriptionDTO{}, err
	}
	return svc.Transcription()
}

// ConnectTranscription sets the online recognizer from Settings as
// `caseyos connect whisper` does: it first sends the endpoint a second of
// silence (unless check is false), so that a wrong URL, model or key is
// refused before anything is stored; then key goes to the keychain (never
// to the data file, an error or the audit log) and the endpoint to your
// own workspace. An empty key with in.HasKey keeps the key already stored
// for the same URL; otherwise an empty key means none, and a stored one is
// removed so that it never goes to another endpoint. With the demo
// workspace open, the endpoint goes to your own workspace (created if
// need be) and Notice says to restart: the demo is not left silently.
func (svc *ConnectionsService) ConnectTranscription(in TranscriptionDTO, key string, check bool, via string) (TranscriptionDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	key = strings.TrimSpace(key)
	if len(key) > MaxSecret {
		return TranscriptionDTO{}, backend.Errorf(backend.EINVALID, "the API key is longer than any key an endpoint issues")
	}
	t := in.Transcription()
	t.URL = strings.TrimRight(strings.TrimSpace(t.URL), "/")
	t.Model = strings.TrimSpace(t.Model)
	if t.URL == "" {
		return TranscriptionDTO{}, backend.Errorf(backend.EINVALID, "the online recognizer needs a URL: https://api.openai.com/v1, or your whisper.cpp server's, e.g. http://127.0.0.1:8080/v1")
	}
	st, err := a.queue.Settings.Get(a.ctx)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	tc := transcriptionConnect{t: t, key: key, check: check, keep: key == "" && in.HasKey && st.Transcription.URL == t.URL}
	var notice string
	name, hasKey, err := tc.run(a.ctx, a.voice.env, a.secrets, func() error {
		var err error
		notice, err = a.setOwnTranscription(t, who, true)
		return err
	})
	if err != nil {
		return TranscriptionDTO{}, err
	}
	if notice == "" {
		// The recognizers are ready now, so that the voice status shows the
		// endpoint at once and the first command does not wait on loading.
		_, _ = a.recognizer()
		a.voiceIdleSoon() // voice is not on: they go again after the grace period
		a.publishVoice()
	}
	out, err := svc.Transcription()
	if err != nil {
		return TranscriptionDTO{}, err
	}
	if notice != "" {
		// The open (demo) workspace is unchanged; say what was saved.
		out = TranscriptionDTO{URL: t.URL, Model: t.Model, TimeoutMS: t.Timeout.Milliseconds(), HasKey: hasKey}
	}
	out.Name, out.Notice = name, notice
	return out, nil
}

// DisconnectTranscription removes the online recognizer and its key, as
// `caseyos disconnect whisper` does: voice is offline again and sends
// nothing anywhere.
func (svc *ConnectionsService) DisconnectTranscription(via string) (TranscriptionDTO, error) {
	a := svc.a
	who, err := actor(via)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	if err := RemoveTranscriptionKey(a.secrets); err != nil {
		return TranscriptionDTO{}, err
	}
	notice, err := a.setOwnTranscription(backend.Transcription{}, who, false)
	if err != nil {
		return TranscriptionDTO{}, err
	}
	if notice != "" {
		// The demo's own setting goes too, wherever it came from.
		if err := a.setTranscription(backend.Transcription{}, who); err != nil {
			return TranscriptionDTO{}, err
		}
	}
	out, err := svc.Transcription()
	out.Notice = notice
	return out, err
}
