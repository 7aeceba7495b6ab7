module profdrop/testdata/gen

go 1.19

require example.com/acme/cache v0.0.0

replace example.com/acme/cache => ./third_party/acmecache
