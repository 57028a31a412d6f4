// Package store keeps every CaseyOS record in one bbolt file and implements
// backend.Store over it.
//
// It is the only package that imports bbolt. Records are JSON of
// store-private structs mapped by hand to and from the backend types, so the
// disk format changes only when this package says so; every index is written
// in the same transaction as its record; the schema carries a version and
// older files are upgraded at Open after a backup copy is written next to
// them. schema.go describes every bucket and key.
package store
