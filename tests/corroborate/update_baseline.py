"""`python -m tests.corroborate.update_baseline`: pin the current event-grouping scores (raise floors in a commit)."""

from tests.corroborate.gate import main

main()
