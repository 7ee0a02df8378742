#!/usr/bin/env bash
# Kafka consumer throughput with the starter off and on, against an embedded MariaDB server and
# an embedded Kafka broker started in one JVM (see benchmarks/README.md, "Kafka throughput").
# Prints a progress line per run and a Markdown table, also written to
# benchmarks/target/kafka-throughput.md; the servers' and applications' warnings go to
# benchmarks/target/kafka-throughput.log.
#
#   benchmarks/kafka-throughput.sh [--skip-build] [--records N] [--records-no-jdbc N] [--runs N]
#       [--warmup N] [--scenarios insert,read-insert,no-jdbc] [--wait-timeouts 600,2] [--output FILE]
#       [--general-log FILE]
#
# Defaults: 20,000 records per run (200,000 for no-jdbc), 3 measured runs off and 3 on after
# 1 warm-up pair, every scenario, wait_timeout 600 s then 2 s. --general-log makes the server
# log every statement (for finding out what they are; it slows the server down).
# JAVA_OPTS (default -Xmx1g) is passed to the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
args=()
while [[ $# -gt 0 ]]; do
	case "$1" in
		--skip-build) build=false ;;
		-h|--help)
			sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
			exit 0 ;;
		*) args+=("$1") ;;
	esac
	shift
done

classpath_file=benchmarks/target/kafka-throughput.classpath
if [[ "$build" == true ]]; then
	# The benchmark runs on the class path of this build (the starter's jar in autoconfigure/target
	# and starter/target, not a copy installed in the local Maven repository).
	echo "Building (./mvnw -B -q -DskipTests -pl benchmarks -am package) ..."
	./mvnw -B -q -DskipTests -pl benchmarks -am package
elif [[ ! -f "$classpath_file" ]]; then
	echo "No $classpath_file: run without --skip-build first" >&2
	exit 1
fi

log=benchmarks/target/kafka-throughput.log
rm -f "$log"
status=0
# shellcheck disable=SC2086
java ${JAVA_OPTS:--Xmx1g} \
	-Dkafka.throughput.log="$log" \
	-cp "benchmarks/target/classes:$(cat "$classpath_file")" \
	io.github.connectionlifecycle.benchmarks.kafka.KafkaThroughputBenchmark \
	--output benchmarks/target/kafka-throughput.md ${args[@]+"${args[@]}"} || status=$?
if [[ -f "$log" ]]; then
	echo "Log: $log ($(grep -c ' WARN ' "$log" || true) warnings, $(grep -c ' ERROR ' "$log" || true) errors)"
fi
exit "$status"
