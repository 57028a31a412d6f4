// Package dedupe finds records that describe the same person (or the same
// company) twice: a CRM export imported next to the synced CRM, a contact
// created from an email next to the one a form created.
//
// It works in two steps, as record linkage does: blocking puts records that
// share a cheap key (normalized email, email local part, phone in E.164,
// name + company, company domain) in the same block, and only records that
// share a block are scored. The score combines the evidence of names
// (nicknames, transliterations, swapped first and last, initials, typos by
// edit distance and Jaro–Winkler), emails (plus-addressing, dots in Gmail,
// domain aliases), phones and companies into a probability in 0..1, with
// the evidence in words.
//
// It is pure (no I/O, no clock) and imports the standard library only.
package dedupe
