package hubspot

import (
	"strconv"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// msProp reads a date property: epoch ms or ISO 8601.
func msProp(v string) int64 {
	t := parseTime(v)
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func parseTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(n).UTC()
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Mapping from HubSpot records to the domain's.

func mapContact(o *hsObject) *backend.Contact {
	c := &backend.Contact{
		ID:             o.ID,
		Email:          strings.ToLower(o.prop("email")),
		Name:           strings.TrimSpace(o.prop("firstname") + " " + o.prop("lastname")),
		Title:          o.prop("jobtitle"),
		CompanyID:      o.prop("associatedcompanyid"),
		Lifecycle:      o.prop("lifecyclestage"),
		Timezone:       ianaZone(o.prop("hs_timezone")),
		XHandle:        backend.NormalizeHandle(o.prop("twitterhandle")),
		LastActivityAt: parseTime(o.prop("notes_last_updated")),
		UpdatedAt:      parseTime(o.prop("lastmodifieddate")),
		// Phones are free text in HubSpot, kept as given: dedupe reads
		// them in E.164 (and ignores "ask reception").
		Phone:     strings.TrimSpace(o.prop("phone")),
		Owner:     o.prop("hubspot_owner_id"), // the owner's id: HubSpot names owners apart
		CreatedAt: parseTime(o.prop("createdate")),
	}
	if c.Phone == "" {
		c.Phone = strings.TrimSpace(o.prop("mobilephone"))
	}
	if c.XHandle != "" && !backend.ValidHandle(c.XHandle) {
		c.XHandle = "" // free text in HubSpot ("see LinkedIn"): not a handle
	}
	if c.Email != "" && !backend.ValidEmail(c.Email) {
		c.Email = "" // HubSpot accepts addresses the domain does not; keep the contact
	}
	return c
}

// ianaZone turns hs_timezone ("america_slash_new_york") into an IANA name,
// or "" when it names no zone this machine knows.
func ianaZone(v string) string {
	if v == "" {
		return ""
	}
	if !strings.Contains(v, "/") {
		parts := strings.Split(strings.ReplaceAll(v, "_slash_", "/"), "/")
		for i, part := range parts {
			words := strings.Split(part, "_")
			for j, w := range words {
				if len(w) > 0 && w != "of" && w != "es" && w != "au" {
					words[j] = strings.ToUpper(w[:1]) + w[1:]
				}
			}
			parts[i] = strings.Join(words, "_")
		}
		v = strings.Join(parts, "/")
	}
	if _, err := time.LoadLocation(v); err != nil {
		return ""
	}
	return v
}

func mapCompany(o *hsObject) *backend.Company {
	c := &backend.Company{
		ID: o.ID, Name: o.prop("name"), Domain: o.prop("domain"), Industry: o.prop("industry"),
		Country: o.prop("country"), UpdatedAt: parseTime(o.prop("hs_lastmodifieddate")),
	}
	if n, err := strconv.ParseFloat(o.prop("numberofemployees"), 64); err == nil && n > 0 {
		c.Employees = int(n)
	}
	if f, err := strconv.ParseFloat(o.prop(propExpectedARR), 64); err == nil && f > 0 {
		c.ExpectedARR = f
	}
	if o.prop("hs_is_target_account") == "true" {
		c.Tags = []string{"target_account"}
	}
	return c
}

func mapDeal(o *hsObject) *backend.Deal {
	d := &backend.Deal{
		ID: o.ID, Name: o.prop("dealname"), Currency: o.prop("deal_currency_code"), Stage: o.prop("dealstage"),
		Pipeline: o.prop("pipeline"), CloseDate: parseTime(o.prop("closedate")),
		LastActivityAt: parseTime(o.prop("notes_last_updated")), UpdatedAt: parseTime(o.prop("hs_lastmodifieddate")),
	}
	if f, err := strconv.ParseFloat(o.prop("amount"), 64); err == nil && f > 0 {
		d.Amount = f
	}
	return d
}
