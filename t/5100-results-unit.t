#!/bin/bash
REPO=$(cd "$(dirname "$0")/.." && pwd) CCAPPLY_SHARED=${CCAPPLY_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared} exec "$(dirname "$0")/../bin/t/test-results"
