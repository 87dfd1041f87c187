#!/usr/bin/env bash
# Runs every libFuzzer target of a BONAFIDE_FUZZ=ON build for a bounded time.
#
# Usage: [FUZZ_JOBS=N] scripts/fuzz.sh BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]
# FUZZ_JOBS targets run side by side (default 1).
# Targets come from BUILD_DIR/fuzz/fuzz_targets.txt, written by fuzz/CMakeLists.txt at configure
# time, so a target added with bonafide_fuzz_target() is run without changes here. Each target
# starts from its seed corpus fuzz/corpus/<name>/ (read only) plus a working corpus in
# BUILD_DIR/fuzz/corpus/<name>/ (new inputs go there, kept between runs). A crash, leak, timeout,
# out-of-memory or violated invariant fails the run; the reproducer is left in
# BUILD_DIR/fuzz/artifacts/ and the log in BUILD_DIR/fuzz/logs/.
set -euo pipefail

build_dir=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-${FUZZ_SECONDS:-20}}
shift $(( $# >= 2 ? 2 : $# ))
only=("$@")

list="$build_dir/fuzz/fuzz_targets.txt"
if [ ! -f "$list" ]; then
  echo "fuzz: $list not found (configure $build_dir with -DBONAFIDE_FUZZ=ON)" >&2
  exit 1
fi
mkdir -p "$build_dir/fuzz/artifacts" "$build_dir/fuzz/logs"
# Sanitizer reports end the run (the build also uses -fno-sanitize-recover=all).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

jobs=${FUZZ_JOBS:-1}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive number" >&2; exit 1; }

# fuzz_one NAME BINARY SEEDS DICT: runs one target, prints one result line (plus the log's tail
# on failure) in one write so that lines of targets running side by side do not interleave, and
# exits non-zero if the target failed.
fuzz_one() {
  local name=$1 binary=$2 seeds=$3 dict=$4
  local work="$build_dir/fuzz/corpus/$name" log="$build_dir/fuzz/logs/$name.log"
  mkdir -p "$work"
  local args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=8192
              -print_final_stats=1 -artifact_prefix="$build_dir/fuzz/artifacts/$name-")
  if [ "$dict" != "-" ]; then args+=(-dict="$dict"); fi
  if "$binary" "${args[@]}" "$work" "$seeds" </dev/null >"$log" 2>&1; then
    local execs cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    printf 'fuzz: %-22s %ss ok (%s runs, %s)\n' "$name" "$seconds" "${execs:-?}" "${cov:-cov: ?}"
    return 0
  fi
  printf 'fuzz: %-22s %ss FAILED\n---- last 40 lines of %s ----\n%s\n----\n' \
    "$name" "$seconds" "$log" "$(tail -n 40 "$log")"
  return 1
}

ran=0
failed=()
declare -A running=()  # pid -> target name
# reap: waits for one running target and records its outcome.
reap() {
  local pid
  wait -n -p pid "${!running[@]}" && true
  local rc=$?
  if [ "$rc" -ne 0 ]; then failed+=("${running[$pid]}"); fi
  unset "running[$pid]"
}
while read -r name binary seeds dict; do
  [ -n "$name" ] || continue
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
  if [ ! -x "$binary" ]; then
    echo "fuzz: $binary is not built" >&2
    exit 1
  fi
  while [ ${#running[@]} -ge "$jobs" ]; do reap; done
  fuzz_one "$name" "$binary" "$seeds" "$dict" &
  running[$!]=$name
  ran=$((ran + 1))
done <"$list"
while [ ${#running[@]} -gt 0 ]; do reap; done

if [ "$ran" -eq 0 ]; then
  echo "fuzz: no fuzz targets ran" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of $ran targets failed: ${failed[*]} (reproducers in $build_dir/fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: $ran targets ran clean"
