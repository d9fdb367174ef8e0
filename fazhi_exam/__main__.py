"""`python -m fazhi_exam ...` is the `fazhi-exam` command."""
from .cli import main

main()
