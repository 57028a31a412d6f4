package hubspot

import (
	"context"
	"net/http"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

var _ backend.CRMEraser = (*Client)(nil)

// GDPRDeleteContact deletes the contact with this email address from
// HubSpot for good (POST /crm/v3/objects/contacts/gdpr-delete with
// idProperty email): unlike archiving, HubSpot keeps nothing of it, its
// history included. ENOTFOUND when HubSpot has no contact with it.
func (c *Client) GDPRDeleteContact(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if !backend.ValidEmail(email) {
		return backend.Errorf(backend.EINVALID, "%q is not an email address", email)
	}
	_, err := c.do(ctx, "hubspot.gdpr_delete", http.MethodPost, "/crm/v3/objects/contacts/gdpr-delete", nil,
		map[string]string{"objectId": email, "idProperty": "email"}, nil)
	return err
}
