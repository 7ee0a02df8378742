#!/usr/bin/env bash
# Runs the fault matrix (every pool on the class path x idle gap, KILL, restart, black hole,
# plus KILLs under concurrent Kafka and scheduled work for every pool; starter off, on, on*)
# against real embedded MariaDB and Kafka servers, and prints the table, which is also kept in
# autoconfigure/target/fault-matrix.txt. Takes several minutes. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f autoconfigure/target/fault-matrix.txt
status=0
./mvnw -B -q -pl autoconfigure test -Dtest=FaultMatrixReport -Dsurefire.failIfNoSpecifiedTests=false "$@" \
	> autoconfigure/target/fault-matrix.log 2>&1 || status=$?
if [[ -f autoconfigure/target/fault-matrix.txt ]]; then
	cat autoconfigure/target/fault-matrix.txt
else
	tail -n 40 autoconfigure/target/fault-matrix.log
fi
echo "Full log: autoconfigure/target/fault-matrix.log"
exit "$status"
