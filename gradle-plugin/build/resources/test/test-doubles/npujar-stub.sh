#!/bin/sh
# Test double of the npujar CLI for the plugin's wiring tests: answers --version and writes its
# own argument list as the "archive" for pack. It checks nothing about models. Integration
# tests use the real CLI instead.
if [ "$1" = "--version" ]; then
  echo "npujar 0.0.0-stub"
  exit 0
fi
if [ "$1" = "pack" ] && [ "$3" = "-o" ]; then
  if [ -n "$NPUJAR_STUB_FAIL" ]; then
    echo "stub: failing on request" >&2
    exit 3
  fi
  printf '%s\n' "$@" > "$4"
  echo "stub: wrote $4"
  exit 0
fi
echo "stub: unexpected arguments: $*" >&2
exit 2
