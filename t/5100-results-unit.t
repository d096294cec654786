#!/bin/bash
REPO=$(cd "$(dirname "$0")/.." && pwd) exec "$(dirname "$0")/../bin/t/test-results"
