#!/usr/bin/env bash
# Runs the given test files alone (with the PostgreSQL fixture), e.g. while working on them.
exec npx mocha --no-config -r ts-node/register -r test/helpers/global-postgres.ts --timeout 120000 "$@"
