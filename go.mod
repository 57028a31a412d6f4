module github.com/caseyos/caseyos

go 1.26

require (
	github.com/goccy/go-json v0.10.5
	go.etcd.io/bbolt v1.4.3
)

require golang.org/x/sys v0.29.0 // indirect
