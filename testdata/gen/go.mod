module profdrop/testdata/gen

go 1.19
