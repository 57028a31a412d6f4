package app

import "github.com/caseyos/caseyos/backend"

// NotificationsService is Settings' "Notifications" section beyond the
// settings themselves (which SettingsService saves): the test button.
type NotificationsService struct{ a *App }

// SendTestNotification shows a sample notification, as Settings' "Send a
// test notification" does; EUNAVAILABLE where none can be shown (browser
// mode, no notification server).
func (svc *NotificationsService) SendTestNotification() (string, error) {
	a := svc.a
	a.notify.mu.Lock()
	n := a.notify.client
	a.notify.mu.Unlock()
	if n == nil {
		return "", backend.Errorf(backend.EUNAVAILABLE, "notifications are shown by the desktop app; none are running here")
	}
	err := n.Notify(a.ctx, backend.Notification{Kind: backend.NotifyHotMove, Title: "CaseyOS test notification",
		Body: "This is how a hot move, a failed send, the outbox going out or the kill switch will reach you."})
	if err != nil {
		return "", err
	}
	return "Sent: it should be on your screen now.", nil
}
