package hubspottest

import (
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Demo form guids.
const (
	DemoFormNewsletter = "5d1c3c0e-6a59-4c0f-9a51-1f0e2b7a0001"
	DemoFormPricing    = "5d1c3c0e-6a59-4c0f-9a51-1f0e2b7a0002"
	DemoFormDemo       = "5d1c3c0e-6a59-4c0f-9a51-1f0e2b7a0003"
)

// DemoSeed is the HubSpot part of the demo workspace
// (backend/demo/scenario.jsonl): the same ids, names, amounts, stages and
// times relative to now, so that the demo's HubSpot signals can arrive
// through the real connector. Two facts of the scenario have no HubSpot
// home and are left out: the "strategic" tag on Helix Bank and the
// contact.duplicate signal, which CaseyOS derives itself.
func DemoSeed(now time.Time) Seed {
	d := func(days int) time.Time { return now.Add(time.Duration(days) * 24 * time.Hour) }
	h := func(hours int) time.Time { return now.Add(time.Duration(hours) * time.Hour) }
	created := d(-60)
	companies := []Company{
		{ID: "co-northwind", Name: "Northwind Analytics", Domain: "northwind.io", Industry: "SaaS", Employees: 240, Country: "US", ExpectedARR: 48000, TargetAccount: true},
		{ID: "co-ledgerly", Name: "Ledgerly", Domain: "ledgerly.com", Industry: "Fintech", Employees: 520, Country: "UK", TargetAccount: true},
		{ID: "co-brightpath", Name: "Brightpath Health", Domain: "brightpath.health", Industry: "Healthcare", Employees: 1800, Country: "US"},
		{ID: "co-quarry", Name: "Quarry Labs", Domain: "quarrylabs.dev", Industry: "Developer Tools", Employees: 35, Country: "DE"},
		{ID: "co-finch", Name: "Finch Payments", Domain: "finchpay.com", Industry: "Fintech", Employees: 140, Country: "US"},
		{ID: "co-orbital", Name: "Orbital Retail", Domain: "orbitalretail.com", Industry: "Retail", Employees: 3000, Country: "CA"},
		{ID: "co-helix", Name: "Helix Bank", Domain: "helixbank.com", Industry: "Fintech", Employees: 4000, Country: "US", ExpectedARR: 85000},
		{ID: "co-verdant", Name: "Verdant Schools", Domain: "verdantschools.org", Industry: "Education", Employees: 600, Country: "US", ExpectedARR: 6000},
		{ID: "co-cobalt", Name: "Cobalt Cloud", Domain: "cobaltcloud.io", Industry: "SaaS", Employees: 60, Country: "UK"},
	}
	for i := range companies {
		companies[i].CreatedAt = created
	}
	contacts := []Contact{
		{ID: "1001", Email: "dana@northwind.io", FirstName: "Dana", LastName: "Whitfield", JobTitle: "VP Engineering", CompanyID: "co-northwind", Lifecycle: "opportunity", Timezone: "America/New_York"},
		{ID: "1002", Email: "tom.ashby@ledgerly.com", FirstName: "Tom", LastName: "Ashby", JobTitle: "CTO", CompanyID: "co-ledgerly", Lifecycle: "customer", Timezone: "Europe/London"},
		{ID: "1003", Email: "maya.chen@brightpath.health", FirstName: "Maya", LastName: "Chen", JobTitle: "Director of Platform Engineering", CompanyID: "co-brightpath", Lifecycle: "opportunity", Timezone: "America/Chicago"},
		{ID: "1004", Email: "jonas@quarrylabs.dev", FirstName: "Jonas", LastName: "Weber", JobTitle: "Co-founder", CompanyID: "co-quarry", Lifecycle: "opportunity", Timezone: "Europe/Berlin"},
		{ID: "1005", Email: "priya@finchpay.com", FirstName: "Priya", LastName: "Raman", JobTitle: "Head of Engineering", CompanyID: "co-finch", Lifecycle: "opportunity", Timezone: "America/Los_Angeles"},
		{ID: "1008", Email: "rachel.kim@helixbank.com", FirstName: "Rachel", LastName: "Kim", JobTitle: "Director of Developer Experience", CompanyID: "co-helix", Lifecycle: "customer", Timezone: "America/New_York"},
		{ID: "1009", Email: "mark.ellis@verdantschools.org", FirstName: "Mark", LastName: "Ellis", JobTitle: "IT Coordinator", CompanyID: "co-verdant", Lifecycle: "lead", Timezone: "America/Phoenix"},
		{ID: "1010", Email: "emma.clarke@cobaltcloud.io", FirstName: "Emma", LastName: "Clarke", JobTitle: "Staff Engineer", CompanyID: "co-cobalt", Lifecycle: "opportunity", Timezone: "Europe/London"},
		{ID: "1011", Email: "oliver@cobaltcloud.io", FirstName: "Oliver", LastName: "Grant", JobTitle: "CTO", CompanyID: "co-cobalt", Lifecycle: "opportunity", Timezone: "Europe/London"},
	}
	for i := range contacts {
		contacts[i].CreatedAt = created
	}
	// The newsletter signup made Priya a second contact under her own
	// address, which the demo's merge move folds into 1005.
	contacts = append(contacts, Contact{ID: "1012", Email: "priya.raman@gmail.com", FirstName: "Priya", LastName: "R.", Lifecycle: "subscriber", CreatedAt: d(-35)})
	// Lena joined Northwind's evaluation two days ago (the scenario's
	// northwind-new-contact).
	contacts = append(contacts, Contact{ID: "1013", Email: "lena.ortiz@northwind.io", FirstName: "Lena", LastName: "Ortiz", JobTitle: "Head of Developer Productivity",
		CompanyID: "co-northwind", Lifecycle: "lead", Timezone: "America/New_York", CreatedAt: d(-2)})
	st := func(pairs ...any) []StageChange {
		var out []StageChange
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, StageChange{Stage: pairs[i].(string), At: pairs[i+1].(time.Time)})
		}
		return out
	}
	deals := []Deal{
		{ID: "9001", Name: "Northwind — Team plan", Amount: 48000, CloseDate: d(30), CompanyID: "co-northwind", ContactIDs: []string{"1001"},
			// The demo ahead is booked on a quarter hour in working hours.
			Stages: st("appointmentscheduled", d(-10), "qualifiedtobuy", d(-7), "presentationscheduled", h(-2)), DemoAt: backend.MeetingStart(h(20), time.Local, time.Hour)},
		{ID: "9002", Name: "Ledgerly — Enterprise", Amount: 120000, CloseDate: now, CompanyID: "co-ledgerly", ContactIDs: []string{"1002"},
			// Created before the connector's 45-day look-back, as in the scenario, which starts at "qualified".
			Stages: st("appointmentscheduled", d(-50), "qualifiedtobuy", d(-25), "presentationscheduled", d(-12),
				"decisionmakerboughtin", d(-6), "contractsent", d(-4), "closedwon", h(-5)), DemoAt: d(-10)},
		{ID: "9003", Name: "Brightpath — Pilot", Amount: 60000, CloseDate: d(45), CompanyID: "co-brightpath", ContactIDs: []string{"1003"},
			Stages: st("appointmentscheduled", d(-26), "qualifiedtobuy", d(-21)), LastActivityAt: d(-21)},
		{ID: "9004", Name: "Orbital — Exploratory", CompanyID: "co-orbital",
			Stages: st("appointmentscheduled", d(-24)), LastActivityAt: d(-24)},
		{ID: "9005", Name: "Quarry Labs — Startup plan", Amount: 9000, CloseDate: d(-1), CompanyID: "co-quarry", ContactIDs: []string{"1004"},
			Stages: st("appointmentscheduled", d(-14), "presentationscheduled", d(-9), "closedlost", h(-20)),
			DemoAt: now.Add(-(7*24 + 3) * time.Hour), LostReason: "Staying with Stackwise for now"},
		{ID: "9006", Name: "Finch Payments — Growth", Amount: 36000, CloseDate: d(40), CompanyID: "co-finch", ContactIDs: []string{"1005"},
			Stages: st("appointmentscheduled", d(-5))},
		{ID: "9007", Name: "Verdant — Classroom pilot", Amount: 6000, CloseDate: d(60), CompanyID: "co-verdant", ContactIDs: []string{"1009"},
			Stages: st("appointmentscheduled", d(-3))},
		{ID: "9008", Name: "Cobalt Cloud — Growth", Amount: 22000, CloseDate: d(35), CompanyID: "co-cobalt", ContactIDs: []string{"1010", "1011"},
			Stages: st("appointmentscheduled", d(-9), "qualifiedtobuy", d(-3))},
	}
	for i := range deals {
		deals[i].Currency = "USD"
	}
	forms := []Form{
		{ID: DemoFormNewsletter, Name: "Newsletter", CreatedAt: d(-90), Submissions: []Submission{
			{ConversionID: "demo-finch-newsletter", SubmittedAt: d(-35), PageURL: "https://pebblecache.dev/blog",
				Values: map[string]string{"email": "priya.raman@gmail.com", "first_name": "Priya", "firstname": "Priya", "lastname": "R."}},
		}},
		{ID: DemoFormPricing, Name: "Pricing question", CreatedAt: d(-90), Submissions: []Submission{
			{ConversionID: "demo-acme-pricing", SubmittedAt: d(-2), PageURL: "https://pebblecache.dev/pricing",
				Values: map[string]string{"company": "Acme Robotics", "email": "sam.patel@acmerobotics.com", "firstname": "Sam", "lastname": "Patel",
					"message": "Is pricing per seat or per build minute? We have about 60 engineers and 400 CI runs a day."}},
		}},
		{ID: DemoFormDemo, Name: "Request a demo", CreatedAt: d(-90), Submissions: []Submission{
			{ConversionID: "demo-acme-demo", SubmittedAt: h(-2), PageURL: "https://pebblecache.dev/demo",
				Values: map[string]string{"company": "Acme Robotics", "email": "sam.patel@acmerobotics.com", "firstname": "Sam", "lastname": "Patel",
					"message": "We'd like to see how the remote cache works with our Bazel monorepo. Any time this week.", "team_size": "60"}},
		}},
	}
	return Seed{Companies: companies, Contacts: contacts, Deals: deals, Forms: forms}
}
