"""`python -m tests.quality.update_baseline`: pin the current corpus scores (raise floors in a commit)."""

from tests.quality.gate import main

main()
