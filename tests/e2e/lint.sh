#!/bin/sh
# lint.sh - tools/lint.sh as a test: module boundaries, and the auditor's
# finding codes exactly as docs/auditors.md documents them.
. tests/e2e/lib.sh
e2e_begin lint
cd "$(dirname "$0")/../.." || exit 1
check "tools/lint.sh" sh tools/lint.sh
e2e_end
