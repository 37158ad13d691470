#!/bin/sh
# AWS_LAMBDA_EXEC_WRAPPER of every function. The Node.js runtime's bootstrap starts
#   "$AWS_LAMBDA_EXEC_WRAPPER" <node> <its options> <its runtime script>
# and its options include --max-semi-space-size=<memory / 20>. On node's command line that beats
# the --max-semi-space-size=1 of NODE_OPTIONS, which bounds the memory of streamed downloads
# (docs/BENCHMARKS.md, streaming). This drops the runtime's value, so NODE_OPTIONS' applies, and
# passes everything else on unchanged.
set -eu
skip_value=false
first=true
for argument do
  # The list was expanded when the loop started: rebuilding "$@" inside it is safe.
  if $first; then
    set --
    first=false
  fi
  if $skip_value; then
    skip_value=false
    continue
  fi
  case "$argument" in
    --max-semi-space-size=* | --max_semi_space_size=*) ;;
    --max-semi-space-size | --max_semi_space_size) skip_value=true ;;
    *) set -- "$@" "$argument" ;;
  esac
done
exec "$@"
