module github.com/caseyos/caseyos

go 1.26
