#!/bin/bash
exec "$(dirname "$0")/../bin/t/test-results-cache"
