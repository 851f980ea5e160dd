# Inline caches compiled without a profile (every function compiled at its
# first call): every site gets the instance-value / method cache and must
# fall back correctly whatever the objects turn out to be.
from _inline_caches import main

main()
