package backend

// Invented exposes invented to the external tests.
var Invented = invented
