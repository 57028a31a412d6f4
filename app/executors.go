package app

import (
	"context"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// A connected account's client is both its poller and, for the kinds it
// serves, a capability the actions use: the Gmail client is the Mailbox,
// the Calendar client the Calendar, HubSpot's the CRM. execWiring keeps
// the queue's executors in step with the accounts the syncer runs.
type execWiring struct {
	mu       sync.Mutex
	base     []backend.Executor // from Options (the local note action …)
	accounts map[string]*lazyPoller
}

// useAccount makes p's client carry out the moves its capabilities serve.
func (a *App) useAccount(p *lazyPoller) {
	a.exec.mu.Lock()
	if a.exec.accounts == nil {
		a.exec.accounts = map[string]*lazyPoller{}
	}
	a.exec.accounts[p.Account()] = p
	a.exec.mu.Unlock()
	a.rewire()
}

// dropAccount stops using a disconnected account's client.
func (a *App) dropAccount(account string) {
	a.exec.mu.Lock()
	delete(a.exec.accounts, account)
	a.exec.mu.Unlock()
	a.rewire()
}

// rewire rebuilds the executors from the base ones and the capabilities of
// the accounts' clients. A client that cannot be built yet (no secret) is
// asked again on the next call through the lazy capability.
func (a *App) rewire() {
	a.exec.mu.Lock()
	defer a.exec.mu.Unlock()
	var caps backend.Capabilities
	owner := ""
	for _, p := range a.exec.accounts {
		inner, err := p.get()
		if err != nil {
			continue
		}
		if o := ownerAddressOf(inner); o != "" && owner == "" {
			owner = o
		}
		if _, ok := inner.(backend.Mailbox); ok && caps.Mailbox == nil {
			caps.Mailbox = lazyMailbox{p}
		}
		if _, ok := inner.(backend.Calendar); ok && caps.Calendar == nil {
			caps.Calendar = lazyCalendar{p}
		}
		if _, ok := inner.(backend.CRM); ok && caps.CRM == nil {
			caps.CRM = lazyCRM{p}
		}
		if _, ok := inner.(backend.SocialFeed); ok && caps.Social == nil {
			caps.Social = lazySocial{p}
		}
	}
	execs := append([]backend.Executor{}, a.exec.base...)
	for _, e := range backend.NewActions(caps) {
		if _, local := e.(backend.LocalExecutor); !local || len(a.exec.base) == 0 {
			execs = append(execs, e)
		}
	}
	a.queue.Executions.SetExecutors(execs...)
	// Without Settings.OwnerEmail, the connected account's address is the
	// owner's: never invited, never a recipient.
	a.queue.SetOwnerAddress(owner)
	// The draft worker offers the calendar's free slots in reply drafts.
	a.queue.Model.SetCalendar(caps.Calendar)
	if caps.Calendar != nil {
		_ = a.queue.Model.Backfill(context.Background(), modelBackfill)
	}
}

// ownerAddressOf is the address a connected client knows as its owner's
// (the Gmail mailbox, the Google Calendar), without a request; "" when it
// knows none.
func ownerAddressOf(client any) string {
	if o, ok := client.(interface{ OwnerAddress() string }); ok {
		return o.OwnerAddress()
	}
	return ""
}

// inner returns the account's client as T, rebuilding it from the
// keychain when a reconnect replaced it.
func innerAs[T any](p *lazyPoller) (T, error) {
	var zero T
	inner, err := p.get()
	if err != nil {
		return zero, err
	}
	v, ok := inner.(T)
	if !ok {
		return zero, backend.Errorf(backend.EUNAVAILABLE, "the %s account cannot do this", p.c.Label)
	}
	return v, nil
}

type lazyMailbox struct{ p *lazyPoller }

func (l lazyMailbox) Send(ctx context.Context, m backend.OutgoingEmail) (backend.SentEmail, error) {
	c, err := innerAs[backend.Mailbox](l.p)
	if err != nil {
		return backend.SentEmail{}, err
	}
	return c.Send(ctx, m)
}

func (l lazyMailbox) CreateDraft(ctx context.Context, m backend.OutgoingEmail) (backend.SentEmail, error) {
	c, err := innerAs[backend.Mailbox](l.p)
	if err != nil {
		return backend.SentEmail{}, err
	}
	return c.CreateDraft(ctx, m)
}

func (l lazyMailbox) DeleteDraft(ctx context.Context, id string) error {
	c, err := innerAs[backend.Mailbox](l.p)
	if err != nil {
		return err
	}
	return c.DeleteDraft(ctx, id)
}

func (l lazyMailbox) FindSent(ctx context.Context, id string) (backend.SentEmail, bool, error) {
	c, err := innerAs[backend.Mailbox](l.p)
	if err != nil {
		return backend.SentEmail{}, false, err
	}
	return c.FindSent(ctx, id)
}

// Address is the mailbox's own address, for our Message-ID's domain.
func (l lazyMailbox) Address(ctx context.Context) (string, error) {
	c, err := innerAs[interface {
		Address(context.Context) (string, error)
	}](l.p)
	if err != nil {
		return "", err
	}
	return c.Address(ctx)
}

type lazyCalendar struct{ p *lazyPoller }

func (l lazyCalendar) FreeBusy(ctx context.Context, from, to time.Time, who []string) (map[string][]backend.Busy, error) {
	c, err := innerAs[backend.Calendar](l.p)
	if err != nil {
		return nil, err
	}
	return c.FreeBusy(ctx, from, to, who)
}

func (l lazyCalendar) InsertEvent(ctx context.Context, e backend.NewEvent) (string, error) {
	c, err := innerAs[backend.Calendar](l.p)
	if err != nil {
		return "", err
	}
	return c.InsertEvent(ctx, e)
}

func (l lazyCalendar) CancelEvent(ctx context.Context, id string) error {
	c, err := innerAs[backend.Calendar](l.p)
	if err != nil {
		return err
	}
	return c.CancelEvent(ctx, id)
}

type lazyCRM struct{ p *lazyPoller }

func (l lazyCRM) CreateTask(ctx context.Context, t backend.NewTask) (string, error) {
	c, err := innerAs[backend.CRM](l.p)
	if err != nil {
		return "", err
	}
	return c.CreateTask(ctx, t)
}

func (l lazyCRM) DeleteTask(ctx context.Context, id string) error {
	c, err := innerAs[backend.CRM](l.p)
	if err != nil {
		return err
	}
	return c.DeleteTask(ctx, id)
}

func (l lazyCRM) UpdateDealStage(ctx context.Context, dealID, stage string) error {
	c, err := innerAs[backend.CRM](l.p)
	if err != nil {
		return err
	}
	return c.UpdateDealStage(ctx, dealID, stage)
}

func (l lazyCRM) MergeContacts(ctx context.Context, primary, merge string) (string, error) {
	c, err := innerAs[backend.CRM](l.p)
	if err != nil {
		return "", err
	}
	return c.MergeContacts(ctx, primary, merge)
}

// FindTaskByKey passes through to a CRM that can find tasks by our key.
func (l lazyCRM) FindTaskByKey(ctx context.Context, key string) (string, bool, error) {
	c, err := innerAs[backend.TaskFinder](l.p)
	if err != nil {
		return "", false, backend.Errorf(backend.ECONFLICT, "the CRM cannot be asked whether the task was created: check it before trying again")
	}
	return c.FindTaskByKey(ctx, key)
}

type lazySocial struct{ p *lazyPoller }

func (l lazySocial) Reply(ctx context.Context, postID, text string) (string, error) {
	c, err := innerAs[backend.SocialFeed](l.p)
	if err != nil {
		return "", err
	}
	return c.Reply(ctx, postID, text)
}

func (l lazySocial) DeletePost(ctx context.Context, id string) error {
	c, err := innerAs[backend.SocialFeed](l.p)
	if err != nil {
		return err
	}
	return c.DeletePost(ctx, id)
}

// Like, Unlike and FindReply pass through to an X client that can; the
// action asks for them on every Social capability.
func (l lazySocial) Like(ctx context.Context, postID string) error {
	c, err := innerAs[backend.SocialLiker](l.p)
	if err != nil {
		return err
	}
	return c.Like(ctx, postID)
}

func (l lazySocial) Unlike(ctx context.Context, postID string) error {
	c, err := innerAs[backend.SocialLiker](l.p)
	if err != nil {
		return err
	}
	return c.Unlike(ctx, postID)
}

func (l lazySocial) FindReply(ctx context.Context, postID, text string) (string, bool, error) {
	c, err := innerAs[backend.ReplyFinder](l.p)
	if err != nil {
		return "", false, backend.Errorf(backend.ECONFLICT, "X cannot be asked whether the reply to post %s went out: check it before trying again", postID)
	}
	return c.FindReply(ctx, postID, text)
}
