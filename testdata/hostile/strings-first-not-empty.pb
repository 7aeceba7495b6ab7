

	
d


È""""""""****2	not-empty2alloc_space2bytes2inuse_space2parse2handle2main2alloc