module example.com/acme/cache

go 1.19
