"""Run every benchmark: `python -m bench` (or `make bench`)."""
from __future__ import annotations

import sys

from bench import (
    bench_bank_import,
    bench_exam,
    bench_import_files,
    bench_login_writes,
    bench_stats,
    bench_storm,
)

BENCHES = [bench_login_writes, bench_bank_import, bench_import_files, bench_exam, bench_storm, bench_stats]


def main() -> int:
    for module in BENCHES:
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
